/**
 * End to end: `node dist/server.js --stdio` started as an editor starts it, spoken to over
 * JSON-RPC by a client written against the protocol (test/lsp/client.ts), with real files,
 * a real vault (age-encrypted keys) and real state files in a STARSYSTEM_HOME of its own.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StateStore } from '../../engine/run/state';
import { openVault } from '../../engine/vault/store';
import { runSs } from '../helpers/cli';
import { tempDir, tempHome, type TempHome } from '../helpers/home';
import { LspClient, RpcResponseError, type PublishedDiagnostics } from './client';

const server = join(fileURLToPath(new URL('../..', import.meta.url)), 'dist', 'server.js');
const COMMANDS = { provisionService: 'starsystem.provisionService', provisionAll: 'starsystem.provisionAll', plan: 'starsystem.showPlan' };

const BASE = `version: "2"
name: shop
services:
  db:
    type: database
    description: The shop's database.
  api:
    type: process
    command: node api.js
    depends_on: [db]
    env:
      TOKEN: "{{ vault('secrets.API_TOKEN') }}"
  worker:
    type: process
    command: node worker.js
    depends_on: [api]
`;

const PROD = `version: "2"
environment: prod
services:
  db:
    target:
      type: neon
      region: us-east-2
`;

interface Started {
  client: LspClient;
  home: TempHome;
  dir: string;
  cleanup(): Promise<void>;
}

async function start(options: { initializationOptions?: unknown; files?: Record<string, string> } = {}): Promise<Started> {
  if (!existsSync(server)) throw new Error(`${server} is missing: run "npm run build" first.`);
  const home = await tempHome();
  const folder = await tempDir('starsystem-lsp-');
  for (const [name, text] of Object.entries(options.files ?? {})) await writeFile(join(folder.path, name), text);
  const client = new LspClient(process.execPath, [server, '--stdio'], { env: home.env });
  await client.initialize({
    rootUri: pathToFileURL(folder.path).href,
    initializationOptions: options.initializationOptions,
    capabilities: {
      textDocument: { completion: { completionItem: { snippetSupport: true } }, publishDiagnostics: { versionSupport: true } },
      workspace: { codeLens: { refreshSupport: true }, configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      experimental: { starsystem: { commands: COMMANDS } },
    },
  });
  return {
    client,
    home,
    dir: folder.path,
    cleanup: async () => {
      await client.stop().catch(() => client.kill());
      await folder.cleanup();
      await home.cleanup();
    },
  };
}

function openDoc(client: LspClient, path: string, text: string, version = 1): string {
  const uri = pathToFileURL(path).href;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
  return uri;
}

const codes = (d: PublishedDiagnostics) => d.diagnostics.map((x) => x.code).sort();

describe('language server over stdio', () => {
  let s: Started;
  let base: string;
  let uri: string;

  before(async () => {
    s = await start({ files: { 'starsystem.prod.yaml': PROD } });
    await openVault({ home: s.home.path }).set('secrets.OTHER', 'not the token');
    base = join(s.dir, 'starsystem.yaml');
    await writeFile(base, BASE);
  });
  after(() => s.cleanup());

  test('diagnostics on open are what `ss validate` reports', async () => {
    const waiting = s.client.diagnostics(pathToFileURL(base).href, 1);
    uri = openDoc(s.client, base, BASE);
    const published = await waiting;
    const cli = await runSs(['validate', '--json', base], { env: s.home.env });
    const expected = (JSON.parse(cli.stdout) as { diagnostics: { file: string; code: string; range: unknown; message: string }[] }).diagnostics.filter((d) => d.file === base);
    assert.deepEqual(
      published.diagnostics.map((d) => ({ code: d.code, range: d.range, message: d.message })),
      expected.map((d) => ({ code: d.code, range: d.range, message: d.message })),
    );
    assert.deepEqual(codes(published), ['no-provisioner', 'vault-key-not-set']);
  });

  test('incremental edits: a typo is reported for the new version, the fix clears it', async () => {
    let waiting = s.client.diagnostics(uri, 2);
    // depends_on: [db] -> [dxb]
    s.client.notify('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 9, character: 18 }, end: { line: 9, character: 18 } }, text: 'x' }],
    });
    const typo = await waiting;
    assert.deepEqual(codes(typo), ['no-provisioner', 'unknown-service', 'vault-key-not-set']);
    const unknown = typo.diagnostics.find((d) => d.code === 'unknown-service')!;
    assert.deepEqual(unknown.range, { start: { line: 9, character: 17 }, end: { line: 9, character: 20 } });

    const actions = await s.client.request<{ title: string; edit: { changes: Record<string, { newText: string }[]> } }[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: unknown.range,
      context: { diagnostics: [unknown] },
    });
    assert.equal(actions[0]!.title, 'Change to "db"');
    assert.equal(actions[0]!.edit.changes[uri]![0]!.newText, 'db');

    waiting = s.client.diagnostics(uri, 3);
    s.client.notify('textDocument/didChange', {
      textDocument: { uri, version: 3 },
      contentChanges: [{ range: { start: { line: 9, character: 18 }, end: { line: 9, character: 19 } }, text: '' }],
    });
    assert.deepEqual(codes(await waiting), ['no-provisioner', 'vault-key-not-set']);
  });

  test('a burst of edits is validated once, for its last version', async () => {
    const before = s.client.notifications.length;
    const waiting = s.client.diagnostics(uri, 23);
    const edits = [];
    for (let v = 4; v <= 23; v++) {
      // Type "aaaaa..." into the description, one letter per message.
      edits.push({ method: 'textDocument/didChange', params: { textDocument: { uri, version: v }, contentChanges: [{ range: { start: { line: 5, character: 18 }, end: { line: 5, character: 18 } }, text: 'a' }] } });
    }
    s.client.burst(edits);
    await waiting;
    const versions = s.client.notifications
      .slice(before)
      .filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as PublishedDiagnostics).uri === uri)
      .map((n) => (n.params as PublishedDiagnostics).version);
    assert.deepEqual(versions, [23]);
  });

  test('completion: service ids in depends_on, without the service itself or a cycle', async () => {
    // worker's depends_on: [api], completed where "api" is: worker itself is not offered.
    const list = await s.client.request<{ items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: 15, character: 17 } });
    assert.deepEqual(list.items.map((i) => i.label).sort(), ['api', 'db']);
    // api's depends_on: [db]: worker depends on api, so api depending on worker would be a cycle.
    const forApi = await s.client.request<{ items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: 9, character: 17 } });
    assert.deepEqual(forApi.items.map((i) => i.label).sort(), ['db']);
    const keys = await s.client.request<{ items: { label: string }[] }>('textDocument/completion', {
      textDocument: { uri },
      position: { line: 11, character: 32 },
    });
    assert.deepEqual(keys.items.map((i) => i.label), ['secrets.OTHER']);
  });

  test('CodeLenses with the client\'s command ids, plan rows on resolve', async () => {
    const lenses = await s.client.request<{ range: { start: { line: number } }; command?: { title: string; command: string; arguments: unknown[] }; data?: unknown }[]>(
      'textDocument/codeLens',
      { textDocument: { uri } },
    );
    assert.deepEqual(
      lenses.filter((l) => l.command).map((l) => [l.range.start.line, l.command!.title, l.command!.command]),
      [
        [2, 'Provision all', COMMANDS.provisionAll],
        [2, 'Plan', COMMANDS.plan],
        [3, 'Provision service', COMMANDS.provisionService],
        [6, 'Provision service', COMMANDS.provisionService],
        [12, 'Provision service', COMMANDS.provisionService],
      ],
    );
    assert.deepEqual(lenses.find((l) => l.command?.title === 'Provision service')!.command!.arguments, [
      { uri, configPath: base, environment: 'local', serviceId: 'db' },
    ]);
    const rows = await Promise.all(lenses.filter((l) => l.data).map((l) => s.client.request<{ command: { title: string } }>('codeLens/resolve', l)));
    assert.deepEqual(rows.map((r) => r.command.title), ['• skipped: no provisioner', '+ will create · local-process', '+ will create · local-process']);
  });

  test('hover: a field, a vault key (set or not, never the value), a service id', async () => {
    const field = await s.client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 8, character: 6 } });
    assert.match(field.contents.value, /The command that runs the process/);
    const key = await s.client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 30 } });
    assert.match(key.contents.value, /secrets\.API_TOKEN/);
    assert.match(key.contents.value, /Not set/);
    const id = await s.client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 15, character: 18 } });
    assert.match(id.contents.value, /\*\*api\*\* · `\+ will create · local-process`/);
  });

  test('definition, references and rename reach the overlay on disk that is not open', async () => {
    const prod = join(s.dir, 'starsystem.prod.yaml');
    const prodUri = pathToFileURL(prod).href;
    const definition = await s.client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/definition', {
      textDocument: { uri },
      position: { line: 9, character: 17 },
    });
    assert.deepEqual(definition.map((l) => [l.uri, l.range.start.line]), [[uri, 3]]);
    const refs = await s.client.request<{ uri: string; range: { start: { line: number } } }[]>('textDocument/references', {
      textDocument: { uri },
      position: { line: 3, character: 3 },
      context: { includeDeclaration: true },
    });
    assert.deepEqual(refs.map((l) => [l.uri, l.range.start.line]), [
      [uri, 3],
      [uri, 9],
      [prodUri, 3],
    ]);
    const edit = await s.client.request<{ changes: Record<string, { newText: string }[]> }>('textDocument/rename', {
      textDocument: { uri },
      position: { line: 3, character: 3 },
      newName: 'database',
    });
    assert.equal(edit.changes[uri]!.length, 2);
    assert.equal(edit.changes[prodUri]!.length, 1);
    await assert.rejects(
      s.client.request('textDocument/rename', { textDocument: { uri }, position: { line: 3, character: 3 }, newName: 'api' }),
      (e: unknown) => e instanceof RpcResponseError && /already exists/.test(e.error.message),
    );
    const symbols = await s.client.request<{ name: string; detail?: string }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.deepEqual(symbols.map((x) => [x.name, x.detail]), [
      ['db', 'database'],
      ['api', 'process'],
      ['worker', 'process'],
    ]);
  });

  test('a vault key set on disk refreshes the diagnostics and asks for fresh CodeLenses', async () => {
    const refreshes = s.client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length;
    const waiting = s.client.waitFor(
      (n) => n.method === 'textDocument/publishDiagnostics' && (n.params as PublishedDiagnostics).uri === uri && !codes(n.params as PublishedDiagnostics).includes('vault-key-not-set'),
    );
    await openVault({ home: s.home.path }).set('secrets.API_TOKEN', 'the token value');
    await waiting;
    assert.ok(s.client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length > refreshes);
    const key = await s.client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 11, character: 30 } });
    assert.match(key.contents.value, /Set in the vault/);
    assert.doesNotMatch(JSON.stringify(s.client.notifications) + JSON.stringify(key), /the token value/);
  });

  test('recorded state on disk changes the plan rows', async () => {
    const refreshes = s.client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length;
    // The server reads the state of this system once CodeLenses were asked for (done above).
    await new StateStore(s.home.path, 'shop', 'local').put({
      serviceId: 'api',
      provider: 'local-process',
      status: 'provisioned',
      updatedAt: new Date().toISOString(),
      record: { provider: 'local-process', resourceId: 'api', provisionedAt: new Date().toISOString(), metadata: { pid: 999999999, startTime: '1' } },
    });
    // The row changes once the server has read the new state; it then asks for fresh lenses.
    const expected = '~ not running (pid 999999999 exited) · will start · local-process';
    let title = '';
    for (const deadline = Date.now() + 10000; title !== expected && Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const lenses = await s.client.request<{ data?: { serviceId: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
      title = (await s.client.request<{ command: { title: string } }>('codeLens/resolve', lenses.find((l) => l.data?.serviceId === 'api'))).command.title;
    }
    assert.equal(title, expected);
    assert.ok(s.client.serverRequests.filter((r) => r.method === 'workspace/codeLens/refresh').length > refreshes);
  });

  test('the environment setting validates the base with that overlay', async () => {
    const waiting = s.client.diagnostics(uri);
    s.client.notify('workspace/didChangeConfiguration', { settings: { starsystem: { environment: 'prod' } } });
    await waiting;
    const lenses = await s.client.request<{ data?: { serviceId: string }; command?: { arguments: { environment: string }[] } }[]>('textDocument/codeLens', { textDocument: { uri } });
    const db = await s.client.request<{ command: { title: string } }>('codeLens/resolve', lenses.find((l) => l.data?.serviceId === 'db'));
    assert.equal(db.command.title, '+ will create · neon');
    assert.equal(lenses.find((l) => l.command)!.command!.arguments[0]!.environment, 'prod');
  });

  test('a request cancelled while it waits is answered as cancelled', async () => {
    const [result] = s.client.burst([
      { method: 'textDocument/codeLens', params: { textDocument: { uri } }, request: true },
      { method: '$/cancelRequest', params: { id: s.client.peekId } },
    ]);
    await assert.rejects(result!, (e: unknown) => e instanceof RpcResponseError && e.error.code === -32800);
  });
});

describe('overlays and other documents', () => {
  let s: Started;
  before(async () => {
    s = await start({ files: { 'starsystem.yaml': BASE } });
  });
  after(() => s.cleanup());

  test('an open overlay is validated with its base read from disk, and again when the base changes on disk', async () => {
    const prod = join(s.dir, 'starsystem.prod.yaml');
    const overlay = PROD.replace('  db:\n', '  db:\n    depends_on: [cache]\n');
    const waiting = s.client.diagnostics(pathToFileURL(prod).href, 1);
    const uri = openDoc(s.client, prod, overlay);
    assert.deepEqual(codes(await waiting), ['unknown-service']);
    const fixed = s.client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as PublishedDiagnostics).uri === uri && codes(n.params as PublishedDiagnostics).length === 0);
    await writeFile(join(s.dir, 'starsystem.yaml'), BASE + '  cache:\n    type: process\n    command: redis-server\n');
    await fixed;
  });

  test('editing the open base re-validates its open overlay', async () => {
    const prodUri = pathToFileURL(join(s.dir, 'starsystem.prod.yaml')).href;
    const baseUri = pathToFileURL(join(s.dir, 'starsystem.yaml')).href;
    const text = BASE + '  cache:\n    type: process\n    command: redis-server\n';
    openDoc(s.client, join(s.dir, 'starsystem.yaml'), text);
    const waiting = s.client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as PublishedDiagnostics).uri === prodUri && codes(n.params as PublishedDiagnostics).includes('unknown-service'));
    // Rename the cache service in the base (not saved): the overlay's reference breaks.
    const line = text.split('\n').indexOf('  cache:');
    s.client.notify('textDocument/didChange', { textDocument: { uri: baseUri, version: 2 }, contentChanges: [{ range: { start: { line, character: 7 }, end: { line, character: 7 } }, text: 'd' }] });
    await waiting;
  });

  test('a YAML file whose first line is "# starsystem" is a starsystem file; others are left alone', async () => {
    await mkdir(join(s.dir, 'infra'), { recursive: true });
    const marked = join(s.dir, 'infra', 'system.yaml');
    const waiting = s.client.diagnostics(pathToFileURL(marked).href);
    openDoc(s.client, marked, '# starsystem\nservices:\n  a:\n    depends_on: [b]\n');
    assert.ok(codes(await waiting).includes('unknown-service'));
    const other = openDoc(s.client, join(s.dir, 'infra', 'compose.yaml'), 'services:\n  a:\n    depends_on: [b]\n');
    const none = await s.client.diagnostics(other);
    assert.deepEqual(none.diagnostics, []);
    assert.equal(await s.client.request('textDocument/hover', { textDocument: { uri: other }, position: { line: 1, character: 3 } }), null);
    // An editor that is not a file yet: validated on its own.
    const untitled = 'untitled:Untitled-1';
    const waitingUntitled = s.client.diagnostics(untitled);
    s.client.notify('textDocument/didOpen', { textDocument: { uri: untitled, languageId: 'yaml', version: 1, text: '# starsystem\nservices:\n  a:\n    depends_on: [a]\n' } });
    assert.ok(codes(await waitingUntitled).includes('self-dependency'));
  });

  test('the environment from initializationOptions; shutdown and exit end the process with 0', async () => {
    const t = await start({ initializationOptions: { environment: 'prod' }, files: { 'starsystem.yaml': BASE, 'starsystem.prod.yaml': PROD } });
    try {
      const uri = openDoc(t.client, join(t.dir, 'starsystem.yaml'), BASE);
      await t.client.diagnostics(uri);
      const lenses = await t.client.request<{ data?: { serviceId: string } }[]>('textDocument/codeLens', { textDocument: { uri } });
      const db = await t.client.request<{ command: { title: string } }>('codeLens/resolve', lenses.find((l) => l.data?.serviceId === 'db'));
      assert.equal(db.command.title, '+ will create · neon');
      assert.equal(await t.client.stop(), 0);
    } finally {
      await t.cleanup();
    }
  });
});
