/**
 * Completion: vault key names inside `{{ vault('…') }}`, service ids in `depends_on` and
 * `inject_from` (never the service itself nor one that would close a cycle), provider
 * names, Cloudflare resource types, the credentials a dependency provides, schema keys (with
 * snippets that fill in required fields) and the fixed values a field allows.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  InsertTextMode,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
} from 'vscode-languageserver';
import { environmentFromOverlayName } from '../../engine/config/validate';
import type { SystemModel } from '../../engine/config/model';
import type { ParsedFile } from '../../engine/config/parse';
import {
  allowedValues,
  alternatives,
  descriptionOf,
  jsonSchema,
  propertiesOf,
  requiredOf,
  schemaAt,
  typesOf,
  type JsonSchema,
  type SchemaRoot,
} from '../../engine/config/schemaInfo';
import type { Position } from '../../engine/diagnostics';
import { jsOf } from './locate';
import { cursorAt, type CursorPath, type KeyCursor, type ValueCursor, type VaultCursor } from './cursor';
import type { DocumentSnapshot, ServiceFacts } from './types';

export const COMPLETION_TRIGGERS = ["'", '"', '[', ',', ' ', '.'];

export function completions(snapshot: DocumentSnapshot, facts: ServiceFacts, position: Position, triggerCharacter?: string): CompletionList {
  const cursor = cursorAt(snapshot.file.lines, position);
  let items: CompletionItem[] = [];
  if (cursor.kind === 'vault') items = vaultKeyItems(snapshot, facts, cursor);
  // A space typed as indentation is not a request for keys; after `key:` or `-` it asks for a value.
  else if (cursor.kind === 'key' && triggerCharacter !== ' ') items = keyItems(snapshot, facts, cursor);
  else if (cursor.kind === 'value') items = valueItems(snapshot, facts, cursor);
  return { isIncomplete: false, items };
}

function rangeOf(file: ParsedFile, start: number, end: number) {
  return file.lines.range(start, end);
}

function vaultKeyItems(snapshot: DocumentSnapshot, facts: ServiceFacts, cursor: VaultCursor): CompletionItem[] {
  if (!facts.vaultKeys) return [];
  const range = rangeOf(snapshot.file, cursor.start, cursor.end);
  return [...facts.vaultKeys].sort().map((key) => {
    const dot = key.lastIndexOf('.');
    return {
      label: key,
      kind: CompletionItemKind.Variable,
      detail: key.slice(0, dot),
      documentation: 'Set in the vault.',
      textEdit: { range, newText: key },
    };
  });
}

interface ServiceScope {
  id: string;
  /** Path inside the service. */
  rest: CursorPath;
  root: SchemaRoot;
  value: unknown;
}

function serviceScope(snapshot: DocumentSnapshot, path: CursorPath): ServiceScope | undefined {
  if (path[0] !== 'services' || path.length < 2) return undefined;
  const id = String(path[1]);
  const entry = snapshot.file.services.find((s) => s.id === id);
  const value = jsOf(entry);
  return { id, rest: path.slice(2), root: serviceRoot(snapshot), value };
}

function serviceRoot(snapshot: DocumentSnapshot): SchemaRoot {
  if (snapshot.role === 'overlay') return 'overlay-service';
  const version = snapshot.model?.version ?? versionOf(snapshot.file);
  return version === '2' ? 'service-v2' : 'service-v1';
}

function versionOf(file: ParsedFile): string | undefined {
  const value = jsOf(file.header.get('version'));
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

function valueAt(value: unknown, path: CursorPath): unknown {
  let v = value;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[segment];
  }
  return v;
}

function keyItems(snapshot: DocumentSnapshot, facts: ServiceFacts, cursor: KeyCursor): CompletionItem[] {
  const range = rangeOf(snapshot.file, cursor.start, cursor.end);
  const path = cursor.path;
  if (path.length === 0) {
    const root: SchemaRoot = snapshot.role === 'overlay' ? 'overlay-header' : 'base-header';
    return schemaKeyItems(schemaAt(root, []), root, undefined, cursor, facts, snapshot, range);
  }
  if (path.length === 1 && path[0] === 'services') {
    if (snapshot.role !== 'overlay' || !snapshot.model) return [];
    // An overlay configures services of the base file.
    return serviceIdItems(snapshot.model, snapshot.model.services.map((s) => s.id).filter((id) => !cursor.siblings.includes(id)), (id) => ({
      newText: cursor.bare && facts.snippets ? `${id}:\n${indentOf(cursor.column + indentUnit(snapshot.file))}$0` : id,
      snippet: cursor.bare && facts.snippets,
    }), range);
  }
  const scope = serviceScope(snapshot, path);
  if (!scope) return [];
  if (scope.rest.length === 1 && scope.rest[0] === 'inject_from') {
    const ids = dependencyCandidates(snapshot.model, scope.id).filter((id) => !cursor.siblings.includes(id));
    return serviceIdItems(snapshot.model, ids, (id) => ({
      newText: cursor.bare && facts.snippets ? `${id}:\n${indentOf(cursor.column + indentUnit(snapshot.file))}- $0` : id,
      snippet: cursor.bare && facts.snippets,
    }), range);
  }
  const schema = schemaAt(scope.root, scope.rest, scope.value);
  return schemaKeyItems(schema, scope.root, valueAt(scope.value, scope.rest), cursor, facts, snapshot, range);
}

function indentOf(n: number): string {
  return ' '.repeat(Math.max(0, n));
}

/** The file's indentation step: the column of the first service, else 2. */
function indentUnit(file: ParsedFile): number {
  const first = file.services[0];
  if (!first) return 2;
  const { character } = file.lines.position(first.base + first.keySpan[0]);
  return character > 0 ? character : 2;
}

function escapeSnippet(text: string): string {
  return text.replace(/[$}\\]/g, (c) => `\\${c}`);
}

/** A tab stop for a field of `parent`; a choice when the field has fixed values (in any branch of a union). */
function placeholder(n: number, parent: JsonSchema, field: string, root: SchemaRoot): string {
  const values = new Set<string>();
  for (const alt of alternatives(parent, jsonSchema(root))) {
    const prop = alt.properties?.[field];
    if (prop) for (const v of allowedValues(prop, root)) values.add(String(v));
  }
  const choices = [...values].map((v) => v.replace(/[,|$}\\]/g, (c) => `\\${c}`));
  return choices.length > 0 ? `\${${n}|${choices.join(',')}|}` : `$${n}`;
}

function schemaKeyItems(
  schema: JsonSchema | undefined,
  root: SchemaRoot,
  value: unknown,
  cursor: KeyCursor,
  facts: ServiceFacts,
  snapshot: DocumentSnapshot,
  range: ReturnType<typeof rangeOf>,
): CompletionItem[] {
  const properties = propertiesOf(schema, root, value);
  const required = new Set(requiredOf(schema, root, value));
  const unit = indentUnit(snapshot.file);
  const child = indentOf(cursor.column + unit);
  const items: CompletionItem[] = [];
  for (const [key, prop] of properties) {
    if (cursor.siblings.includes(key)) continue;
    const types = typesOf(prop, root);
    const description = descriptionOf(prop, root);
    const item: CompletionItem = {
      label: key,
      kind: CompletionItemKind.Property,
      detail: `${required.has(key) ? 'required · ' : ''}${types.join(' | ') || 'any'}`,
      documentation: description ? { kind: MarkupKind.Markdown, value: description } : undefined,
      sortText: `${required.has(key) ? '0' : '1'}${key}`,
    };
    if (cursor.bare && facts.snippets) {
      item.textEdit = { range, newText: keySnippet(key, prop, root, types, child, unit) };
      item.insertTextFormat = InsertTextFormat.Snippet;
      item.insertTextMode = InsertTextMode.asIs;
    } else {
      item.textEdit = { range, newText: cursor.bare ? `${key}: ` : key };
    }
    items.push(item);
  }
  return items;
}

/** `key: $1`, or the block with the value's required fields filled in as tab stops. */
function keySnippet(key: string, schema: JsonSchema, root: SchemaRoot, types: string[], child: string, unit: number): string {
  const name = escapeSnippet(key);
  if (types.includes('object') && !types.includes('string')) {
    const required = requiredOf(schema, root);
    if (required.length === 0) return `${name}:\n${child}$0`;
    return `${name}:\n${required.map((r, i) => `${child}${escapeSnippet(r)}: ${placeholder(i + 1, schema, r, root)}`).join('\n')}`;
  }
  if (types.length === 1 && types[0] === 'array') {
    const itemSchema = alternatives(schema, jsonSchema(root)).find((alt) => alt.items)?.items;
    const itemTypes = typesOf(itemSchema, root);
    if (itemTypes.includes('object')) {
      const required = requiredOf(itemSchema, root);
      const inner = indentOf(child.length + unit);
      const body = required.map((r, i) => `${i === 0 ? '' : inner}${escapeSnippet(r)}: ${placeholder(i + 1, itemSchema!, r, root)}`).join('\n');
      return `${name}:\n${child}- ${body || '$0'}`;
    }
    return `${name}: [$0]`;
  }
  const own = allowedValues(schema, root).map((v) => String(v).replace(/[,|$}\\]/g, (c) => `\\${c}`));
  return `${name}: ${own.length > 0 ? `\${1|${own.join(',')}|}` : '$1'}`;
}

/** Ids a service may depend on: not itself, and not one that depends on it (that would close a cycle). */
export function dependencyCandidates(model: SystemModel | undefined, serviceId: string): string[] {
  if (!model) return [];
  const dependants = new Map<string, string[]>();
  for (const s of model.services) {
    for (const dep of s.dependsOn) {
      let list = dependants.get(dep);
      if (!list) dependants.set(dep, (list = []));
      list.push(s.id);
    }
  }
  const excluded = new Set([serviceId]);
  const queue = [serviceId];
  while (queue.length > 0) {
    for (const next of dependants.get(queue.pop()!) ?? []) {
      if (excluded.has(next)) continue;
      excluded.add(next);
      queue.push(next);
    }
  }
  return model.services.map((s) => s.id).filter((id) => !excluded.has(id));
}

function serviceIdItems(
  model: SystemModel | undefined,
  ids: string[],
  insert: (id: string) => { newText: string; snippet: boolean },
  range: ReturnType<typeof rangeOf>,
): CompletionItem[] {
  return ids.map((id) => {
    const service = model?.byId.get(id);
    const type = service?.declaration.type;
    const { newText, snippet } = insert(id);
    return {
      label: id,
      kind: CompletionItemKind.Reference,
      detail: [type, service?.provider].filter(Boolean).join(' · ') || 'service',
      documentation: service?.declaration.description ?? service?.declaration.name,
      textEdit: { range, newText },
      ...(snippet ? { insertTextFormat: InsertTextFormat.Snippet, insertTextMode: InsertTextMode.asIs } : {}),
    };
  });
}

function valueItems(snapshot: DocumentSnapshot, facts: ServiceFacts, cursor: ValueCursor): CompletionItem[] {
  const file = snapshot.file;
  const range = rangeOf(file, cursor.start, cursor.end);
  const quoted = cursor.start > 0 && (file.text[cursor.start - 1] === '"' || file.text[cursor.start - 1] === "'");
  const path = cursor.path;

  if (path.length === 1) {
    if (path[0] === 'version') return plainValues(['1', '2'], quoted, range, 'The file format version.');
    if (path[0] === 'environment' && snapshot.role === 'overlay') {
      const env = environmentFromOverlayName(snapshot.path);
      return env ? plainValues([env], quoted, range, 'The environment in the file name.') : [];
    }
    return [];
  }
  const scope = serviceScope(snapshot, path);
  if (!scope) return [];
  const rest = scope.rest;
  const key = rest.join('.');

  if (key === 'depends_on') {
    const ids = dependencyCandidates(snapshot.model, scope.id).filter((id) => !cursor.listed.includes(id));
    return serviceIdItems(snapshot.model, ids, (id) => ({ newText: cursor.sequence === 'none' ? `[${id}]` : id, snippet: false }), range);
  }
  if (rest.length === 2 && rest[0] === 'inject_from' && cursor.sequence !== 'none') {
    return credentialItems(snapshot, facts, String(rest[1]), cursor.listed, range);
  }
  if (key === 'provision.provider' || key === 'target.type') {
    return facts.registry
      .all()
      .sort((a, b) => a.provider.localeCompare(b.provider))
      .map((adapter) => ({
        label: adapter.provider,
        kind: CompletionItemKind.EnumMember,
        detail: 'provisioner',
        documentation: adapter.catalog?.title,
        textEdit: { range, newText: adapter.provider },
      }));
  }
  if (key === 'target.resource') {
    const type = valueAt(scope.value, ['target', 'type']) ?? snapshot.model?.byId.get(scope.id)?.declaration.target?.type;
    const adapters = facts.registry.all().filter((a) => typeof type !== 'string' || a.provider === type);
    const seen = new Set<string>();
    const items: CompletionItem[] = [];
    for (const adapter of adapters) {
      for (const resource of adapter.catalog?.resources ?? []) {
        if (seen.has(resource)) continue;
        seen.add(resource);
        items.push({ label: resource, kind: CompletionItemKind.EnumMember, detail: adapter.provider, textEdit: { range, newText: resource } });
      }
    }
    return items;
  }
  // Fixed values from the schema: `_cloudflare.resource`, record types, booleans, ...
  // The discriminator itself is completed from every branch, not the one it selects now.
  const schema = schemaAt(scope.root, rest, cursor.sequence === 'none' ? undefined : scope.value);
  const values = allowedValues(schema, scope.root).map(String);
  const description = descriptionOf(schema, scope.root);
  if (values.length === 0 && typesOf(schema, scope.root).includes('boolean')) values.push('true', 'false');
  return values.map((v) => ({
    label: v,
    kind: CompletionItemKind.EnumMember,
    detail: key,
    documentation: description,
    textEdit: { range, newText: v },
  }));
}

function plainValues(values: string[], quoted: boolean, range: ReturnType<typeof rangeOf>, detail: string): CompletionItem[] {
  return values.map((v) => ({
    label: `"${v}"`,
    filterText: quoted ? v : `"${v}"`,
    kind: CompletionItemKind.EnumMember,
    detail,
    textEdit: { range, newText: quoted ? v : `"${v}"` },
  }));
}

/** Credential names a dependency provides: its provisioner's catalog and the vault's `<id>.<NAME>` keys. */
function credentialItems(snapshot: DocumentSnapshot, facts: ServiceFacts, dependency: string, listed: string[], range: ReturnType<typeof rangeOf>): CompletionItem[] {
  const names = new Map<string, string>();
  const provider = snapshot.model?.byId.get(dependency)?.provider;
  const adapter = provider ? facts.registry.get(provider) : undefined;
  for (const name of adapter?.catalog?.credentials ?? []) names.set(name, `written by ${provider} to ${dependency}.${name}`);
  const prefix = `${dependency}.`;
  for (const key of facts.vaultKeys ?? []) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (name.includes('.')) continue;
    if (!names.has(name)) names.set(name, `set in the vault (${key})`);
  }
  return [...names]
    .filter(([name]) => !listed.includes(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, detail]) => ({
      label: name,
      kind: CompletionItemKind.Constant,
      detail,
      textEdit: { range, newText: name },
    }));
}
