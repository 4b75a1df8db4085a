/**
 * The `_state` blocks of an environment's overlay (`services.<id>.provision._state`): what
 * the engine records there after provisioning, safe to commit (no secrets). The `yaml`
 * Document API locates the block (and the `provision:` or service entry that holds it);
 * the edit is then spliced into the original text, so every other byte (comments, their
 * spacing, blank lines, quoting, flow style, key order) stays as the user wrote it. When
 * the file's shape does not allow a clean splice (flow-style containers), the Document
 * API writes the whole file instead, which still keeps comments and order. Each result is
 * re-parsed and checked before it is written; writes are atomic and serialized per file.
 */
import { readFile } from 'node:fs/promises';
import { Document, isMap, isScalar, parseDocument, Scalar, visit, YAMLMap, type Node } from 'yaml';
import type { ProvisionStateRecord } from '../provisioners/types';
import { writeFileAtomic } from '../util/fsAtomic';

export class OverlayStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverlayStateError';
  }
}

/** The `_state` block of every service in the overlay that has one. */
export async function readOverlayState(overlayPath: string): Promise<Record<string, ProvisionStateRecord>> {
  const doc = await loadDocument(overlayPath);
  return overlayStateOf(doc);
}

function overlayStateOf(doc: Document): Record<string, ProvisionStateRecord> {
  const out: Record<string, ProvisionStateRecord> = {};
  const services = doc.get('services');
  if (!isMap(services)) return out;
  for (const pair of services.items) {
    const id = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    const state = doc.getIn(['services', id, 'provision', '_state']);
    if (isMap(state)) out[id] = state.toJSON() as ProvisionStateRecord;
  }
  return out;
}

/**
 * Sets (a record) or removes (null) the `_state` block of each service given. Services
 * that the overlay does not mention get an entry. Throws OverlayStateError when the file
 * cannot be parsed; the file is then left as it was.
 */
export function updateOverlayState(overlayPath: string, changes: Record<string, ProvisionStateRecord | null>): Promise<void> {
  return serialized(overlayPath, async () => {
    const original = await readFile(overlayPath, 'utf8');
    let text = original;
    for (const [id, record] of Object.entries(changes)) text = editState(overlayPath, text, id, record);
    if (text !== original) await writeFileAtomic(overlayPath, text, 0o644);
  });
}

/** Replaces every `_state` block with the snapshot's (services absent from it lose theirs). */
export function restoreOverlayState(overlayPath: string, snapshot: Record<string, ProvisionStateRecord>): Promise<string[]> {
  return serialized(overlayPath, async () => {
    const original = await readFile(overlayPath, 'utf8');
    const current = overlayStateOf(parse(overlayPath, original));
    const touched: string[] = [];
    let text = original;
    for (const id of new Set([...Object.keys(current), ...Object.keys(snapshot)])) {
      const wanted = snapshot[id];
      if (JSON.stringify(wanted ?? null) === JSON.stringify(current[id] ?? null)) continue;
      text = editState(overlayPath, text, id, wanted ?? null);
      touched.push(id);
    }
    if (text !== original) await writeFileAtomic(overlayPath, text, 0o644);
    return touched.sort();
  });
}

/** The text with one service's `_state` set or removed: spliced when possible, else re-serialized. */
function editState(path: string, text: string, id: string, record: ProvisionStateRecord | null): string {
  const doc = parse(path, text);
  const spliced = spliceState(text, doc, id, record);
  if (spliced !== undefined && spliced !== text && sameExceptState(path, text, spliced, id, record)) return spliced;
  if (spliced === text) return text;
  const changed = record === null ? removeState(doc, id) : setState(doc, id, record);
  return changed ? doc.toString(stringifyOptions(text)) : text;
}

function setState(doc: Document, id: string, record: ProvisionStateRecord): boolean {
  const existing = doc.getIn(['services', id, 'provision', '_state']);
  if (isMap(existing) && JSON.stringify(existing.toJSON()) === JSON.stringify(record)) return false;
  const services = doc.get('services', true);
  if (!isMap(services)) {
    if (services !== undefined && !(isScalar(services) && (services.value === null || services.value === ''))) {
      throw new OverlayStateError('"services" in the overlay is not a mapping; the _state block cannot be written.');
    }
    doc.set('services', new YAMLMap());
  }
  for (const path of [['services', id], ['services', id, 'provision']]) {
    const node = doc.getIn(path, true);
    if (node === undefined || (isScalar(node) && (node.value === null || node.value === ''))) doc.setIn(path, new YAMLMap());
    else if (!isMap(node)) throw new OverlayStateError(`"${path.join('.')}" in the overlay is not a mapping; the _state block cannot be written.`);
  }
  doc.setIn(['services', id, 'provision', '_state'], recordNode(doc, record));
  return true;
}

function removeState(doc: Document, id: string): boolean {
  if (!doc.hasIn(['services', id, 'provision', '_state'])) return false;
  doc.deleteIn(['services', id, 'provision', '_state']);
  // Remove only what became empty because of this: a provision block that held just the
  // state, then a service entry that held just that block.
  const provision = doc.getIn(['services', id, 'provision'], true);
  if (isMap(provision) && provision.items.length === 0) {
    doc.deleteIn(['services', id, 'provision']);
    const service = doc.getIn(['services', id], true);
    if (isMap(service) && service.items.length === 0) doc.deleteIn(['services', id]);
  }
  return true;
}

/**
 * The edit as a text splice, or undefined when the containers involved are not block
 * mappings (then the caller re-serializes). Unchanged text when there is nothing to do.
 */
function spliceState(text: string, doc: Document, id: string, record: ProvisionStateRecord | null): string | undefined {
  const unit = indentUnit(text);
  const services = doc.get('services', true);
  const stateLines = record ? stateBlock(record, unit) : [];
  if (services === undefined || services === null) {
    if (!record) return text;
    const body = ['services:', ...indent([`${id}:`, ...indent(['provision:', ...indent(stateLines, unit)], unit)], unit)];
    return insertAt(text, text.length, body, 0);
  }
  if (!isBlockMap(services)) return undefined;
  const servicePair = services.items.find((p) => keyName(p) === id);
  if (!servicePair) {
    if (!record) return text;
    const column = columnOf(text, services.items[0]!.key as Node);
    return insertAt(text, lineEndAfter(text, services.range![1]), [`${id}:`, ...indent(['provision:', ...indent(stateLines, unit)], unit)], column);
  }
  const service = servicePair.value as Node | null;
  if (!isBlockMap(service)) return undefined;
  const provisionPair = service.items.find((p) => keyName(p) === 'provision');
  if (!provisionPair) {
    if (!record) return text;
    return insertAt(text, lineEndAfter(text, service.range![1]), ['provision:', ...indent(stateLines, unit)], columnOf(text, service.items[0]!.key as Node));
  }
  const provision = provisionPair.value as Node | null;
  if (!isBlockMap(provision)) return undefined;
  const statePair = provision.items.find((p) => keyName(p) === '_state');
  if (!record) {
    if (!statePair) return text;
    // Remove what only held the state: the provision entry, then the service entry.
    const only = provision.items.length === 1;
    const target = only ? (service.items.length === 1 ? servicePair : provisionPair) : statePair;
    return removeLines(text, target);
  }
  if (!statePair) return insertAt(text, lineEndAfter(text, provision.range![1]), stateLines, columnOf(text, provision.items[0]!.key as Node));
  const start = lineStart(text, (statePair.key as Node).range![0]);
  const end = lineEndAfter(text, (statePair.value as Node).range![1]);
  return text.slice(0, start) + indent(stateLines, columnOf(text, statePair.key as Node)).join('\n') + '\n' + text.slice(end);
}

/** Parses the result and checks that only the intended `_state` changed. */
function sameExceptState(path: string, before: string, after: string, id: string, record: ProvisionStateRecord | null): boolean {
  let doc: Document;
  try {
    doc = parse(path, after);
  } catch {
    return false;
  }
  const wanted = overlayStateOf(parse(path, before));
  if (record) wanted[id] = record;
  else delete wanted[id];
  if (JSON.stringify(overlayStateOf(doc)) !== JSON.stringify(sortKeys(wanted, overlayStateOf(doc)))) return false;
  return JSON.stringify(withoutState(parse(path, before).toJS())) === JSON.stringify(withoutState(doc.toJS()));
}

function sortKeys(wanted: Record<string, ProvisionStateRecord>, order: Record<string, ProvisionStateRecord>): Record<string, ProvisionStateRecord> {
  const out: Record<string, ProvisionStateRecord> = {};
  for (const key of Object.keys(order)) if (key in wanted) out[key] = wanted[key]!;
  for (const key of Object.keys(wanted)) if (!(key in out)) out[key] = wanted[key]!;
  return out;
}

/** The document's value with every `_state` (and the provision / service entries that held only it) left out. */
function withoutState(value: unknown): unknown {
  const services = (value as { services?: unknown } | null)?.services;
  if (!services || typeof services !== 'object') return { ...(value as object), services: undefined };
  const out: Record<string, unknown> = {};
  for (const [id, service] of Object.entries(services as Record<string, unknown>)) {
    if (!service || typeof service !== 'object') {
      out[id] = service;
      continue;
    }
    const { provision, ...rest } = service as { provision?: Record<string, unknown> };
    const { _state, ...declared } = provision && typeof provision === 'object' ? provision : ({} as Record<string, unknown>);
    const kept = Object.keys(declared).length > 0 ? { ...rest, provision: declared } : rest;
    if (Object.keys(kept).length > 0) out[id] = kept;
  }
  return { ...(value as object), services: Object.keys(out).length > 0 ? out : undefined };
}

function isBlockMap(node: unknown): node is YAMLMap & { range: [number, number, number] } {
  return isMap(node) && !node.flow && node.items.length > 0 && node.range !== undefined && node.range !== null;
}

function keyName(pair: { key: unknown }): string | undefined {
  return isScalar(pair.key) ? String(pair.key.value) : undefined;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset just past the line holding the character before `end`. */
function lineEndAfter(text: string, end: number): number {
  if (end > 0 && text[end - 1] === '\n') return end;
  const newline = text.indexOf('\n', end);
  return newline === -1 ? text.length : newline + 1;
}

function columnOf(text: string, node: Node): number {
  const offset = node.range![0];
  return offset - lineStart(text, offset);
}

function indent(lines: string[], by: number): string[] {
  const pad = ' '.repeat(by);
  return lines.map((l) => (l === '' ? l : pad + l));
}

function insertAt(text: string, at: number, lines: string[], column: number): string {
  const before = text.slice(0, at);
  const glue = before === '' || before.endsWith('\n') ? '' : '\n';
  return before + glue + indent(lines, column).join('\n') + '\n' + text.slice(at);
}

function removeLines(text: string, pair: { key: unknown; value: unknown }): string {
  const start = lineStart(text, (pair.key as Node).range![0]);
  const end = lineEndAfter(text, (pair.value as Node).range![1]);
  return text.slice(0, start) + text.slice(end);
}

/** `_state:` and the record beneath it, as lines at column 0. */
function stateBlock(record: ProvisionStateRecord, unit: number): string[] {
  const doc = new Document({});
  doc.set('_state', recordNode(doc, record));
  return doc.toString({ indent: unit, lineWidth: 0, indentSeq: true }).replace(/\n$/, '').split('\n');
}

function indentUnit(text: string): number {
  const m = /^services:[^\n]*\n(?:[ \t]*#[^\n]*\n|[ \t]*\n)*( +)\S/m.exec(text);
  return m ? Math.max(1, Math.min(8, m[1]!.length)) : 2;
}

/** The record as a block mapping; strings that other YAML readers would take for dates or numbers are quoted. */
function recordNode(doc: Document, record: ProvisionStateRecord) {
  const clean = JSON.parse(JSON.stringify(record)) as ProvisionStateRecord;
  const node = doc.createNode(clean) as YAMLMap;
  visit(node, {
    Scalar(_, scalar) {
      if (typeof scalar.value === 'string' && looksTyped(scalar.value)) scalar.type = Scalar.QUOTE_DOUBLE;
    },
  });
  return node;
}

function looksTyped(value: string): boolean {
  return (
    /^\d{4}-\d\d-\d\d([Tt ]|$)/.test(value) ||
    /^[-+]?(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?$/.test(value) ||
    /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~)$/.test(value) ||
    /^\d+(:\d+)+$/.test(value)
  );
}

/** Keep the file's own style: its indentation, whether sequences are indented, flow spacing. */
function stringifyOptions(text: string) {
  const indentMatch = /^services:[^\n]*\n(?:\s*#[^\n]*\n|\s*\n)*( +)\S/m.exec(text);
  const indent = indentMatch ? Math.min(8, indentMatch[1]!.length) : 2;
  // A block sequence whose dash sits at its key's indentation means "not indented".
  let indentSeq = true;
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const key = /^( *)[^\s#-][^:]*:\s*(#.*)?$/.exec(lines[i]!);
    if (!key) continue;
    const next = lines.slice(i + 1).find((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    const dash = next ? /^( *)- /.exec(next) : null;
    if (dash) {
      indentSeq = dash[1]!.length > key[1]!.length;
      break;
    }
  }
  const flowCollectionPadding = /\[ \S|\{ \S/.test(text);
  return { lineWidth: 0, indent, indentSeq, flowCollectionPadding };
}

function parse(path: string, text: string): Document {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) {
    throw new OverlayStateError(`${path} has a YAML syntax error (${doc.errors[0]!.message.split('\n')[0]}); its _state block was not written.`);
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new OverlayStateError(`${path} is not a mapping; its _state block was not written.`);
  }
  return doc;
}

async function loadDocument(path: string): Promise<Document> {
  return parse(path, await readFile(path, 'utf8'));
}

const queues = new Map<string, Promise<unknown>>();

/** One read-modify-write at a time per file within this process (a run holds the project lock against others). */
function serialized<T>(path: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  queues.set(path, settled);
  void settled.then(() => {
    if (queues.get(path) === settled) queues.delete(path);
  });
  return next;
}
