#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with node's built-in runner, TypeScript through tsx.
// Usage: node test/run.mjs [substring ...]   (only files whose path contains a substring)
// The real-editor suite (test/e2e/) runs too; STARSYSTEM_SKIP_E2E=1 leaves it out.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...collect(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

let files = collect(join(root, 'test')).map((f) => relative(root, f)).sort();
if (process.env.STARSYSTEM_SKIP_E2E === '1') files = files.filter((f) => !f.startsWith('test/e2e/'));
if (filters.length > 0) files = files.filter((f) => filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(1);
}

// A safety net: no test may touch the real ~/.starsystem. Each test still makes its own home.
const home = mkdtempSync(join(tmpdir(), 'starsystem-test-home-'));
const env = { ...process.env, STARSYSTEM_HOME: home, NO_COLOR: '1' };
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, ...files],
  { cwd: root, env, stdio: 'inherit' },
);
child.on('exit', (code, signal) => {
  rmSync(home, { recursive: true, force: true });
  process.exit(signal ? 1 : code ?? 1);
});
