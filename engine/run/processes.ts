/**
 * Process identity on Linux: a pid plus its start time (field 22 of /proc/<pid>/stat, in
 * clock ticks since boot). A recorded pid whose start time differs belongs to some other
 * process now: it is never reported as ours and never signalled.
 */
import { readFileSync } from 'node:fs';

/** The start time of a live process, or undefined when there is no such process. */
export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may itself contain spaces or ")".
  const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // afterName[0] is field 3 (state); field 22 is at index 22 - 3.
  const state = afterName[0];
  if (state === 'Z' || state === 'X') return undefined; // a zombie is not running
  return afterName[22 - 3];
}

/** True when `pid` is alive and is the process that was recorded with `startTime`. */
export function processMatches(pid: number, startTime: string | undefined): boolean {
  const current = processStartTime(pid);
  return current !== undefined && startTime !== undefined && current === startTime;
}
