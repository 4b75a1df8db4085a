// Bundles the three faces of Starsystem: the VS Code extension, the language server and the `ss` CLI.
// The extension is CommonJS (what the VS Code extension host loads); dist/package.json pins that.
// The server and the CLI are ES modules split into chunks behind a small CommonJS launcher
// (dist/server.js, dist/cli.js), so that a process loads only what it uses: the language server
// and `ss validate` never read the HTTP client, the AWS signer or the cryptography.
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

/** An ES module bundle split into chunks under `${outdir}/${name}/`, loaded by `${outdir}/${name}.js`. */
function splitModule(name, entry) {
  return {
    ...common,
    entryPoints: { main: entry },
    outdir: `${outdir}/${name}`,
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    // Always minified: a smaller main chunk starts faster and holds less memory; the source maps still point at the source.
    minify: true,
    // Bundled CommonJS dependencies call require() for Node's own modules.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  };
}

function launcher(name, what, shebang) {
  return (
    (shebang ? '#!/usr/bin/env node\n' : '') +
    `// ${what}: loads its ES module bundle.\n` +
    `import('./${name}/main.mjs').catch((error) => {\n` +
    '  process.stderr.write(`error: ${error && error.message ? error.message : error}\\n`);\n' +
    '  process.exitCode = 1;\n' +
    '});\n'
  );
}

const builds = [
  {
    ...common,
    format: 'cjs',
    entryPoints: ['client/extension.ts'],
    outfile: `${outdir}/extension.js`,
    external: ['vscode'],
    // `import.meta.url` has no CommonJS equivalent; the engine reads it only through this define.
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  },
  splitModule('server', 'server/main.ts'),
  splitModule('cli', 'engine/cli/main.ts'),
];

await rm(`${outdir}/cli`, { recursive: true, force: true });
await rm(`${outdir}/server`, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
await writeFile(`${outdir}/package.json`, JSON.stringify({ type: 'commonjs' }) + '\n');
await writeFile(`${outdir}/server.js`, launcher('server', 'The Starsystem language server (node dist/server.js --stdio)', false));
await writeFile(`${outdir}/cli.js`, launcher('cli', 'The `ss` command', true));
await chmod(`${outdir}/cli.js`, 0o755);

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
