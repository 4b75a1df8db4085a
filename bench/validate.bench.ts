/**
 * validate + plan on synthetic systems of 1,000 and 5,000 services, against the bare
 * `yaml` parse of the same text (the floor: nothing can validate without parsing), and a
 * cold `ss validate` process on the seed 000 example against a bare `node -e 0`.
 * Goals: validate+plan within 1.5x of the bare parse; cold ss validate under 150 ms.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { parseFile } from '../engine/config/parse';
import { analyze } from '../engine/config/validate';
import { buildPlan } from '../engine/plan/plan';
import { createDefaultRegistry } from '../engine/provisioners/index';
import { generateSystem } from './generate';
import { ms, stats, table } from './util';

const root = fileURLToPath(new URL('..', import.meta.url));

function timeOnce(fn: () => unknown): number {
  (globalThis as { gc?: () => void }).gc?.();
  const start = performance.now();
  fn();
  return performance.now() - start;
}
const registry = createDefaultRegistry();
const rows: string[][] = [['case', 'bare parse p50', 'validate+plan p50', 'ratio', 'goal']];

for (const count of [1000, 5000]) {
  const text = generateSystem(count);
  const runs = count === 1000 ? 30 : 10;
  const validateAndPlan = () => {
    const model = analyze(parseFile('/bench/starsystem.yaml', text), undefined, { registry });
    if (model.diagnostics.some((d) => d.severity === 'error')) throw new Error(model.diagnostics[0]!.message);
    buildPlan(model, registry, new Map());
  };
  // Interleaved, each after a collection: both see the same machine and a clean heap.
  const floorSamples: number[] = [];
  const fullSamples: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const bare = timeOnce(() => parseDocument(text));
    const full = timeOnce(validateAndPlan);
    if (i >= 3) {
      floorSamples.push(bare);
      fullSamples.push(full);
    }
  }
  const floor = stats(floorSamples);
  const full = stats(fullSamples);
  const ratio = full.p50 / floor.p50;
  rows.push([`${count} services`, ms(floor.p50), ms(full.p50), `${ratio.toFixed(2)}x`, ratio <= 1.5 ? 'ok (<= 1.5x)' : 'MISSED (<= 1.5x)']);
}
process.stdout.write(table(rows));

// Cold processes: the whole `ss validate` against starting node itself.
function wall(args: string[], runs: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    const start = performance.now();
    const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'ignore' });
    const elapsed = performance.now() - start;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
    if (i >= 3) out.push(elapsed);
  }
  return out;
}
const seed = 'test/fixtures/seeds/000-system/starsystem.yaml';
const node = stats(wall(['-e', '0'], 20));
const cold = stats(wall(['dist/cli.js', 'validate', seed], 20));
process.stdout.write(
  '\n' +
    table([
      ['cold process', 'p50', 'p95'],
      ['node -e 0 (anchor)', ms(node.p50), ms(node.p95)],
      [`ss validate ${seed}`, ms(cold.p50), ms(cold.p95)],
      ['ratio to anchor', `${(cold.p50 / node.p50).toFixed(2)}x`, ''],
      ['goal', cold.p50 < 150 ? 'ok (< 150 ms)' : 'MISSED (< 150 ms)', ''],
    ]),
);
