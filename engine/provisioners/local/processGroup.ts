/**
 * Stopping a service: SIGTERM to its whole process group, SIGKILL after the grace period.
 * A process is ours only when its pid and start time both match the record; a pid that
 * now belongs to another process is never signalled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { processGroupAlive, processGroupId, processMatches, processStartTime } from '../../run/processes';

export interface RecordedProcess {
  pid: number;
  startTime?: string;
  /** The process group (the pid itself: services run as group leaders). */
  pgid?: number;
}

export type ProcessCondition = 'running' | 'dead' | 'reused';

/** Whether the recorded process still runs: it does only when pid and start time match. */
export function conditionOf(recorded: RecordedProcess): ProcessCondition {
  const current = processStartTime(recorded.pid);
  if (current === undefined) return 'dead';
  return recorded.startTime !== undefined && current === recorded.startTime ? 'running' : 'reused';
}

export interface StopResult {
  /** What was found: the process running, already gone, or its pid reused by another process. */
  found: ProcessCondition;
  /** SIGKILL was needed after the grace period. */
  killed: boolean;
}

/**
 * Stops the recorded process and everything in its group. When the leader is gone but
 * members of its group remain (children it left behind), they are stopped too: a process
 * group id cannot be reused while the group has members, so they are ours.
 */
export async function stopProcessGroup(recorded: RecordedProcess, graceMs: number): Promise<StopResult> {
  const found = conditionOf(recorded);
  if (found === 'reused') return { found, killed: false };
  const pgid = recorded.pgid ?? recorded.pid;
  // Only a group we led: a live leader must still lead it; a dead leader's group may hold its leftovers.
  if (found === 'running' && processGroupId(recorded.pid) !== pgid) {
    signal(recorded.pid, 'SIGTERM');
    return { found, killed: await waitGone(() => processMatches(recorded.pid, recorded.startTime), graceMs, () => signal(recorded.pid, 'SIGKILL')) };
  }
  if (!processGroupAlive(pgid)) return { found, killed: false };
  signal(-pgid, 'SIGTERM');
  const killed = await waitGone(() => processGroupAlive(pgid), graceMs, () => signal(-pgid, 'SIGKILL'));
  return { found, killed };
}

async function waitGone(alive: () => boolean, graceMs: number, kill: () => void): Promise<boolean> {
  const deadline = Date.now() + graceMs;
  let pause = 10;
  while (alive()) {
    if (Date.now() >= deadline) {
      kill();
      const hardDeadline = Date.now() + 2000;
      while (alive() && Date.now() < hardDeadline) await sleep(10);
      return true;
    }
    await sleep(pause);
    pause = Math.min(100, pause * 2);
  }
  return false;
}

function signal(target: number, name: NodeJS.Signals): void {
  try {
    process.kill(target, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
