/**
 * Process identity on Linux: a pid plus its start time (field 22 of /proc/<pid>/stat, in
 * clock ticks since boot). A recorded pid whose start time differs belongs to some other
 * process now: it is never reported as ours and never signalled.
 */
import { readdirSync, readFileSync } from 'node:fs';

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

/** Fields 3.. of /proc/<pid>/stat (after the command name), or undefined when there is no such process. */
function statFields(pid: number): string[] | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The process group of a live process (field 5 of /proc/<pid>/stat). */
export function processGroupId(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[5 - 3]) : undefined;
}

/**
 * Whether a live (non-zombie) process is left in a process group. Signal 0 answers for
 * the group cheaply, but counts zombies too (an orphan's zombie lingers where nothing
 * reaps it), so a positive answer is confirmed from /proc.
 */
export function processGroupAlive(pgid: number): boolean {
  if (!Number.isInteger(pgid) || pgid <= 1) return false;
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processGroupMembers(pgid).length > 0;
}

/** The live (non-zombie) members of a process group. */
export function processGroupMembers(pgid: number): number[] {
  return allPids().filter((pid) => {
    const fields = statFields(pid);
    return fields !== undefined && fields[0] !== 'Z' && fields[0] !== 'X' && Number(fields[5 - 3]) === pgid;
  });
}

/** Every pid in /proc (none when /proc cannot be read). */
function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    return [];
  }
}

/** The pids of every process whose environment holds `NAME=value` (readable ones only). */
export function processesWithEnv(name: string, value: string): number[] {
  const needle = Buffer.from(`\0${name}=${value}\0`);
  const atStart = Buffer.from(`${name}=${value}\0`);
  return allPids().filter((pid) => {
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${pid}/environ`);
    } catch {
      return false;
    }
    return environ.includes(needle) || environ.subarray(0, atStart.length).equals(atStart);
  });
}

/** One variable of a process's environment (as it was at exec), or undefined. */
export function processEnvValue(pid: number, name: string): string | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  const prefix = `${name}=`;
  const entry = environ.split('\0').find((e) => e.startsWith(prefix));
  return entry === undefined ? undefined : Buffer.from(entry.slice(prefix.length), 'latin1').toString('utf8');
}
