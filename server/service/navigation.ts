/**
 * Navigation between service ids: go to definition (a reference to its declaration in the
 * base file, an overlay's id to the base, the base's id to the overlays that configure it),
 * find references, and rename an id everywhere: the base file and all its overlays.
 */
import { ResponseError, ErrorCodes, type Location, type Range as LspRange, type WorkspaceEdit, type TextEdit } from 'vscode-languageserver';
import { parse } from 'yaml';
import { SERVICE_ID_PATTERN } from '../../engine/config/schema';
import type { Position } from '../../engine/diagnostics';
import { serviceAt } from './locate';
import { occurrenceAt, occurrencesIn, type Occurrence } from './occurrences';
import type { DocumentSnapshot, ServiceFacts } from './types';

function occurrenceUnder(snapshot: DocumentSnapshot, position: Position): Occurrence | undefined {
  const offset = snapshot.file.lines.offset(position);
  return occurrenceAt(snapshot.file, snapshot.role, offset, serviceAt(snapshot.file, offset));
}

function allOccurrences(snapshot: DocumentSnapshot, id: string): Occurrence[] {
  return snapshot.family().flatMap((f) => occurrencesIn(f.file, f.role, id));
}

function location(facts: ServiceFacts, o: Occurrence): Location {
  return { uri: facts.uriOf(o.file), range: o.range };
}

export function definition(snapshot: DocumentSnapshot, facts: ServiceFacts, position: Position): Location[] | null {
  const at = occurrenceUnder(snapshot, position);
  if (!at) return null;
  const all = allOccurrences(snapshot, at.id);
  const declarations = all.filter((o) => o.kind === 'declaration');
  if (at.kind === 'declaration') {
    // From the declaration, its settings in the overlays (or itself when there are none).
    const overlays = all.filter((o) => o.kind === 'overlay');
    return (overlays.length > 0 ? overlays : [at]).map((o) => location(facts, o));
  }
  return declarations.length > 0 ? declarations.map((o) => location(facts, o)) : null;
}

export function references(snapshot: DocumentSnapshot, facts: ServiceFacts, position: Position, includeDeclaration: boolean): Location[] | null {
  const at = occurrenceUnder(snapshot, position);
  if (!at) return null;
  return allOccurrences(snapshot, at.id)
    .filter((o) => includeDeclaration || o.kind !== 'declaration')
    .map((o) => location(facts, o));
}

export function prepareRename(snapshot: DocumentSnapshot, position: Position): { range: LspRange; placeholder: string } | null {
  const at = occurrenceUnder(snapshot, position);
  return at ? { range: at.range, placeholder: at.id } : null;
}

export function rename(snapshot: DocumentSnapshot, facts: ServiceFacts, position: Position, newName: string): WorkspaceEdit | null {
  const at = occurrenceUnder(snapshot, position);
  if (!at) return null;
  if (!SERVICE_ID_PATTERN.test(newName)) {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" is not a valid service id: use letters, digits, "-" and "_", starting with a letter or digit.`);
  }
  if (typeof parse(newName) !== 'string') {
    throw new ResponseError(ErrorCodes.InvalidParams, `"${newName}" reads as a ${typeof parse(newName) === 'number' ? 'number' : 'keyword'} in YAML, not a name; choose another id.`);
  }
  if (newName === at.id) return { changes: {} };
  const declared = snapshot.family().some((f) => f.role === 'base' && f.file.services.some((s) => s.id === newName));
  if (declared) throw new ResponseError(ErrorCodes.InvalidParams, `A service named "${newName}" already exists.`);
  const changes: Record<string, TextEdit[]> = {};
  for (const o of allOccurrences(snapshot, at.id)) {
    const uri = facts.uriOf(o.file);
    (changes[uri] ??= []).push({ range: o.range, newText: newName });
  }
  return { changes };
}
