/**
 * Checks a YAML node tree against a zod schema and turns zod's issues into diagnostics on
 * the exact key or value at fault. Offsets are relative to the tree's document, so a
 * result can be cached with the segment it came from.
 */
import type { Node, Scalar } from 'yaml';
import type { z } from 'zod';
import type { DiagnosticCode, Severity } from '../diagnostics';
import { didYouMean } from '../util/didYouMean';
import { locate, span, type Located } from './nodes';
import { propertiesOf, schemaAt, type SchemaRoot } from './schemaInfo';
import { V2_ONLY_SERVICE_KEYS } from './schema';

export interface RelativeFix {
  title: string;
  start: number;
  end: number;
  newText: string;
  preferred?: boolean;
}

export interface RelativeDiagnostic {
  start: number;
  end: number;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  fixes?: RelativeFix[];
}

export interface SchemaCheckInput {
  schema: z.ZodType;
  root: SchemaRoot;
  /** The node being checked (a service's value, or the top-level mapping). */
  node: Node | null;
  /** The node's JS value. */
  value: unknown;
  /** The key whose value is `node` (a service id); missing top-level fields are reported on it. */
  ownerKey?: Scalar;
  /** How to name the checked thing in messages ("service \"api\""). */
  label: string;
  /** The file's format version, to explain version-"2" keys in a version-"1" file. */
  version?: '1' | '2';
  /** Source text of the node's document (for fixes that quote values). */
  source: string;
}

type Path = (string | number)[];

function fieldName(label: string, path: Path): string {
  if (path.length === 0) return label;
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return `"${out}"`;
}

function yamlTypeOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'number') return 'a number';
  if (typeof value === 'boolean') return 'a boolean';
  return typeof value;
}

const EXPECTED_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
};

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const segment of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[segment];
  }
  return v;
}

/** Checks a node tree; returns diagnostics relative to its document. */
export function checkSchema(input: SchemaCheckInput): RelativeDiagnostic[] {
  const result = input.schema.safeParse(input.value);
  if (result.success) return [];
  const out: RelativeDiagnostic[] = [];
  for (const issue of result.error.issues) mapIssue(input, issue as ZodIssue, [], out);
  return dedupe(out);
}

interface ZodIssue {
  code: string;
  path: Path;
  message: string;
  expected?: string;
  values?: unknown[];
  keys?: string[];
  errors?: ZodIssue[][];
  discriminator?: string;
  options?: unknown[];
  note?: string;
}

function mapIssue(input: SchemaCheckInput, issue: ZodIssue, prefix: Path, out: RelativeDiagnostic[]): void {
  const path = [...prefix, ...issue.path];
  const at = locate(input.node, path, input.ownerKey);
  const field = fieldName(input.label, path);
  const actual = valueAt(input.value, path);
  const exists = at.node !== undefined;
  const targetSpan = span(at.node) ?? span(at.key) ?? span(at.nearestKey) ?? span(at.nearest) ?? [0, 0];

  switch (issue.code) {
    case 'unrecognized_keys': {
      const mapNode = at.node;
      const known = [...propertiesOf(schemaAt(input.root, path, input.value), input.root, actual).keys()];
      for (const unknown of issue.keys ?? []) {
        const located = locate(mapNode ?? null, [unknown]);
        const keySpan = span(located.key) ?? targetSpan;
        const suggestion = didYouMean(unknown, known);
        let message = `Unknown key "${unknown}" in ${fieldName(input.label, path)}; it is ignored.`;
        if (input.version !== '2' && path.length === 0 && V2_ONLY_SERVICE_KEYS.has(unknown)) {
          message = `"${unknown}" is a version "2" field; add version: "2" at the top of the file to use it.`;
        } else if (suggestion) {
          message = `Unknown key "${unknown}" in ${fieldName(input.label, path)}; did you mean "${suggestion}"?`;
        }
        out.push({
          start: keySpan[0],
          end: keySpan[1],
          severity: 'warning',
          code: 'unknown-key',
          message,
          fixes: suggestion
            ? [{ title: `Rename to "${suggestion}"`, start: keySpan[0], end: keySpan[1], newText: suggestion, preferred: true }]
            : undefined,
        });
      }
      return;
    }
    case 'invalid_type': {
      if (!exists && path.length > 0) {
        out.push(requiredDiagnostic(input, at, path, String(path[path.length - 1]), targetSpan));
        return;
      }
      const expected = EXPECTED_WORDS[issue.expected ?? ''] ?? issue.expected ?? 'something else';
      out.push({
        start: targetSpan[0],
        end: targetSpan[1],
        severity: 'error',
        code: 'schema-type',
        message: `${capitalize(field)} must be ${expected}, not ${yamlTypeOf(actual)}.`,
      });
      return;
    }
    case 'invalid_value': {
      const values = (issue.values ?? []).map(String);
      const suggestion = typeof actual === 'string' ? didYouMean(actual, values) : undefined;
      out.push({
        start: targetSpan[0],
        end: targetSpan[1],
        severity: 'error',
        code: 'schema-value',
        message: `${capitalize(field)} must be ${values.length === 1 ? JSON.stringify(values[0]) : `one of ${values.join(', ')}`}${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
        fixes: suggestion ? [{ title: `Change to "${suggestion}"`, start: targetSpan[0], end: targetSpan[1], newText: suggestion, preferred: true }] : undefined,
      });
      return;
    }
    case 'invalid_union': {
      if (issue.discriminator !== undefined) {
        const options = (issue.options ?? []).map(String);
        if (!exists) {
          out.push(requiredDiagnostic(input, at, path, issue.discriminator, targetSpan, options));
          return;
        }
        const suggestion = typeof actual === 'string' ? didYouMean(actual, options) : undefined;
        out.push({
          start: targetSpan[0],
          end: targetSpan[1],
          severity: 'error',
          code: 'schema-value',
          message: `${capitalize(field)} must be one of ${options.join(', ')}${suggestion ? `; did you mean "${suggestion}"?` : '.'}`,
          fixes: suggestion ? [{ title: `Change to "${suggestion}"`, start: targetSpan[0], end: targetSpan[1], newText: suggestion, preferred: true }] : undefined,
        });
        return;
      }
      // A plain union: when exactly one branch accepts the value's type, report that branch's issues.
      const branches = issue.errors ?? [];
      const typeMatched = branches.filter((errors) => !errors.some((e) => e.code === 'invalid_type' && e.path.length === 0));
      if (typeMatched.length === 1) {
        for (const inner of typeMatched[0]!) mapIssue(input, inner, path, out);
        return;
      }
      const expected = [
        ...new Set(
          branches.flatMap((errors) => errors.filter((e) => e.code === 'invalid_type' && e.path.length === 0).map((e) => EXPECTED_WORDS[e.expected ?? ''] ?? e.expected ?? '')),
        ),
      ].filter(Boolean);
      out.push({
        start: targetSpan[0],
        end: targetSpan[1],
        severity: 'error',
        code: 'schema-type',
        message:
          expected.length > 0
            ? `${capitalize(field)} must be ${expected.join(' or ')}, not ${yamlTypeOf(actual)}.`
            : `${capitalize(field)} is not valid.`,
      });
      return;
    }
    default: {
      out.push({
        start: targetSpan[0],
        end: targetSpan[1],
        severity: 'error',
        code: 'schema-value',
        message: `${capitalize(field)}: ${lowerFirst(issue.message)}${issue.message.endsWith('.') ? '' : '.'}`,
      });
    }
  }
}

function requiredDiagnostic(
  input: SchemaCheckInput,
  at: Located,
  path: Path,
  missing: string,
  fallback: [number, number],
  options?: string[],
): RelativeDiagnostic {
  const parentPath = path.slice(0, -1);
  const where = parentPath.length > 0 ? ` in ${fieldName(input.label, parentPath)}` : ` in ${input.label}`;
  const keySpan = span(at.nearestKey) ?? fallback;
  const choices = options && options.length > 0 ? ` (one of ${options.join(', ')})` : '';
  const diagnostic: RelativeDiagnostic = {
    start: keySpan[0],
    end: keySpan[1],
    severity: 'error',
    code: 'schema-required',
    message: `Missing required field "${missing}"${where}${choices}.`,
  };
  // Quick fix: insert the field as the first key of the mapping, at its indentation.
  const map = at.parentMap;
  if (map && !map.flow && map.items.length > 0) {
    const firstKey = map.items[0]!.key as Scalar | undefined;
    const firstStart = firstKey?.range?.[0];
    if (firstStart !== undefined) {
      const lineStart = input.source.lastIndexOf('\n', firstStart - 1) + 1;
      const indent = input.source.slice(lineStart, firstStart);
      if (/^[ ]*$/.test(indent)) {
        const value = options && options.length > 0 ? options[0] : '';
        diagnostic.fixes = [
          {
            title: `Add "${missing}"`,
            start: firstStart,
            end: firstStart,
            newText: `${missing}: ${value}\n${indent}`,
          },
        ];
      }
    }
  }
  return diagnostic;
}

function dedupe(diagnostics: RelativeDiagnostic[]): RelativeDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((d) => {
    const key = `${d.start}:${d.end}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function capitalize(s: string): string {
  return s.length > 0 ? s[0]!.toUpperCase() + s.slice(1) : s;
}

function lowerFirst(s: string): string {
  return s.length > 0 && !/^[A-Z]{2}/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
}
