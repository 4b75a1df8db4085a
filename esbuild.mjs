// Bundles the three faces of Starsystem: the VS Code extension, the language server and the `ss` CLI.
// The extension and the server are CommonJS (what the VS Code extension host loads); dist/package.json
// pins that. The CLI is ES modules split into chunks behind a small launcher (dist/cli.js), so that
// a command loads only what it uses: `ss validate` never reads the HTTP client or the cryptography.
import * as esbuild from 'esbuild';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// `--outdir=DIR` builds elsewhere (packaging stages the extension in a folder of its own).
const outdir = process.argv.find((a) => a.startsWith('--outdir='))?.slice('--outdir='.length) || 'dist';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const commonjs = {
  ...common,
  format: 'cjs',
  // `import.meta.url` has no CommonJS equivalent; the engine reads it only through this define.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
};

const builds = [
  { ...commonjs, entryPoints: ['client/extension.ts'], outfile: `${outdir}/extension.js`, external: ['vscode'] },
  { ...commonjs, entryPoints: ['server/main.ts'], outfile: `${outdir}/server.js` },
  {
    ...common,
    entryPoints: { main: 'engine/cli/main.ts' },
    outdir: `${outdir}/cli`,
    format: 'esm',
    splitting: true,
    // Always minified: a smaller main chunk starts faster, and the source maps still point at the source.
    minify: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    // Bundled CommonJS dependencies call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  },
];

await rm(`${outdir}/cli`, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await writeFile(`${outdir}/package.json`, JSON.stringify({ type: 'commonjs' }) + '\n');
await writeFile(
  `${outdir}/cli.js`,
  "#!/usr/bin/env node\n// The `ss` command: loads the CLI's ES module bundle.\nimport('./cli/main.mjs').catch((error) => {\n  process.stderr.write(`error: ${error && error.message ? error.message : error}\\n`);\n  process.exitCode = 1;\n});\n",
);
await chmod(`${outdir}/cli.js`, 0o755);

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
