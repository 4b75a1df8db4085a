/**
 * The pure language service on cursor-marker fixtures: │ is the cursor, ⟦ ⟧ mark the
 * ranges a feature must return.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import type { ServiceState } from '../../engine/run/state';
import { processStartTime } from '../../engine/run/processes';
import { codeActions } from '../../server/service/codeActions';
import { codeLenses, resolveCodeLens } from '../../server/service/codeLens';
import { documentDiagnostics, engineDiagnostics } from '../../server/service/diagnostics';
import { hover } from '../../server/service/hover';
import { definition, prepareRename, references, rename } from '../../server/service/navigation';
import { documentSymbols } from '../../server/service/symbols';
import { BASE, facts, open, overlayPath, uriOf, type Files } from './snapshot';

const noState = new Map<string, ServiceState>();

const hoverText = (h: ReturnType<typeof hover>) => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : '');

describe('diagnostics', () => {
  test('the same diagnostics as validation, and a suppression comment silences one line', () => {
    const base = `services:\n  api:\n    type: process\n    command: node api.js\n    depends_on: [dbb]\n  db:\n    type: process\n    command: pg\n    # starsystem-disable-next-line unknown-key\n    colour: blue\n    shade: dark\n`;
    const { snapshot } = open({ base });
    const all = engineDiagnostics(snapshot).map((d) => d.code);
    assert.deepEqual(all, ['unknown-service', 'unknown-key', 'unknown-key']);
    const shown = documentDiagnostics(snapshot, facts());
    assert.deepEqual(
      shown.map((d) => [d.code, d.range.start.line]),
      [
        ['unknown-service', 4],
        ['unknown-key', 10],
      ],
    );
    assert.equal(shown[0]!.source, 'starsystem');
  });

  test('a bare suppression comment silences every code on the next line; another code does not', () => {
    const base = `services:\n  a:\n    command: x\n    type: process\n    # starsystem-disable-next-line\n    colour: blue\n    # starsystem-disable-next-line schema-type\n    shade: dark\n`;
    const shown = documentDiagnostics(open({ base }).snapshot, facts());
    assert.deepEqual(shown.map((d) => [d.code, d.range.start.line]), [['unknown-key', 7]]);
  });

  test('vault keys referenced but not set are warnings', () => {
    const base = `services:\n  api:\n    type: process\n    command: x\n    env:\n      A: "{{ vault('secrets.SET') }}"\n      B: "{{ vault('secrets.MISSING') }}"\n`;
    const shown = documentDiagnostics(open({ base }, { vaultKeys: ['secrets.SET'] }).snapshot, facts());
    assert.deepEqual(shown.map((d) => [d.code, d.severity, d.range.start.line]), [['vault-key-not-set', 2, 6]]);
  });

  test('an overlay is validated with its base: an id the base lacks is reported in the overlay', () => {
    const files: Files = { base: `services:\n  api:\n    command: x\n`, overlays: { prod: `environment: prod\nservices:\n  apj:\n    command: y\n` } };
    const shown = documentDiagnostics(open(files, { doc: 'prod' }).snapshot, facts());
    assert.deepEqual(shown.map((d) => d.code), ['overlay-unknown-service']);
  });
});

describe('code actions', () => {
  test('did-you-mean, quote a template, add a required field, and a comment to silence', () => {
    const base = `version: "2"\nservices:\n  api:\n    type: process\n    command: x\n    depends_on: [⟦wrker⟧]\n    env:\n      T: {{ vault('secrets.T') }}\n  worker:\n    type: cdn\n    _cloudflare:\n      zone: z\n`;
    const { snapshot, marked } = open({ base });
    const fixes = codeActions(snapshot, facts(), marked.ranges[0]!);
    assert.deepEqual(fixes.map((a) => a.title), ['Change to "worker"', 'Ignore "unknown-service" on this line']);
    assert.deepEqual(fixes[0]!.edit!.changes![uriOf(BASE)], [{ range: marked.ranges[0], newText: 'worker' }]);
    assert.equal(fixes[0]!.isPreferred, true);

    const whole = { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } };
    const titles = codeActions(snapshot, facts(), whole).map((a) => a.title);
    assert.ok(titles.includes('Quote the template'), titles.join(' | '));
    assert.ok(titles.includes('Add "resource"'), titles.join(' | '));
    const silence = codeActions(snapshot, facts(), marked.ranges[0]!)[1]!;
    assert.deepEqual(silence.edit!.changes![uriOf(BASE)]![0]!.newText, '    # starsystem-disable-next-line unknown-service\n');
  });

  test('only quick fixes are offered, and only when asked for them', () => {
    const { snapshot, marked } = open({ base: `services:\n  api:\n    depends_on: [⟦wrker⟧]\n  worker:\n    command: x\n` });
    assert.deepEqual(codeActions(snapshot, facts(), marked.ranges[0]!, ['refactor']), []);
    assert.ok(codeActions(snapshot, facts(), marked.ranges[0]!, ['quickfix']).length > 0);
  });
});

describe('hover', () => {
  test('a field shows its schema description', () => {
    const { snapshot, marked } = open({ base: `services:\n  api:\n    comm│and: node api.js\n` });
    assert.match(hoverText(hover(snapshot, facts(), noState, marked.cursors[0]!)), /The command that runs the process/);
  });

  test('a vault reference says whether the key is set, never its value', () => {
    const base = `services:\n  api:\n    command: x\n    env:\n      A: "{{ vault('secrets.S│ET') }}"\n      B: "{{ vault('secrets.MIS│SING') }}"\n`;
    const { snapshot, marked } = open({ base });
    const f = facts({ vaultKeys: ['secrets.SET'] });
    assert.match(hoverText(hover(snapshot, f, noState, marked.cursors[0]!)), /Set in the vault/);
    assert.match(hoverText(hover(snapshot, f, noState, marked.cursors[1]!)), /Not set\. Set it with `ss vault set secrets\.MISSING`/);
  });

  test('a service id shows its merged declaration and plan row', () => {
    const files: Files = {
      base: `version: "2"\nservices:\n  db:\n    type: database\n  api:\n    type: process\n    command: node api.js\n    depends_on: [d│b]\n`,
      overlays: { prod: `version: "2"\nenvironment: prod\nservices:\n  db:\n    target:\n      type: neon\n      region: us-east-2\n` },
    };
    const { snapshot, marked } = open(files, { env: 'prod' });
    const text = hoverText(hover(snapshot, facts(), noState, marked.cursors[0]!));
    assert.match(text, /\*\*db\*\* · `\+ will create · neon`/);
    assert.match(text, /region: us-east-2/);
    assert.match(text, /starsystem\.prod\.yaml/);
  });
});

describe('navigation', () => {
  const files: Files = {
    base: `services:\n  ⟦db⟧:\n    command: pg\n  api:\n    command: x\n    depends_on: [⟦d│b⟧]\n  web:\n    command: y\n    depends_on:\n      - "⟦db⟧"\n`,
    overlays: { prod: `environment: prod\nservices:\n  ⟦db⟧:\n    command: pg-prod\n` },
  };

  test('definition of a reference is the declaration; of the declaration, the overlays', () => {
    const { snapshot, marked } = open(files);
    const prod = open(files, { doc: 'prod' }).marked;
    assert.deepEqual(definition(snapshot, facts(), marked.cursors[0]!), [{ uri: uriOf(BASE), range: marked.ranges[0] }]);
    assert.deepEqual(definition(snapshot, facts(), marked.ranges[0]!.start), [{ uri: uriOf(overlayPath('prod')), range: prod.ranges[0] }]);
    const fromOverlay = open(files, { doc: 'prod' });
    assert.deepEqual(definition(fromOverlay.snapshot, facts(), fromOverlay.marked.ranges[0]!.start), [{ uri: uriOf(BASE), range: marked.ranges[0] }]);
  });

  test('references across the base and its overlays (quotes excluded from the range)', () => {
    const { snapshot, marked } = open(files);
    const prod = open(files, { doc: 'prod' }).marked;
    const found = references(snapshot, facts(), marked.cursors[0]!, true)!;
    assert.deepEqual(found, [...marked.ranges.map((range) => ({ uri: uriOf(BASE), range })), { uri: uriOf(overlayPath('prod')), range: prod.ranges[0] }]);
    assert.equal(references(snapshot, facts(), marked.cursors[0]!, false)!.length, 3);
  });

  test('rename changes every occurrence in every file, and refuses a bad or taken name', () => {
    const { snapshot, marked } = open(files);
    assert.deepEqual(prepareRename(snapshot, marked.cursors[0]!), { range: marked.ranges[1], placeholder: 'db' });
    const edit = rename(snapshot, facts(), marked.cursors[0]!, 'database')!;
    assert.equal(edit.changes![uriOf(BASE)]!.length, 3);
    assert.equal(edit.changes![uriOf(overlayPath('prod'))]!.length, 1);
    assert.ok(edit.changes![uriOf(BASE)]!.every((e) => e.newText === 'database'));
    assert.throws(() => rename(snapshot, facts(), marked.cursors[0]!, 'api'), /already exists/);
    assert.throws(() => rename(snapshot, facts(), marked.cursors[0]!, 'no spaces'), /not a valid service id/);
    assert.throws(() => rename(snapshot, facts(), marked.cursors[0]!, '123'), /number/);
  });

  test('document symbols: the services, with their type', () => {
    const { snapshot } = open({ base: `services:\n  db:\n    type: database\n  api:\n    type: process\n    command: x\n` });
    assert.deepEqual(documentSymbols(snapshot).map((s) => [s.name, s.detail, s.selectionRange.start.line, s.range.end.line]), [
      ['db', 'database', 1, 2],
      ['api', 'process', 3, 5],
    ]);
    // A symbol ends at the service's last character, not after its line break.
    assert.deepEqual(documentSymbols(snapshot).map((s) => s.range.end.character), [18, 14]);
  });
});

describe('code lenses', () => {
  const base = `name: shop\nservices:\n  api:\n    type: process\n    command: node api.js\n  mail:\n    type: external\n`;
  const commands = { provisionService: 'x.provisionService', provisionAll: 'x.provisionAll', plan: 'x.plan' };

  test('Provision all and Plan above services:, a plan row and Provision service above each service', () => {
    const { snapshot } = open({ base });
    const f = facts({ commands });
    const lenses = codeLenses(snapshot, f);
    const titles = lenses.map((l) => (l.command ? l.command.title : `row:${l.range.start.line}`));
    assert.deepEqual(titles, ['Provision all', 'Plan', 'row:2', 'Provision service', 'row:5', 'Provision service']);
    assert.deepEqual(lenses[3]!.command!.arguments, [{ uri: uriOf(BASE), configPath: BASE, environment: 'local', serviceId: 'api' }]);
    const rows = lenses.filter((l) => !l.command).map((l) => resolveCodeLens(l, snapshot, f, noState).command!.title);
    assert.deepEqual(rows, ['+ will create · local-process', '• skipped: no provisioner']);
  });

  test('without command ids from the client, only the plan rows, as text', () => {
    const { snapshot } = open({ base });
    const lenses = codeLenses(snapshot, facts());
    assert.equal(lenses.length, 2);
    assert.deepEqual(resolveCodeLens(lenses[0]!, snapshot, facts(), noState).command, { title: '+ will create · local-process', command: '' });
  });

  test('a recorded local process: running while its pid and start time match, not running after it exits', () => {
    const { snapshot } = open({ base });
    const recorded = (pid: number, startTime: string | undefined): Map<string, ServiceState> =>
      new Map([
        [
          'api',
          {
            serviceId: 'api',
            provider: 'local-process',
            status: 'provisioned',
            updatedAt: new Date().toISOString(),
            record: { provider: 'local-process', resourceId: `pid-${pid}`, provisionedAt: new Date().toISOString(), metadata: { pid, startTime } },
          },
        ],
      ]);
    const lens = codeLenses(snapshot, facts())[0]!;
    const alive = recorded(process.pid, processStartTime(process.pid));
    assert.equal(resolveCodeLens(lens, snapshot, facts(), alive).command!.title, `~ running · pid ${process.pid}`);
    const exited = spawnSync(process.execPath, ['-e', '0']).pid!;
    assert.equal(resolveCodeLens(lens, snapshot, facts(), recorded(exited, '1')).command!.title, `~ not running (pid ${exited} exited) · will start · local-process`);
    // Our pid with another start time is some other process: never reported as ours.
    assert.match(resolveCodeLens(lens, snapshot, facts(), recorded(process.pid, '1')).command!.title, /not running/);
  });
});
