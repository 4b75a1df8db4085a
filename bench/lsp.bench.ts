/**
 * The language server as an editor sees it, on generated systems of 1,000 and 5,000
 * services: the time from sending `didChange` to receiving `publishDiagnostics` over 100
 * single-character edits spread through the file (p50, p95), completion, hover and CodeLens
 * latency, and the server's resident memory. The same file and edits go, in the same run,
 * through `yaml-language-server` (npm, 1.x) given the JSON Schema generated from our zod
 * schemas; it checks far less (no references, cycles, providers or vault keys) and waits a
 * fixed 200 ms before validating, which its numbers include: that is what its users wait.
 *
 * Goals: p95 under 50 ms at 1,000 services and under 100 ms at 5,000; resident memory under
 * 150 MB at 5,000.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { jsonSchema } from '../engine/config/schemaInfo';
import { openVault } from '../engine/vault/store';
import { LspClient } from '../test/lsp/client';
import { serverExecArgv } from '../server/launch';
import { ms, stats, table } from './util';

const root = fileURLToPath(new URL('..', import.meta.url));
const ourServer = join(root, 'dist', 'server.js');
const yamlServer = join(root, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server');
const EDITS = 100;
const VAULT_KEYS = 20;

/** A system like a real one, scaled: processes with health checks and env, databases, dependencies, vault templates. */
function generate(count: number, schemaUri: string): string {
  const id = (i: number) => `svc-${String(i).padStart(5, '0')}`;
  const lines = [`# yaml-language-server: $schema=${schemaUri}`, 'version: "2"', `name: bench-${count}`, `description: A generated system of ${count} services.`, 'services:'];
  for (let i = 0; i < count; i++) {
    const deps = i === 0 ? [] : i % 10 === 0 ? [id(i - 1), id(i - 10)] : [id(i - 1)];
    if (i % 10 === 5) {
      lines.push(
        `  ${id(i)}:`,
        '    type: database',
        `    description: Service number ${i}, a Postgres database.`,
        '    capabilities: [relational]',
        `    depends_on: [${deps.join(', ')}]`,
        '    target:',
        '      type: neon',
        '      region: us-east-2',
        `      project_name: bench-db-${i}`,
      );
      continue;
    }
    lines.push(
      `  ${id(i)}:`,
      '    type: process',
      `    description: Service number ${i}, an HTTP server.`,
      `    command: node services/${id(i)}/server.js --port=${3000 + i}`,
      `    depends_on: [${deps.join(', ')}]`,
      '    env:',
      `      PORT: "${3000 + i}"`,
      `      API_TOKEN: "{{ vault('secrets.TOKEN_${String(i % VAULT_KEYS).padStart(2, '0')}') }}"`,
      '    health_check:',
      `      url: http://127.0.0.1:${3000 + i}/health`,
      '      interval: 500ms',
    );
    if (i % 10 === 6) lines.push('    inject_from:', `      ${id(i - 1)}:`, '        - DATABASE_URL');
  }
  return lines.join('\n') + '\n';
}

interface Measured {
  open: number;
  change: number[];
  completion: number[];
  hover: number[];
  codeLens: number[];
  resolve: number[];
  rssMb: number;
  peakMb: number;
  problems: number;
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function measure(kind: 'starsystem' | 'yaml-language-server', file: string, text: string, home: string, schemaUri: string): Promise<Measured> {
  // Each server as its editor starts it: ours with the extension's heap ceiling (server/launch.ts).
  const command = kind === 'starsystem' ? [...serverExecArgv(), ourServer, '--stdio'] : [yamlServer, '--stdio'];
  const client = new LspClient(process.execPath, command, { env: { ...process.env, STARSYSTEM_HOME: home } });
  const uri = pathToFileURL(file).href;
  const settings = { yaml: { validate: true, hover: true, completion: true, schemas: { [schemaUri]: ['starsystem.yaml'] }, schemaStore: { enable: false } } };
  client.answers.set('workspace/configuration', (params) => (params as { items: unknown[] }).items.map(() => settings.yaml));
  try {
    await client.initialize({
      rootUri: pathToFileURL(join(file, '..')).href,
      capabilities: {
        textDocument: { completion: { completionItem: { snippetSupport: true } }, hover: {}, codeLens: {}, publishDiagnostics: {} },
        workspace: { configuration: true },
        experimental: { starsystem: { commands: { provisionService: 'starsystem.provisionService', provisionAll: 'starsystem.provisionAll', plan: 'starsystem.plan' } } },
      },
    });
    if (kind === 'yaml-language-server') client.notify('workspace/didChangeConfiguration', { settings });

    const lines = text.split('\n');
    let version = 1;
    let started = performance.now();
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version, text } });
    let published = await client.diagnostics(uri, kind === 'starsystem' ? version : undefined, 120000);
    const open = performance.now() - started;

    // 100 one-character edits spread through the file, one at a time.
    const descriptionLines = lines.flatMap((l, i) => (l.startsWith('    description: Service number') ? [i] : []));
    const change: number[] = [];
    for (let e = 0; e < EDITS; e++) {
      const line = descriptionLines[Math.floor(((e + 0.5) * descriptionLines.length) / EDITS)]!;
      const character = lines[line]!.length;
      lines[line] += 'x';
      version++;
      started = performance.now();
      client.notify('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range: { start: { line, character }, end: { line, character } }, text: 'x' }],
      });
      published = await client.diagnostics(uri, kind === 'starsystem' ? version : undefined, 60000);
      change.push(performance.now() - started);
    }

    const timed = async (fn: () => Promise<unknown>): Promise<number> => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };
    const dependsLines = lines.flatMap((l, i) => (l.startsWith('    depends_on: [') && l.length > 20 ? [i] : []));
    const completion: number[] = [];
    for (let k = 0; k < 20; k++) {
      const line = dependsLines[Math.floor(((k + 0.5) * dependsLines.length) / 20)]!;
      completion.push(await timed(() => client.request('textDocument/completion', { textDocument: { uri }, position: { line, character: '    depends_on: ['.length } })));
    }
    const typeLines = lines.flatMap((l, i) => (l.startsWith('    type: ') ? [i] : []));
    const hover: number[] = [];
    for (let k = 0; k < 20; k++) {
      const line = typeLines[Math.floor(((k + 0.5) * typeLines.length) / 20)]!;
      hover.push(await timed(() => client.request('textDocument/hover', { textDocument: { uri }, position: { line, character: 6 } })));
    }
    const codeLens: number[] = [];
    const resolve: number[] = [];
    for (let k = 0; k < 5; k++) {
      let lenses: { data?: unknown }[] = [];
      codeLens.push(await timed(async () => (lenses = (await client.request<{ data?: unknown }[] | null>('textDocument/codeLens', { textDocument: { uri } })) ?? [])));
      // What an editor resolves: the lenses on one screen (about 40 lines, here about 4 services).
      const unresolved = lenses.filter((l) => l.data !== undefined);
      const visible = unresolved.slice(Math.floor((k * unresolved.length) / 5), Math.floor((k * unresolved.length) / 5) + 4);
      if (visible.length > 0) resolve.push(await timed(() => Promise.all(visible.map((l) => client.request('codeLens/resolve', l)))));
    }
    const memory = rssOf(client.process.pid!);
    return {
      open,
      change,
      completion,
      hover,
      codeLens,
      resolve,
      rssMb: memory.rss,
      peakMb: memory.peak,
      problems: published.diagnostics.length,
    };
  } finally {
    await client.stop().catch(() => client.kill());
  }
}

const rows: string[][] = [['server', 'services', 'open→diag', 'edit→diag p50', 'p95', 'completion p50', 'hover p50', 'codeLens p50', 'resolve 4', 'RSS', 'peak RSS', 'problems']];
const verdicts: string[] = [];
const work = await mkdtemp(join(tmpdir(), 'starsystem-lsp-bench-'));
try {
  const home = join(work, 'home');
  const vault = openVault({ home });
  for (let k = 0; k < VAULT_KEYS; k++) await vault.set(`secrets.TOKEN_${String(k).padStart(2, '0')}`, `bench-token-${k}`);
  await vault.set('providers.neon.api_key', 'bench-neon-key');
  const schemaPath = join(work, 'starsystem.schema.json');
  await writeFile(schemaPath, JSON.stringify(jsonSchema('base-file'), null, 2));
  const schemaUri = pathToFileURL(schemaPath).href;

  for (const count of [1000, 5000]) {
    const dir = join(work, `system-${count}`);
    await rm(dir, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }));
    const file = join(dir, 'starsystem.yaml');
    const text = generate(count, schemaUri);
    await writeFile(file, text);
    for (const kind of ['starsystem', 'yaml-language-server'] as const) {
      const m = await measure(kind, file, text, home, schemaUri);
      const change = stats(m.change);
      const p50 = (xs: number[]) => (xs.length > 0 ? ms(stats(xs).p50) : '-');
      rows.push([
        kind,
        String(count),
        ms(m.open),
        ms(change.p50),
        ms(change.p95),
        p50(m.completion),
        p50(m.hover),
        p50(m.codeLens),
        p50(m.resolve),
        `${m.rssMb.toFixed(0)} MB`,
        `${m.peakMb.toFixed(0)} MB`,
        String(m.problems),
      ]);
      if (kind === 'starsystem') {
        const goal = count === 1000 ? 50 : 100;
        verdicts.push(`${count} services: edit→diagnostics p95 ${ms(change.p95)} (goal < ${goal} ms: ${change.p95 < goal ? 'met' : 'MISSED'})`);
        if (count === 5000) verdicts.push(`${count} services: resident memory ${m.rssMb.toFixed(0)} MB (goal < 150 MB: ${m.rssMb < 150 ? 'met' : 'MISSED'})`);
      }
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
process.stdout.write(table(rows));
process.stdout.write(verdicts.map((v) => `${v}\n`).join(''));
