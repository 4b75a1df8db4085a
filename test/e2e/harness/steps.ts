/** Steps of a real-editor walk: they run in order, and once one fails the rest are skipped, not failed again. */
import { it, type TestContext } from 'node:test';
import type { Workbench } from './workbench';

export function orderedSteps(workbench: () => Workbench | undefined) {
  let broken = false;
  return (name: string, fn: (t: TestContext) => Promise<void>) =>
    it(name, async (t) => {
      if (broken) return t.skip('an earlier step failed');
      try {
        await fn(t);
      } catch (error) {
        broken = true;
        await workbench()?.screenshot(`failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
        throw error;
      }
    });
}
