/** Real writer processes: concurrent writes of different keys and of one key, and writers killed mid-write. */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempHome } from '../helpers/home';
import { openVault } from '../../engine/vault/store';
import { crashValue } from './writer';

const WRITER = fileURLToPath(new URL('./writer.ts', import.meta.url));

interface Writer {
  child: ChildProcessWithoutNullStreams;
  lines: string[];
  /** Resolves when a line matching `pattern` has been printed. */
  waitFor(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startWriter(env: NodeJS.ProcessEnv, args: string[]): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  let buffer = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    let nl;
    while ((nl = buffer.indexOf('\n')) !== -1) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      lines.push(line);
      for (const w of [...waiters]) if (w.pattern.test(line)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
    }
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    child,
    lines,
    exited,
    waitFor(pattern) {
      if (lines.some((l) => pattern.test(l))) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiters.push({ pattern, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`writer exited (${code ?? signal}) before printing ${pattern}: ${stderr}`)));
      });
    },
  };
}

function stopAll(writers: Writer[]): void {
  for (const w of writers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
}

describe('vault writers in separate processes', () => {
  test('two processes setting different keys at the same moment both succeed, even on a fresh vault', async () => {
    for (let round = 0; round < 3; round++) {
      const h = await tempHome();
      const writers: Writer[] = [];
      try {
        // Same namespace and a fresh vault: they also race to create the folder and the identity.
        writers.push(startWriter(h.env, ['once', 'shared.first', `first-${round}`]), startWriter(h.env, ['once', 'shared.second', `second-${round}`]));
        await Promise.all(writers.map((w) => w.waitFor(/^ready$/)));
        for (const w of writers) w.child.stdin.write('go\n');
        const results = await Promise.all(writers.map((w) => w.exited));
        assert.deepEqual(results, [{ code: 0, signal: null }, { code: 0, signal: null }]);
        const vault = openVault({ home: h.path, env: h.env });
        assert.deepEqual(await vault.list(), ['shared.first', 'shared.second']);
        assert.equal(await vault.get('shared.first'), `first-${round}`);
        assert.equal(await vault.get('shared.second'), `second-${round}`);
      } finally {
        stopAll(writers);
        await h.cleanup();
      }
    }
  });

  test('the same key from two processes: readers never see a torn file, and the last writer wins', async () => {
    const h = await tempHome();
    const writers: Writer[] = [];
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('race.key', 'initial');
      writers.push(startWriter(h.env, ['many', 'race.key', 'A', '25']), startWriter(h.env, ['many', 'race.key', 'B', '25']));
      await Promise.all(writers.map((w) => w.waitFor(/^ready$/)));
      for (const w of writers) w.child.stdin.write('go\n');
      let running = true;
      const done = Promise.all(writers.map((w) => w.exited)).finally(() => (running = false));
      let reads = 0;
      while (running) {
        const value = await openVault({ home: h.path, env: h.env }).get('race.key');
        assert.match(value ?? '', /^(initial|[AB]-\d+)$/);
        reads++;
      }
      assert.deepEqual(await done, [{ code: 0, signal: null }, { code: 0, signal: null }]);
      assert.ok(reads > 0);
      assert.match((await vault.get('race.key'))!, /^[AB]-24$/);

      // One after the other: the later write is what stays.
      for (const [tag, expected] of [['C', 'C-0'], ['D', 'D-0']] as const) {
        const w = startWriter(h.env, ['many', 'race.key', tag, '1']);
        writers.push(w);
        await w.waitFor(/^ready$/);
        w.child.stdin.write('go\n');
        assert.deepEqual(await w.exited, { code: 0, signal: null });
        assert.equal(await openVault({ home: h.path, env: h.env }).get('race.key'), expected);
      }
      assert.deepEqual(await vault.list(), ['race.key']);
    } finally {
      stopAll(writers);
      await h.cleanup();
    }
  });

  test('a writer killed mid-write leaves the old value or the new one, never a torn file', async (t) => {
    const h = await tempHome();
    const writers: Writer[] = [];
    const SIZE = 1_500_000;
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('crash.key', crashValue(0, SIZE));
      let current = 0;
      let leftovers = 0;
      for (let round = 0; round < 10; round++) {
        const start = current + 1;
        const w = startWriter(h.env, ['loop', 'crash.key', String(SIZE), String(start)]);
        writers.push(w);
        // Let it finish at least one write, then kill it: on even rounds the moment its next
        // temp file appears (while the ciphertext is being written), on odd rounds at a random time.
        await w.waitFor(/^\d+$/);
        if (round % 2 === 0) {
          const watcher = watch(join(vault.dir, 'crash'));
          await new Promise<void>((resolve) => {
            watcher.on('change', (_event, name) => {
              if (String(name).endsWith('.tmp')) resolve();
            });
            void w.exited.then(() => resolve());
          });
          w.child.kill('SIGKILL');
          watcher.close();
        } else {
          await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 60)));
          w.child.kill('SIGKILL');
        }
        await w.exited;
        const printed = w.lines.filter((l) => /^\d+$/.test(l)).map(Number);
        const lastDone = printed[printed.length - 1]!;
        const value = await openVault({ home: h.path, env: h.env }).get('crash.key');
        assert.ok(value !== null, 'the key is still there');
        const n = Number(/^value-(\d+):/.exec(value)![1]);
        assert.ok(n === lastDone || n === lastDone + 1, `round ${round}: file holds ${n}, last completed write ${lastDone}`);
        assert.equal(value, crashValue(n, SIZE), 'the value is whole');
        current = n;
        leftovers += (await readdir(join(vault.dir, 'crash'))).filter((f) => f.endsWith('.tmp')).length;
        assert.deepEqual(await vault.list(), ['crash.key'], 'temp files are never keys');
      }
      t.diagnostic(`temp files left by killed writers (kills that landed mid-write): ${leftovers}`);
      assert.ok(leftovers > 0, 'some kills landed while a temp file was being written');
      // The next write clears what the killed writers left.
      await vault.set('crash.key', 'after the crashes');
      assert.deepEqual((await readdir(join(vault.dir, 'crash'))).filter((f) => f.endsWith('.tmp')), []);
      assert.equal(await vault.get('crash.key'), 'after the crashes');
    } finally {
      stopAll(writers);
      await h.cleanup();
    }
  });
});
