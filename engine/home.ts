import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where Starsystem keeps its vault, state, logs and history: `$STARSYSTEM_HOME`, else `~/.starsystem`. */
export function starsystemHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.STARSYSTEM_HOME;
  return fromEnv && fromEnv.trim() !== '' ? resolve(fromEnv) : join(homedir(), '.starsystem');
}

/** Expands a leading `~` or `~/` to the user's home directory. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return join(homedir(), path.slice(2));
  return path;
}
