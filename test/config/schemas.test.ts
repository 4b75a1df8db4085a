/** The checked-in JSON Schemas are what the zod schemas generate (run `npm run schemas` after a change). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { generatedSchemaFiles } from '../../engine/config/jsonSchemaFiles';
import { descriptionOf, jsonSchema, schemaAt } from '../../engine/config/schemaInfo';

const root = fileURLToPath(new URL('../../', import.meta.url));

test('schemas/*.schema.json are up to date', () => {
  for (const file of generatedSchemaFiles()) {
    const onDisk = readFileSync(root + file.path, 'utf8');
    assert.equal(onDisk, file.text, `${file.path} is stale: run npm run schemas`);
  }
});

test('every field in the schemas has a description', () => {
  const missing: string[] = [];
  const walk = (schema: Record<string, unknown>, path: string) => {
    const props = schema.properties as Record<string, Record<string, unknown>> | undefined;
    for (const [key, prop] of Object.entries(props ?? {})) {
      if (!prop.description && !(prop.anyOf || prop.oneOf)) missing.push(`${path}.${key}`);
      walk(prop, `${path}.${key}`);
      for (const alt of [...((prop.anyOf as Record<string, unknown>[]) ?? []), ...((prop.oneOf as Record<string, unknown>[]) ?? [])]) walk(alt, `${path}.${key}`);
      if (prop.items) walk(prop.items as Record<string, unknown>, `${path}.${key}[]`);
      if (prop.additionalProperties && typeof prop.additionalProperties === 'object') walk(prop.additionalProperties as Record<string, unknown>, `${path}.${key}.*`);
    }
  };
  walk(jsonSchema('base-file') as Record<string, unknown>, 'base');
  walk(jsonSchema('overlay-file') as Record<string, unknown>, 'overlay');
  assert.deepEqual(missing, []);
});

test('schema lookups find descriptions by path, through unions', () => {
  assert.match(descriptionOf(schemaAt('service-v1', ['health_check']), 'service-v1')!, /polled until healthy/);
  assert.match(descriptionOf(schemaAt('service-v1', ['provision', 'generate_config', 'vars']), 'service-v1')!, /placeholders/);
  const dns = schemaAt('service-v1', ['_cloudflare', 'records'], parse('_cloudflare: {resource: dns-zone}'));
  assert.match(descriptionOf(dns, 'service-v1')!, /created, or updated/);
  assert.match(descriptionOf(schemaAt('overlay-service', ['target', 'credential_env']), 'overlay-service')!, /wins over the vault/);
});
