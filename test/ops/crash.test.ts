/**
 * kill -9 of the engine: a real `ss provision` (the bundled CLI, run by node) is killed at
 * different moments of a run; the next run must converge without starting anything twice.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { build } from 'esbuild';
import { History } from '../../engine/run/history';
import { lockPath } from '../../engine/run/lock';
import { processEnvValue, processGroupId, processesWithEnv } from '../../engine/run/processes';
import { StateStore } from '../../engine/run/state';
import { existsSync } from 'node:fs';
import { freePorts, httpGet, sandbox, serverCommand, waitFor, type Sandbox } from '../local-process/support';

let bundleDir: string;
let cli: string;

before(async () => {
  // The same bundle `npm run build` makes (esbuild.mjs), built fresh so the test runs this code.
  bundleDir = await mkdtemp(join(tmpdir(), 'ss-cli-'));
  cli = join(bundleDir, 'cli.js');
  await writeFile(join(bundleDir, 'package.json'), '{"type":"commonjs"}\n');
  await build({
    entryPoints: [join(import.meta.dirname, '../../engine/cli/main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    logLevel: 'error',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
});

after(async () => {
  for (const engine of engines) engine.kill('SIGKILL');
  await rm(bundleDir, { recursive: true, force: true });
});

/** Every engine started, so that a failing test leaves none running. */
const engines = new Set<ChildProcess>();

function runEngine(sb: Sandbox, args: string[]): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, [cli, ...args], { cwd: sb.dir, env: sb.env, stdio: ['ignore', 'pipe', 'pipe'] });
  engines.add(child);
  child.once('exit', () => engines.delete(child));
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  return Object.assign(child, { output: () => output });
}

async function finish(child: ChildProcess & { output: () => string }): Promise<{ code: number | null; output: string }> {
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, output: child.output() };
}

/** Service id -> the process groups running it. */
function leaders(sb: Sandbox): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const pid of processesWithEnv('STARSYSTEM_HOME', sb.home)) {
    if (processGroupId(pid) !== pid) continue;
    const id = processEnvValue(pid, 'STARSYSTEM_SERVICE');
    if (!id) continue;
    out.set(id, [...(out.get(id) ?? []), pid]);
  }
  return out;
}

describe('kill -9 of the engine', () => {
  it('mid-health-check: the next run takes the dead lock over, adopts the started process, and finishes', async () => {
    const sb = await sandbox();
    try {
      const [p1, p2, p3] = await freePorts(3);
      await sb.write(
        'starsystem.yaml',
        [
          'name: crash',
          'services:',
          '  a:',
          '    type: process',
          `    command: ${serverCommand(p1!)}`,
          `    health_check: { url: "http://127.0.0.1:${p1}/health", interval: 50ms }`,
          '  b:',
          '    type: process',
          `    command: ${serverCommand(p2!, '--ready-after=3000')}`,
          `    health_check: { url: "http://127.0.0.1:${p2}/health", interval: 50ms }`,
          '    depends_on: [a]',
          '  c:',
          '    type: process',
          `    command: ${serverCommand(p3!)}`,
          `    health_check: { url: "http://127.0.0.1:${p3}/health", interval: 50ms }`,
          '    depends_on: [b]',
          '',
        ].join('\n'),
      );
      const store = new StateStore(sb.home, 'crash', 'local');
      const engine = runEngine(sb, ['provision']);
      // Wait until b has been started and recorded as pending (its health check is still failing).
      const bPid = await waitFor(async () => {
        const state = await store.get('b').catch(() => undefined);
        return state?.status === 'pending' && state.partial?.resourceId ? Number(state.partial.resourceId) : undefined;
      }, 15_000, 'b to be started');
      engine.kill('SIGKILL');
      await once(engine, 'exit');
      assert.ok(existsSync(lockPath(sb.home, 'crash', 'local')), 'the dead engine left its lock');
      assert.equal((await new History(sb.home, 'crash', 'local').list())[0]!.status, 'interrupted');
      const aPid = leaders(sb).get('a')![0]!;

      const converge = await finish(runEngine(sb, ['provision']));
      assert.equal(converge.code, 0, converge.output);
      assert.match(converge.output, /Took over the lock of an earlier run that is no longer running/);
      assert.match(converge.output, /Found the process an interrupted run started \(pid \d+\)/);
      assert.match(converge.output, /✓ a verified/);
      assert.match(converge.output, /✓ c created/);
      const now = leaders(sb);
      assert.deepEqual([...now.keys()].sort(), ['a', 'b', 'c']);
      assert.deepEqual([now.get('a'), now.get('b'), now.get('c')!.length], [[aPid], [bPid], 1], 'nothing was started twice');
      for (const port of [p1, p2, p3]) assert.equal((await httpGet(`http://127.0.0.1:${port}/health`)).status, 200);

      const idle = await finish(runEngine(sb, ['provision', '--json']));
      assert.deepEqual(JSON.parse(idle.output).services.map((s: { outcome: string }) => s.outcome), ['verified', 'verified', 'verified']);
      const destroyed = await finish(runEngine(sb, ['destroy', '--yes']));
      assert.equal(destroyed.code, 0, destroyed.output);
      assert.deepEqual(sb.processes(), []);
    } finally {
      for (const engine of engines) engine.kill('SIGKILL');
      await sb.cleanup();
    }
  });

  it('killed at any moment, every next run converges to exactly one process per service', async () => {
    const sb = await sandbox();
    try {
      const ports = await freePorts(3);
      await sb.write(
        'starsystem.yaml',
        [
          'name: anytime',
          'services:',
          ...ports.flatMap((port, i) => [
            `  s${i}:`,
            '    type: process',
            `    command: ${serverCommand(port, '--ready-after=200')}`,
            `    health_check: { url: "http://127.0.0.1:${port}/health", interval: 25ms }`,
            ...(i > 0 ? [`    depends_on: [s${i - 1}]`] : []),
          ]),
          '',
        ].join('\n'),
      );
      // From "still loading" through "mid-spawn" to "mid-health-check" of each service.
      for (const delay of [200, 400, 700, 1000]) {
        const engine = runEngine(sb, ['provision']);
        await sleep(delay);
        engine.kill('SIGKILL');
        await once(engine, 'exit');
        const converge = await finish(runEngine(sb, ['provision']));
        assert.equal(converge.code, 0, `after a kill at ${delay}ms:\n${converge.output}`);
        const now = leaders(sb);
        assert.deepEqual(
          ['s0', 's1', 's2'].map((id) => now.get(id)?.length ?? 0),
          [1, 1, 1],
          `one process per service after a kill at ${delay}ms:\n${converge.output}`,
        );
        for (const port of ports) assert.equal((await httpGet(`http://127.0.0.1:${port}/health`)).status, 200);
        // Start the next round from nothing, so each kill lands in a run that creates.
        const destroyed = await finish(runEngine(sb, ['destroy', '--yes']));
        assert.equal(destroyed.code, 0, destroyed.output);
        assert.deepEqual(sb.processes(), []);
      }
    } finally {
      for (const engine of engines) engine.kill('SIGKILL');
      await sb.cleanup();
    }
  });
});
