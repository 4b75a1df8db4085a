import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { analyzeGraph } from '../../engine/plan/graph';

const graph = (deps: Record<string, string[]>) => analyzeGraph({ ids: Object.keys(deps), dependsOn: (id) => deps[id] ?? [] });

describe('dependency graph', () => {
  test('dependencies come first; otherwise file order', () => {
    assert.deepEqual(graph({ web: ['api'], api: ['db', 'cache'], db: [], cache: [], docs: [] }).order, ['db', 'cache', 'api', 'web', 'docs']);
  });

  test('unknown dependencies are ignored', () => {
    assert.deepEqual(graph({ a: ['nope'], b: ['a'] }), { order: ['a', 'b'], cycles: [] });
  });

  test('a cycle is found with its path, and its services come last', () => {
    const result = graph({ x: [], a: ['b'], b: ['c'], c: ['a'], d: ['a'] });
    assert.deepEqual(result.cycles, [['a', 'b', 'c', 'a']]);
    assert.deepEqual(result.order.slice(0, 1), ['x']);
    assert.deepEqual(new Set(result.order), new Set(['x', 'a', 'b', 'c', 'd']));
  });

  test('the shortest cycle through the first service is named', () => {
    const result = graph({ a: ['b', 'c'], b: ['c'], c: ['a'] });
    assert.deepEqual(result.cycles, [['a', 'c', 'a']]);
  });

  test('two separate cycles and a self-loop', () => {
    const result = graph({ a: ['b'], b: ['a'], c: ['c'], d: ['e'], e: ['d'] });
    assert.deepEqual(result.cycles, [['a', 'b', 'a'], ['c', 'c'], ['d', 'e', 'd']]);
  });

  test('a chain of 20,000 services neither overflows nor slows to a crawl', () => {
    const deps: Record<string, string[]> = {};
    for (let i = 0; i < 20_000; i++) deps[`s${i}`] = i === 0 ? ['s19999'] : [`s${i - 1}`];
    const result = graph(deps);
    assert.equal(result.cycles.length, 1);
    assert.equal(result.cycles[0]!.length, 20_001);
  });
});
