/**
 * Finding and loading a system: the base file (default `starsystem.yaml` in the working
 * directory) and, for an environment, its overlay `NAME.<env>.yaml` beside it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ProvisionerRegistry } from '../provisioners/registry';
import type { SystemModel } from './model';
import { parseFile, type SegmentCache } from './parse';
import { analyze, DEFAULT_ENV } from './validate';

export const DEFAULT_CONFIG_NAMES = ['starsystem.yaml', 'starsystem.yml'];

export class ConfigNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigNotFoundError';
  }
}

export interface ConfigPaths {
  base: string;
  /** The overlay for the environment (it may not exist). */
  overlay: string;
  env: string;
  /** Whether the environment was chosen explicitly (then its overlay must exist). */
  explicitEnv: boolean;
}

/** The overlay path for a base file and environment: `dir/NAME.<env>.yaml`. */
export function overlayPathFor(basePath: string, env: string): string {
  const name = basename(basePath).replace(/\.ya?ml$/i, '');
  const ext = /\.yml$/i.test(basePath) ? '.yml' : '.yaml';
  return join(dirname(basePath), `${name}.${env}${ext}`);
}

/**
 * The base and overlay paths for a command line's FILE and --env. An overlay given as FILE
 * (`starsystem.prod.yaml`) means its base file with that environment.
 */
export function resolveConfigPaths(options: { file?: string; env?: string; cwd?: string }): ConfigPaths {
  const cwd = options.cwd ?? process.cwd();
  let base: string | undefined;
  let env = options.env;
  if (options.file) {
    base = resolve(cwd, options.file);
    const m = /^(.+)\.([^.]+)\.(ya?ml)$/i.exec(basename(base));
    if (m && existsSync(base)) {
      const candidate = join(dirname(base), `${m[1]}.${m[3]}`);
      if (existsSync(candidate)) {
        if (env && env !== m[2]) {
          throw new ConfigNotFoundError(`${basename(base)} is the overlay for environment "${m[2]}", but --env=${env} was given.`);
        }
        env = m[2];
        base = candidate;
      }
    }
    if (!existsSync(base)) throw new ConfigNotFoundError(`No such file: ${base}`);
  } else {
    base = DEFAULT_CONFIG_NAMES.map((n) => join(cwd, n)).find((p) => existsSync(p));
    if (!base) {
      throw new ConfigNotFoundError(`No starsystem.yaml in ${cwd}. Run the command in the folder that has one, or pass its path.`);
    }
  }
  const explicitEnv = env !== undefined && env !== '';
  const effectiveEnv = explicitEnv ? env! : DEFAULT_ENV;
  return { base, overlay: overlayPathFor(base, effectiveEnv), env: effectiveEnv, explicitEnv };
}

export interface LoadOptions {
  file?: string;
  env?: string;
  cwd?: string;
  registry: ProvisionerRegistry;
  vaultHas?: (key: string) => boolean | undefined;
  /** Per-file segment caches, for callers that re-load the same files often. */
  caches?: { base?: SegmentCache; overlay?: SegmentCache };
}

/** Loads, parses and validates a system. Missing files throw ConfigNotFoundError. */
export async function loadSystem(options: LoadOptions): Promise<SystemModel> {
  const paths = resolveConfigPaths(options);
  const baseText = await readFile(paths.base, 'utf8');
  const base = parseFile(paths.base, baseText, options.caches?.base);
  let overlay;
  if (existsSync(paths.overlay)) {
    overlay = parseFile(paths.overlay, await readFile(paths.overlay, 'utf8'), options.caches?.overlay);
  } else if (paths.explicitEnv) {
    throw new ConfigNotFoundError(`No overlay for environment "${paths.env}": ${paths.overlay} does not exist.`);
  }
  return analyze(base, overlay, { env: paths.env, registry: options.registry, vaultHas: options.vaultHas, fileExists: existsSync });
}
