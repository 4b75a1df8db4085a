/**
 * Waiting for a provider's asynchronous work (a project coming up, an operation finishing):
 * poll a check until it says done, at an interval, within a time budget, cancellable.
 * `STARSYSTEM_POLL_INTERVAL_MS` and `STARSYSTEM_WAIT_TIMEOUT_MS` override the provisioner's
 * defaults (tests use them to keep waits short).
 */

export interface PollTiming {
  /** Time between two checks, in ms. */
  intervalMs: number;
  /** Longest total wait, in ms. */
  timeoutMs: number;
}

export type PollResult<T> = { done: true; value: T } | { done: false; detail: string };

export class WaitTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WaitTimeoutError';
  }
}

export class WaitCancelledError extends Error {
  constructor(what: string) {
    super(`Cancelled while waiting for ${what}.`);
    this.name = 'WaitCancelledError';
  }
}

/** The provisioner's default timing, overridden by the STARSYSTEM_POLL_INTERVAL_MS / STARSYSTEM_WAIT_TIMEOUT_MS variables. */
export function pollTiming(env: NodeJS.ProcessEnv, defaults: PollTiming): PollTiming {
  return {
    intervalMs: positive(env.STARSYSTEM_POLL_INTERVAL_MS) ?? defaults.intervalMs,
    timeoutMs: positive(env.STARSYSTEM_WAIT_TIMEOUT_MS) ?? defaults.timeoutMs,
  };
}

/**
 * Runs `check` until it reports done, waiting `intervalMs` between checks. Throws
 * WaitTimeoutError (with the last detail the check gave) when the budget runs out, and
 * WaitCancelledError when the signal fires. Errors thrown by `check` end the wait.
 */
export async function pollUntil<T>(
  what: string,
  check: () => Promise<PollResult<T>>,
  timing: PollTiming,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = Date.now() + timing.timeoutMs;
  let detail = 'no answer yet';
  for (;;) {
    if (signal?.aborted) throw new WaitCancelledError(what);
    const result = await check();
    if (result.done) return result.value;
    detail = result.detail;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new WaitTimeoutError(`Timed out after ${formatMs(timing.timeoutMs)} waiting for ${what} (last seen: ${detail}).`);
    }
    await sleep(Math.min(timing.intervalMs, left), signal, what);
  }
}

/** Resolves after `ms`, or rejects with WaitCancelledError when the signal fires first. */
export function sleep(ms: number, signal: AbortSignal | undefined, what = 'a pause'): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new WaitCancelledError(what));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(new WaitCancelledError(what));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  return Number.isInteger(seconds) ? `${seconds} s` : `${seconds.toFixed(1)} s`;
}

function positive(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
