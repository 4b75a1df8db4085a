/**
 * One run per project + environment: a lock file at
 * `$STARSYSTEM_HOME/locks/<project>/<env>.lock` holding who runs (pid, host, process start
 * time, command). A second run is refused with the holder's details; a lock whose holder is
 * dead (same host, pid gone or reused) is taken over.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { processMatches, processStartTime } from './processes';
import { safeSegment } from './state';

export interface LockHolder {
  pid: number;
  host: string;
  /** The holder's start time from /proc (so a reused pid is not mistaken for it). */
  startTime?: string;
  /** What the holder runs ("ss provision --env=prod"). */
  command: string;
  acquiredAt: string;
  runId?: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly holder: LockHolder,
    readonly lockPath: string,
    what: string,
  ) {
    const where = holder.host === hostname() ? `pid ${holder.pid}` : `pid ${holder.pid} on ${holder.host}`;
    super(
      `Another run holds the lock for ${what}: "${holder.command}" (${where}, since ${holder.acquiredAt}). ` +
        `Wait for it to finish, or stop it. The lock is ${lockPath}.`,
    );
    this.name = 'LockHeldError';
  }
}

export interface RunLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Whether a dead holder's lock was taken over. */
  readonly tookOver?: LockHolder;
  release(): Promise<void>;
}

export function lockPath(home: string, project: string, env: string): string {
  return join(home, 'locks', safeSegment(project), `${safeSegment(env)}.lock`);
}

/** A takeover that has not finished in this time was abandoned (its process died). */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Takes the lock for a project and environment, or throws LockHeldError. The lock file is
 * created complete (written aside, then hard-linked into place), so a reader never sees a
 * half-written holder.
 */
export async function acquireRunLock(options: {
  home: string;
  project: string;
  env: string;
  command: string;
  runId?: string;
}): Promise<RunLock> {
  const path = lockPath(options.home, options.project, options.env);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const holder: LockHolder = {
    pid: process.pid,
    host: hostname(),
    startTime: processStartTime(process.pid),
    command: options.command,
    acquiredAt: new Date().toISOString(),
    runId: options.runId,
  };
  const what = `project "${options.project}", environment "${options.env}"`;
  const text = JSON.stringify(holder, null, 2) + '\n';
  let tookOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(path, text)) {
      return {
        path,
        holder,
        tookOver,
        release: () => releaseIfOurs(path, holder),
      };
    }
    const current = await readHolder(path);
    if (current === 'missing') continue; // released between our attempt and the read
    if (current !== 'unreadable' && holderIsAlive(current)) throw new LockHeldError(current, path, what);
    // Dead holder (or a lock file nobody can read): take it over under a short-lived mutex,
    // so two runs that both found it stale cannot both take it.
    const stale = current === 'unreadable' ? undefined : current;
    if (await takeOver(path, stale)) tookOver = stale;
  }
  const current = await readHolder(path);
  if (typeof current === 'object') throw new LockHeldError(current, path, what);
  throw new Error(`Could not take the lock ${path}; remove it if no run is in progress.`);
}

/** The current holder of a project's lock, when a live run holds it. */
export async function currentLockHolder(home: string, project: string, env: string): Promise<LockHolder | undefined> {
  const current = await readHolder(lockPath(home, project, env));
  return typeof current === 'object' && holderIsAlive(current) ? current : undefined;
}

function holderIsAlive(holder: LockHolder): boolean {
  // A holder on another machine (a shared home folder) cannot be checked: assume it lives.
  if (holder.host !== hostname()) return true;
  if (holder.startTime === undefined) return processStartTime(holder.pid) !== undefined;
  return processMatches(holder.pid, holder.startTime);
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, text, { mode: 0o600 });
  try {
    await link(temp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await rm(temp, { force: true });
  }
}

async function readHolder(path: string): Promise<LockHolder | 'missing' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const value = JSON.parse(text) as LockHolder;
    if (typeof value.pid !== 'number' || typeof value.host !== 'string') return 'unreadable';
    return value;
  } catch {
    return 'unreadable';
  }
}

async function takeOver(path: string, stale: LockHolder | undefined): Promise<boolean> {
  const mutex = `${path}.takeover`;
  try {
    await mkdir(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const age = await stat(mutex).then((s) => Date.now() - s.mtimeMs, () => 0);
    if (age > TAKEOVER_STALE_MS) await rmdir(mutex).catch(() => {});
    return false;
  }
  try {
    // Under the mutex: the lock must still be the stale one we looked at.
    const again = await readHolder(path);
    if (again === 'missing') return true;
    const same =
      again === 'unreadable' ? stale === undefined : stale !== undefined && again.pid === stale.pid && again.startTime === stale.startTime && again.acquiredAt === stale.acquiredAt;
    if (!same) return false;
    const aside = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.stale`;
    await rename(path, aside);
    await rm(aside, { force: true });
    return true;
  } finally {
    await rmdir(mutex).catch(() => {});
  }
}

async function releaseIfOurs(path: string, holder: LockHolder): Promise<void> {
  const current = await readHolder(path);
  if (typeof current !== 'object') return;
  if (current.pid === holder.pid && current.acquiredAt === holder.acquiredAt && current.host === holder.host) {
    await rm(path, { force: true });
  }
}
