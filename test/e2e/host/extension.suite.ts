/**
 * Extension-host tests: the commands and the Services view, called through VS Code's own
 * API inside a running editor, against the quickstart example with real processes.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite, suiteSetup, suiteTeardown, test } from 'mocha';
import { commands, extensions, MarkdownString, Position, ThemeColor, ThemeIcon, Uri, window, workspace, WorkspaceEdit, type TreeItem } from 'vscode';
import type { StarsystemApi } from '../../../client/extension';
import type { ServicesNode } from '../../../client/servicesTree';
import type { SystemModel } from '../../../engine/config/model';
import { destroy, type DriftReport, type ProvisionRun, type StatusReport } from '../../../engine/ops/index';
import { processMatches } from '../../../engine/run/processes';
import { StateStore } from '../../../engine/run/state';
import { activated, configPath, eventually, EXTENSION_ID, home, loadModel } from './context';

let api: StarsystemApi;
let model: SystemModel;
/** A local process with a health check and the fewest dependencies: what the run tests provision. */
let target: string;

function serviceNodes(): Extract<ServicesNode, { kind: 'service' }>[] {
  return api.tree.getChildren().filter((n): n is Extract<ServicesNode, { kind: 'service' }> => n.kind === 'service');
}

function item(serviceId: string): { node: Extract<ServicesNode, { kind: 'service' }>; item: TreeItem } {
  const node = serviceNodes().find((n) => n.service.id === serviceId);
  assert.ok(node, `no tree item for ${serviceId}`);
  return { node, item: api.tree.getTreeItem(node) };
}

function iconOf(treeItem: TreeItem): { id: string; color?: string } {
  const icon = treeItem.iconPath as ThemeIcon;
  assert.ok(icon instanceof ThemeIcon, 'a theme icon');
  return { id: icon.id, color: (icon.color as ThemeColor | undefined)?.id };
}

async function refreshed(): Promise<void> {
  await api.tree.setSystem(configPath());
  await api.tree.refresh();
}

suiteSetup(async () => {
  api = await activated();
  model = await loadModel();
  const candidates = model.services
    .filter((s) => s.provider === 'local-process' && s.declaration.health_check !== undefined)
    .sort((a, b) => a.dependsOn.length - b.dependsOn.length);
  assert.ok(candidates.length > 0, 'the example needs a local process with a health check');
  target = candidates[0]!.id;
});

suiteTeardown(async () => {
  await destroy({ file: configPath(), home: home() }).catch(() => undefined);
});

suite('activation', () => {
  test('the language server answers initialize and the time it took is recorded', () => {
    assert.equal(typeof api.timings.activationToServerReadyMs, 'number');
    assert.ok(api.timings.activationToServerReadyMs! > 0);
  });

  test('every command the manifest contributes is registered, under the Starsystem category', async () => {
    const manifest = extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { commands: { command: string; category: string }[] } };
    const registered = new Set(await commands.getCommands(true));
    for (const c of manifest.contributes.commands) {
      assert.ok(registered.has(c.command), `${c.command} is not registered`);
      assert.equal(c.category, 'Starsystem');
    }
  });

  test('the status bar item shows the active environment', async () => {
    await eventually('the status bar text', () => api.statusBar.text.includes('local') && api.statusBar.text);
  });
});

suite('the Services view before anything runs', () => {
  test('lists every declared service in dependency order', async () => {
    await refreshed();
    assert.deepEqual(serviceNodes().map((n) => n.service.id), model.order);
  });

  test('tells not provisioned and skipped apart, with icons, descriptions, tooltips and context values', async () => {
    await refreshed();
    for (const service of model.services) {
      const { node, item: treeItem } = item(service.id);
      const label = treeItem.accessibilityInformation?.label ?? '';
      if (service.provider) {
        assert.equal(node.service.health, 'not-provisioned');
        assert.deepEqual(iconOf(treeItem), { id: 'circle-large-outline', color: 'disabledForeground' });
        assert.match(String(treeItem.description), new RegExp(service.provider));
        assert.match(treeItem.contextValue ?? '', /\bprovisionable\b/);
        assert.doesNotMatch(treeItem.contextValue ?? '', /\bstoppable\b/);
        assert.equal(label, `${service.id}, not provisioned`);
      } else {
        assert.equal(node.service.health, 'skipped');
        assert.deepEqual(iconOf(treeItem), { id: 'circle-slash', color: 'disabledForeground' });
        assert.doesNotMatch(treeItem.contextValue ?? '', /\bprovisionable\b/);
      }
      assert.ok(treeItem.tooltip instanceof MarkdownString);
      assert.match((treeItem.tooltip as MarkdownString).value, new RegExp(service.id));
    }
  });
});

suite('runs', () => {
  test('Provision Service with a CodeLens argument provisions the service and what it depends on, nothing else', async () => {
    const uri = Uri.file(configPath()).toString();
    const run = (await commands.executeCommand('starsystem.provisionService', { uri, configPath: configPath(), environment: 'local', serviceId: target })) as ProvisionRun;
    assert.equal(run.status, 'completed', JSON.stringify(run.services));
    const expected = new Set([target]);
    const visit = (id: string) => model.byId.get(id)!.dependsOn.forEach((d) => (expected.add(d), visit(d)));
    visit(target);
    assert.deepEqual(new Set(run.services.map((s) => s.serviceId)), expected);
  });

  test('the provisioned service turns healthy in the tree, with its URL, last deploy, log and stop actions', async () => {
    await refreshed();
    const { node, item: treeItem } = item(target);
    assert.equal(node.service.health, 'healthy');
    assert.deepEqual(iconOf(treeItem), { id: 'pass-filled', color: 'charts.green' });
    assert.match(String(treeItem.description), /local-process · pid \d+/);
    assert.match(treeItem.contextValue ?? '', /\bstoppable\b/);
    assert.match(treeItem.contextValue ?? '', /\bhasLog\b/);
    const children = api.tree.getChildren(node);
    const url = children.find((c) => c.kind === 'url');
    assert.ok(url && url.kind === 'url' && /^https?:\/\//.test(url.url), 'a URL child');
    const deploy = children.find((c) => c.kind === 'deploy');
    assert.ok(deploy, 'a last deploy child');
    assert.match(String(api.tree.getTreeItem(deploy).label), /^Last deploy [0-9a-f]{8}$/);
    assert.match(String(api.tree.getTreeItem(deploy).description), /completed/);
  });

  test('a run saves the modified starsystem file first', async () => {
    const document = await workspace.openTextDocument(Uri.file(configPath()));
    await window.showTextDocument(document);
    const edit = new WorkspaceEdit();
    const marker = `# saved before the run ${Date.now()}`;
    edit.insert(document.uri, new Position(document.lineCount, 0), `${marker}\n`);
    assert.ok(await workspace.applyEdit(edit));
    assert.ok(document.isDirty);
    const run = (await commands.executeCommand('starsystem.provisionService', { configPath: configPath(), serviceId: target })) as ProvisionRun;
    assert.equal(run.status, 'completed');
    assert.equal(document.isDirty, false);
    assert.ok(readFileSync(configPath(), 'utf8').includes(marker));
  });

  test('Check Status reports the provisioned service healthy', async () => {
    const report = (await commands.executeCommand('starsystem.checkStatus')) as StatusReport;
    const row = report.services.find((s) => s.serviceId === target);
    assert.equal(row?.health, 'healthy');
  });

  test('Show Plan is a dry run: the provisioned service is to be verified, the others created', async () => {
    const run = (await commands.executeCommand('starsystem.showPlan')) as ProvisionRun;
    assert.equal(run.dryRun, true);
    assert.equal(run.plan.rows.find((r) => r.serviceId === target)?.action, 'verify');
  });

  test('Validate counts the problems of the saved files', async () => {
    const result = (await commands.executeCommand('starsystem.validate')) as { errors: number; warnings: number };
    assert.equal(result.errors, 0);
  });

  test('Detect Drift marks a service whose process died', async () => {
    const state = await new StateStore(home(), model.project, model.env).get(target);
    const metadata = state!.record!.metadata as { pid: number; startTime: string };
    process.kill(-metadata.pid, 'SIGKILL');
    await eventually('the process to die', () => !processMatches(metadata.pid, metadata.startTime));
    const report = (await commands.executeCommand('starsystem.detectDrift')) as DriftReport;
    assert.equal(report.exitCode, 2);
    assert.equal(report.services.find((s) => s.serviceId === target)?.state, 'drifted');
    await api.tree.refresh();
    const { node, item: treeItem } = item(target);
    assert.equal(node.service.health, 'dead');
    assert.deepEqual(iconOf(treeItem), { id: 'error', color: 'charts.red' });
    assert.match(treeItem.contextValue ?? '', /\bdrifted\b/);
    assert.match(treeItem.accessibilityInformation?.label ?? '', /, dead, drifted$/);
    assert.equal(api.tree.provideFileDecoration(treeItem.resourceUri!, { isCancellationRequested: false } as never)?.badge, 'D');
    assert.ok(api.tree.getChildren(node).some((c) => c.kind === 'drift'));
  });

  test('provisioning again clears the drift mark', async () => {
    const run = (await commands.executeCommand('starsystem.provisionService', { configPath: configPath(), serviceId: target })) as ProvisionRun;
    assert.equal(run.services.find((s) => s.serviceId === target)?.outcome, 'restarted');
    await api.tree.refresh();
    const { item: treeItem } = item(target);
    assert.doesNotMatch(treeItem.contextValue ?? '', /\bdrifted\b/);
    assert.match(treeItem.accessibilityInformation?.label ?? '', /, healthy$/);
  });

  test('Stop Service stops a lone local process without asking', async () => {
    // Nothing that depends on the target is recorded, so stopping it stops it alone (no modal).
    const { node } = item(target);
    const pid = node.service.pid!;
    assert.ok(pid > 0);
    await commands.executeCommand('starsystem.stopService', node);
    await refreshed();
    assert.equal(item(target).node.service.health, 'not-provisioned');
    assert.throws(() => process.kill(pid, 0));
  });
});

suite('the command palette', () => {
  test('Provision Service from the palette asks which service, listing them with their plan rows', async () => {
    const running = commands.executeCommand('starsystem.provisionService') as Thenable<ProvisionRun>;
    // The quick pick lists the services in dependency order; accept the first, as Enter would.
    await new Promise((r) => setTimeout(r, 1000));
    await commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    const run = await running;
    assert.equal(run.status, 'completed');
    assert.ok(run.services.some((s) => s.serviceId === model.order[0] && s.outcome !== 'skipped'));
  });
});

suite('settings', () => {
  test('Select Environment switches the status bar, the view and the runs to the overlay', async () => {
    const overlay = join(dirname(configPath()), 'starsystem.hosttest.yaml');
    writeFileSync(overlay, `environment: hosttest\nservices: {}\n`);
    try {
      await commands.executeCommand('starsystem.selectEnvironment', 'hosttest');
      assert.equal(workspace.getConfiguration('starsystem').get('environment'), 'hosttest');
      await eventually('the status bar to show hosttest', () => api.statusBar.text.includes('hosttest'));
      await eventually('the view to show hosttest', async () => (await refreshed(), api.tree.snapshot?.env === 'hosttest'));
      const plan = (await commands.executeCommand('starsystem.showPlan')) as ProvisionRun;
      assert.equal(plan.env, 'hosttest');
    } finally {
      await commands.executeCommand('starsystem.selectEnvironment', 'local');
      rmSync(overlay, { force: true });
    }
    assert.equal(workspace.getConfiguration('starsystem').get('environment'), '');
    await eventually('the status bar to show local', () => api.statusBar.text.includes('local'));
  });

  test('statusRefreshSeconds polls only while the Services view is visible', async () => {
    const config = workspace.getConfiguration('starsystem');
    await commands.executeCommand('workbench.view.explorer');
    try {
      await config.update('statusRefreshSeconds', 1, true);
      await eventually('the view to be hidden, not polling', () => !api.tree.polling);
      await commands.executeCommand('starsystem.services.focus');
      await eventually('polling while visible', () => api.tree.polling);
      await commands.executeCommand('workbench.view.explorer');
      await eventually('no polling once hidden', () => !api.tree.polling);
      await commands.executeCommand('starsystem.services.focus');
      await eventually('polling again', () => api.tree.polling);
      await config.update('statusRefreshSeconds', 0, true);
      await eventually('no polling when off', () => !api.tree.polling);
    } finally {
      await config.update('statusRefreshSeconds', undefined, true);
    }
  });
});
