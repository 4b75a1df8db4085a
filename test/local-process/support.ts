/**
 * Shared by the provisioning tests: free ports, a system folder with real services, and a
 * sweep that kills every process a test's STARSYSTEM_HOME started (whatever the test did).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { processEnvValue, processesWithEnv, processGroupId } from '../../engine/run/processes';

export const SERVER = fileURLToPath(new URL('./fixtures/server.mjs', import.meta.url));

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function freePorts(n: number): Promise<number[]> {
  const out = new Set<number>();
  while (out.size < n) out.add(await freePort());
  return [...out];
}

/** The command line that runs the test server. */
export function serverCommand(port: number, extra = ''): string {
  return `${process.execPath} ${SERVER} --port=${port}${extra ? ` ${extra}` : ''}`;
}

export interface Sandbox {
  home: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  write(name: string, text: string): Promise<string>;
  /** Every process (group leaders and their children) started for this home. */
  processes(): number[];
  cleanup(): Promise<void>;
}

/** A STARSYSTEM_HOME and a config folder; cleanup kills whatever they started and removes both. */
export async function sandbox(): Promise<Sandbox> {
  const home = await mkdtemp(join(tmpdir(), 'ss-home-'));
  const dir = await mkdtemp(join(tmpdir(), 'ss-system-'));
  const env: NodeJS.ProcessEnv = { ...process.env, STARSYSTEM_HOME: home, NO_COLOR: '1' };
  return {
    home,
    dir,
    env,
    async write(name, text) {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    processes: () => processesWithEnv('STARSYSTEM_HOME', home),
    async cleanup() {
      await sweep(home);
      await rm(home, { recursive: true, force: true });
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Kills every process whose environment says it was started for this STARSYSTEM_HOME, groups included. */
export async function sweep(home: string): Promise<number> {
  let killed = 0;
  for (let round = 0; round < 20; round++) {
    const pids = processesWithEnv('STARSYSTEM_HOME', home).filter((pid) => pid !== process.pid && processEnvValue(pid, 'STARSYSTEM_INSTANCE'));
    if (pids.length === 0) return killed;
    for (const pid of pids) {
      const pgid = processGroupId(pid);
      try {
        if (pgid === pid) process.kill(-pgid, 'SIGKILL');
        else process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    await sleep(50);
  }
  return killed;
}

/** Polls until `check` returns a value, or fails after `ms`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, ms = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

export async function httpGet(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
  return { status: response.status, body: await response.text() };
}
