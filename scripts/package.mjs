#!/usr/bin/env node
// Builds the installable .vsix: production bundles staged in a folder of their own (so
// packaging never rewrites the dist/ that tests and the CLI are using), then `vsce package`.
// Usage: node scripts/package.mjs [--out=FILE.vsix]   (default: NAME-VERSION.vsix in the project root)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outArg = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const out = resolve(outArg ?? join(root, `${manifest.name}-${manifest.version}.vsix`));

const staging = mkdtempSync(join(tmpdir(), 'starsystem-package-'));
try {
  run(process.execPath, [join(root, 'esbuild.mjs'), '--production', `--outdir=${join(staging, 'dist')}`], root);
  // What the .vsix may contain (.vscodeignore narrows it further).
  for (const entry of ['package.json', '.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'schemas', 'media']) {
    if (existsSync(join(root, entry))) cpSync(join(root, entry), join(staging, entry), { recursive: true });
  }
  const vsce = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  const args = [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', out];
  run(process.execPath, args, staging);
  const size = statSync(out).size;
  console.log(`${out}: ${(size / 1024).toFixed(0)} KB`);
} finally {
  rmSync(staging, { recursive: true, force: true });
}

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${command} ${args.join(' ')} failed${result.signal ? ` (${result.signal})` : ''}.`);
    process.exit(result.status ?? 1);
  }
}
