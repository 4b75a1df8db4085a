/**
 * What the cursor is on, read from the text by indentation rather than from the YAML tree:
 * while someone types, the line under the cursor is usually not valid YAML yet
 * (`depends_on: [ap`, `  inje`), and completion must still know where it is.
 *
 * The result is the path of keys (and sequence indexes) from the document root to the place
 * being typed, and whether a key or a value is being typed there.
 */
import type { LineIndex } from '../../engine/config/lines';
import type { Position } from '../../engine/diagnostics';

export type CursorPath = (string | number)[];

/** Offsets [start, end) of the text a completion replaces. */
interface Replace {
  prefix: string;
  start: number;
  end: number;
}

export interface VaultCursor extends Replace {
  kind: 'vault';
}

export interface KeyCursor extends Replace {
  kind: 'key';
  /** The mapping the key goes into. */
  path: CursorPath;
  /** Column of the key. */
  column: number;
  /** Keys the mapping has already (the one being typed excluded). */
  siblings: string[];
  /** The line has nothing after the key: a completion may insert `key: value` or a block. */
  bare: boolean;
}

export interface ValueCursor extends Replace {
  kind: 'value';
  /** The key whose value is typed (a sequence's key for its items). */
  path: CursorPath;
  /** Where the value sits: directly after `key:`, in `[a, b]`, or in a `- item` line. */
  sequence: 'none' | 'flow' | 'block';
  /** The other items of the sequence. */
  listed: string[];
  /** In a block sequence: the item's index. */
  index?: number;
}

export type Cursor = VaultCursor | KeyCursor | ValueCursor | { kind: 'none' };

const KEY = /^("[^"\n]*"|'[^'\n]*'|[^\s#'"[\]{},&*!|>%@`-][^:#\n]*?|-[^\s:#][^:#\n]*?)[ \t]*:(?=[ \t]|$)/;
const WORD_AFTER = /^[^\s'",\]}#)]*/;

/** Text lines by number, with the indentation facts the cursor analysis needs. */
class Lines {
  constructor(private readonly index: LineIndex) {}

  get count(): number {
    return this.index.lineCount;
  }

  text(line: number): string {
    return this.index.lineText(line);
  }

  /** Number of leading spaces; -1 for blank and comment-only lines. */
  indent(line: number): number {
    const text = this.index.text;
    const start = this.index.starts[line]!;
    const end = line + 1 < this.index.lineCount ? this.index.starts[line + 1]! : text.length;
    let i = start;
    while (i < end && text.charCodeAt(i) === 32) i++;
    if (i >= end) return -1;
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 35 /* # */) return -1;
    return i - start;
  }

  isDash(line: number, indent: number): boolean {
    const t = this.text(line);
    return t[indent] === '-' && (t.length === indent + 1 || t[indent + 1] === ' ');
  }

  /** Column of the content after a `- `. */
  dashContent(line: number, indent: number): number {
    const t = this.text(line);
    let i = indent + 1;
    while (t[i] === ' ') i++;
    return i;
  }

  /** The key on a line starting at `column`, with whether a value follows it on the line. */
  keyAt(line: number, column: number): { key: string; inlineValue: boolean } | undefined {
    const t = this.text(line);
    const m = KEY.exec(t.slice(column));
    if (!m) return undefined;
    const rest = t.slice(column + m[0].length).trim();
    return { key: unquote(m[1]!), inlineValue: rest !== '' && !rest.startsWith('#') };
  }
}

export function unquote(raw: string): string {
  const t = raw.trim();
  if (t.length >= 2 && ((t[0] === '"' && t.endsWith('"')) || (t[0] === "'" && t.endsWith("'")))) return t.slice(1, -1);
  return t;
}

/** The path of the key written on a line (the key included). */
function keyPath(lines: Lines, line: number, depth = 0): CursorPath {
  const indent = lines.indent(line);
  if (indent < 0 || depth > 64) return [];
  if (lines.isDash(line, indent)) {
    const item = itemPath(lines, line, indent, depth);
    const content = lines.dashContent(line, indent);
    const key = lines.keyAt(line, content);
    return key ? [...item, key.key] : item;
  }
  const key = lines.keyAt(line, indent);
  return key ? [...containerPath(lines, line, indent, depth), key.key] : [];
}

/** The path of the sequence item that starts on a dash line (the index included). */
function itemPath(lines: Lines, line: number, dashIndent: number, depth: number): CursorPath {
  const seq = sequenceOf(lines, line, dashIndent, depth);
  return [...seq.path, seq.index];
}

/** The sequence a dash line belongs to: the key that holds it, and the item's index. */
function sequenceOf(lines: Lines, line: number, dashIndent: number, depth: number): { path: CursorPath; index: number; keyLine: number } {
  let index = 0;
  for (let l = line - 1; l >= 0; l--) {
    const i = lines.indent(l);
    if (i < 0 || i > dashIndent) continue;
    if (i === dashIndent && lines.isDash(l, i)) {
      index++;
      continue;
    }
    // The holding key: less indented, or at the same column (a compact `key:\n- item`).
    const keyColumn = lines.isDash(l, i) ? lines.dashContent(l, i) : i;
    const key = lines.keyAt(l, keyColumn);
    if (key && !key.inlineValue && (i < dashIndent || keyColumn === dashIndent)) return { path: keyPath(lines, l, depth + 1), index, keyLine: l };
    return { path: [], index, keyLine: -1 };
  }
  return { path: [], index, keyLine: -1 };
}

/** The path of the mapping that holds a key at `column` on `line`. */
function containerPath(lines: Lines, line: number, column: number, depth: number): CursorPath {
  for (let l = line - 1; l >= 0; l--) {
    const i = lines.indent(l);
    if (i < 0 || i > column) continue;
    if (lines.isDash(l, i)) {
      // A key lined up with an item's first key belongs to that item's mapping.
      if (lines.dashContent(l, i) === column || i < column) return itemPath(lines, l, i, depth + 1);
      continue;
    }
    if (i === column) continue;
    const key = lines.keyAt(l, i);
    return key ? keyPath(lines, l, depth + 1) : [];
  }
  return [];
}

/** Keys at `column` in the mapping around `line` (the line itself excluded). */
function siblingKeys(lines: Lines, line: number, column: number): string[] {
  const out: string[] = [];
  const visit = (l: number): boolean => {
    const i = lines.indent(l);
    if (i < 0) return true;
    if (lines.isDash(l, i)) {
      const content = lines.dashContent(l, i);
      if (content === column && i < column) {
        const key = lines.keyAt(l, content);
        if (key) out.push(key.key);
        return false;
      }
      return i > column;
    }
    if (i < column) return false;
    if (i === column) {
      const key = lines.keyAt(l, i);
      if (key) out.push(key.key);
    }
    return true;
  };
  for (let l = line - 1; l >= 0 && visit(l); l--);
  for (let l = line + 1; l < lines.count; l++) {
    const i = lines.indent(l);
    if (i >= 0 && lines.isDash(l, i) && i < column) break;
    if (!visit(l)) break;
  }
  return out;
}

/** Values of the other `- item` lines of a block sequence. */
function blockItems(lines: Lines, line: number, dashIndent: number): string[] {
  const out: string[] = [];
  const visit = (l: number): boolean => {
    const i = lines.indent(l);
    if (i < 0 || i > dashIndent) return true;
    if (i === dashIndent && lines.isDash(l, i)) {
      const value = stripComment(lines.text(l).slice(lines.dashContent(l, i)));
      if (value !== '') out.push(unquote(value));
      return true;
    }
    return false;
  };
  for (let l = line - 1; l >= 0 && visit(l); l--);
  for (let l = line + 1; l < lines.count && visit(l); l++);
  return out;
}

function stripComment(text: string): string {
  const m = /(^|\s)#/.exec(text);
  return (m ? text.slice(0, m.index) : text).trim();
}

/** Whether `before` ends inside a comment (a `#` outside quotes, at the start or after a space). */
function inComment(before: string): boolean {
  let quote: string | undefined;
  for (let i = 0; i < before.length; i++) {
    const c = before[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '#' && (i === 0 || before[i - 1] === ' ' || before[i - 1] === '\t')) {
      return true;
    }
  }
  return false;
}

export function cursorAt(index: LineIndex, position: Position): Cursor {
  const lines = new Lines(index);
  if (position.line < 0 || position.line >= lines.count) return { kind: 'none' };
  const line = position.line;
  const text = lines.text(line);
  const col = Math.min(position.character, text.length);
  const lineStart = index.starts[line]!;
  const before = text.slice(0, col);
  const after = text.slice(col);

  const vault = /\{\{\s*vault\(\s*(['"])([^'"]*)$/.exec(before);
  if (vault) {
    const prefix = vault[2]!;
    const tail = /^[^'"\s)}]*/.exec(after)![0].length;
    return { kind: 'vault', prefix, start: lineStart + col - prefix.length, end: lineStart + col + tail };
  }
  if (inComment(before)) return { kind: 'none' };

  const blank = text.trim() === '';
  const indent = blank ? col : text.length - text.trimStart().length;
  if (col < indent) return { kind: 'none' };
  let content = indent;
  let item = false;
  if (!blank && lines.isDash(line, indent)) {
    item = true;
    content = lines.dashContent(line, indent);
    if (col < content) return { kind: 'none' };
  }

  const key = blank ? undefined : lines.keyAt(line, content);
  const colon = key ? content + KEY.exec(text.slice(content))![0].length : -1;
  if (key && col >= colon) {
    const path = item ? [...itemPath(lines, line, indent, 0), key.key] : [...containerPath(lines, line, content, 0), key.key];
    return valueCursor(text, col, colon, path, lineStart);
  }
  if (item && !key) {
    // `- value` in a block sequence.
    const seq = sequenceOf(lines, line, indent, 0);
    const typed = text.slice(content, col);
    const prefix = typed.replace(/^["']/, '');
    const tail = WORD_AFTER.exec(after)![0].length;
    return {
      kind: 'value',
      path: seq.path,
      sequence: 'block',
      index: seq.index,
      listed: blockItems(lines, line, indent),
      prefix,
      start: lineStart + col - prefix.length,
      end: lineStart + col + tail,
    };
  }
  const typed = text.slice(content, col);
  if (/[:[\]{}]/.test(typed)) return { kind: 'none' };
  const keyEnd = key ? content + key.key.length + (/^["']/.test(text.slice(content)) ? 2 : 0) : content + WORD_AFTER.exec(text.slice(content))![0].length;
  const bare = !key && text.slice(keyEnd).trim() === '';
  return keyCursor(lines, line, content, Math.max(col, keyEnd), typed.replace(/^["']/, ''), lineStart, bare, item);
}

function keyCursor(lines: Lines, line: number, column: number, end: number, prefix: string, lineStart: number, bare: boolean, item: boolean): KeyCursor {
  const path = item ? itemPath(lines, line, lines.indent(line), 0) : containerPath(lines, line, column, 0);
  return {
    kind: 'key',
    path,
    column,
    siblings: siblingKeys(lines, line, column),
    bare,
    prefix,
    start: lineStart + column,
    end: lineStart + end,
  };
}

function valueCursor(text: string, col: number, colon: number, path: CursorPath, lineStart: number): ValueCursor | { kind: 'none' } {
  const value = text.slice(colon, col);
  const open = value.indexOf('[');
  if (open !== -1 && value.slice(0, open).trim() === '') {
    if (value.includes(']', open)) return { kind: 'none' };
    const flowStart = colon + open + 1;
    const closing = text.indexOf(']', col);
    const whole = text.slice(flowStart, closing === -1 ? text.length : closing);
    const typedStart = Math.max(text.lastIndexOf(',', col - 1) + 1, flowStart);
    const typed = text.slice(typedStart, col).trimStart();
    const prefix = typed.replace(/^["']/, '');
    const tail = WORD_AFTER.exec(text.slice(col))![0].length;
    const listed = whole
      .split(',')
      .map((s) => unquote(s))
      .filter((s) => s !== '');
    const current = unquote(text.slice(typedStart, col + tail));
    const at = listed.indexOf(current);
    if (at !== -1) listed.splice(at, 1);
    return { kind: 'value', path, sequence: 'flow', listed, prefix, start: lineStart + col - prefix.length, end: lineStart + col + tail };
  }
  if (/[{}]/.test(value)) return { kind: 'none' };
  const typed = value.trimStart();
  const prefix = typed.replace(/^["']/, '');
  const tail = WORD_AFTER.exec(text.slice(col))![0].length;
  return { kind: 'value', path, sequence: 'none', listed: [], prefix, start: lineStart + col - prefix.length, end: lineStart + col + tail };
}
