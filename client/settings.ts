/** The extension's settings (`starsystem.*`), read fresh each time they are needed. */
import { isAbsolute, resolve } from 'node:path';
import { workspace, type Uri } from 'vscode';
import { expandHome, starsystemHome } from '../engine/home';
import { DEFAULT_SERVER_MEMORY_MB } from '../server/launch';

export const DEFAULT_ENVIRONMENT = 'local';

export interface StarsystemSettings {
  /** The environment chosen by the user, or "" for the default. */
  environment: string;
  /** STARSYSTEM_HOME from the setting, else the environment variable, else ~/.starsystem. */
  home: string;
  concurrency: number;
  statusRefreshSeconds: number;
  /** The language server's heap ceiling in MB. */
  serverMaxMemoryMb: number;
}

export function readSettings(scope?: Uri): StarsystemSettings {
  const config = workspace.getConfiguration('starsystem', scope);
  const configuredHome = config.get<string>('home', '').trim();
  const home = configuredHome !== '' ? absolute(expandHome(configuredHome)) : starsystemHome(process.env);
  return {
    environment: config.get<string>('environment', '').trim(),
    home,
    concurrency: clampInteger(config.get<number>('concurrency', 4), 1, 64, 4),
    statusRefreshSeconds: clampInteger(config.get<number>('statusRefreshSeconds', 0), 0, 24 * 3600, 0),
    serverMaxMemoryMb: clampInteger(config.get<number>('server.maxMemory', DEFAULT_SERVER_MEMORY_MB), 128, 16384, DEFAULT_SERVER_MEMORY_MB),
  };
}

/** The environment a run uses: the setting, else "local". */
export function activeEnvironment(settings: StarsystemSettings): string {
  return settings.environment || DEFAULT_ENVIRONMENT;
}

/** The engine's process environment: the extension host's, with STARSYSTEM_HOME set to the chosen home. */
export function engineProcessEnv(settings: StarsystemSettings): NodeJS.ProcessEnv {
  return { ...process.env, STARSYSTEM_HOME: settings.home };
}

function absolute(path: string): string {
  return isAbsolute(path) ? path : resolve(path);
}

function clampInteger(value: unknown, min: number, max: number, fallback: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  return Math.min(max, Math.max(min, Math.floor(value)));
}
