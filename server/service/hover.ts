/**
 * Hover: for a vault reference, whether the key is set (never its value); for a service id,
 * its merged declaration and plan row; for a key, the schema's description of the field.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { stringify } from 'yaml';
import { basename } from 'node:path';
import { allowedValues, descriptionOf, schemaAt, typesOf, type SchemaRoot } from '../../engine/config/schemaInfo';
import type { Position } from '../../engine/diagnostics';
import { contains, jsOf, nodeAt } from './locate';
import { occurrenceAt } from './occurrences';
import { planLine } from './planText';
import type { DocumentSnapshot, RecordedState, ServiceFacts } from './types';

export function hover(snapshot: DocumentSnapshot, facts: ServiceFacts, state: RecordedState, position: Position): Hover | null {
  const file = snapshot.file;
  const offset = file.lines.offset(position);

  const reference = snapshot.model?.vaultReferences.find((r) => r.file === snapshot.path && contains(r.templateRange, position));
  if (reference) {
    const set = facts.vaultKeys?.has(reference.key);
    const status =
      set === undefined
        ? 'The vault could not be listed, so whether it is set is unknown.'
        : set
          ? 'Set in the vault.'
          : `Not set. Set it with \`ss vault set ${reference.key}\`.`;
    return { contents: { kind: MarkupKind.Markdown, value: `**Vault key** \`${reference.key}\`\n\n${status}` }, range: reference.range };
  }

  const at = nodeAt(file, offset);
  if (!at) return null;
  const occurrence = occurrenceAt(file, snapshot.role, offset, at.service);
  if (occurrence && snapshot.model) {
    const service = snapshot.model.byId.get(occurrence.id);
    if (!service) {
      return { contents: { kind: MarkupKind.Markdown, value: `Service \`${occurrence.id}\` is not declared in ${basename(snapshot.basePath)}.` }, range: occurrence.range };
    }
    const plan = planLine(service, facts.registry, state, facts.processAlive);
    const where = basename(snapshot.model.base.path) + ':' + (snapshot.model.base.lines.position(service.base.base + service.base.keySpan[0]).line + 1);
    const declaration = stringify({ [service.id]: service.declaration }, { lineWidth: 0 }).trimEnd();
    const overlay = service.overlay && snapshot.model.overlay ? ` + ${basename(snapshot.model.overlay.path)}` : '';
    const value = [
      `**${service.id}** · \`${plan.text}\``,
      '',
      `Declared in ${where}${overlay} (environment \`${snapshot.model.env}\`).`,
      '',
      '```yaml',
      declaration,
      '```',
    ].join('\n');
    return { contents: { kind: MarkupKind.Markdown, value }, range: occurrence.range };
  }

  // A field: the schema's description.
  let root: SchemaRoot;
  let path: (string | number)[];
  if (at.service) {
    if (at.path.length === 0) return null;
    root = snapshot.role === 'overlay' ? 'overlay-service' : snapshot.model?.version === '2' ? 'service-v2' : 'service-v1';
    path = at.path;
  } else {
    root = snapshot.role === 'overlay' ? 'overlay-header' : 'base-header';
    path = [String(at.entry.key.value), ...at.path];
  }
  const value = jsOf(at.service);
  const schema = schemaAt(root, path, value);
  const description = descriptionOf(schema, root);
  if (!description) return null;
  const name = [...path].reverse().find((p) => typeof p === 'string') ?? '';
  const types = typesOf(schema, root);
  const values = allowedValues(schema, root);
  const lines = [`**${name}**${types.length > 0 ? ` · ${types.join(' | ')}` : ''}`, '', description];
  if (values.length > 0) lines.push('', `One of: ${values.map((v) => `\`${String(v)}\``).join(', ')}`);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') } };
}
