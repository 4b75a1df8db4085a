/** Service logs: `$STARSYSTEM_HOME/logs/<project>/<env>/<service>.log`, appended to across restarts. */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { safeSegment } from '../../run/state';

export function serviceLogPath(home: string, project: string, env: string, serviceId: string): string {
  return join(home, 'logs', safeSegment(project), safeSegment(env), `${safeSegment(serviceId)}.log`);
}

/** The last `lines` lines of a log (reading at most its last 64 KiB); "" when there is no log. */
export async function tailLog(path: string, lines = 20): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8').replace(/\s+$/, '');
    const all = text.split('\n');
    // A partial first line (cut by the 64 KiB window) is dropped unless it is all there is.
    const usable = length < size && all.length > 1 ? all.slice(1) : all;
    return usable.slice(-lines).join('\n');
  } finally {
    await handle.close();
  }
}
