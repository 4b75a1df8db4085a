/**
 * What the schema says about a place in the file: the description of a key, the keys a
 * mapping may have, the values a field allows. Read from the JSON Schema that zod
 * generates, which is plain data and easy to walk; hovers, completions and the unknown-key
 * did-you-mean all use it.
 */
import * as z from 'zod';
import {
  BaseHeaderSchema,
  OverlayFileSchema,
  OverlayHeaderSchema,
  OverlayServiceSchema,
  ServiceV1Schema,
  ServiceV2Schema,
  SystemFileSchema,
} from './schema';

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  $defs?: Record<string, JsonSchema>;
  [key: string]: unknown;
}

export type SchemaRoot = 'service-v1' | 'service-v2' | 'overlay-service' | 'base-header' | 'overlay-header' | 'base-file' | 'overlay-file';

const sources: Record<SchemaRoot, z.ZodType> = {
  'service-v1': ServiceV1Schema,
  'service-v2': ServiceV2Schema,
  'overlay-service': OverlayServiceSchema,
  'base-header': BaseHeaderSchema,
  'overlay-header': OverlayHeaderSchema,
  'base-file': SystemFileSchema,
  'overlay-file': OverlayFileSchema,
};

const generated = new Map<SchemaRoot, JsonSchema>();

/** The JSON Schema (draft-07, what YAML tooling reads best) for a root. */
export function jsonSchema(root: SchemaRoot): JsonSchema {
  let schema = generated.get(root);
  if (!schema) {
    schema = z.toJSONSchema(sources[root], { target: 'draft-7', unrepresentable: 'any' }) as JsonSchema;
    generated.set(root, schema);
  }
  return schema;
}

function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; i < 10 && s.$ref; i++) {
    const name = s.$ref.replace(/^#\/(definitions|\$defs)\//, '');
    s = root.definitions?.[name] ?? root.$defs?.[name] ?? {};
  }
  return s;
}

/** The alternatives a schema allows (anyOf/oneOf flattened), dereferenced. */
export function alternatives(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  const s = deref(schema, root);
  const choices = s.anyOf ?? s.oneOf;
  if (!choices) return [s];
  return choices.flatMap((c) => alternatives(c, root));
}

/**
 * The schema at a path of keys and indexes. `value` is the document's value at the root
 * (optional); it picks the right branch of a discriminated union such as `_cloudflare`.
 */
export function schemaAt(root: SchemaRoot, path: readonly (string | number)[], value?: unknown): JsonSchema | undefined {
  const top = jsonSchema(root);
  let current: JsonSchema[] = [top];
  let currentValue = value;
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const candidate of current) {
      for (const alt of pickBranch(alternatives(candidate, top), currentValue)) {
        if (typeof segment === 'number') {
          if (alt.items) next.push(alt.items);
        } else if (alt.properties?.[segment]) {
          next.push(alt.properties[segment]!);
        } else if (alt.additionalProperties && typeof alt.additionalProperties === 'object') {
          next.push(alt.additionalProperties);
        }
      }
    }
    if (next.length === 0) return undefined;
    current = next;
    currentValue = currentValue && typeof currentValue === 'object' ? (currentValue as Record<string, unknown>)[segment as string] : undefined;
  }
  if (current.length === 1) return deref(current[0]!, top);
  return { anyOf: current };
}

/** Narrows union branches by a `const` discriminator the value matches (e.g. resource). */
function pickBranch(branches: JsonSchema[], value: unknown): JsonSchema[] {
  if (branches.length < 2 || !value || typeof value !== 'object') return branches;
  const v = value as Record<string, unknown>;
  const matching = branches.filter((b) => {
    if (!b.properties) return false;
    return Object.entries(b.properties).every(([key, prop]) => prop.const === undefined || v[key] === undefined || v[key] === prop.const);
  });
  return matching.length > 0 ? matching : branches;
}

/** The keys a mapping at this schema may have, with their descriptions. */
export function propertiesOf(schema: JsonSchema | undefined, root: SchemaRoot, value?: unknown): Map<string, JsonSchema> {
  const out = new Map<string, JsonSchema>();
  if (!schema) return out;
  const top = jsonSchema(root);
  for (const alt of pickBranch(alternatives(schema, top), value)) {
    for (const [key, prop] of Object.entries(alt.properties ?? {})) if (!out.has(key)) out.set(key, deref(prop, top));
  }
  return out;
}

/** Required keys at this schema (those every branch requires). */
export function requiredOf(schema: JsonSchema | undefined, root: SchemaRoot, value?: unknown): string[] {
  if (!schema) return [];
  const top = jsonSchema(root);
  const branches = pickBranch(alternatives(schema, top), value).filter((b) => b.type === 'object' || b.properties);
  if (branches.length === 0) return [];
  return (branches[0]!.required ?? []).filter((key) => branches.every((b) => b.required?.includes(key)));
}

/** A schema's one-line description, looking through unions. */
export function descriptionOf(schema: JsonSchema | undefined, root: SchemaRoot): string | undefined {
  if (!schema) return undefined;
  if (schema.description) return schema.description;
  const top = jsonSchema(root);
  for (const alt of alternatives(schema, top)) if (alt.description) return alt.description;
  return undefined;
}

/** The fixed values a field allows (enum and const), if any. */
export function allowedValues(schema: JsonSchema | undefined, root: SchemaRoot): unknown[] {
  if (!schema) return [];
  const top = jsonSchema(root);
  const values: unknown[] = [];
  for (const alt of alternatives(schema, top)) {
    if (alt.enum) values.push(...alt.enum);
    if (alt.const !== undefined) values.push(alt.const);
  }
  return values;
}

/** The JSON Schema's type names for a schema ("string", "object", ...). */
export function typesOf(schema: JsonSchema | undefined, root: SchemaRoot): string[] {
  if (!schema) return [];
  const top = jsonSchema(root);
  const types = new Set<string>();
  for (const alt of alternatives(schema, top)) {
    if (Array.isArray(alt.type)) alt.type.forEach((t) => types.add(t));
    else if (alt.type) types.add(alt.type);
  }
  return [...types];
}
