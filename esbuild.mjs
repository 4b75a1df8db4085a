// Bundles the three faces of Starsystem: the VS Code extension, the language server and the `ss` CLI.
// Output is CommonJS (what the VS Code extension host loads); dist/package.json pins that.
import * as esbuild from 'esbuild';
import { chmod, mkdir, writeFile } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--outdir=DIR` builds elsewhere (packaging stages the extension in a folder of its own).
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) || 'dist';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // `import.meta.url` has no CommonJS equivalent; the engine reads it only through this define.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const entries = [
  { entryPoints: ['client/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] },
  { entryPoints: ['server/main.ts'], outfile: `${outdir}/server.js` },
  {
    entryPoints: ['engine/cli/main.ts'],
    outfile: `${outdir}/cli.js`,
    banner: { js: "#!/usr/bin/env node\n" + common.banner.js },
  },
];

await mkdir(outdir, { recursive: true });
await writeFile(`${outdir}/package.json`, JSON.stringify({ type: 'commonjs' }) + '\n');

if (watch) {
  const contexts = await Promise.all(entries.map((e) => esbuild.context({ ...common, ...e })));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(entries.map((e) => esbuild.build({ ...common, ...e })));
  await chmod(`${outdir}/cli.js`, 0o755);
}
