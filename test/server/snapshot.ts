/** Language-service snapshots from in-memory files, built the way the server builds them. */
import { parseFile, type ParsedFile } from '../../engine/config/parse';
import { analyze } from '../../engine/config/validate';
import { createDefaultRegistry } from '../../engine/provisioners/index';
import type { ProvisionerRegistry } from '../../engine/provisioners/registry';
import { processMatches } from '../../engine/run/processes';
import type { DocumentSnapshot, FamilyFile, LensCommands, ServiceFacts } from '../../server/service/types';
import { extractMarkers, type Marked } from '../helpers/markers';

export const BASE = '/project/starsystem.yaml';
export const overlayPath = (env: string) => `/project/starsystem.${env}.yaml`;
export const uriOf = (path: string) => `file://${path}`;

export interface Files {
  /** The base file (markers allowed when it is the document). */
  base: string;
  /** Overlays by environment. */
  overlays?: Record<string, string>;
}

export interface Opened {
  snapshot: DocumentSnapshot;
  marked: Marked;
}

/**
 * Opens one of the files as the document: "base", or an overlay's environment. Its text may
 * carry markers (│ cursor, ⟦ ⟧ ranges); the base is validated with the overlay of `env`.
 */
export function open(
  files: Files,
  options: { doc?: 'base' | string; env?: string; vaultKeys?: string[]; registry?: ProvisionerRegistry } = {},
): Opened {
  const which = options.doc ?? 'base';
  const env = options.env ?? 'local';
  const registry = options.registry ?? createDefaultRegistry();
  const keys = options.vaultKeys ? new Set(options.vaultKeys) : undefined;
  const rawOf = (name: string) => (name === 'base' ? files.base : files.overlays?.[name] ?? '');
  const marked = extractMarkers(rawOf(which));
  const textOf = (name: string) => (name === which ? marked.text : extractMarkers(rawOf(name)).text);
  const parsed = new Map<string, ParsedFile>();
  const parse = (name: string) => {
    let file = parsed.get(name);
    if (!file) {
      file = parseFile(name === 'base' ? BASE : overlayPath(name), textOf(name));
      parsed.set(name, file);
    }
    return file;
  };
  const role = which === 'base' ? 'base' : 'overlay';
  const modelEnv = which === 'base' ? env : which;
  const overlayName = which === 'base' ? (files.overlays?.[env] !== undefined ? env : undefined) : which;
  const model = analyze(parse('base'), overlayName ? parse(overlayName) : undefined, { env: modelEnv, registry, vaultHas: keys ? (key) => keys.has(key) : undefined });
  const family = (): FamilyFile[] => [
    { file: parse('base'), role: 'base' },
    ...Object.keys(files.overlays ?? {})
      .sort()
      .map((name) => ({ file: parse(name), role: 'overlay' as const })),
  ];
  const file = parse(which);
  return {
    marked,
    snapshot: { uri: uriOf(file.path), path: file.path, version: 1, file, role, env: modelEnv, model, basePath: BASE, family },
  };
}

export function facts(options: { vaultKeys?: string[]; commands?: LensCommands; registry?: ProvisionerRegistry; snippets?: boolean } = {}): ServiceFacts {
  return {
    registry: options.registry ?? createDefaultRegistry(),
    vaultKeys: options.vaultKeys ? new Set(options.vaultKeys) : undefined,
    processAlive: processMatches,
    commands: options.commands ?? {},
    uriOf,
    snippets: options.snippets ?? true,
  };
}
