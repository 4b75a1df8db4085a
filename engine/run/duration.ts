/**
 * Durations as the file declares them: "500ms", "2s", "1.5m", "1h", or a number of seconds
 * (docker compose's forms, minus the compound "1m30s").
 */

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds for a declared duration; `fallback` when it is absent. Throws on a malformed value. */
export function durationMs(value: string | number | undefined, fallback: number, what = 'duration'): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new Error(`Invalid ${what} ${value}: use a non-negative number of seconds.`);
    return Math.round(value * 1000);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/.exec(value);
  if (!m) throw new Error(`Invalid ${what} ${JSON.stringify(value)}: use a duration such as "500ms", "2s" or "1m".`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

/** "87.3s", "450ms", "2m 05s": how long something took, for people. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
}
