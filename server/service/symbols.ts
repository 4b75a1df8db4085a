/** Document symbols: the services of the file, each with its type. */
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { entryExtent, jsOf } from './locate';
import type { DocumentSnapshot } from './types';

export function documentSymbols(snapshot: DocumentSnapshot): DocumentSymbol[] {
  const file = snapshot.file;
  return file.services.map((entry) => {
    const [start, extent] = entryExtent(entry);
    // A block's value ends after its last line break; the symbol ends at its last character.
    let end = extent;
    while (end > start && /\s/.test(file.text[end - 1]!)) end--;
    const keyRange = file.lines.range(entry.base + entry.keySpan[0], entry.base + entry.keySpan[1]);
    const declaration = snapshot.model?.byId.get(entry.id)?.declaration;
    const local = jsOf(entry) as Record<string, unknown> | null | undefined;
    const type = declaration?.type ?? (typeof local?.type === 'string' ? local.type : undefined);
    const target = declaration?.target?.type ?? declaration?.provision?.provider;
    return {
      name: entry.id,
      detail: [type, target].filter(Boolean).join(' · ') || undefined,
      kind: SymbolKind.Module,
      range: file.lines.range(start, end),
      selectionRange: keyRange,
    };
  });
}
