/**
 * Health checks: an HTTP(S) URL that answers 2xx or 3xx. Polled the way docker compose
 * polls a healthcheck: every `interval`, each try bounded by `timeout`; failures during
 * `start_period` do not count; `retries` consecutive failures after it make the service
 * unhealthy. Defaults: interval 500ms, timeout 2s, retries 60, start_period 0s.
 */
import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HealthCheck } from '../../config/schema';
import { durationMs } from '../../run/duration';

export interface HealthSettings {
  url: string;
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export const HEALTH_DEFAULTS = { intervalMs: 500, timeoutMs: 2000, retries: 60, startPeriodMs: 0 } as const;

export function healthSettings(check: string | HealthCheck | undefined): HealthSettings | undefined {
  if (check === undefined || check === null) return undefined;
  if (typeof check === 'string') return { url: check, ...HEALTH_DEFAULTS };
  return {
    url: check.url,
    intervalMs: durationMs(check.interval, HEALTH_DEFAULTS.intervalMs, 'health_check.interval'),
    timeoutMs: durationMs(check.timeout, HEALTH_DEFAULTS.timeoutMs, 'health_check.timeout'),
    retries: check.retries ?? HEALTH_DEFAULTS.retries,
    startPeriodMs: durationMs(check.start_period, HEALTH_DEFAULTS.startPeriodMs, 'health_check.start_period'),
  };
}

export interface ProbeResult {
  ok: boolean;
  status?: number;
  /** "HTTP 200", "HTTP 503: <first bytes of the body>", "connection refused", "timed out after 2s". */
  detail: string;
}

/** One health check try. */
export async function probe(url: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, detail: `not a valid URL: ${url}` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { ok: false, detail: `health checks need an http or https URL, not ${parsed.protocol}` };
  }
  // Loaded on first use: https brings TLS, which commands that check nothing should not pay for.
  const { request: send } = parsed.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    // A fresh connection per try (no agent): a pooled socket would outlive the process it talked to.
    const req = send(parsed, { method: 'GET', agent: false, headers: { 'user-agent': 'starsystem-health-check', connection: 'close' } }, (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const ok = status >= 200 && status < 400;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 200) body += chunk;
      });
      const finish = () => {
        const excerpt = body.replace(/\s+/g, ' ').trim().slice(0, 160);
        done({ ok, status, detail: `HTTP ${status}${!ok && excerpt ? `: ${excerpt}` : ''}` });
      };
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ ok: false, detail: `no answer within ${timeoutMs}ms` });
    }, timeoutMs);
    const onAbort = () => {
      req.destroy();
      done({ ok: false, detail: 'cancelled' });
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error: NodeJS.ErrnoException) => done({ ok: false, detail: describeNetworkError(error) }));
    req.end();
  });
}

function describeNetworkError(error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ENOTFOUND':
      return 'host not found';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    default:
      return error.code ? `${error.code}: ${error.message}` : error.message;
  }
}

export type HealthOutcome =
  | { healthy: true; attempts: number; elapsedMs: number; last: ProbeResult }
  | { healthy: false; attempts: number; elapsedMs: number; last?: ProbeResult; reason: 'unhealthy' | 'exited' | 'cancelled' };

/**
 * Polls until healthy, unhealthy (retries exhausted after the start period), the process
 * exits (`exited()` returns true), or the signal fires.
 */
export async function waitHealthy(
  settings: HealthSettings,
  options: { signal?: AbortSignal; exited?: () => boolean; maxRetries?: number } = {},
): Promise<HealthOutcome> {
  const started = Date.now();
  const retries = options.maxRetries !== undefined ? Math.min(options.maxRetries, settings.retries) : settings.retries;
  let attempts = 0;
  let failures = 0;
  let last: ProbeResult | undefined;
  for (;;) {
    if (options.signal?.aborted) return { healthy: false, attempts, elapsedMs: Date.now() - started, last, reason: 'cancelled' };
    if (options.exited?.()) return { healthy: false, attempts, elapsedMs: Date.now() - started, last, reason: 'exited' };
    const tryStarted = Date.now();
    attempts++;
    last = await probe(settings.url, settings.timeoutMs, options.signal);
    if (last.ok) return { healthy: true, attempts, elapsedMs: Date.now() - started, last };
    if (options.signal?.aborted) return { healthy: false, attempts, elapsedMs: Date.now() - started, last, reason: 'cancelled' };
    if (Date.now() - started >= settings.startPeriodMs) failures++;
    if (failures >= retries) return { healthy: false, attempts, elapsedMs: Date.now() - started, last, reason: 'unhealthy' };
    const wait = Math.max(0, settings.intervalMs - (Date.now() - tryStarted));
    if (wait > 0) {
      try {
        await sleep(wait, undefined, { signal: options.signal });
      } catch {
        return { healthy: false, attempts, elapsedMs: Date.now() - started, last, reason: 'cancelled' };
      }
    }
  }
}
