/**
 * One fixture per semantic check: the code, the severity and the exact range(s) (marked
 * with ⟦ ⟧ in the fixture) of every diagnostic of that code, through both the segmented
 * and the whole-document parse.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DiagnosticCode, Severity } from '../../engine/diagnostics';
import { analyzeText, BASE_PATH, overlayPath } from '../helpers/analyze';
import { extractMarkers } from '../helpers/markers';

interface Case {
  name: string;
  code: DiagnosticCode;
  severity: Severity;
  base: string;
  overlay?: { env: string; text: string };
  vaultKeys?: string[];
  /** Each diagnostic's message must contain these, in order of the marked ranges. */
  messages?: string[];
  /** Other codes that may appear besides `code` (errors are refused otherwise). */
  allow?: DiagnosticCode[];
  /** Files that exist, for the file checks. */
  files?: string[];
}

const cases: Case[] = [
  {
    name: 'YAML syntax error',
    code: 'yaml-syntax',
    severity: 'error',
    base: `services:\n  api:\n    type: process\n    command: "node server.js\n⟦⟧`,
    messages: ['Missing closing "quote'],
    allow: ['no-provisioner'],
  },
  {
    name: 'duplicate service id',
    code: 'duplicate-key',
    severity: 'error',
    base: `services:\n  api:\n    type: process\n    command: a\n  ⟦api⟧:\n    type: process\n    command: b\n`,
    messages: ['Duplicate key "api": it is already defined on line 2.'],
  },
  {
    name: 'duplicate key inside a service',
    code: 'duplicate-key',
    severity: 'error',
    base: `services:\n  api:\n    type: process\n    command: a\n    ⟦command⟧: b\n`,
    messages: ['Duplicate key "command": it is already defined on line 4.'],
  },
  {
    name: 'duplicate top-level key',
    code: 'duplicate-key',
    severity: 'error',
    base: `name: a\nservices:\n  api:\n    type: process\n    command: a\n⟦name⟧: b\n`,
    messages: ['Duplicate key "name": it is already defined on line 1.'],
  },
  {
    name: 'a value of the wrong type',
    code: 'schema-type',
    severity: 'error',
    base: `services:\n  api:\n    type: process\n    command: ⟦[node, server.js]⟧\n`,
    messages: ['"command" must be a string, not a list.'],
    allow: ['no-provisioner'],
  },
  {
    name: 'depends_on must be a list',
    code: 'schema-type',
    severity: 'error',
    base: `services:\n  db:\n    type: database\n  api:\n    type: process\n    command: a\n    depends_on: ⟦db⟧\n`,
    messages: ['"depends_on" must be a list, not a string.'],
    allow: ['no-provisioner'],
  },
  {
    name: 'a service that is not a mapping',
    code: 'schema-type',
    severity: 'error',
    base: `services:\n  api: ⟦just a string⟧\n`,
    messages: ['Service "api" must be a mapping, not a string.'],
    allow: ['no-provisioner'],
  },
  {
    name: 'a missing required field',
    code: 'schema-required',
    severity: 'error',
    base: `services:\n  caddy:\n    type: process\n    command: caddy run\n    provision:\n      ⟦generate_config⟧:\n        output: /tmp/Caddyfile\n`,
    messages: ['Missing required field "template" in "provision.generate_config".'],
  },
  {
    name: 'a missing _cloudflare resource',
    code: 'schema-required',
    severity: 'error',
    base: `services:\n  cdn:\n    type: cdn\n    ⟦_cloudflare⟧:\n      zone: abc\n`,
    messages: ['Missing required field "resource" in "_cloudflare" (one of custom-hostnames, dns-zone, pages-project).'],
  },
  {
    name: 'an unknown _cloudflare resource, with a suggestion',
    code: 'schema-value',
    severity: 'error',
    base: `services:\n  cdn:\n    type: cdn\n    _cloudflare:\n      resource: ⟦dns-zones⟧\n      zone: abc\n`,
    messages: ['must be one of custom-hostnames, dns-zone, pages-project; did you mean "dns-zone"?'],
  },
  {
    name: 'a value outside an enum',
    code: 'schema-value',
    severity: 'error',
    base: `services:\n  dns:\n    type: cdn\n    _cloudflare:\n      resource: dns-zone\n      zone: z\n      records:\n        - type: ⟦CNAM⟧\n          name: "@"\n          content: x\n`,
    messages: ['"_cloudflare.records[0].type" must be one of A, AAAA, CNAME'],
  },
  {
    name: 'a version that is not quoted',
    code: 'schema-type',
    severity: 'error',
    base: `version: ⟦2⟧\nservices:\n  api:\n    type: process\n    command: a\n`,
    messages: ['"version" must be a string: write version: "2".'],
  },
  {
    name: 'unknown keys at every level',
    code: 'unknown-key',
    severity: 'warning',
    base: `⟦nmae⟧: x\nservices:\n  api:\n    type: process\n    ⟦comand⟧: a\n    command: a\n    health_check:\n      url: http://127.0.0.1:1/\n      ⟦intervall⟧: 1s\n`,
    messages: ['did you mean "name"?', 'did you mean "command"?', 'did you mean "interval"?'],
  },
  {
    name: 'a version "2" key in a version "1" file',
    code: 'unknown-key',
    severity: 'warning',
    base: `services:\n  db:\n    type: database\n  api:\n    type: process\n    command: a\n    depends_on: [db]\n    ⟦inject_from⟧:\n      db: [DATABASE_URL]\n`,
    messages: ['"inject_from" is a version "2" field; add version: "2" at the top of the file to use it.'],
    allow: ['no-provisioner'],
  },
  {
    name: 'depends_on names a service that does not exist',
    code: 'unknown-service',
    severity: 'error',
    base: `services:\n  database:\n    type: database\n  api:\n    type: process\n    command: a\n    depends_on: [⟦databse⟧]\n`,
    messages: ['Unknown service "databse" in depends_on of "api"; did you mean "database"?'],
    allow: ['no-provisioner'],
  },
  {
    name: 'inject_from names a service that does not exist',
    code: 'unknown-service',
    severity: 'error',
    base: `version: "2"\nservices:\n  app-db:\n    type: database\n  api:\n    type: process\n    command: a\n    depends_on: [app-db]\n    inject_from:\n      ⟦app-dbb⟧: [DATABASE_URL]\n`,
    messages: ['Unknown service "app-dbb" in inject_from of "api"; did you mean "app-db"?'],
    allow: ['no-provisioner'],
  },
  {
    name: 'a dependency cycle, reported on each edge with its path',
    code: 'dependency-cycle',
    severity: 'error',
    base: `services:\n  a:\n    type: process\n    command: a\n    depends_on: [⟦b⟧]\n  b:\n    type: process\n    command: b\n    depends_on: [⟦c⟧]\n  c:\n    type: process\n    command: c\n    depends_on: [⟦a⟧]\n`,
    messages: ['Dependency cycle: a → b → c → a.', 'Dependency cycle: a → b → c → a.', 'Dependency cycle: a → b → c → a.'],
  },
  {
    name: 'a service that depends on itself',
    code: 'self-dependency',
    severity: 'error',
    base: `services:\n  a:\n    type: process\n    command: a\n    depends_on: [⟦a⟧]\n`,
    messages: ['Service "a" depends on itself.'],
  },
  {
    name: 'an overlay service the base does not declare',
    code: 'overlay-unknown-service',
    severity: 'error',
    base: `version: "2"\nservices:\n  app-db:\n    type: database\n`,
    overlay: { env: 'prod', text: `version: "2"\nenvironment: prod\nservices:\n  app-db:\n    target:\n      type: neon\n  ⟦apii⟧:\n    target:\n      type: fly\n` },
    messages: ['Service "apii" is not declared in starsystem.yaml'],
  },
  {
    name: 'an overlay whose environment differs from its file name',
    code: 'overlay-environment-mismatch',
    severity: 'error',
    base: `version: "2"\nservices:\n  app-db:\n    type: database\n`,
    overlay: { env: 'prod', text: `version: "2"\nenvironment: ⟦production⟧\nservices:\n  app-db:\n    target:\n      type: neon\n` },
    messages: ['environment: "production" does not match the file name starsystem.prod.yaml (environment "prod").'],
  },
  {
    name: 'an overlay without environment',
    code: 'schema-required',
    severity: 'error',
    base: `version: "2"\nservices:\n  app-db:\n    type: database\n`,
    overlay: { env: 'prod', text: `⟦version: "2"⟧\nservices:\n  app-db:\n    target:\n      type: neon\n` },
    messages: ['Missing required field "environment".'],
  },
  {
    name: 'an overlay of another version',
    code: 'overlay-version-mismatch',
    severity: 'warning',
    base: `version: "2"\nservices:\n  app-db:\n    type: database\n`,
    overlay: { env: 'prod', text: `version: ⟦"1"⟧\nenvironment: prod\nservices:\n  app-db:\n    target:\n      type: neon\n` },
  },
  {
    name: 'a template that is not a vault call',
    code: 'template-malformed',
    severity: 'error',
    base: `services:\n  api:\n    type: process\n    command: "node server.js --token=⟦{{ env('TOKEN') }}⟧"\n`,
    messages: ["Unsupported template {{ env('TOKEN') }}: only {{ vault('namespace.key') }} is allowed."],
  },
  {
    name: 'a template with an invalid vault key',
    code: 'template-malformed',
    severity: 'error',
    base: `services:\n  api:\n    type: process\n    command: "node server.js --token={{ vault('⟦../etc/passwd⟧') }}"\n`,
    messages: ['Invalid vault key in template'],
  },
  {
    name: 'an unquoted template that YAML reads as a mapping',
    code: 'template-unquoted',
    severity: 'error',
    base: `services:\n  cdn:\n    type: cdn\n    _cloudflare:\n      resource: custom-hostnames\n      zone: ⟦{{ vault('secrets.CF_ZONE_ID') }}⟧\n`,
    messages: [`Quote this template: unquoted, YAML reads {{ vault('secrets.CF_ZONE_ID') }} as a mapping. Write "{{ vault('secrets.CF_ZONE_ID') }}".`],
  },
  {
    name: 'a provider no provisioner is named',
    code: 'unknown-provider',
    severity: 'warning',
    base: `version: "2"\nservices:\n  app-db:\n    type: database\n`,
    overlay: { env: 'prod', text: `version: "2"\nenvironment: prod\nservices:\n  app-db:\n    target:\n      type: ⟦noen⟧\n` },
    messages: ['No provisioner is named "noen"; did you mean "neon"?'],
  },
  {
    name: 'a service no provisioner handles',
    code: 'no-provisioner',
    severity: 'warning',
    base: `services:\n  ⟦docs⟧:\n    type: external\n  api:\n    type: process\n    command: node api.js\n`,
    messages: ['No provisioner handles service "docs"; it will be skipped.'],
  },
  {
    name: 'a vault key that is not set',
    code: 'vault-key-not-set',
    severity: 'warning',
    vaultKeys: ['secrets.CF_ZONE_ID'],
    base: `services:\n  cdn:\n    type: cdn\n    _cloudflare:\n      resource: custom-hostnames\n      zone: "{{ vault('secrets.CF_ZONE_ID') }}"\n      fallback_origin: "{{ vault('⟦secrets.CF_PAGES_FALLBACK⟧') }}"\n`,
    messages: ['Vault key "secrets.CF_PAGES_FALLBACK" is not set. Set it with: ss vault set secrets.CF_PAGES_FALLBACK'],
  },
  {
    name: 'a template file or working directory that does not exist',
    code: 'file-not-found',
    severity: 'warning',
    files: ['/project/templates/api.json.template'],
    base: `services:\n  api:\n    type: process\n    command: node api.js\n    cwd: ⟦services/api⟧\n    provision:\n      generate_config:\n        template: templates/api.json.template\n        output: .generated/api.json\n  web:\n    type: process\n    command: node web.js\n    provision:\n      generate_config:\n        template: ⟦templates/web.json.tmpl⟧\n        output: .generated/web.json\n`,
    messages: ['Working directory "services/api" does not exist (/project/services/api)', 'Template file "templates/web.json.tmpl" does not exist (/project/templates/web.json.tmpl)'],
  },
  {
    name: 'a file without services',
    code: 'schema-required',
    severity: 'error',
    base: `⟦name: empty⟧\n`,
    messages: ['Missing required field "services"'],
  },
];

function splitMarked(c: Case) {
  const base = extractMarkers(c.base);
  const overlay = c.overlay ? extractMarkers(c.overlay.text) : undefined;
  const expected = [
    ...base.ranges.map((range) => ({ file: BASE_PATH, range })),
    ...(overlay?.ranges ?? []).map((range) => ({ file: overlayPath(c.overlay!.env), range })),
  ];
  return { base: base.text, overlay: c.overlay && overlay ? { env: c.overlay.env, text: overlay.text } : undefined, expected };
}

describe('diagnostics: one fixture per check', () => {
  for (const c of cases) {
    for (const whole of [false, true]) {
      test(`${c.name}${whole ? ' (whole-document parse)' : ''}`, () => {
        const { base, overlay, expected } = splitMarked(c);
        const model = analyzeText({ base, overlay, vaultKeys: c.vaultKeys, whole, files: c.files });
        const ofCode = model.diagnostics.filter((d) => d.code === c.code);
        assert.deepEqual(
          ofCode.map((d) => ({ file: d.file, range: d.range })),
          expected,
          `ranges of ${c.code}: ${JSON.stringify(ofCode, null, 1)}`,
        );
        for (const d of ofCode) assert.equal(d.severity, c.severity, d.message);
        c.messages?.forEach((m, i) => assert.ok(ofCode[i]?.message.includes(m), `message ${i}: ${ofCode[i]?.message} should include ${m}`));
        const unexpected = model.diagnostics.filter((d) => d.code !== c.code && !(c.allow ?? []).includes(d.code));
        assert.deepEqual(unexpected, [], 'no other diagnostics');
      });
    }
  }
});

describe('quick fixes', () => {
  test('did-you-mean on an unknown depends_on replaces the id', () => {
    const model = analyzeText({ base: `services:\n  database:\n    type: database\n  api:\n    type: process\n    command: a\n    depends_on: [databse]\n` });
    const d = model.diagnostics.find((x) => x.code === 'unknown-service')!;
    assert.deepEqual(d.fixes?.[0]?.edits[0]?.newText, 'database');
    assert.deepEqual(d.fixes?.[0]?.edits[0]?.range, d.range);
  });

  test('an unquoted template is quoted', () => {
    const text = `services:\n  cdn:\n    type: cdn\n    _cloudflare:\n      resource: custom-hostnames\n      zone: {{ vault('secrets.CF_ZONE_ID') }}\n`;
    const model = analyzeText({ base: text });
    const fix = model.diagnostics.find((x) => x.code === 'template-unquoted')!.fixes![0]!;
    assert.equal(fix.edits[0]!.newText, `"{{ vault('secrets.CF_ZONE_ID') }}"`);
    const fixed = applyEdit(text, fix.edits[0]!);
    assert.deepEqual(analyzeText({ base: fixed }).diagnostics.filter((d) => d.severity === 'error'), []);
  });

  test('a missing required field is added at the right indentation and then validates', () => {
    const text = `services:\n  caddy:\n    type: process\n    command: caddy run\n    provision:\n      generate_config:\n        output: /tmp/Caddyfile\n`;
    const d = analyzeText({ base: text }).diagnostics.find((x) => x.code === 'schema-required')!;
    const fixed = applyEdit(text, d.fixes![0]!.edits[0]!);
    assert.match(fixed, /\n {8}template: \n {8}output: \/tmp\/Caddyfile\n/);
    const again = analyzeText({ base: fixed.replace('template: ', 'template: Caddyfile.template') });
    assert.deepEqual(again.diagnostics.filter((x) => x.severity === 'error'), []);
  });
});

function applyEdit(text: string, edit: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
}
