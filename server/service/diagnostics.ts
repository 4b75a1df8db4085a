/**
 * Diagnostics of one document: exactly what `ss validate` reports for the file (same codes,
 * ranges and messages), less the lines a `# starsystem-disable-next-line [code ...]` comment
 * silences.
 */
import { basename } from 'node:path';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import type { Diagnostic } from '../../engine/diagnostics';
import type { ParsedFile } from '../../engine/config/parse';
import type { DocumentSnapshot, ServiceFacts } from './types';

export const SUPPRESS_COMMENT = 'starsystem-disable-next-line';

/** The engine's diagnostics for this document, before suppression comments. */
export function engineDiagnostics(snapshot: DocumentSnapshot): Diagnostic[] {
  if (snapshot.model) return snapshot.model.diagnostics.filter((d) => d.file === snapshot.path);
  const first = snapshot.file.lines.lineText(0);
  return [
    ...snapshot.file.diagnostics,
    {
      file: snapshot.path,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: first.length } },
      severity: 'error',
      code: 'file-not-found',
      message: `This overlay has no base file: ${basename(snapshot.basePath)} does not exist beside it.`,
    },
  ];
}

/** Lines silenced by suppression comments: line -> codes (empty set: every code). */
export function suppressedLines(file: ParsedFile): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  const text = file.text;
  for (let at = text.indexOf(SUPPRESS_COMMENT); at !== -1; at = text.indexOf(SUPPRESS_COMMENT, at + 1)) {
    const { line } = file.lines.position(at);
    const lineText = file.lines.lineText(line);
    const m = new RegExp(`^\\s*#\\s*${SUPPRESS_COMMENT}(?:\\s+(.*))?$`).exec(lineText);
    if (!m) continue;
    const codes = (m[1] ?? '')
      .split(/[\s,]+/)
      .map((c) => c.trim())
      .filter((c) => c !== '' && !c.startsWith('#') && c !== '--');
    const target = line + 1;
    const existing = out.get(target);
    if (existing && existing.size === 0) continue;
    if (codes.length === 0) out.set(target, new Set());
    else out.set(target, new Set([...(existing ?? []), ...codes]));
  }
  return out;
}

export function isSuppressed(d: Diagnostic, suppressed: Map<number, Set<string>>): boolean {
  const codes = suppressed.get(d.range.start.line);
  return codes !== undefined && (codes.size === 0 || codes.has(d.code));
}

/** The diagnostics shown for the document: the engine's, less the suppressed ones. */
export function visibleDiagnostics(snapshot: DocumentSnapshot): Diagnostic[] {
  const all = engineDiagnostics(snapshot);
  const suppressed = suppressedLines(snapshot.file);
  return suppressed.size === 0 ? all : all.filter((d) => !isSuppressed(d, suppressed));
}

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

export function toLspDiagnostic(d: Diagnostic, facts: Pick<ServiceFacts, 'uriOf'>): LspDiagnostic {
  const out: LspDiagnostic = {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    source: 'starsystem',
    message: d.message,
  };
  if (d.related && d.related.length > 0) {
    out.relatedInformation = d.related.map((r) => ({ location: { uri: facts.uriOf(r.file), range: r.range }, message: r.message }));
  }
  return out;
}

export function documentDiagnostics(snapshot: DocumentSnapshot, facts: Pick<ServiceFacts, 'uriOf'>): LspDiagnostic[] {
  return visibleDiagnostics(snapshot).map((d) => toLspDiagnostic(d, facts));
}
