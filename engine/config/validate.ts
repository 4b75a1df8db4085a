/**
 * Validation: from the parsed base file (and overlay) to the system model and every
 * diagnostic, each with its own code and the exact range of the offending key or value.
 *
 * Per-service work (schema check, template scan, the JS value) is cached on the parsed
 * segment, so re-validating after an edit redoes it only for the services that changed;
 * the cross-service checks (references, cycles, routing) always run on the whole model.
 */
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { expandHome } from '../home';
import type { Scalar } from 'yaml';
import { compareDiagnostics, type Diagnostic, type Fix } from '../diagnostics';
import { analyzeGraph } from '../plan/graph';
import { requestedProvider, type ProvisionerRegistry } from '../provisioners/registry';
import { didYouMean } from '../util/didYouMean';
import { mergeDeclarations, originOf, toResolvedService, type ServiceModel, type SystemModel } from './model';
import { locate, span } from './nodes';
import type { Entry, ParsedFile, ServiceEntry } from './parse';
import { BaseHeaderSchema, OverlayHeaderSchema, OverlayServiceSchema, serviceSchemaFor, type ServiceDeclaration } from './schema';
import { checkSchema, type RelativeDiagnostic } from './schemaCheck';
import type { SchemaRoot } from './schemaInfo';
import { absoluteScan, scanNode, type RelativeTemplateScan, type VaultReference } from './templates';

export interface AnalyzeOptions {
  /** The active environment; "local" when none is chosen. */
  env?: string;
  registry: ProvisionerRegistry;
  /**
   * Whether a vault key is set. Return undefined when it cannot be known (no vault);
   * then no vault-key-not-set warnings are given.
   */
  vaultHas?: (key: string) => boolean | undefined;
  /** Whether a file exists (for template files and working directories); no check when absent. */
  fileExists?: (path: string) => boolean;
}

export const DEFAULT_ENV = 'local';

/** The environment an overlay file's name says it is for (`NAME.<env>.yaml`). */
export function environmentFromOverlayName(path: string): string | undefined {
  const m = /^[^.]+\.([^.]+)\.ya?ml$/i.exec(basename(path));
  return m?.[1];
}

export function analyze(base: ParsedFile, overlay: ParsedFile | undefined, options: AnalyzeOptions): SystemModel {
  const diagnostics: Diagnostic[] = [...base.diagnostics, ...(overlay?.diagnostics ?? [])];
  const env = options.env ?? DEFAULT_ENV;

  // Header: version, name, and (overlay) environment.
  checkHeader(base, 'base-header', diagnostics);
  if (overlay) checkHeader(overlay, 'overlay-header', diagnostics);
  const versionValue = scalarValue(base.header.get('version'));
  const version: '1' | '2' = versionValue === '2' ? '2' : '1';
  const nameValue = scalarValue(base.header.get('name'));
  const configDir = dirname(base.path);
  const project = typeof nameValue === 'string' && nameValue.trim() !== '' ? nameValue : basename(configDir);

  if (!base.topLevelIsMap) {
    diagnostics.push(fileDiagnostic(base, 'schema-type', 'A starsystem file must be a mapping with version, name and services.'));
  } else if (base.servicesShape === 'missing') {
    diagnostics.push(fileDiagnostic(base, 'schema-required', 'Missing required field "services": the services of the system, by id.'));
  } else if (base.servicesShape === 'other') {
    diagnostics.push(entryDiagnostic(base, base.servicesKey!, 'schema-type', '"services" must be a mapping of service ids to services.'));
  }
  if (overlay) {
    if (!overlay.topLevelIsMap) {
      diagnostics.push(fileDiagnostic(overlay, 'schema-type', 'An overlay must be a mapping with version, environment and services.'));
    } else if (overlay.servicesShape === 'other') {
      diagnostics.push(entryDiagnostic(overlay, overlay.servicesKey!, 'schema-type', '"services" must be a mapping of service ids to settings.'));
    }
    checkOverlayHeader(base, overlay, version, diagnostics);
  }

  // Services: per-service checks (cached), then merge.
  const serviceRoot: SchemaRoot = version === '2' ? 'service-v2' : 'service-v1';
  const services: ServiceModel[] = [];
  const byId = new Map<string, ServiceModel>();
  const allReferences: VaultReference[] = [];
  for (const entry of base.services) {
    const check = serviceCheck(base, entry, serviceRoot, version);
    diagnostics.push(...check.diagnostics);
    allReferences.push(...check.references);
    const model: ServiceModel = {
      id: entry.id,
      base: entry,
      declaration: (isObject(check.value) ? check.value : {}) as ServiceDeclaration,
      dependsOn: [],
      injectFrom: {},
      valid: check.valid,
      vaultReferences: check.references,
    };
    services.push(model);
    byId.set(entry.id, model);
  }
  if (overlay) {
    for (const entry of overlay.services) {
      const target = byId.get(entry.id);
      const check = serviceCheck(overlay, entry, 'overlay-service', version);
      diagnostics.push(...check.diagnostics);
      allReferences.push(...check.references);
      if (!target) {
        diagnostics.push(unknownOverlayService(overlay, entry, base));
        continue;
      }
      target.overlay = entry;
      target.valid = target.valid && check.valid;
      target.vaultReferences = [...target.vaultReferences, ...check.references];
      target.declaration = mergeDeclarations(target.declaration, check.value ?? undefined) as ServiceDeclaration;
    }
  }
  for (const service of services) {
    const declaration = service.declaration as Record<string, unknown>;
    service.dependsOn = Array.isArray(declaration.depends_on) ? declaration.depends_on.filter((d): d is string => typeof d === 'string') : [];
    const inject = declaration.inject_from;
    if (isObject(inject)) {
      for (const [dep, names] of Object.entries(inject)) {
        service.injectFrom[dep] = Array.isArray(names) ? names.filter((n): n is string => typeof n === 'string') : [];
      }
    }
  }

  const graph = analyzeGraph({ ids: services.map((s) => s.id), dependsOn: (id) => byId.get(id)!.dependsOn });
  const model: SystemModel = {
    project,
    env,
    version,
    configPath: base.path,
    configDir,
    base,
    overlay,
    services,
    byId,
    order: graph.order,
    cycles: graph.cycles,
    vaultReferences: allReferences,
    diagnostics,
  };

  checkReferences(model, diagnostics);
  checkCycles(model, diagnostics);
  checkRouting(model, options.registry, diagnostics);
  checkVaultKeys(model, options.vaultHas, diagnostics);
  checkFiles(model, options.fileExists, diagnostics);

  diagnostics.sort(compareDiagnostics);
  return model;
}

interface ServiceCheck {
  value: unknown;
  valid: boolean;
  diagnostics: Diagnostic[];
  references: VaultReference[];
}

interface CachedServiceCheck {
  value: unknown;
  problems: RelativeDiagnostic[];
  templates: RelativeTemplateScan;
}

/** Memo keys built once: a key built per call would be hashed anew for every service on every edit. */
const CHECK_MEMO_KEYS: Record<SchemaRoot, Record<'1' | '2', string>> = Object.fromEntries(
  (['service-v1', 'service-v2', 'overlay-service', 'base-header', 'overlay-header', 'base-file', 'overlay-file'] as const).map((root) => [
    root,
    { '1': `check:${root}:1`, '2': `check:${root}:2` },
  ]),
) as Record<SchemaRoot, Record<'1' | '2', string>>;

const ABSOLUTE_MEMO_KEYS: Record<SchemaRoot, Record<'1' | '2', string>> = Object.fromEntries(
  Object.entries(CHECK_MEMO_KEYS).map(([root, keys]) => [root, { '1': `${keys['1']}:absolute`, '2': `${keys['2']}:absolute` }]),
) as Record<SchemaRoot, Record<'1' | '2', string>>;

/** Schema and template checks of one service, cached on its segment. */
function serviceCheck(file: ParsedFile, entry: ServiceEntry, root: SchemaRoot, version: '1' | '2'): ServiceCheck {
  const memoKey = CHECK_MEMO_KEYS[root][version];
  let cached = entry.segment?.memo.get(memoKey) as CachedServiceCheck | undefined;
  if (!cached) {
    const source = entry.segment?.text ?? file.text;
    const parsed = entry.segment?.service;
    const js = parsed ? (parsed.error !== undefined ? jsProblem(entry, parsed.error) : { value: parsed.value }) : jsValue(entry);
    const value = js.value;
    const schema = root === 'overlay-service' ? OverlayServiceSchema : serviceSchemaFor(version);
    // Most services are valid; only a failing one needs its nodes, to place the problems.
    const problems = js.problem
      ? [js.problem]
      : schema.safeParse(value).success
        ? []
        : checkSchema({
            schema,
            root,
            node: entry.value,
            value,
            ownerKey: entry.key,
            label: `service "${entry.id}"`,
            version,
            source,
          });
    const templates = parsed?.templates ?? scanNode(entry.value, source);
    cached = { value, problems, templates };
    entry.segment?.memo.set(memoKey, cached);
  }
  // File ranges depend only on the segment's text and the line it starts on: they are kept
  // while edits elsewhere leave that line where it was (typing within a line, for one).
  const startLine = file.lines.position(entry.base).line;
  const absoluteKey = ABSOLUTE_MEMO_KEYS[root][version];
  let absolute = entry.segment?.memo.get(absoluteKey) as AbsoluteServiceCheck | undefined;
  if (!absolute || absolute.path !== file.path || absolute.startLine !== startLine) {
    const scan = absoluteScan(file, entry, cached.templates);
    const diagnostics = [...cached.problems.map((p) => toAbsolute(file, entry, p)), ...scan.diagnostics];
    // A template YAML reads as a mapping also fails the schema there; the quoting advice is enough.
    const quoted = scan.diagnostics.filter((d) => d.code === 'template-unquoted');
    const filtered = quoted.length === 0 ? diagnostics : diagnostics.filter((d) => d.code === 'template-unquoted' || !quoted.some((q) => within(d, q)));
    absolute = { path: file.path, startLine, diagnostics: filtered, references: scan.references };
    entry.segment?.memo.set(absoluteKey, absolute);
  }
  return {
    value: cached.value,
    valid: !cached.problems.some((p) => p.severity === 'error'),
    diagnostics: absolute.diagnostics,
    references: absolute.references,
  };
}

interface AbsoluteServiceCheck {
  path: string;
  startLine: number;
  diagnostics: Diagnostic[];
  references: VaultReference[];
}

/**
 * An entry's JS value. An alias whose anchor is missing, or one that expands too often,
 * makes `toJS` throw; that is a problem in the file (on the entry's key), not a crash.
 */
function jsValue(entry: Entry): { value: unknown; problem?: RelativeDiagnostic } {
  if (!entry.value) return { value: null };
  try {
    return { value: entry.value.toJS(entry.doc) };
  } catch (error) {
    return jsProblem(entry, (error as Error).message);
  }
}

function jsProblem(entry: Entry, error: string): { value: unknown; problem: RelativeDiagnostic } {
  const [start, end] = entry.keySpan;
  const message = error.replace(/[.:\s]*$/, '');
  return { value: null, problem: { start, end, severity: 'error', code: 'yaml-syntax', message: `${message}.` } };
}

function within(inner: Diagnostic, outer: Diagnostic): boolean {
  const a = inner.range;
  const b = outer.range;
  const le = (x: { line: number; character: number }, y: { line: number; character: number }) => x.line < y.line || (x.line === y.line && x.character <= y.character);
  return le(b.start, a.start) && le(a.end, b.end);
}

function toAbsolute(file: ParsedFile, entry: Pick<Entry, 'base'>, d: RelativeDiagnostic): Diagnostic {
  const out: Diagnostic = {
    file: file.path,
    range: file.lines.range(entry.base + d.start, entry.base + d.end),
    severity: d.severity,
    code: d.code,
    message: d.message,
  };
  if (d.fixes) {
    out.fixes = d.fixes.map((f) => ({
      title: f.title,
      preferred: f.preferred,
      edits: [{ file: file.path, range: file.lines.range(entry.base + f.start, entry.base + f.end), newText: f.newText }],
    }));
  }
  return out;
}

function checkHeader(file: ParsedFile, root: 'base-header' | 'overlay-header', diagnostics: Diagnostic[]): void {
  const schema = root === 'base-header' ? BaseHeaderSchema : OverlayHeaderSchema;
  const shape = schema.shape as Record<string, import('zod').ZodType>;
  const known = Object.keys(shape);
  for (const [name, entry] of file.header) {
    const fieldSchema = shape[name];
    if (!fieldSchema) {
      const suggestion = didYouMean(name, known);
      const keySpan = entry.keySpan;
      const range = file.lines.range(entry.base + keySpan[0], entry.base + keySpan[1]);
      diagnostics.push({
        file: file.path,
        range,
        severity: 'warning',
        code: 'unknown-key',
        message: suggestion ? `Unknown top-level key "${name}"; did you mean "${suggestion}"?` : `Unknown top-level key "${name}"; it is ignored.`,
        fixes: suggestion ? [{ title: `Rename to "${suggestion}"`, edits: [{ file: file.path, range, newText: suggestion }], preferred: true }] : undefined,
      });
      continue;
    }
    const js = jsValue(entry);
    const value = js.value;
    const problems = js.problem ? [js.problem] : checkSchema({ schema: fieldSchema, root, node: entry.value, value, ownerKey: entry.key, label: `"${name}"`, source: '' });
    for (const p of problems) {
      const d = toAbsolute(file, entry, p);
      if (name === 'version' && typeof value === 'number') {
        d.code = 'schema-type';
        d.message = `"version" must be a string: write version: "${value}".`;
        d.fixes = [{ title: `Quote the version`, edits: [{ file: file.path, range: d.range, newText: `"${value}"` }], preferred: true }];
      }
      diagnostics.push(d);
    }
  }
  const required = Object.entries(shape).filter(([, s]) => !s.safeParse(undefined).success).map(([k]) => k);
  for (const key of required) {
    if (!file.header.has(key) && file.topLevelIsMap) {
      diagnostics.push(fileDiagnostic(file, 'schema-required', `Missing required field "${key}".`));
    }
  }
}

function checkOverlayHeader(base: ParsedFile, overlay: ParsedFile, version: '1' | '2', diagnostics: Diagnostic[]): void {
  const expected = environmentFromOverlayName(overlay.path);
  const envEntry = overlay.header.get('environment');
  const envValue = scalarValue(envEntry);
  if (expected && envEntry && typeof envValue === 'string' && envValue !== expected) {
    const d = entryDiagnostic(
      overlay,
      envEntry,
      'overlay-environment-mismatch',
      `environment: "${envValue}" does not match the file name ${basename(overlay.path)} (environment "${expected}").`,
    );
    d.fixes = [{ title: `Change to "${expected}"`, edits: [{ file: overlay.path, range: d.range, newText: expected }], preferred: true }];
    diagnostics.push(d);
  }
  const overlayVersionEntry = overlay.header.get('version');
  const overlayVersion = scalarValue(overlayVersionEntry);
  if (overlayVersionEntry && (overlayVersion === '1' || overlayVersion === '2') && overlayVersion !== version) {
    const d = entryDiagnostic(
      overlay,
      overlayVersionEntry,
      'overlay-version-mismatch',
      `This overlay says version "${overlayVersion}" but ${basename(base.path)} is version "${version}".`,
    );
    d.severity = 'warning';
    diagnostics.push(d);
  }
  const nameEntry = overlay.header.get('name');
  const baseName = scalarValue(base.header.get('name'));
  const overlayName = scalarValue(nameEntry);
  if (nameEntry && typeof overlayName === 'string' && typeof baseName === 'string' && overlayName !== baseName) {
    const d = entryDiagnostic(overlay, nameEntry, 'schema-value', `name: "${overlayName}" differs from the base file's name "${baseName}".`);
    d.fixes = [{ title: `Change to "${baseName}"`, edits: [{ file: overlay.path, range: d.range, newText: baseName }], preferred: true }];
    diagnostics.push(d);
  }
}

function unknownOverlayService(overlay: ParsedFile, entry: ServiceEntry, base: ParsedFile): Diagnostic {
  const keySpan = entry.keySpan;
  const range = overlay.lines.range(entry.base + keySpan[0], entry.base + keySpan[1]);
  const suggestion = didYouMean(entry.id, base.services.map((s) => s.id));
  const fixes: Fix[] | undefined = suggestion
    ? [{ title: `Change to "${suggestion}"`, edits: [{ file: overlay.path, range, newText: suggestion }], preferred: true }]
    : undefined;
  return {
    file: overlay.path,
    range,
    severity: 'error',
    code: 'overlay-unknown-service',
    message: `Service "${entry.id}" is not declared in ${basename(base.path)}${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
    fixes,
  };
}

/** depends_on and inject_from must name services that exist. */
function checkReferences(model: SystemModel, diagnostics: Diagnostic[]): void {
  const ids = model.services.map((s) => s.id);
  for (const service of model.services) {
    service.dependsOn.forEach((dep, index) => {
      if (dep === service.id) {
        const where = originOf(model, service.id, ['depends_on', index]);
        if (where) {
          diagnostics.push({
            file: where.file,
            range: where.range,
            severity: 'error',
            code: 'self-dependency',
            message: `Service "${service.id}" depends on itself.`,
          });
        }
        return;
      }
      if (model.byId.has(dep)) return;
      const where = originOf(model, service.id, ['depends_on', index]);
      if (where) diagnostics.push(unknownServiceDiagnostic(where.file, where.range, dep, ids.filter((id) => id !== service.id), `depends_on of "${service.id}"`));
    });
    for (const dep of Object.keys(service.injectFrom)) {
      if (model.byId.has(dep)) continue;
      const where = originOf(model, service.id, ['inject_from', dep]);
      if (where) {
        diagnostics.push(
          unknownServiceDiagnostic(where.file, where.keyRange ?? where.range, dep, ids.filter((id) => id !== service.id), `inject_from of "${service.id}"`),
        );
      }
    }
  }
}

function unknownServiceDiagnostic(file: string, range: Diagnostic['range'], id: string, candidates: string[], where: string): Diagnostic {
  const suggestion = didYouMean(id, candidates);
  return {
    file,
    range,
    severity: 'error',
    code: 'unknown-service',
    message: `Unknown service "${id}" in ${where}${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
    fixes: suggestion ? [{ title: `Change to "${suggestion}"`, edits: [{ file, range, newText: suggestion }], preferred: true }] : undefined,
  };
}

/** A cycle is reported on each depends_on entry along it, naming the whole path. */
function checkCycles(model: SystemModel, diagnostics: Diagnostic[]): void {
  for (const cycle of model.cycles) {
    if (cycle.length === 2 && cycle[0] === cycle[1]) continue; // self-dependency, reported already
    const path = cycle.join(' → ');
    const edges: { file: string; range: Diagnostic['range'] }[] = [];
    for (let i = 0; i + 1 < cycle.length; i++) {
      const from = model.byId.get(cycle[i]!)!;
      const index = from.dependsOn.indexOf(cycle[i + 1]!);
      const where = originOf(model, from.id, ['depends_on', index]);
      if (where) edges.push(where);
    }
    edges.forEach((edge, i) => {
      diagnostics.push({
        file: edge.file,
        range: edge.range,
        severity: 'error',
        code: 'dependency-cycle',
        message: `Dependency cycle: ${path}.`,
        related: edges
          .filter((_, j) => j !== i)
          .map((other) => ({ file: other.file, range: other.range, message: 'Part of the same cycle.' })),
      });
    });
  }
}

/** Which provisioner handles each service; unknown providers and skipped services are reported. */
function checkRouting(model: SystemModel, registry: ProvisionerRegistry, diagnostics: Diagnostic[]): void {
  const routes = routesFor(registry);
  for (const service of model.services) {
    let route = routes.get(service.declaration);
    if (!route) {
      const resolved = toResolvedService(service);
      route = { requested: requestedProvider(resolved), provider: registry.resolve(resolved)?.provider };
      routes.set(service.declaration, route);
    }
    const requested = route.requested;
    service.requestedProvider = requested;
    service.provider = route.provider;
    if (route.provider) continue;
    const resolved = toResolvedService(service);
    if (requested && !registry.has(requested)) {
      const path = typeof resolved.target?.type === 'string' ? ['target', 'type'] : ['provision', 'provider'];
      const where = originOf(model, service.id, path);
      if (!where) continue;
      const suggestion = didYouMean(requested, registry.names());
      diagnostics.push({
        file: where.file,
        range: where.range,
        severity: 'warning',
        code: 'unknown-provider',
        message: `No provisioner is named "${requested}"${suggestion ? `; did you mean "${suggestion}"?` : ''}. Known: ${registry.names().sort().join(', ')}. The service will be skipped.`,
        fixes: suggestion ? [{ title: `Change to "${suggestion}"`, edits: [{ file: where.file, range: where.range, newText: suggestion }], preferred: true }] : undefined,
      });
      continue;
    }
    const where = originOf(model, service.id, []);
    if (!where) continue;
    diagnostics.push({
      file: where.file,
      range: where.range,
      severity: 'warning',
      code: 'no-provisioner',
      message: `No provisioner handles service "${service.id}"; it will be skipped. ${skipHint(resolved, requested)}`.trim(),
    });
  }
}

interface Route {
  requested?: string;
  provider?: string;
}

/**
 * Routing results by declaration object, per registry, while its provisioners stay the same.
 * A service whose segment did not change keeps its declaration object (it is cached on the
 * segment), so after an edit only the changed services are routed again.
 */
const routeCaches = new WeakMap<ProvisionerRegistry, { adapters: unknown[]; routes: WeakMap<object, Route> }>();

function routesFor(registry: ProvisionerRegistry): WeakMap<object, Route> {
  const adapters = registry.all();
  const cached = routeCaches.get(registry);
  if (cached && cached.adapters.length === adapters.length && cached.adapters.every((a, i) => a === adapters[i])) return cached.routes;
  const fresh = { adapters, routes: new WeakMap<object, Route>() };
  routeCaches.set(registry, fresh);
  return fresh.routes;
}

function skipHint(service: ServiceDeclaration, requested: string | undefined): string {
  if (requested) return `Provisioner "${requested}" does not accept this service's settings.`;
  if (service.type === 'process' && !service.command) return 'A process service needs a command.';
  if (service.type === 'cdn' && !service._cloudflare) return 'A cdn service needs a _cloudflare block.';
  return 'Set provision.provider (or target.type in an overlay) to provision it.';
}

function checkVaultKeys(model: SystemModel, vaultHas: AnalyzeOptions['vaultHas'], diagnostics: Diagnostic[]): void {
  if (!vaultHas) return;
  for (const ref of model.vaultReferences) {
    if (vaultHas(ref.key) !== false) continue;
    diagnostics.push({
      file: ref.file,
      range: ref.range,
      severity: 'warning',
      code: 'vault-key-not-set',
      message: `Vault key "${ref.key}" is not set. Set it with: ss vault set ${ref.key}`,
    });
  }
}

/** A diagnostic on an entry's value (on its key when the value is empty). */
/** A generate_config template or a cwd that does not exist fails at run time; say so now. */
function checkFiles(model: SystemModel, fileExists: AnalyzeOptions['fileExists'], diagnostics: Diagnostic[]): void {
  if (!fileExists) return;
  for (const service of model.services) {
    const declaration = service.declaration;
    const candidates: [string[], unknown, string][] = [
      [['provision', 'generate_config', 'template'], declaration.provision?.generate_config?.template, 'Template file'],
      [['cwd'], declaration.cwd, 'Working directory'],
    ];
    for (const [path, value, what] of candidates) {
      if (typeof value !== 'string' || value === '' || value.includes('{{')) continue;
      const absolute = resolvePath(model.configDir, expandHome(value));
      if (fileExists(absolute)) continue;
      const where = originOf(model, service.id, path);
      if (!where) continue;
      diagnostics.push({
        file: where.file,
        range: where.range,
        severity: 'warning',
        code: 'file-not-found',
        message: `${what} "${value}" does not exist (${absolute}); provisioning "${service.id}" will fail until it does.`,
      });
    }
  }
}

function entryDiagnostic(file: ParsedFile, entry: Entry, code: Diagnostic['code'], message: string): Diagnostic {
  const s = span(entry.value) ?? span(entry.key)!;
  return { file: file.path, range: file.lines.range(entry.base + s[0], entry.base + s[1]), severity: 'error', code, message };
}

function fileDiagnostic(file: ParsedFile, code: Diagnostic['code'], message: string): Diagnostic {
  const firstLine = file.lines.lineText(0);
  return { file: file.path, range: { start: { line: 0, character: 0 }, end: { line: 0, character: firstLine.length } }, severity: 'error', code, message };
}

function scalarValue(entry: Entry | undefined): unknown {
  if (!entry?.value) return undefined;
  const found = locate(entry.value, []);
  return found.node && 'value' in found.node ? (found.node as Scalar).value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
