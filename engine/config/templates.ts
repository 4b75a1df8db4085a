/**
 * Templates in string values: `{{ vault('ns.key') }}` and nothing else. No expressions, no
 * shell. Scanning finds every reference with its source range (for diagnostics, completion
 * and hovers); resolution substitutes vault values only when the engine runs an operation.
 */
import { isMap, isPair, isScalar, isSeq, type Node, type Scalar } from 'yaml';
import type { Diagnostic, Range } from '../diagnostics';
import { vaultKeyProblem } from '../vault/names';
import type { Entry, ParsedFile } from './parse';

/** One `{{ vault('key') }}` in the file. */
export interface VaultReference {
  key: string;
  file: string;
  /** The range of the key text inside the quotes. */
  range: Range;
  /** The range of the whole `{{ ... }}`. */
  templateRange: Range;
}

const TEMPLATE = /\{\{([\s\S]*?)\}\}/g;
const VAULT_CALL = /^\s*vault\(\s*(['"])([^'"]*)\1\s*\)\s*$/;

export interface TemplateScan {
  references: VaultReference[];
  diagnostics: Diagnostic[];
}

/** Relative results for one node tree: offsets are relative to the entry's base. */
export interface RelativeTemplateScan {
  references: { key: string; keyStart: number; keyEnd: number; start: number; end: number }[];
  problems: { kind: 'malformed' | 'unquoted' | 'bad-key'; start: number; end: number; text: string; detail?: string }[];
}

/** Finds the templates in a node tree. Offsets are relative to the tree's document. */
export function scanNode(node: Node | null, source: string): RelativeTemplateScan {
  const out: RelativeTemplateScan = { references: [], problems: [] };
  walk(node, source, out);
  return out;
}

function walk(node: unknown, source: string, out: RelativeTemplateScan): void {
  if (isMap(node)) {
    if (node.flow && node.range && source.startsWith('{{', node.range[0])) {
      out.problems.push({ kind: 'unquoted', start: node.range[0], end: node.range[1], text: source.slice(node.range[0], node.range[1]) });
      return;
    }
    for (const pair of node.items) {
      walk(pair.key, source, out);
      walk(pair.value, source, out);
    }
  } else if (isSeq(node)) {
    for (const item of node.items) walk(item, source, out);
  } else if (isPair(node)) {
    walk(node.value, source, out);
  } else if (isScalar(node) && typeof node.value === 'string') {
    scanScalar(node as Scalar<string>, source, out);
  }
}

function scanScalar(node: Scalar<string>, source: string, out: RelativeTemplateScan): void {
  const value = node.value;
  if (!value.includes('{{') || !node.range) return;
  const [nodeStart, nodeEnd] = node.range;
  const raw = source.slice(nodeStart, nodeEnd);
  let searchFrom = 0;
  TEMPLATE.lastIndex = 0;
  for (let m = TEMPLATE.exec(value); m; m = TEMPLATE.exec(value)) {
    const text = m[0];
    // Find the template in the source so the range is exact; when escapes or folding
    // make it differ from the value, fall back to the scalar's range.
    const at = raw.indexOf(text, searchFrom);
    const start = at === -1 ? nodeStart : nodeStart + at;
    const end = at === -1 ? nodeEnd : start + text.length;
    if (at !== -1) searchFrom = at + text.length;
    const call = VAULT_CALL.exec(m[1]!);
    if (!call) {
      out.problems.push({ kind: 'malformed', start, end, text });
      continue;
    }
    const key = call[2]!;
    const keyOffset = at === -1 ? -1 : text.indexOf(key, text.indexOf('(') + 1);
    const keyStart = keyOffset === -1 ? start : start + keyOffset;
    const keyEnd = keyOffset === -1 ? end : keyStart + key.length;
    const problem = vaultKeyProblem(key);
    if (problem) {
      out.problems.push({ kind: 'bad-key', start: keyStart, end: keyEnd, text, detail: problem });
      continue;
    }
    out.references.push({ key, keyStart, keyEnd, start, end });
  }
}

/** Absolute references and diagnostics for an entry's scan. */
export function absoluteScan(file: ParsedFile, entry: Pick<Entry, 'base'>, scan: RelativeTemplateScan): TemplateScan {
  const at = (s: number, e: number) => file.lines.range(entry.base + s, entry.base + e);
  const references: VaultReference[] = scan.references.map((r) => ({
    key: r.key,
    file: file.path,
    range: at(r.keyStart, r.keyEnd),
    templateRange: at(r.start, r.end),
  }));
  const diagnostics: Diagnostic[] = scan.problems.map((p) => {
    const range = at(p.start, p.end);
    if (p.kind === 'unquoted') {
      const quoted = `"${p.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      return {
        file: file.path,
        range,
        severity: 'error',
        code: 'template-unquoted',
        message: `Quote this template: unquoted, YAML reads ${p.text} as a mapping. Write ${quoted}.`,
        fixes: [{ title: 'Quote the template', edits: [{ file: file.path, range, newText: quoted }], preferred: true }],
      } satisfies Diagnostic;
    }
    if (p.kind === 'bad-key') {
      return {
        file: file.path,
        range,
        severity: 'error',
        code: 'template-malformed',
        message: `Invalid vault key in template: ${p.detail}.`,
      } satisfies Diagnostic;
    }
    return {
      file: file.path,
      range,
      severity: 'error',
      code: 'template-malformed',
      message: `Unsupported template ${p.text}: only {{ vault('namespace.key') }} is allowed.`,
    } satisfies Diagnostic;
  });
  return { references, diagnostics };
}

/** Thrown when a referenced vault key has no value. */
export class MissingVaultKeyError extends Error {
  constructor(
    readonly key: string,
    readonly usedAt: { file: string; line: number } | undefined,
  ) {
    const where = usedAt ? ` (used at ${usedAt.file}:${usedAt.line})` : '';
    super(`Vault key "${key}" is not set${where}. Set it with: ss vault set ${key}`);
    this.name = 'MissingVaultKeyError';
  }
}

/** The vault keys a value refers to, in order of first use. */
export function templateKeys(value: unknown): string[] {
  const keys = new Set<string>();
  visitStrings(value, (s) => {
    TEMPLATE.lastIndex = 0;
    for (let m = TEMPLATE.exec(s); m; m = TEMPLATE.exec(s)) {
      const call = VAULT_CALL.exec(m[1]!);
      if (call) keys.add(call[2]!);
    }
  });
  return [...keys];
}

/**
 * Substitutes every `{{ vault('key') }}` in a value (deeply) with the vault's value.
 * A missing key throws MissingVaultKeyError naming where it was used.
 */
export async function resolveTemplates<T>(
  value: T,
  get: (key: string) => Promise<string | null | undefined>,
  references: readonly VaultReference[] = [],
): Promise<T> {
  const keys = templateKeys(value);
  const values = new Map<string, string>();
  for (const key of keys) {
    const v = await get(key);
    if (v === null || v === undefined) {
      const ref = references.find((r) => r.key === key);
      throw new MissingVaultKeyError(key, ref ? { file: ref.file, line: ref.range.start.line + 1 } : undefined);
    }
    values.set(key, v);
  }
  return mapStrings(value, (s) =>
    s.includes('{{')
      ? s.replace(TEMPLATE, (whole, inner: string) => {
          const call = VAULT_CALL.exec(inner);
          return call ? values.get(call[2]!)! : whole;
        })
      : s,
  ) as T;
}

function visitStrings(value: unknown, fn: (s: string) => void): void {
  if (typeof value === 'string') fn(value);
  else if (Array.isArray(value)) for (const v of value) visitStrings(v, fn);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) visitStrings(v, fn);
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  }
  return value;
}
