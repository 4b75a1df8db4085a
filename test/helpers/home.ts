/** A fresh STARSYSTEM_HOME per test, removed afterwards. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TempHome {
  path: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

export async function tempHome(prefix = 'starsystem-home-'): Promise<TempHome> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return {
    path,
    env: { ...process.env, STARSYSTEM_HOME: path, NO_COLOR: '1' },
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

export async function tempDir(prefix = 'starsystem-test-'): Promise<{ path: string; cleanup(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
