/**
 * Parsing a starsystem file into its top-level entries and its services, keeping the
 * source range of every key and value.
 *
 * The file is parsed in segments: the header (the top-level keys around `services:`) and
 * one segment per service block. A segment is parsed on its own and cached by its text, so
 * that re-parsing a file after an edit re-parses only the blocks whose text changed. When
 * the file's shape makes segments unsafe (anchors and aliases, flow-style `services`,
 * document markers, odd indentation, a syntax error anywhere), the whole file is parsed at
 * once instead; both ways give the same result (a test checks this on random edits).
 */
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { compareDiagnostics, type Diagnostic, type Range } from '../diagnostics';
import { LineIndex } from './lines';
import { scanNode, type RelativeTemplateScan } from './templates';

export type FileKind = 'base' | 'overlay';

/**
 * A key and its value, with node ranges relative to `base` (the segment's offset in the
 * file). For a segment, the nodes come from its document, which is kept only while recently
 * used: `keySpan` and `end` are known without it, so walking every service stays cheap.
 */
export interface Entry {
  readonly key: Scalar;
  readonly value: Node | null;
  /** Offset of the node ranges' origin in the file. */
  readonly base: number;
  readonly doc: Document;
  /** [start, end) of the key, relative to `base`. */
  readonly keySpan: [number, number];
  /** End of the value (of the key when the value is empty), relative to `base`. */
  readonly end: number;
}

export interface ServiceEntry extends Entry {
  readonly id: string;
  /** The segment the service came from (segmented parse only); holds per-service caches. */
  readonly segment?: Segment;
}

export interface ParsedFile {
  path: string;
  text: string;
  lines: LineIndex;
  /** Top-level keys other than `services`, first occurrence of each. */
  header: Map<string, Entry>;
  /** The `services` key itself, when present. */
  servicesKey?: Entry;
  /** What `services:` holds. */
  servicesShape: 'missing' | 'empty' | 'map' | 'other';
  /** The services in file order; a duplicated id appears once (its first occurrence). */
  services: ServiceEntry[];
  /** YAML syntax errors and duplicate keys. */
  diagnostics: Diagnostic[];
  /** Whether the top level is a mapping (or empty). */
  topLevelIsMap: boolean;
  mode: 'segmented' | 'whole';
}

/**
 * One block of text, parsed; cached by its exact text (looked up by length and first line).
 * Its document is kept only for the most recently used segments and parsed again on demand:
 * a syntax tree costs several kilobytes per service, which a large file's thousands of
 * unchanged services should not hold. What every check needs is taken out once, at parse.
 */
export class Segment {
  /** Results derived from this segment alone (schema checks...), keyed by what derived them. */
  readonly memo = new Map<string, unknown>();

  /**
   * For a service block: its value as plain data (or why it cannot be built) and its
   * templates, taken out at parse so that checking it needs the document only on a problem.
   */
  readonly service?: { id: string; keySpan: [number, number]; end: number; value: unknown; error?: string; templates: RelativeTemplateScan };

  constructor(
    readonly text: string,
    doc: Document,
    /** Duplicate keys inside the segment, relative to the segment. */
    readonly duplicates: DuplicateKey[],
    isService: boolean,
  ) {
    recentDocuments.remember(this, doc);
    const pair = isService && isMap(doc.contents) && doc.contents.items.length === 1 ? doc.contents.items[0]! : undefined;
    const key = pair && keyOf(pair);
    if (pair && key) {
      const node = (pair.value as Node | null) ?? null;
      let value: unknown = null;
      let error: string | undefined;
      try {
        value = node ? node.toJS(doc) : null;
      } catch (e) {
        error = (e as Error).message;
      }
      this.service = {
        id: String(key.value),
        keySpan: [key.range![0], key.range![1]],
        end: endOf(key, pair),
        value,
        ...(error !== undefined ? { error } : {}),
        templates: scanNode(node, text),
      };
    }
  }

  get doc(): Document {
    return recentDocuments.get(this) ?? recentDocuments.remember(this, parseDocument(this.text, PARSE_OPTIONS));
  }
}

/** The documents of the most recently used segments (insertion order is recency). */
class RecentDocuments {
  private readonly docs = new Map<Segment, Document>();
  constructor(private readonly capacity: number) {}

  get(segment: Segment): Document | undefined {
    const doc = this.docs.get(segment);
    if (doc) {
      this.docs.delete(segment);
      this.docs.set(segment, doc);
    }
    return doc;
  }

  remember(segment: Segment, doc: Document): Document {
    this.docs.delete(segment);
    this.docs.set(segment, doc);
    if (this.docs.size > this.capacity) this.docs.delete(this.docs.keys().next().value!);
    return doc;
  }
}

const recentDocuments = new RecentDocuments(64);

/** An entry of a segment: its nodes are read through the segment's (possibly re-parsed) document. */
class SegmentEntry implements ServiceEntry {
  constructor(
    readonly id: string,
    readonly segment: Segment,
    /** Which pair of the segment's top-level mapping this is. */
    private readonly index: number,
    readonly base: number,
    readonly keySpan: [number, number],
    readonly end: number,
  ) {}

  get doc(): Document {
    return this.segment.doc;
  }

  private get pair(): Pair {
    return (this.segment.doc.contents as YAMLMap).items[this.index]!;
  }

  get key(): Scalar {
    return this.pair.key as Scalar;
  }

  get value(): Node | null {
    return (this.pair.value as Node | null) ?? null;
  }
}

interface DuplicateKey {
  key: string;
  /** Relative range of the duplicate key. */
  range: [number, number];
  /** Relative offset of the first occurrence. */
  firstOffset: number;
}

/** Segments by `segmentKey`; a hit counts only when the segment's text is the block's text. */
export type SegmentCache = Map<string, Segment>;

const PARSE_OPTIONS = { uniqueKeys: false, prettyErrors: false, logLevel: 'error', keepSourceTokens: false } as const;

/**
 * Parse a starsystem file. With a cache, segments whose text is unchanged since the last
 * parse are reused; the cache is updated to hold exactly the segments of this text.
 */
export function parseFile(path: string, text: string, cache?: SegmentCache): ParsedFile {
  const lines = new LineIndex(text);
  const layout = segmentLayout(text, lines);
  if (layout) {
    const parsed = parseSegmented(path, text, lines, layout, cache);
    if (parsed) return parsed;
  }
  cache?.clear();
  return parseWhole(path, text, lines);
}

/** Parse the whole text at once (no segments). Exported for tests that compare the two ways. */
export function parseWhole(path: string, text: string, lines = new LineIndex(text)): ParsedFile {
  const doc = parseDocument(text, PARSE_OPTIONS);
  const diagnostics: Diagnostic[] = doc.errors.map((e) => syntaxDiagnostic(path, lines, 0, e.pos, e.message, text));
  const duplicates: DuplicateKey[] = [];
  collectDuplicates(doc.contents, duplicates);
  for (const d of duplicates) diagnostics.push(duplicateDiagnostic(path, lines, 0, d));
  diagnostics.sort(compareDiagnostics);

  const result: ParsedFile = {
    path,
    text,
    lines,
    header: new Map(),
    servicesShape: 'missing',
    services: [],
    diagnostics,
    topLevelIsMap: doc.contents === null || isMap(doc.contents),
    mode: 'whole',
  };
  if (!isMap(doc.contents)) return result;
  for (const pair of doc.contents.items) {
    const key = keyOf(pair);
    if (!key) continue;
    const name = String(key.value);
    const entry = plainEntry(key, pair, 0, doc);
    if (name === 'services') {
      if (result.servicesKey) continue;
      result.servicesKey = entry;
      result.servicesShape = servicesShapeOf(entry.value);
      if (isMap(entry.value)) {
        const seen = new Set<string>();
        for (const servicePair of entry.value.items) {
          const serviceKey = keyOf(servicePair);
          if (!serviceKey) continue;
          const id = String(serviceKey.value);
          if (seen.has(id)) continue;
          seen.add(id);
          result.services.push({ id, ...plainEntry(serviceKey, servicePair, 0, doc) });
        }
      }
    } else if (!result.header.has(name)) {
      result.header.set(name, entry);
    }
  }
  return result;
}

interface Layout {
  /** [start, end) of the text before the services block (including the `services:` line). */
  headerEnd: number;
  servicesLineStart: number;
  /** [start, end) of each service block. */
  blocks: [number, number][];
  /** Start of the text after the services block. */
  trailerStart: number;
}

const TOP_LEVEL_KEY = /^(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_$][^:#\n]*?)[ \t]*:(?:[ \t]|\r?$)/;
const INDENTED_KEY = /^ +(?:"[^"\n]*"|'[^'\n]*'|[A-Za-z0-9_$][^:#\n]*?)[ \t]*:(?:[ \t]|\r?$)/;
/** Anchors and aliases, which a segment cannot resolve on its own. Over-matching only costs speed. */
const ANCHOR_OR_ALIAS = /(?:^|[\s[\]{},:-])[&*][^\s[\]{},]/m;

/** Where the service blocks are, or undefined when the text's shape is not safe to segment. */
function segmentLayout(text: string, lines: LineIndex): Layout | undefined {
  if ((text.includes('&') || text.includes('*')) && ANCHOR_OR_ALIAS.test(text)) return undefined;
  let servicesLine = -1;
  for (let line = 0; line < lines.lineCount; line++) {
    // Indented lines are skipped below anyway; most lines are, so they are not sliced out.
    if (text.charCodeAt(lines.starts[line]!) === 32) continue;
    const content = lines.lineText(line);
    if (isBlankOrComment(content) || content.startsWith(' ')) continue;
    if (content.startsWith('---') || content.startsWith('...') || content.startsWith('%')) return undefined;
    if (!TOP_LEVEL_KEY.test(content)) return undefined;
    if (/^services[ \t]*:/.test(content)) {
      if (servicesLine !== -1) return undefined;
      // Only the block form `services:` (optionally with a comment) is segmented.
      if (!/^services[ \t]*:[ \t]*(#.*)?\r?$/.test(content)) return undefined;
      servicesLine = line;
    }
  }
  if (servicesLine === -1) return undefined;

  const blocks: [number, number][] = [];
  let indent = -1;
  let line = servicesLine + 1;
  let blockStart = -1;
  for (; line < lines.lineCount; line++) {
    // The common line: spaces, then a plain character that is not "#". Its indentation is
    // known without slicing it out; the line is read only when it starts a service.
    const lineStart = lines.starts[line]!;
    let at = lineStart;
    while (text.charCodeAt(at) === 32) at++;
    const first = text.charCodeAt(at);
    if (first > 32 && first < 127 && first !== 35 && at > lineStart && indent !== -1 && at - lineStart > indent) continue;
    const content = lines.lineText(line);
    if (isBlankOrComment(content)) continue;
    const lineIndent = content.length - content.trimStart().length;
    if (content[lineIndent] === '\t') return undefined;
    if (lineIndent === 0) break;
    if (indent === -1) indent = lineIndent;
    if (lineIndent < indent) return undefined;
    if (lineIndent === indent) {
      if (!INDENTED_KEY.test(content)) return undefined;
      if (blockStart !== -1) blocks.push([lines.starts[blockStart]!, lines.starts[line]!]);
      blockStart = line;
    }
  }
  // Trailing blank and comment lines before the next top-level key belong to the trailer.
  let end = line;
  while (end > servicesLine + 1 && isBlankOrComment(lines.lineText(end - 1))) end--;
  const endOffset = end < lines.lineCount ? lines.starts[end]! : text.length;
  if (blockStart !== -1) blocks.push([lines.starts[blockStart]!, Math.max(endOffset, lines.starts[blockStart]!)]);
  const headerEnd = blocks.length > 0 ? blocks[0]![0] : endOffset;
  return {
    headerEnd,
    servicesLineStart: lines.starts[servicesLine]!,
    blocks,
    trailerStart: blocks.length > 0 ? blocks[blocks.length - 1]![1] : endOffset,
  };
}

function parseSegmented(
  path: string,
  text: string,
  lines: LineIndex,
  layout: Layout,
  cache: SegmentCache | undefined,
): ParsedFile | undefined {
  const used = new Map<string, Segment>();
  // Segments are found by their length and first line, then compared with the text in place:
  // hashing every block's whole text on every edit would cost as much as reading the file.
  const matches = (seg: Segment | undefined, start: number, end: number): seg is Segment =>
    seg !== undefined && seg.text.length === end - start && text.slice(start, end) === seg.text;
  const segment = (start: number, end: number, isService: boolean): Segment | undefined => {
    const key = segmentKey(text, start, end);
    let seg = cache?.get(key);
    if (!matches(seg, start, end)) seg = used.get(key);
    if (!matches(seg, start, end)) {
      const own = detached(text.slice(start, end));
      const doc = parseDocument(own, PARSE_OPTIONS);
      if (doc.errors.length > 0) return undefined;
      const duplicates: DuplicateKey[] = [];
      collectDuplicates(doc.contents, duplicates);
      seg = new Segment(own, doc, duplicates, isService);
    }
    used.set(key, seg);
    return seg;
  };

  const result: ParsedFile = {
    path,
    text,
    lines,
    header: new Map(),
    servicesShape: layout.blocks.length > 0 ? 'map' : 'empty',
    services: [],
    diagnostics: [],
    topLevelIsMap: true,
    mode: 'segmented',
  };

  // The header and trailer: top-level keys. The `services:` line parses as `services: null`.
  const topKeys = new Map<string, number>();
  for (const [start, end] of [
    [0, layout.headerEnd],
    [layout.trailerStart, text.length],
  ] as const) {
    if (end <= start) continue;
    const seg = segment(start, end, false);
    if (!seg) return undefined;
    const doc = seg.doc;
    if (doc.contents !== null && !isMap(doc.contents)) return undefined;
    for (const d of seg.duplicates) result.diagnostics.push(duplicateDiagnostic(path, lines, start, d));
    if (!isMap(doc.contents)) continue;
    for (const [index, pair] of doc.contents.items.entries()) {
      const key = keyOf(pair);
      if (!key) continue;
      const name = String(key.value);
      const entry: Entry = new SegmentEntry(name, seg, index, start, [key.range![0], key.range![1]], endOf(key, pair));
      const first = topKeys.get(name);
      if (first !== undefined) {
        // A duplicate inside one segment was reported by collectDuplicates already.
        if (first < start) result.diagnostics.push(duplicateDiagnostic(path, lines, 0, duplicateOf(name, entry, first)));
        continue;
      }
      topKeys.set(name, start + entry.keySpan[0]);
      if (name === 'services') result.servicesKey = entry;
      else result.header.set(name, entry);
    }
  }

  const firstById = new Map<string, number>();
  for (const [start, end] of layout.blocks) {
    // A cached segment answers from what was taken out at parse, without its document.
    const seg = segment(start, end, true);
    if (!seg?.service) return undefined;
    for (const d of seg.duplicates) result.diagnostics.push(duplicateDiagnostic(path, lines, start, d));
    const { id, keySpan, end: valueEnd } = seg.service;
    const entry: ServiceEntry = new SegmentEntry(id, seg, 0, start, keySpan, valueEnd);
    const first = firstById.get(id);
    if (first !== undefined) {
      result.diagnostics.push(duplicateDiagnostic(path, lines, 0, duplicateOf(id, entry, first)));
      continue;
    }
    firstById.set(id, start + entry.keySpan[0]);
    result.services.push(entry);
  }

  result.diagnostics.sort(compareDiagnostics);
  if (cache) {
    cache.clear();
    for (const [k, v] of used) cache.set(k, v);
  }
  return result;
}

/** A segment's cache key: its length and its first line (a service's id line). */
function segmentKey(text: string, start: number, end: number): string {
  const newline = text.indexOf('\n', start);
  const lineEnd = newline === -1 || newline > end ? end : newline;
  return `${end - start}:${text.slice(start, Math.min(lineEnd, start + 200))}`;
}

/**
 * A copy of a slice that does not keep the whole text alive. V8 represents `slice()` as a
 * view into its parent string, and so would every string parsed from it: a cached segment
 * would pin the full text of the version it was first parsed in, one full copy per edit.
 */
function detached(slice: string): string {
  return Buffer.from(slice, 'utf8').toString('utf8');
}

function duplicateOf(key: string, entry: Entry, firstOffset: number): DuplicateKey {
  return { key, range: [entry.base + entry.keySpan[0], entry.base + entry.keySpan[1]], firstOffset };
}

function plainEntry(key: Scalar, pair: Pair, base: number, doc: Document): Entry {
  return { key, value: (pair.value as Node | null) ?? null, base, doc, keySpan: [key.range![0], key.range![1]], end: endOf(key, pair) };
}

function endOf(key: Scalar, pair: Pair): number {
  return Math.max(key.range![1], (pair.value as Node | null)?.range?.[1] ?? 0);
}

function isBlankOrComment(line: string): boolean {
  const trimmed = line.trimStart();
  return trimmed === '' || trimmed === '\r' || trimmed.startsWith('#');
}

function keyOf(pair: Pair): Scalar | undefined {
  return isScalar(pair.key) && pair.key.range ? (pair.key as Scalar) : undefined;
}

function servicesShapeOf(value: Node | null): ParsedFile['servicesShape'] {
  if (value === null || (isScalar(value) && value.value === null)) return 'empty';
  if (isMap(value)) return 'map';
  return 'other';
}

/** Every key that repeats in a mapping, anywhere in the tree. */
function collectDuplicates(node: unknown, out: DuplicateKey[]): void {
  if (isMap(node)) {
    const seen = new Map<string, number>();
    for (const pair of (node as YAMLMap).items) {
      const key = keyOf(pair);
      if (key) {
        const name = String(key.value);
        const first = seen.get(name);
        if (first === undefined) seen.set(name, key.range![0]);
        else out.push({ key: name, range: [key.range![0], key.range![1]], firstOffset: first });
      }
      collectDuplicates(pair.value, out);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) collectDuplicates(item, out);
  } else if (isPair(node)) {
    collectDuplicates(node.value, out);
  }
}

function duplicateDiagnostic(path: string, lines: LineIndex, base: number, d: DuplicateKey): Diagnostic {
  const firstLine = lines.position(base + d.firstOffset).line + 1;
  return {
    file: path,
    range: lines.range(base + d.range[0], base + d.range[1]),
    severity: 'error',
    code: 'duplicate-key',
    message: `Duplicate key "${d.key}": it is already defined on line ${firstLine}.`,
  };
}

function syntaxDiagnostic(path: string, lines: LineIndex, base: number, pos: [number, number], message: string, text: string): Diagnostic {
  // yaml's messages end with " at line L, column C:" and a snippet; the range says that already.
  const clean = message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  let [start, end] = pos;
  if (end <= start) end = Math.min(text.length, start + 1);
  return {
    file: path,
    range: lines.range(base + start, base + end),
    severity: 'error',
    code: 'yaml-syntax',
    message: clean.endsWith('.') ? clean : `${clean}.`,
  };
}

/** The file range of a node inside an entry. */
export function nodeRange(file: ParsedFile, entry: { base: number }, node: { range?: [number, number, number] | null }): Range {
  const r = node.range ?? [0, 0, 0];
  return file.lines.range(entry.base + r[0], entry.base + r[1]);
}
