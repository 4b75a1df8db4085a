import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../engine/diagnostics';
import { SCHEMA_LEVEL_CODES, withoutSchemaDuplicates } from '../../client/schemaDuplicates';

const ours = (code: string) => ({ source: 'starsystem', code, message: code });

describe('diagnostics left to the Red Hat YAML extension', () => {
  it('keeps every diagnostic when that extension is not validating', () => {
    const all = Object.keys(DIAGNOSTIC_CODES).map(ours);
    assert.deepEqual(withoutSchemaDuplicates(all, false), all);
  });

  it('drops only what a JSON Schema reports too, and only our own', () => {
    const all = [...Object.keys(DIAGNOSTIC_CODES).map(ours), { source: 'yaml-schema', code: 'schema-type', message: 'theirs' }];
    const kept = withoutSchemaDuplicates(all, true);
    assert.deepEqual(
      kept.map((d) => d.code),
      [...Object.keys(DIAGNOSTIC_CODES).filter((c) => !SCHEMA_LEVEL_CODES.has(c)), 'schema-type'],
    );
    assert.ok(kept.some((d) => d.code === 'unknown-service'));
    assert.ok(kept.some((d) => d.code === 'vault-key-not-set'));
  });

  it('reads codes given as { value }', () => {
    assert.equal(withoutSchemaDuplicates([{ source: 'starsystem', code: { value: 'schema-required' } }], true).length, 0);
  });

  it('names only codes the engine has', () => {
    for (const code of SCHEMA_LEVEL_CODES) assert.ok(code in DIAGNOSTIC_CODES, code);
  });
});
