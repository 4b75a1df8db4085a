/**
 * The extension in a real editor, driven as a person would: the packaged .vsix installed in
 * code-server (VS Code 1.100 with a Node extension host, so the language server and the
 * engine run for real), Chromium driven by playwright-core, the quickstart example opened.
 * Each step saves a screenshot in .test-artifacts/e2e/editor/. Needs scripts/setup-e2e.sh.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { loadSystem } from '../../engine/config/load';
import type { SystemModel } from '../../engine/config/model';
import { destroy } from '../../engine/ops/index';
import { provisioners } from '../../engine/provisioners/index';
import { instanceMarker } from '../../engine/provisioners/local-process';
import { processesWithEnv, processMatches } from '../../engine/run/processes';
import { StateStore } from '../../engine/run/state';
import { launchBrowser, type Browser } from './harness/browser';
import { acquireEditorLock } from './harness/lock';
import { orderedSteps } from './harness/steps';
import { freePort, startCodeServer, type CodeServer } from './harness/codeServer';
import { copyExample } from './harness/example';
import { artifactsDir, projectRoot } from './harness/tools';
import { packagedExtension } from './harness/vsix';
import { SETTINGS_FOR_TYPING, Workbench } from './harness/workbench';

const example = process.env.STARSYSTEM_E2E_SYSTEM || join(projectRoot, 'examples', 'quickstart');
const artifacts = join(artifactsDir, 'e2e', 'editor');
const SECRET = `e2e-secret-${process.pid}-value`;
const SECRET_KEY = 'e2e.token';
/** A service typed in by the test whose health check never passes, so that its run can be cancelled. */
const SLOW = 'slow-start';

describe('the extension in code-server, driven through Chromium', { timeout: 600_000 }, () => {
  let releaseLock: (() => void) | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let workspaceDir: string;
  let home: string;
  let model: SystemModel;
  let target: string;
  const metrics: Record<string, number | string> = {};

  const step = orderedSteps(() => wb);

  before(async () => {
    releaseLock = await acquireEditorLock();
    rmSync(artifacts, { recursive: true, force: true });
    assert.ok(existsSync(join(example, 'starsystem.yaml')), `${example}/starsystem.yaml is missing`);
    workspaceDir = (await copyExample(example, 'starsystem-e2e-ws-')).dir;
    home = mkdtempSync(join(tmpdir(), 'starsystem-e2e-home-'));
    model = await loadSystem({ file: join(workspaceDir, 'starsystem.yaml'), registry: provisioners });
    // The service to provision from its CodeLens: a local process with a health check, fewest dependencies first.
    const candidates = model.services
      .filter((s) => s.provider === 'local-process' && s.declaration.health_check !== undefined)
      .sort((a, b) => a.dependsOn.length - b.dependsOn.length);
    assert.ok(candidates.length > 0, 'the example has no local process with a health check');
    target = candidates[0]!.id;
    server = await startCodeServer({
      extensions: [packagedExtension()],
      env: { STARSYSTEM_HOME: home },
      settings: SETTINGS_FOR_TYPING,
      keepLogsIn: join(artifacts, 'logs'),
    });
    browser = await launchBrowser();
    wb = new Workbench(browser.page, artifacts);
  });

  after(async () => {
    // Whatever the test provisioned is torn down by the engine itself, then everything the test started.
    if (home && workspaceDir) {
      await destroy({ file: join(workspaceDir, 'starsystem.yaml'), home, processEnv: { ...process.env, STARSYSTEM_HOME: home } }).catch(() => undefined);
    }
    await browser?.close();
    await server?.stop();
    const leftovers = model ? [...model.services.map((s) => s.id), SLOW].flatMap((id) => processesWithEnv('STARSYSTEM_INSTANCE', instanceMarker(home, model.project, model.env, id))) : [];
    for (const pid of leftovers) process.kill(pid, 'SIGKILL');
    if (Object.keys(metrics).length > 0) writeFileSync(join(artifacts, 'metrics.json'), JSON.stringify(metrics, null, 2) + '\n');
    rmSync(workspaceDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    releaseLock?.();
    assert.deepEqual(leftovers, [], 'processes of the system outlived the test');
  });

  step('opens the quickstart and shows the plan CodeLenses', async () => {
    await wb.open(server!.url(workspaceDir));
    await wb.screenshot('workbench');
    const opened = await wb.openFile('starsystem.yaml');
    metrics.openToEditorMs = Date.now() - opened;
    await wb.codeLenses().first().waitFor({ state: 'visible', timeout: 60_000 });
    metrics.openToFirstCodeLensMs = Date.now() - opened;
    await wb.codeLenses('Provision all').first().waitFor({ state: 'visible', timeout: 30_000 });
    await wb.codeLenses(/will create/).first().waitFor({ state: 'visible', timeout: 30_000 });
    const lenses = await wb.codeLenses().allInnerTexts();
    assert.ok(lenses.includes('Provision all'), `lenses: ${lenses.join(' | ')}`);
    assert.ok(lenses.includes('Plan'), `lenses: ${lenses.join(' | ')}`);
    assert.ok(lenses.filter((l) => l === 'Provision service').length >= model.services.filter((s) => s.provider).length, `lenses: ${lenses.join(' | ')}`);
    await wb.screenshot('plan-codelenses');
  });

  step('reports an unknown depends_on as it is typed', async () => {
    const text = readFileSync(join(workspaceDir, 'starsystem.yaml'), 'utf8').split('\n');
    const keyLine = text.findIndex((l) => new RegExp(`^\\s+${target}:\\s*$`).test(l));
    assert.ok(keyLine >= 0, `no line declares ${target}`);
    const indent = /^(\s*)/.exec(text[keyLine]!)![1]!.length + 2;
    // A new service below the target: its depends_on names a service that does not exist.
    let end = keyLine + 1;
    while (end < text.length && (text[end]!.trim() === '' || /^(\s*)/.exec(text[end]!)![1]!.length >= indent)) end++;
    while (end > keyLine + 1 && text[end - 1]!.trim() === '') end--;
    await wb.goToLineEnd(end);
    const pad = ' '.repeat(indent - 2);
    await wb.typeLines([`${pad}typo-check:`, `${pad}  type: process`, `${pad}  command: node -e 0`, `${pad}  depends_on: [no-such-service]`]);
    await wb.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'visible', timeout: 30_000 });
    const problems = await wb.waitForProblem('no-such-service');
    assert.ok(problems.some((p) => /no-such-service/.test(p) && /unknown-service/.test(p)), `problems: ${problems.join(' | ')}`);
    await wb.screenshot('unknown-depends-on');
    // Put the file back as it was, unsaved edits dropped.
    await wb.runCommand('File: Revert File');
    await wb.page.locator('.monaco-editor .squiggly-error').first().waitFor({ state: 'hidden', timeout: 30_000 });
  });

  step('sets a vault key through a password box', async () => {
    await wb.runCommand('Starsystem: Set Vault Key…');
    const key = SECRET_KEY;
    // With keys referenced in the file a picker comes first; "Another key…" leads to the name box.
    if (model.vaultReferences.length > 0) await wb.pick('Another key');
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: 'Set Vault Key' }).waitFor({ state: 'visible' });
    await wb.page.locator('.quick-input-widget .quick-input-box input').fill(key);
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.quick-input-widget .quick-input-title', { hasText: `value of ${key}` }).waitFor({ state: 'visible' });
    const box = wb.page.locator('.quick-input-widget .quick-input-box input');
    assert.equal(await box.getAttribute('type'), 'password');
    await box.fill(SECRET);
    await wb.screenshot('vault-password-box');
    await wb.page.keyboard.press('Enter');
    await wb.waitForNotification(/saved in the vault/);
    const vaultFiles = readdirSync(join(home, 'vault'), { recursive: true }).map(String);
    assert.ok(vaultFiles.some((f) => f.endsWith('.age')), `vault files: ${vaultFiles.join(', ')}`);
    await wb.clearNotifications();
  });

  step('provisions one service from its CodeLens and the tree turns healthy', async () => {
    await wb.openStarsystemView();
    await wb.waitForTreeRow(target, /not provisioned/);
    await wb.screenshot('services-before');
    // The "Provision service" lens right above the target's key line.
    const keyLine = wb.page.locator('.monaco-editor .view-line', { hasText: new RegExp(`^\\s*${target}:\\s*$`) }).first();
    const keyBox = await keyLine.boundingBox();
    assert.ok(keyBox, `the line of ${target} is not visible`);
    const lenses = wb.codeLenses('Provision service');
    let best = -1;
    let bestY = -Infinity;
    for (let i = 0; i < (await lenses.count()); i++) {
      const box = await lenses.nth(i).boundingBox();
      if (box && box.y < keyBox.y && box.y > bestY) {
        best = i;
        bestY = box.y;
      }
    }
    assert.ok(best >= 0, 'no Provision service lens above the service');
    await lenses.nth(best).click();
    await wb.waitForTreeRow(target, /, (starting|provisioning|queued|healthy)/, 30_000);
    const label = await wb.waitForTreeRow(target, /, healthy$/, 90_000);
    assert.match(label, /healthy/);
    assert.match(await wb.treeRowIcon(target), /codicon-pass-filled/);
    await wb.waitForNotification(/Provision .* completed/);
    await wb.screenshot('provisioned-healthy');
    await wb.clearNotifications();
  });

  step('detects drift from the command palette after the process dies', async () => {
    const state = await new StateStore(home, model.project, model.env).get(target);
    const pid = (state?.record?.metadata as { pid?: number } | undefined)?.pid;
    assert.ok(pid, 'no pid recorded');
    process.kill(-pid, 'SIGKILL');
    for (let i = 0; i < 50 && processMatches(pid, (state!.record!.metadata as { startTime?: string }).startTime); i++) await new Promise((r) => setTimeout(r, 100));
    await wb.runCommand('Starsystem: Detect Drift');
    const text = await wb.waitForNotification(/Drift detected/);
    assert.match(text, new RegExp(target));
    await wb.waitForTreeRow(target, /, dead, drifted$/);
    assert.match(await wb.treeRowIcon(target), /codicon-error/);
    await wb.screenshot('drift-detected');
    await wb.clearNotifications();
  });

  step('rolls back to a deploy picked from the history', async () => {
    await wb.runCommand('Starsystem: Roll Back…');
    const rows = await wb.quickPickRows();
    assert.ok(rows.length >= 1, 'no deploys listed');
    assert.match(rows[0]!, /provision · completed/);
    assert.match(rows[0]!, new RegExp(`Services: .*${target}`));
    await wb.screenshot('rollback-history');
    await wb.page.locator('.quick-input-widget .monaco-list-row').first().click();
    const dialog = await wb.dialogButton('Roll Back');
    assert.match(dialog, /Roll back/);
    await wb.waitForNotification(/Rolled back to/);
    await wb.screenshot('rolled-back');
    await wb.clearNotifications();
  });

  step('saves before a run, and Cancel in the progress notification aborts it', async () => {
    await wb.openFile('starsystem.yaml');
    const lines = readFileSync(join(workspaceDir, 'starsystem.yaml'), 'utf8').replace(/\n+$/, '').split('\n');
    const indent = /^(\s*)/.exec(lines.find((l) => new RegExp(`^\\s+${target}:`).test(l))!)![1]!;
    await wb.goToLineEnd(lines.length);
    const port = await freePort();
    await wb.typeLines([`${indent}${SLOW}:`, `${indent}  type: process`, `${indent}  command: sleep 300`, `${indent}  health_check: "http://127.0.0.1:${port}/never?token={{ vault('${SECRET_KEY}') }}"`]);
    await wb.page.locator('.tab.active.dirty').waitFor({ state: 'visible' });
    assert.ok(!readFileSync(join(workspaceDir, 'starsystem.yaml'), 'utf8').includes(SLOW), 'typed text reached the disk before the run');
    // Its "Provision service" lens (the last one in the file) appears once the server has seen the edit.
    const lens = wb.codeLenses('Provision service');
    const before = model.services.length;
    for (let i = 0; i < 300 && (await lens.count()) <= before; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await lens.count()) > before, `no "Provision service" CodeLens for ${SLOW} 30 s after it was typed`);
    const boxes = await Promise.all(Array.from({ length: await lens.count() }, (_, i) => lens.nth(i).boundingBox()));
    const last = boxes.reduce((best, box, i) => (box && (best < 0 || box.y > boxes[best]!.y) ? i : best), -1);
    await lens.nth(last).click();
    const progress = wb.notification(`Provision ${SLOW}`).first();
    await progress.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(readFileSync(join(workspaceDir, 'starsystem.yaml'), 'utf8').includes(SLOW), 'the run did not save the file first');
    await wb.waitForTreeRow(SLOW, /provisioning/, 30_000);
    // The health check URL carries the secret; the notification shows it masked.
    await progress.filter({ hasText: 'token=***' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(!(await progress.innerText()).includes(SECRET));
    await wb.screenshot('run-in-progress');
    await progress.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await wb.waitForNotification(/was cancelled/, 60_000);
    const state = await new StateStore(home, model.project, model.env).get(SLOW);
    assert.notEqual(state?.status, 'provisioned');
    await wb.waitForTreeRow(SLOW, /, (not provisioned|pending|failed|dead)/);
    await wb.screenshot('run-cancelled');
    await wb.clearNotifications();
  });

  step('writes every run to the Starsystem output channel, secrets masked', async () => {
    await wb.runCommand('Starsystem: Show Output');
    const visible = await wb.outputText();
    assert.match(visible, /cancelled/);
    await wb.screenshot('output-channel');
    // The channel as VS Code stores it: all of it, not only the visible lines.
    const logs = join(server!.dir, 'user-data', 'logs');
    const channel = readdirSync(logs, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('-Starsystem.log'))
      .map((f) => readFileSync(join(logs, f), 'utf8'))
      .join('\n');
    assert.match(channel, new RegExp(`✓ ${target} created`));
    assert.match(channel, new RegExp(`≠ ${target} drifted`));
    assert.match(channel, /Rolled back to/);
    assert.match(channel, new RegExp(`${SLOW}.*token=\\*\\*\\*`));
    assert.match(channel, /Language server ready (\d+) ms after activation/);
    assert.ok(!channel.includes(SECRET), 'the secret value reached the output channel');
    metrics.activationToServerReadyMs = Number(/Language server ready (\d+) ms/.exec(channel)![1]);
  });

  step('destroys after a modal that names what goes', async () => {
    await wb.runCommand('Starsystem: Destroy…');
    const dialog = await wb.dialogButton('Destroy');
    assert.match(dialog, new RegExp(target));
    await wb.waitForNotification(/Destroy completed/);
    await wb.waitForTreeRow(target, /not provisioned/);
    assert.equal(await new StateStore(home, model.project, model.env).get(target), undefined);
    await wb.screenshot('destroyed');
  });
});
