/**
 * Quick fixes: the fixes the engine attaches to its diagnostics (did-you-mean for unknown
 * ids, keys and providers, quote an unquoted template, add a missing required field), and
 * for any diagnostic a comment that silences it on its line.
 */
import { CodeActionKind, type CodeAction, type Range as LspRange, type TextEdit } from 'vscode-languageserver';
import type { Diagnostic } from '../../engine/diagnostics';
import { SUPPRESS_COMMENT, toLspDiagnostic, visibleDiagnostics } from './diagnostics';
import type { DocumentSnapshot, ServiceFacts } from './types';

function overlaps(a: LspRange, b: LspRange): boolean {
  const before = (x: LspRange['start'], y: LspRange['start']) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

export function codeActions(snapshot: DocumentSnapshot, facts: ServiceFacts, range: LspRange, only?: string[]): CodeAction[] {
  if (only && !only.some((kind) => kind === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(`${kind}.`) || kind === '')) return [];
  const actions: CodeAction[] = [];
  const silenced = new Set<number>();
  for (const d of visibleDiagnostics(snapshot)) {
    if (!overlaps(d.range, range)) continue;
    const lsp = toLspDiagnostic(d, facts);
    for (const fix of d.fixes ?? []) {
      const changes: Record<string, TextEdit[]> = {};
      for (const edit of fix.edits) (changes[facts.uriOf(edit.file)] ??= []).push({ range: edit.range, newText: edit.newText });
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [lsp], isPreferred: fix.preferred, edit: { changes } });
    }
    const line = d.range.start.line;
    if (!silenced.has(line)) {
      silenced.add(line);
      actions.push(silenceAction(snapshot, facts, d, lsp));
    }
  }
  return actions;
}

function silenceAction(snapshot: DocumentSnapshot, facts: ServiceFacts, d: Diagnostic, lsp: ReturnType<typeof toLspDiagnostic>): CodeAction {
  const line = d.range.start.line;
  const text = snapshot.file.lines.lineText(line);
  const indent = text.slice(0, text.length - text.trimStart().length);
  return {
    title: `Ignore "${d.code}" on this line`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [lsp],
    edit: {
      changes: {
        [facts.uriOf(snapshot.path)]: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}# ${SUPPRESS_COMMENT} ${d.code}\n` }],
      },
    },
  };
}
