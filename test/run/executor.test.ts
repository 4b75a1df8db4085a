import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { executeGraph } from '../../engine/run/executor';

/** Records when each task starts and ends, and how many run at once. */
function tracker() {
  const events: string[] = [];
  let running = 0;
  let peak = 0;
  return {
    events,
    get peak() {
      return peak;
    },
    task(ms: number, fail = false) {
      return async (id: string) => {
        running++;
        peak = Math.max(peak, running);
        events.push(`start ${id}`);
        await sleep(ms);
        running--;
        events.push(`end ${id}`);
        if (fail) throw new Error(`${id} broke`);
        return id;
      };
    },
  };
}

describe('executeGraph', () => {
  it('starts a task only after all of its dependencies finished', async () => {
    const t = tracker();
    const outcomes = await executeGraph({
      tasks: [
        { id: 'db', dependsOn: [] },
        { id: 'cache', dependsOn: [] },
        { id: 'api', dependsOn: ['db', 'cache'] },
        { id: 'web', dependsOn: ['api'] },
      ],
      concurrency: 4,
      run: (id) => t.task(id === 'cache' ? 40 : 10)(id),
    });
    const at = (e: string) => t.events.indexOf(e);
    assert.ok(at('start api') > at('end db') && at('start api') > at('end cache'));
    assert.ok(at('start web') > at('end api'));
    assert.equal([...outcomes.values()].every((o) => o.status === 'succeeded'), true);
  });

  it('runs independent tasks side by side, never more than the concurrency', async () => {
    const t = tracker();
    await executeGraph({
      tasks: ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({ id, dependsOn: [] })),
      concurrency: 2,
      run: t.task(20),
    });
    assert.equal(t.peak, 2);
    const t1 = tracker();
    await executeGraph({ tasks: ['a', 'b', 'c'].map((id) => ({ id, dependsOn: [] })), concurrency: 1, run: t1.task(5) });
    assert.equal(t1.peak, 1);
    assert.deepEqual(t1.events, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('a failure stops its dependants (transitively), not its siblings', async () => {
    const notStarted: [string, string][] = [];
    const outcomes = await executeGraph({
      tasks: [
        { id: 'db', dependsOn: [] },
        { id: 'api', dependsOn: ['db'] },
        { id: 'web', dependsOn: ['api'] },
        { id: 'docs', dependsOn: [] },
        { id: 'worker', dependsOn: ['docs'] },
      ],
      concurrency: 4,
      run: async (id) => {
        if (id === 'db') throw new Error('disk full');
        await sleep(5);
        return id;
      },
      onNotStarted: (id, reason) => notStarted.push([id, reason]),
    });
    assert.equal(outcomes.get('db')!.status, 'failed');
    assert.equal(outcomes.get('docs')!.status, 'succeeded');
    assert.equal(outcomes.get('worker')!.status, 'succeeded');
    assert.deepEqual(outcomes.get('api'), { status: 'not-started', reason: 'dependency "db" did not succeed', blockedBy: 'db' });
    assert.deepEqual(outcomes.get('web'), { status: 'not-started', reason: 'dependency "api" did not succeed', blockedBy: 'api' });
    assert.deepEqual(notStarted.map(([id]) => id).sort(), ['api', 'web']);
  });

  it('dependencies that are not tasks of the run count as done', async () => {
    const outcomes = await executeGraph({ tasks: [{ id: 'api', dependsOn: ['external-db'] }], concurrency: 1, run: async (id) => id });
    assert.equal(outcomes.get('api')!.status, 'succeeded');
  });

  it('cancelling lets running tasks finish and starts nothing new', async () => {
    const controller = new AbortController();
    const started: string[] = [];
    const outcomes = await executeGraph({
      tasks: ['a', 'b', 'c'].map((id) => ({ id, dependsOn: [] })),
      concurrency: 1,
      signal: controller.signal,
      run: async (id) => {
        started.push(id);
        controller.abort();
        await sleep(10);
        return id;
      },
    });
    assert.deepEqual(started, ['a']);
    assert.equal(outcomes.get('a')!.status, 'succeeded');
    assert.deepEqual(outcomes.get('b'), { status: 'not-started', reason: 'cancelled' });
  });

  it('an empty graph resolves at once', async () => {
    const outcomes = await executeGraph({ tasks: [], concurrency: 4, run: async () => 1 });
    assert.equal(outcomes.size, 0);
  });
});
