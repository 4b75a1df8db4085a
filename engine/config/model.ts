/**
 * The system model: the base file and its overlay merged into one declaration per service,
 * each value still knowing the file and range it came from.
 */
import type { Range } from '../diagnostics';
import type { ResolvedService } from '../provisioners/types';
import { locate, span, type NodePath } from './nodes';
import type { ParsedFile, ServiceEntry } from './parse';
import type { ServiceDeclaration } from './schema';
import type { VaultReference } from './templates';
import type { Diagnostic } from '../diagnostics';

export interface ServiceModel {
  id: string;
  /** The declaration in the base file. */
  base: ServiceEntry;
  /** The overlay's settings for this service, when the overlay has any. */
  overlay?: ServiceEntry;
  /** The overlay deep-merged onto the base (raw values; check `valid`). */
  declaration: ServiceDeclaration;
  /** Dependencies that are service ids (strings), in declaration order. */
  dependsOn: string[];
  /** inject_from: dependency id -> credential names. */
  injectFrom: Record<string, string[]>;
  /** The provider the service names (target.type or provision.provider). */
  requestedProvider?: string;
  /** The provisioner that handles it, if any. */
  provider?: string;
  /** True when the merged declaration passed the schema. */
  valid: boolean;
  /** Vault references in this service (base and overlay). */
  vaultReferences: VaultReference[];
}

export interface SystemModel {
  /** The project name (`name:`, else the config file's folder name). */
  project: string;
  /** The active environment ("local" unless --env says otherwise). */
  env: string;
  version: '1' | '2';
  configPath: string;
  configDir: string;
  base: ParsedFile;
  overlay?: ParsedFile;
  services: ServiceModel[];
  byId: Map<string, ServiceModel>;
  /** Services in dependency order (dependencies first). */
  order: string[];
  /** Dependency cycles, each as a path returning to its start. */
  cycles: string[][];
  vaultReferences: VaultReference[];
  diagnostics: Diagnostic[];
}

export interface SourceLocation {
  file: string;
  range: Range;
  /** The range of the key, when the value is a mapping entry. */
  keyRange?: Range;
}

/**
 * Where a value of a service's merged declaration comes from: the overlay when it sets the
 * path, else the base file. An empty path is the service itself (its id key).
 */
export function originOf(model: SystemModel, serviceId: string, path: NodePath): SourceLocation | undefined {
  const service = model.byId.get(serviceId);
  if (!service) return undefined;
  const candidates: [ParsedFile | undefined, ServiceEntry | undefined][] = [
    [model.overlay, service.overlay],
    [model.base, service.base],
  ];
  for (const [file, entry] of candidates) {
    if (!file || !entry) continue;
    if (path.length === 0) {
      const keySpan = entry.keySpan;
      const range = file.lines.range(entry.base + keySpan[0], entry.base + keySpan[1]);
      return { file: file.path, range, keyRange: range };
    }
    const found = locate(entry.value, path, entry.key);
    if (found.node === undefined) continue;
    const valueSpan = span(found.node) ?? span(found.key);
    if (!valueSpan) continue;
    const keySpan = span(found.key);
    return {
      file: file.path,
      range: file.lines.range(entry.base + valueSpan[0], entry.base + valueSpan[1]),
      keyRange: keySpan ? file.lines.range(entry.base + keySpan[0], entry.base + keySpan[1]) : undefined,
    };
  }
  return undefined;
}

/** The declaration as provisioners see it (before templates are resolved). */
export function toResolvedService(service: ServiceModel): ResolvedService {
  return { ...service.declaration, id: service.id, depends_on: service.dependsOn };
}

/**
 * Deep merge for overlays: mappings merge key by key, anything else (lists included) is
 * replaced, and `null` in the overlay removes the key.
 */
export function mergeDeclarations(base: unknown, overlay: unknown): unknown {
  if (overlay === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(overlay)) return overlay;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === null) delete out[key];
    else out[key] = mergeDeclarations(out[key], value);
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
