/**
 * Workspace trust and the first-run experience in a real editor: in a folder without a
 * starsystem.yaml the Services view offers to create one; in an untrusted workspace the
 * editing features work and no command runs anything, each saying why.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe } from 'node:test';
import { launchBrowser, type Browser } from './harness/browser';
import { acquireEditorLock } from './harness/lock';
import { orderedSteps } from './harness/steps';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { artifactsDir } from './harness/tools';
import { packagedExtension } from './harness/vsix';
import { Workbench } from './harness/workbench';

const artifacts = join(artifactsDir, 'e2e', 'trust');

describe('an untrusted folder without a starsystem.yaml', { timeout: 300_000 }, () => {
  let releaseLock: (() => void) | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let wb: Workbench;
  let folder: string;
  let home: string;

  const step = orderedSteps(() => wb);

  before(async () => {
    releaseLock = await acquireEditorLock();
    rmSync(artifacts, { recursive: true, force: true });
    folder = mkdtempSync(join(tmpdir(), 'starsystem-trust-ws-'));
    home = mkdtempSync(join(tmpdir(), 'starsystem-trust-home-'));
    server = await startCodeServer({
      extensions: [packagedExtension()],
      workspaceTrust: true,
      settings: { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.untrustedFiles': 'open' },
      env: { STARSYSTEM_HOME: home },
      keepLogsIn: join(artifacts, 'logs'),
    });
    browser = await launchBrowser();
    wb = new Workbench(browser.page, artifacts);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(folder, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
    releaseLock?.();
  });

  step('the Services view offers to create starsystem.yaml', async () => {
    await wb.open(server!.url(folder));
    await wb.page.locator('.statusbar-item', { hasText: 'Restricted Mode' }).first().waitFor({ state: 'visible', timeout: 30_000 });
    await wb.openStarsystemView();
    const welcome = wb.page.locator('.part.sidebar .welcome-view-content');
    await welcome.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await welcome.innerText(), /No starsystem\.yaml in this workspace/);
    await wb.screenshot('welcome-view');
    await welcome.locator('.monaco-button', { hasText: 'Create starsystem.yaml' }).click();
    await wb.page.locator('.tab.active', { hasText: 'starsystem.yaml' }).waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok(existsSync(join(folder, 'starsystem.yaml')));
  });

  step('editing features work in restricted mode: CodeLenses and the tree', async () => {
    await wb.codeLenses(/will create/).first().waitFor({ state: 'visible', timeout: 60_000 });
    await wb.waitForTreeRow('web', /not provisioned/);
    await wb.screenshot('restricted-mode-editing');
  });

  step('Provision All explains that nothing runs in an untrusted workspace', async () => {
    await wb.runCommand('Starsystem: Provision All');
    const text = await wb.waitForNotification(/untrusted workspace/);
    assert.match(text, /does not provision/);
    await wb.screenshot('provision-refused');
    await wb.clearNotifications();
  });

  step('so do Detect Drift, Roll Back and Destroy, and nothing was run or recorded', async () => {
    for (const [command, says] of [
      ['Starsystem: Detect Drift', /does not check for drift/],
      ['Starsystem: Roll Back…', /does not roll back/],
      ['Starsystem: Destroy…', /does not destroy anything/],
    ] as const) {
      await wb.runCommand(command);
      await wb.waitForNotification(says);
      await wb.clearNotifications();
    }
    assert.deepEqual(readdirSync(home).filter((d) => d === 'state' || d === 'history' || d === 'logs'), []);
  });
});
