/** Validating in-memory files the way `ss validate` validates files on disk. */
import { parseFile, parseWhole } from '../../engine/config/parse';
import { analyze } from '../../engine/config/validate';
import type { SystemModel } from '../../engine/config/model';
import type { ProvisionerRegistry } from '../../engine/provisioners/registry';
import { routingRegistry } from './registry';

export interface AnalyzeInput {
  base: string;
  overlay?: { env: string; text: string };
  registry?: ProvisionerRegistry;
  vaultKeys?: string[];
  /** Parse without segments (the whole-document path). */
  whole?: boolean;
  /** Files that exist (absolute paths); when given, missing templates and cwds are reported. */
  files?: string[];
}

export const BASE_PATH = '/project/starsystem.yaml';

export function overlayPath(env: string): string {
  return `/project/starsystem.${env}.yaml`;
}

export function analyzeText(input: AnalyzeInput): SystemModel {
  const parse = input.whole ? (p: string, t: string) => parseWhole(p, t) : (p: string, t: string) => parseFile(p, t);
  const base = parse(BASE_PATH, input.base);
  const overlay = input.overlay ? parse(overlayPath(input.overlay.env), input.overlay.text) : undefined;
  const keys = input.vaultKeys ? new Set(input.vaultKeys) : undefined;
  return analyze(base, overlay, {
    env: input.overlay?.env ?? 'local',
    registry: input.registry ?? routingRegistry(),
    vaultHas: keys ? (key) => keys.has(key) : undefined,
    fileExists: input.files ? (path) => input.files!.includes(path) : undefined,
  });
}
