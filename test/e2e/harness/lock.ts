/**
 * One real-editor suite at a time on this machine: each starts a code-server and a
 * Chromium, which on two cores is as much as the machine takes alongside other tests.
 * The lock is a folder (mkdir is atomic) holding the owner's pid; a dead owner's lock is taken over.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay } from './processes';

const LOCK = join(tmpdir(), 'starsystem-e2e.lock');

export async function acquireEditorLock(timeoutMs = 900_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      writeFileSync(join(LOCK, 'pid'), String(process.pid));
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(LOCK, { recursive: true, force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(readSafe(join(LOCK, 'pid')));
    if (owner > 0 && !alive(owner)) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() > deadline) throw new Error(`Another real-editor test (pid ${owner}) held ${LOCK} for ${timeoutMs} ms.`);
    else await delay(500);
  }
}

function readSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
