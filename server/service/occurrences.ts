/**
 * Every place a service id is written: its declaration in the base file, its settings in an
 * overlay, and the references in `depends_on` and `inject_from`. Definition, references and
 * rename all work from this list. The per-service part is cached on the parsed segment, so
 * that after an edit only the changed services are walked again.
 */
import { isMap, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import type { ParsedFile, ServiceEntry } from '../../engine/config/parse';
import type { Range } from '../../engine/diagnostics';
import { innerOffsets } from './locate';
import type { DocumentRole } from './types';

export type OccurrenceKind = 'declaration' | 'overlay' | 'depends_on' | 'inject_from';

export interface Occurrence {
  file: string;
  id: string;
  kind: OccurrenceKind;
  /** The service whose block holds the occurrence. */
  ownerId: string;
  /** The id's text, without quotes. */
  range: Range;
  start: number;
  end: number;
}

interface RelativeOccurrence {
  id: string;
  kind: 'depends_on' | 'inject_from';
  /** The scalar's range, relative to the entry (offsets, not nodes: the cache must not hold the syntax tree). */
  span: [number, number];
}

const MEMO_KEY = 'server:references';

function referencesIn(entry: ServiceEntry): RelativeOccurrence[] {
  const cached = entry.segment?.memo.get(MEMO_KEY) as RelativeOccurrence[] | undefined;
  if (cached) return cached;
  const out: RelativeOccurrence[] = [];
  const value = entry.value;
  if (isMap(value)) {
    for (const pair of value.items) {
      if (!isScalar(pair.key)) continue;
      const name = String((pair.key as Scalar).value);
      const node = pair.value as Node | null;
      if (name === 'depends_on' && isSeq(node)) {
        for (const item of node.items) {
          if (isScalar(item) && typeof item.value === 'string' && item.range) out.push({ id: item.value, kind: 'depends_on', span: [item.range[0], item.range[1]] });
        }
      } else if (name === 'inject_from' && isMap(node)) {
        for (const inner of node.items) {
          const key = inner.key;
          if (isScalar(key) && key.range && (typeof key.value === 'string' || typeof key.value === 'number')) {
            out.push({ id: String(key.value), kind: 'inject_from', span: [key.range[0], key.range[1]] });
          }
        }
      }
    }
  }
  entry.segment?.memo.set(MEMO_KEY, out);
  return out;
}

/** Every occurrence of a service id in a file (of every id, or only of `only`). */
export function occurrencesIn(file: ParsedFile, role: DocumentRole, only?: string): Occurrence[] {
  const out: Occurrence[] = [];
  const add = (entry: ServiceEntry, id: string, kind: OccurrenceKind, span: [number, number]) => {
    if (only !== undefined && id !== only) return;
    const [start, end] = innerOffsets(file, entry, span);
    out.push({ file: file.path, id, kind, ownerId: entry.id, range: file.lines.range(start, end), start, end });
  };
  for (const entry of file.services) {
    add(entry, entry.id, role === 'base' ? 'declaration' : 'overlay', entry.keySpan);
    for (const ref of referencesIn(entry)) add(entry, ref.id, ref.kind, ref.span);
  }
  return out;
}

/** The occurrence under an offset, if any. */
export function occurrenceAt(file: ParsedFile, role: DocumentRole, offset: number, entry: ServiceEntry | undefined): Occurrence | undefined {
  if (!entry) return undefined;
  const candidates: Occurrence[] = [];
  const probe = { ...file, services: [entry] } as ParsedFile;
  candidates.push(...occurrencesIn(probe, role));
  return candidates.find((o) => offset >= o.start && offset <= o.end);
}
