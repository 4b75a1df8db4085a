/**
 * The `_state` blocks of an environment's overlay (`services.<id>.provision._state`): what
 * the engine records there after provisioning, safe to commit (no secrets). Edits go
 * through the `yaml` Document API so the user's comments, key order, quoting and blank
 * lines stay as they were; only the `_state` block (and, when missing, the `provision:` or
 * service entry holding it) changes. Writes are atomic and serialized per file.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isScalar, parseDocument, Scalar, visit, YAMLMap, type Document } from 'yaml';
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
    const text = await readFile(overlayPath, 'utf8');
    const doc = parse(overlayPath, text);
    let changed = false;
    for (const [id, record] of Object.entries(changes)) {
      changed = (record === null ? removeState(doc, id) : setState(doc, id, record)) || changed;
    }
    if (!changed) return;
    await writeFileAtomic(overlayPath, doc.toString(stringifyOptions(text)), 0o644);
  });
}

/** Replaces every `_state` block with the snapshot's (services absent from it lose theirs). */
export function restoreOverlayState(overlayPath: string, snapshot: Record<string, ProvisionStateRecord>): Promise<string[]> {
  return serialized(overlayPath, async () => {
    const text = await readFile(overlayPath, 'utf8');
    const doc = parse(overlayPath, text);
    const current = overlayStateOf(doc);
    const touched: string[] = [];
    for (const id of new Set([...Object.keys(current), ...Object.keys(snapshot)])) {
      const wanted = snapshot[id];
      if (JSON.stringify(wanted ?? null) === JSON.stringify(current[id] ?? null)) continue;
      if (wanted ? setState(doc, id, wanted) : removeState(doc, id)) touched.push(id);
    }
    if (touched.length > 0) await writeFileAtomic(overlayPath, doc.toString(stringifyOptions(text)), 0o644);
    return touched.sort();
  });
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
