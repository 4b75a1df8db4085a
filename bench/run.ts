/**
 * `npm run bench`: runs every bench/*.bench.ts in its own process, one after another, so
 * that one benchmark's garbage and warm caches do not colour the next. Each prints its own
 * table with ratios against an anchor measured in the same run.
 * Usage: npm run bench [-- substring ...]
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
let failed = 0;
for (const file of files) {
  process.stdout.write(`\n=== ${file} ===\n`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(dir, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.stdout.write(`\n${files.length - failed} of ${files.length} benchmarks ran${failed ? `, ${failed} failed` : ''}.\n`);
process.exit(failed ? 1 : 0);
