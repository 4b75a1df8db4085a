/**
 * Building and running the extension-host suites (test/e2e/host/): each suite and the
 * runner are bundled into a folder inside the project (so `require('mocha')` finds the
 * project's mocha), then loaded by the editor with `extensionTestsPath`.
 */
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { projectRoot } from './tools';

export async function buildHostTests(): Promise<{ dir: string; index: string }> {
  const source = join(projectRoot, 'test', 'e2e', 'host');
  await mkdir(join(projectRoot, 'out'), { recursive: true });
  const dir = await mkdtemp(join(projectRoot, 'out', 'host-tests-'));
  const entries = readdirSync(source).filter((f) => f === 'index.ts' || f.endsWith('.suite.ts'));
  await esbuild.build({
    entryPoints: entries.map((f) => join(source, f)),
    outdir: dir,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  });
  // The project is an ES module package; the bundles are CommonJS, as the extension host loads them.
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'commonjs' }) + '\n');
  return { dir, index: join(dir, 'index.js') };
}
