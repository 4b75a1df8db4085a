/**
 * An independent client: Neovim's own LSP client (0.7, headless) starts `dist/server.js
 * --stdio` on a starsystem.yaml and reports what it received: diagnostics, CodeLenses
 * (resolved), a hover and completions. Skipped where Neovim is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir, tempHome } from '../helpers/home';

const server = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'server.js');
const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const available = nvim.status === 0;

const SYSTEM = `name: shop
services:
  db:
    type: database
  api:
    type: process
    command: node api.js
    depends_on: [dbx]
`;

const probe = (out: string) => `
local out = {}
local buf = vim.api.nvim_get_current_buf()
local caps = vim.lsp.protocol.make_client_capabilities()
caps.experimental = { starsystem = { commands = { provisionService = 'nvim.provisionService', provisionAll = 'nvim.provisionAll', plan = 'nvim.plan' } } }
local id = vim.lsp.start_client({ name = 'starsystem', cmd = { ${JSON.stringify(process.execPath)}, ${JSON.stringify(server)}, '--stdio' }, root_dir = vim.fn.getcwd(), capabilities = caps })
vim.lsp.buf_attach_client(buf, id)
vim.wait(15000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
out.diagnostics = {}
for _, d in ipairs(vim.diagnostic.get(buf)) do
  local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code)
  table.insert(out.diagnostics, { code = code, line = d.lnum, col = d.col })
end
local doc = { textDocument = vim.lsp.util.make_text_document_params(buf) }
out.lenses = {}
for _, res in pairs(vim.lsp.buf_request_sync(buf, 'textDocument/codeLens', doc, 10000) or {}) do
  for _, lens in ipairs(res.result or {}) do
    if lens.command then
      table.insert(out.lenses, lens.command.title)
    else
      for _, r in pairs(vim.lsp.buf_request_sync(buf, 'codeLens/resolve', lens, 10000) or {}) do table.insert(out.lenses, r.result.command.title) end
    end
  end
end
local at = function(line, character) return { textDocument = doc.textDocument, position = { line = line, character = character } } end
out.hover = {}
for _, r in pairs(vim.lsp.buf_request_sync(buf, 'textDocument/hover', at(5, 6), 10000) or {}) do out.hover = r.result.contents.value end
out.completion = {}
for _, r in pairs(vim.lsp.buf_request_sync(buf, 'textDocument/completion', at(7, 17), 10000) or {}) do
  for _, item in ipairs(r.result.items or r.result) do table.insert(out.completion, item.label) end
end
vim.fn.writefile({ vim.fn.json_encode(out) }, ${JSON.stringify(out)})
vim.lsp.stop_client(id)
vim.wait(2000, function() return vim.lsp.client_is_stopped(id) end, 50)
vim.cmd('qa!')
`;

test('Neovim 0.7 as the client: diagnostics, CodeLenses, hover and completion', { skip: available ? false : 'nvim is not installed' }, async () => {
  assert.ok(existsSync(server), `${server} is missing: run "npm run build" first.`);
  const home = await tempHome();
  const dir = await tempDir('starsystem-nvim-');
  try {
    const file = join(dir.path, 'starsystem.yaml');
    const out = join(dir.path, 'probe.json');
    await writeFile(file, SYSTEM);
    await writeFile(join(dir.path, 'probe.lua'), probe(out));
    const run = spawnSync('nvim', ['--headless', '--clean', '-c', 'luafile probe.lua', file], {
      cwd: dir.path,
      env: { ...home.env, XDG_CONFIG_HOME: dir.path, XDG_DATA_HOME: dir.path, XDG_STATE_HOME: dir.path },
      encoding: 'utf8',
      timeout: 60000,
    });
    assert.ok(existsSync(out), `the probe wrote nothing: ${run.stderr || run.stdout}`);
    const result = JSON.parse(await readFile(out, 'utf8')) as { diagnostics: { code: string; line: number }[]; lenses: string[]; hover: string; completion: string[] };
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.line]).sort(),
      [
        ['no-provisioner', 2],
        ['unknown-service', 7],
      ],
    );
    assert.deepEqual(result.lenses, ['Provision all', 'Plan', '• skipped: no provisioner', 'Provision service', '+ will create · local-process', 'Provision service']);
    assert.match(result.hover, /What the service is/);
    assert.deepEqual(result.completion, ['db']);
  } finally {
    await dir.cleanup();
    await home.cleanup();
  }
});
