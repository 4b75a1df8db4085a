/**
 * Runs tasks over a dependency graph: a task starts as soon as every task it depends on
 * has succeeded, at most `concurrency` at a time. A failure stops the tasks that depend on
 * it (transitively), never its siblings. Cancelling stops anything from starting; tasks
 * already running get the signal and finish on their own terms.
 */

export interface GraphTask {
  id: string;
  /** Ids of tasks this one waits for. Ids that are not tasks of this run count as done. */
  dependsOn: readonly string[];
}

export type TaskOutcome<T> =
  | { status: 'succeeded'; value: T; startedAt: number; endedAt: number }
  | { status: 'failed'; error: unknown; startedAt: number; endedAt: number }
  | { status: 'not-started'; reason: string; blockedBy?: string };

export interface ExecuteOptions<T> {
  /** Tasks in the order ties are broken (usually the dependency order of the file). */
  tasks: readonly GraphTask[];
  concurrency: number;
  signal?: AbortSignal;
  run(id: string): Promise<T>;
  /** Called when a task is waiting for its dependencies or a free slot. */
  onQueued?(id: string): void;
  /** Called when a task will not run, with the reason. */
  onNotStarted?(id: string, reason: string, blockedBy?: string): void;
}

export async function executeGraph<T>(options: ExecuteOptions<T>): Promise<Map<string, TaskOutcome<T>>> {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const ids = new Set(options.tasks.map((t) => t.id));
  const waitingOn = new Map<string, Set<string>>();
  const dependants = new Map<string, string[]>();
  for (const task of options.tasks) {
    const deps = new Set(task.dependsOn.filter((d) => ids.has(d) && d !== task.id));
    waitingOn.set(task.id, deps);
    for (const d of deps) {
      let list = dependants.get(d);
      if (!list) dependants.set(d, (list = []));
      list.push(task.id);
    }
  }
  const order = new Map(options.tasks.map((t, i) => [t.id, i]));
  const outcomes = new Map<string, TaskOutcome<T>>();
  const ready: string[] = [];
  for (const task of options.tasks) {
    options.onQueued?.(task.id);
    if (waitingOn.get(task.id)!.size === 0) ready.push(task.id);
  }

  let running = 0;
  return new Promise((resolve) => {
    const finishIfDone = () => {
      if (running === 0 && (ready.length === 0 || options.signal?.aborted)) {
        // Whatever has not run by now cannot: cancelled, or waiting on a cycle.
        for (const task of options.tasks) {
          if (outcomes.has(task.id)) continue;
          const reason = options.signal?.aborted ? 'cancelled' : 'waiting on a dependency cycle';
          outcomes.set(task.id, { status: 'not-started', reason });
          options.onNotStarted?.(task.id, reason);
        }
        resolve(outcomes);
        return true;
      }
      return false;
    };

    const block = (failedId: string) => {
      // Each blocked task names the dependency that stopped it: its direct parent in the chain.
      const stack: [string, string][] = (dependants.get(failedId) ?? []).map((id) => [id, failedId]);
      while (stack.length > 0) {
        const [id, parent] = stack.shift()!;
        if (outcomes.has(id)) continue;
        const reason = options.signal?.aborted ? 'cancelled' : `dependency "${parent}" did not succeed`;
        outcomes.set(id, { status: 'not-started', reason, blockedBy: parent });
        options.onNotStarted?.(id, reason, parent);
        for (const next of dependants.get(id) ?? []) stack.push([next, id]);
      }
    };

    const pump = () => {
      while (running < concurrency && ready.length > 0 && !options.signal?.aborted) {
        ready.sort((a, b) => order.get(a)! - order.get(b)!);
        const id = ready.shift()!;
        if (outcomes.has(id)) continue;
        running++;
        const startedAt = Date.now();
        let promise: Promise<T>;
        try {
          promise = Promise.resolve(options.run(id));
        } catch (error) {
          promise = Promise.reject(error);
        }
        promise.then(
          (value) => {
            outcomes.set(id, { status: 'succeeded', value, startedAt, endedAt: Date.now() });
            for (const dependant of dependants.get(id) ?? []) {
              const waiting = waitingOn.get(dependant)!;
              waiting.delete(id);
              if (waiting.size === 0 && !outcomes.has(dependant)) ready.push(dependant);
            }
            running--;
            if (!finishIfDone()) pump();
          },
          (error: unknown) => {
            outcomes.set(id, { status: 'failed', error, startedAt, endedAt: Date.now() });
            block(id);
            running--;
            if (!finishIfDone()) pump();
          },
        );
      }
      finishIfDone();
    };
    pump();
  });
}
