/** Completion on cursor-marker fixtures (│ is the cursor). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineIndex } from '../../engine/config/lines';
import { completions } from '../../server/service/completion';
import { cursorAt } from '../../server/service/cursor';
import { extractMarkers } from '../helpers/markers';
import { facts, open, type Files } from './snapshot';

function cursor(marked: string) {
  const m = extractMarkers(marked);
  return cursorAt(new LineIndex(m.text), m.cursors[0]!);
}

function complete(files: Files, options: Parameters<typeof open>[1] & { vaultKeys?: string[]; snippets?: boolean } = {}) {
  const { snapshot, marked } = open(files, options);
  const list = completions(snapshot, facts({ vaultKeys: options.vaultKeys, snippets: options.snippets }), marked.cursors[0]!);
  return list.items;
}

const labels = (items: { label: string }[]) => items.map((i) => i.label);

const system = `version: "2"
name: shop
services:
  db:
    type: database
    target:
      type: neon
  api:
    type: process
    command: node api.js
    depends_on: [db]
  worker:
    type: process
    command: node worker.js
    depends_on: [api]
  web:
    type: process
    command: node web.js
`;

describe('cursor', () => {
  test('a key being typed in a service', () => {
    const c = cursor('services:\n  api:\n    type: process\n    dep│\n');
    assert.equal(c.kind, 'key');
    if (c.kind !== 'key') return;
    assert.deepEqual(c.path, ['services', 'api']);
    assert.equal(c.prefix, 'dep');
    assert.deepEqual(c.siblings, ['type']);
  });

  test('a value in a flow sequence, with the other items', () => {
    const c = cursor('services:\n  api:\n    depends_on: [db, │ cache]\n');
    assert.equal(c.kind, 'value');
    if (c.kind !== 'value') return;
    assert.deepEqual(c.path, ['services', 'api', 'depends_on']);
    assert.equal(c.sequence, 'flow');
    assert.deepEqual(c.listed.sort(), ['cache', 'db']);
  });

  test('an item of a block sequence, compact or indented', () => {
    for (const text of ['services:\n  api:\n    depends_on:\n      - db\n      - ca│\n', 'services:\n  api:\n    depends_on:\n    - db\n    - ca│\n']) {
      const c = cursor(text);
      assert.equal(c.kind, 'value', text);
      if (c.kind !== 'value') continue;
      assert.deepEqual(c.path, ['services', 'api', 'depends_on']);
      assert.equal(c.sequence, 'block');
      assert.equal(c.prefix, 'ca');
      assert.deepEqual(c.listed, ['db']);
    }
  });

  test('a key inside a sequence item and a nested mapping', () => {
    const c = cursor('services:\n  dns:\n    _cloudflare:\n      records:\n        - type: A\n          na│\n');
    assert.equal(c.kind, 'key');
    if (c.kind === 'key') assert.deepEqual(c.path, ['services', 'dns', '_cloudflare', 'records', 0]);
  });

  test('inside a vault template', () => {
    const c = cursor(`services:\n  api:\n    env:\n      TOKEN: "{{ vault('secrets.T│OK') }}"\n`);
    assert.equal(c.kind, 'vault');
    if (c.kind === 'vault') assert.equal(c.prefix, 'secrets.T');
  });

  test('nothing in a comment', () => {
    assert.equal(cursor('services:\n  api: # depends_on: [│\n').kind, 'none');
  });

  test('a blank line takes its parent from the cursor column', () => {
    const c = cursor('services:\n  api:\n    type: process\n    │\n');
    assert.equal(c.kind, 'key');
    if (c.kind === 'key') assert.deepEqual(c.path, ['services', 'api']);
    const top = cursor('name: x\nservices:\n  api:\n    type: process\n│\n');
    if (top.kind === 'key') assert.deepEqual(top.path, []);
    else assert.fail('expected a key cursor');
  });
});

describe('completion', () => {
  test('depends_on offers other services, never itself nor one that would close a cycle', () => {
    const base = system.replace('    command: node api.js\n    depends_on: [db]', '    command: node api.js\n    depends_on: [db, │]');
    const items = complete({ base });
    // worker depends on api: api depending on worker would be a cycle; db is listed already.
    assert.deepEqual(labels(items).sort(), ['web']);
  });

  test('depends_on right after the colon inserts a flow sequence', () => {
    const base = system.replace('    command: node web.js\n', '    command: node web.js\n    depends_on: │\n');
    const items = complete({ base });
    assert.deepEqual(labels(items).sort(), ['api', 'db', 'worker']);
    assert.equal((items.find((i) => i.label === 'db')!.textEdit as { newText: string }).newText, '[db]');
  });

  test('a block sequence item under depends_on', () => {
    const base = system.replace('    command: node web.js\n', '    command: node web.js\n    depends_on:\n      - api\n      - │\n');
    assert.deepEqual(labels(complete({ base })).sort(), ['db', 'worker']);
  });

  test('inject_from keys are service ids; its items are the credentials the dependency provides', () => {
    const keys = system.replace('    command: node web.js\n', '    command: node web.js\n    inject_from:\n      │\n');
    assert.deepEqual(labels(complete({ base: keys })).sort(), ['api', 'db', 'worker']);
    const items = system.replace('    command: node web.js\n', '    command: node web.js\n    inject_from:\n      db:\n        - │\n');
    const credentials = complete({ base: items }, { vaultKeys: ['db.READONLY_URL', 'db.DATABASE_URL', 'other.X'] });
    // neon's catalog says DATABASE_URL; the vault has db.READONLY_URL too.
    assert.deepEqual(labels(credentials), ['DATABASE_URL', 'READONLY_URL']);
  });

  test('vault keys inside a template, with their namespace as detail', () => {
    const base = system.replace('    command: node web.js\n', `    command: node web.js\n    env:\n      TOKEN: "{{ vault('sec│') }}"\n`);
    const items = complete({ base }, { vaultKeys: ['secrets.CF_ZONE_ID', 'providers.neon.api_key'] });
    assert.deepEqual(labels(items), ['providers.neon.api_key', 'secrets.CF_ZONE_ID']);
    assert.equal(items[0]!.detail, 'providers.neon');
    assert.equal(items[1]!.detail, 'secrets');
    const edit = items[1]!.textEdit as { range: { start: { character: number }; end: { character: number } }; newText: string };
    assert.equal(edit.newText, 'secrets.CF_ZONE_ID');
    assert.deepEqual([edit.range.start.character, edit.range.end.character], [24, 27]);
  });

  test('provider names for target.type and provision.provider', () => {
    const base = system.replace('      type: neon', '      type: │');
    const names = labels(complete({ base }));
    assert.ok(names.includes('neon') && names.includes('local-process'), names.join(','));
    const v1 = `services:\n  db:\n    provision:\n      provider: │\n`;
    assert.ok(labels(complete({ base: v1 })).includes('neon'));
  });

  test('_cloudflare resource types', () => {
    const base = `services:\n  cdn:\n    type: cdn\n    _cloudflare:\n      resource: │\n`;
    assert.deepEqual(labels(complete({ base })).sort(), ['custom-hostnames', 'dns-zone', 'pages-project']);
  });

  test('schema keys, without the ones already there, with snippets that fill in required fields', () => {
    const base = `services:\n  cdn:\n    type: cdn\n    │\n`;
    const items = complete({ base });
    const names = labels(items);
    assert.ok(names.includes('command') && names.includes('_cloudflare') && !names.includes('type'), names.join(','));
    const cloudflare = items.find((i) => i.label === '_cloudflare')!;
    assert.equal((cloudflare.textEdit as { newText: string }).newText, '_cloudflare:\n      resource: ${1|custom-hostnames,dns-zone,pages-project|}');
    const generate = complete({ base: `services:\n  caddy:\n    provision:\n      │\n` }).find((i) => i.label === 'generate_config')!;
    assert.equal((generate.textEdit as { newText: string }).newText, 'generate_config:\n        template: $1\n        output: $2');
  });

  test('a space typed as indentation asks for nothing; after a colon it asks for a value', () => {
    const { snapshot, marked } = open({ base: `services:\n  a:\n    type: process\n    │\n` });
    assert.deepEqual(completions(snapshot, facts(), marked.cursors[0]!, ' ').items, []);
    const value = open({ base: `services:\n  a:\n    _cloudflare:\n      resource: │\n` });
    assert.equal(completions(value.snapshot, facts(), value.marked.cursors[0]!, ' ').items.length, 3);
  });

  test('without snippet support, a plain key', () => {
    const items = complete({ base: `services:\n  cdn:\n    │\n` }, { snippets: false });
    assert.equal((items.find((i) => i.label === 'command')!.textEdit as { newText: string }).newText, 'command: ');
  });

  test('version 1 files do not offer version 2 keys', () => {
    const v1 = labels(complete({ base: `services:\n  a:\n    │\n` }));
    assert.ok(!v1.includes('inject_from'));
    const v2 = labels(complete({ base: `version: "2"\nservices:\n  a:\n    │\n` }));
    assert.ok(v2.includes('inject_from') && v2.includes('target'));
  });

  test('top-level keys, and in an overlay the base services it does not configure yet', () => {
    assert.deepEqual(labels(complete({ base: `services:\n  a:\n    type: process\n│\n` })).sort(), ['description', 'name', 'version']);
    const overlay = `version: "2"\nenvironment: prod\nservices:\n  db:\n    target:\n      type: neon\n  │\n`;
    const items = complete({ base: system, overlays: { prod: overlay } }, { doc: 'prod' });
    assert.deepEqual(labels(items).sort(), ['api', 'web', 'worker']);
  });

  test('fixed values: the version', () => {
    const items = complete({ base: `version: │\nservices: {}\n` });
    assert.deepEqual(items.map((i) => (i.textEdit as { newText: string }).newText), ['"1"', '"2"']);
  });
});
