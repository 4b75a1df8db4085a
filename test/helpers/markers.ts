/**
 * Marker fixtures: ⟦ and ⟧ around text mark an expected range; │ marks a cursor. The
 * markers are removed and their positions returned in the clean text's coordinates.
 */
import type { Position, Range } from '../../engine/diagnostics';

export interface Marked {
  text: string;
  ranges: Range[];
  cursors: Position[];
}

export function extractMarkers(marked: string): Marked {
  let text = '';
  let line = 0;
  let character = 0;
  const ranges: Range[] = [];
  const cursors: Position[] = [];
  const open: Position[] = [];
  for (const ch of marked) {
    if (ch === '⟦') {
      open.push({ line, character });
    } else if (ch === '⟧') {
      const start = open.pop();
      if (!start) throw new Error('unbalanced ⟧ in fixture');
      ranges.push({ start, end: { line, character } });
    } else if (ch === '│') {
      cursors.push({ line, character });
    } else {
      text += ch;
      if (ch === '\n') {
        line++;
        character = 0;
      } else {
        character++;
      }
    }
  }
  if (open.length > 0) throw new Error('unbalanced ⟦ in fixture');
  ranges.sort((a, b) => a.start.line - b.start.line || a.start.character - b.start.character);
  return { text, ranges, cursors };
}
