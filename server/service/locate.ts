/**
 * What a parsed file holds at an offset: which top-level entry or service, the path of keys
 * down to the node, and whether the offset is on a key or a value. Used by hover, definition
 * and references, which work on the parse of the current version.
 */
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import type { Entry, ParsedFile, ServiceEntry } from '../../engine/config/parse';
import type { Range } from '../../engine/diagnostics';

export interface NodeAtOffset {
  /** The service the offset is in; undefined for the header (top-level keys). */
  service?: ServiceEntry;
  /** The top-level entry (header key or service) the offset is in. */
  entry: Entry;
  /** Path below the entry: keys and sequence indexes. */
  path: (string | number)[];
  /** The offset is on the key of the last path segment (or on the service id when the path is empty). */
  onKey: boolean;
  /** The scalar under the offset, when there is one. */
  scalar?: Scalar;
}

/** Absolute [start, end) of an entry: from its key to the end of its value. */
export function entryExtent(entry: Entry): [number, number] {
  return [entry.base + entry.keySpan[0], entry.base + entry.end];
}

/** The service whose block holds the offset (binary search over the file-ordered services). */
export function serviceAt(file: ParsedFile, offset: number): ServiceEntry | undefined {
  const services = file.services;
  let lo = 0;
  let hi = services.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (services[mid]!.base + services[mid]!.keySpan[0] <= offset) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  if (found === -1) return undefined;
  const service = services[found]!;
  const [, end] = entryExtent(service);
  return offset <= end ? service : undefined;
}

export function nodeAt(file: ParsedFile, offset: number): NodeAtOffset | undefined {
  const service = serviceAt(file, offset);
  if (service) return { service, ...descend(service, offset) };
  for (const entry of file.header.values()) {
    const [start, end] = entryExtent(entry);
    if (offset >= start && offset <= end) return descend(entry, offset);
  }
  return undefined;
}

function descend(entry: Entry, offset: number): NodeAtOffset {
  const rel = offset - entry.base;
  const keyRange = entry.keySpan;
  if (rel >= keyRange[0] && rel <= keyRange[1]) return { entry, path: [], onKey: true, scalar: entry.key };
  const path: (string | number)[] = [];
  let node: unknown = entry.value;
  for (let depth = 0; depth < 64; depth++) {
    if (isMap(node)) {
      let next: unknown;
      for (const pair of node.items) {
        const key = pair.key as Node | null;
        if (isScalar(key) && key.range && rel >= key.range[0] && rel <= key.range[1]) {
          return { entry, path: [...path, String(key.value)], onKey: true, scalar: key };
        }
        const value = pair.value as Node | null;
        if (value?.range && rel >= value.range[0] && rel <= value.range[1] && isScalar(key)) {
          path.push(String(key.value));
          next = value;
          break;
        }
      }
      if (next === undefined) return { entry, path, onKey: false };
      node = next;
    } else if (isSeq(node)) {
      const index = node.items.findIndex((item) => {
        const r = (item as Node | null)?.range;
        return r && rel >= r[0] && rel <= r[1];
      });
      if (index === -1) return { entry, path, onKey: false };
      path.push(index);
      node = node.items[index];
    } else if (isScalar(node)) {
      return { entry, path, onKey: false, scalar: node };
    } else {
      return { entry, path, onKey: false };
    }
  }
  return { entry, path, onKey: false };
}

/** The range of a scalar's text without its quotes. */
export function innerRange(file: ParsedFile, entry: { base: number }, scalar: Scalar | [number, number]): Range {
  const [start, end] = innerOffsets(file, entry, scalar);
  return file.lines.range(start, end);
}

/** Absolute offsets of a scalar's text without its quotes (the scalar, or its relative span). */
export function innerOffsets(file: ParsedFile, entry: { base: number }, scalar: Scalar | [number, number]): [number, number] {
  const span = Array.isArray(scalar) ? scalar : [scalar.range![0], scalar.range![1]];
  let start = entry.base + span[0]!;
  let end = entry.base + span[1]!;
  const first = file.text[start];
  if ((first === '"' || first === "'") && end - start >= 2 && file.text[end - 1] === first) {
    start++;
    end--;
  }
  return [start, end];
}

/** An entry's JS value; undefined when it cannot be built (an alias whose anchor is missing). */
export function jsOf(entry: Entry | undefined): unknown {
  // A service's plain value was taken out at parse: no need to parse its block again.
  const parsed = (entry as ServiceEntry | undefined)?.segment?.service;
  if (parsed) return parsed.error === undefined ? parsed.value : undefined;
  if (!entry?.value) return undefined;
  try {
    return entry.value.toJS(entry.doc);
  } catch {
    return undefined;
  }
}

export function contains(range: Range, position: { line: number; character: number }): boolean {
  const afterStart = position.line > range.start.line || (position.line === range.start.line && position.character >= range.start.character);
  const beforeEnd = position.line < range.end.line || (position.line === range.end.line && position.character <= range.end.character);
  return afterStart && beforeEnd;
}
