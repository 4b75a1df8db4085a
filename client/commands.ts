/**
 * Every command of the extension. Each returns what it did (an engine result, or why it
 * did not run) so that callers, keybindings and tests can tell; people see notifications
 * and the output channel.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { commands, ConfigurationTarget, Uri, window, workspace, type Disposable } from 'vscode';
import { renderDiagnostic, renderPlan } from '../engine/cli/render';
import { loadSystem } from '../engine/config/load';
import type { SystemModel } from '../engine/config/model';
import { compareDiagnostics } from '../engine/diagnostics';
import {
  destroy,
  drift,
  listReceipts,
  provision,
  rollback,
  status,
  type DestroyPlan,
  type DestroyRun,
  type DriftReport,
  type ProvisionRun,
  type RollbackResult,
  type StatusReport,
} from '../engine/ops/index';
import { buildPlan } from '../engine/plan/plan';
import { provisioners } from '../engine/provisioners/index';
import { formatDuration } from '../engine/run/duration';
import { StateStore } from '../engine/run/state';
import { listVaultKeys } from '../engine/vault/store';
import type { Engine } from './engine';
import { PLAIN_STYLE, type StarsystemOutput } from './output';
import { askSecretValue, pickEnvironment, pickReceipt, pickService, pickVaultKey } from './pickers';
import { isNotRun, Runs, type NotRun } from './runs';
import type { ServicesNode, ServicesTree } from './servicesTree';
import { DEFAULT_ENVIRONMENT } from './settings';
import { baseFileOf, overlayEnvironments, Systems } from './systems';

export interface CommandContext {
  engine: Engine;
  systems: Systems;
  runs: Runs;
  tree: ServicesTree;
  output: StarsystemOutput;
}

/** What a command was aimed at: from a CodeLens, a tree item, or nothing (the palette). */
export interface CommandTarget {
  configPath?: string;
  serviceId?: string;
  env?: string;
}

/**
 * Reads a command's arguments: a Services view node; a CodeLens's `{ uri, serviceId, env }`
 * (or the same as positional arguments); or a URI of the file.
 */
export function targetOf(args: unknown[]): CommandTarget {
  const [first, second, third] = args;
  if (isServicesNode(first)) {
    if (first.kind === 'service') return { configPath: first.snapshot.configPath, serviceId: first.service.id, env: first.snapshot.env };
    return {};
  }
  const pathOf = (value: unknown): string | undefined => {
    if (value instanceof Uri) return value.scheme === 'file' ? value.fsPath : undefined;
    if (typeof value === 'string' && value !== '') return value.startsWith('file:') ? Uri.parse(value).fsPath : value;
    return undefined;
  };
  if (first && typeof first === 'object' && !(first instanceof Uri)) {
    const o = first as Record<string, unknown>;
    const path = pathOf(o.configPath ?? o.uri ?? o.file);
    return {
      configPath: path ? baseFileOf(path) : undefined,
      serviceId: typeof o.serviceId === 'string' ? o.serviceId : typeof o.service === 'string' ? o.service : undefined,
      env: typeof o.env === 'string' ? o.env : typeof o.environment === 'string' ? o.environment : undefined,
    };
  }
  const path = pathOf(first);
  return {
    configPath: path ? baseFileOf(path) : undefined,
    serviceId: typeof second === 'string' ? second : undefined,
    env: typeof third === 'string' ? third : undefined,
  };
}

function isServicesNode(value: unknown): value is ServicesNode {
  return typeof value === 'object' && value !== null && 'kind' in value && typeof (value as { kind: unknown }).kind === 'string' && ('service' in value || 'text' in value);
}

export function registerCommands(ctx: CommandContext): Disposable[] {
  const register = (id: string, handler: (...args: unknown[]) => Promise<unknown> | unknown) =>
    commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        return ctx.runs.reportError(id.replace('starsystem.', ''), error);
      }
    });
  const c = new StarsystemCommands(ctx);
  return [
    register('starsystem.provisionAll', (...a) => c.provisionAll(targetOf(a))),
    register('starsystem.provisionService', (...a) => c.provisionService(targetOf(a))),
    register('starsystem.showPlan', (...a) => c.showPlan(targetOf(a))),
    register('starsystem.checkStatus', (...a) => c.checkStatus(targetOf(a))),
    register('starsystem.detectDrift', (...a) => c.detectDrift(targetOf(a))),
    register('starsystem.rollBack', (...a) => c.rollBack(targetOf(a))),
    register('starsystem.destroy', (...a) => c.destroy(targetOf(a))),
    register('starsystem.validate', (...a) => c.validate(targetOf(a))),
    register('starsystem.setVaultKey', (...a) => c.setVaultKey(typeof a[0] === 'string' ? a[0] : undefined)),
    register('starsystem.selectEnvironment', (...a) => c.selectEnvironment(typeof a[0] === 'string' ? a[0] : undefined)),
    register('starsystem.showOutput', () => ctx.output.show(false)),
    register('starsystem.refresh', () => c.refresh()),
    register('starsystem.openLog', (...a) => c.openLog(a[0])),
    register('starsystem.stopService', (...a) => c.stopService(targetOf(a))),
    register('starsystem.createConfig', () => c.createConfig()),
  ];
}

class StarsystemCommands {
  constructor(private readonly ctx: CommandContext) {}

  private get output(): StarsystemOutput {
    return this.ctx.output;
  }

  /** The system a command acts on, or a NotRun that says why there is none. */
  private async system(target: CommandTarget): Promise<string | NotRun> {
    const path = await this.ctx.systems.pick(target.configPath);
    if (path) return path;
    void window.showInformationMessage('Starsystem: no starsystem.yaml in this workspace.', 'Create starsystem.yaml').then((choice) => {
      if (choice) void commands.executeCommand('starsystem.createConfig');
    });
    return { notRun: 'no-system' };
  }

  /** The environment of a lens (an overlay's own) wins over the selected one. */
  private envOverride(target: CommandTarget): { env?: string } {
    if (!target.env) return {};
    return { env: target.env === DEFAULT_ENVIRONMENT && !this.ctx.engine.settings().environment ? undefined : target.env };
  }

  private async loadModel(configPath: string, target: CommandTarget = {}): Promise<SystemModel> {
    const settings = this.ctx.engine.settings();
    const override = this.envOverride(target);
    const env = 'env' in override ? override.env : settings.environment || undefined;
    const keys = new Set(await listVaultKeys(settings.home).catch(() => [] as string[]));
    return loadSystem({ file: configPath, env, registry: provisioners, vaultHas: (k) => keys.has(k) });
  }

  async provisionAll(target: CommandTarget): Promise<ProvisionRun | NotRun> {
    if (!Runs.trusted('provision')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    const count = this.ctx.tree.snapshot?.configPath === configPath ? this.ctx.tree.snapshot.services.length : undefined;
    const result = await this.ctx.runs.run({
      title: 'Provision All',
      configPath,
      env: target.env,
      expectedServices: count,
      followInTree: true,
      run: (options) => provision({ ...options, ...this.envOverride(target), concurrency: this.ctx.engine.settings().concurrency }),
    });
    if (!isNotRun(result)) this.reportProvision('Provision All', result);
    return result;
  }

  async provisionService(target: CommandTarget): Promise<ProvisionRun | NotRun> {
    if (!Runs.trusted('provision')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    let serviceId = target.serviceId;
    if (!serviceId) {
      // The list comes from the files as the run will read them: saved.
      const saved = await this.ctx.runs.saveSystem(configPath);
      if (!saved.ok) return { notRun: 'not-saved', message: saved.file };
      const model = await this.loadModel(configPath, target);
      const stored = await new StateStore(this.ctx.engine.settings().home, model.project, model.env).all();
      serviceId = await pickService(buildPlan(model, provisioners, stored).rows, 'Starsystem: Provision Service');
      if (!serviceId) return { notRun: 'cancelled' };
    }
    const id = serviceId;
    const result = await this.ctx.runs.run({
      title: `Provision ${id}`,
      configPath,
      env: target.env,
      followInTree: true,
      run: (options) => provision({ ...options, ...this.envOverride(target), services: [id], concurrency: this.ctx.engine.settings().concurrency }),
    });
    if (!isNotRun(result)) this.reportProvision(`Provision ${id}`, result);
    return result;
  }

  private reportProvision(title: string, run: ProvisionRun): void {
    const s = run.summary;
    const parts = [
      s.created && `${s.created} created`,
      s.restarted && `${s.restarted} restarted`,
      s.updated && `${s.updated} updated`,
      s.verified && `${s.verified} verified`,
      s.skipped && `${s.skipped} skipped`,
      s.failed && `${s.failed} failed`,
      s.notStarted && `${s.notStarted} not started`,
      s.orphans && `${s.orphans} no longer declared`,
    ].filter(Boolean);
    const line = `${title} ${run.status} in ${formatDuration(run.durationMs)}: ${parts.join(', ') || 'nothing to do'}.`;
    this.output.log(line);
    for (const w of run.warnings) this.output.log(`warning: ${w}`);
    if (run.status === 'completed') {
      void window.showInformationMessage(`Starsystem: ${line}`);
      return;
    }
    const failed = run.services.filter((r) => r.outcome === 'failed').map((r) => `${r.serviceId} (${r.message ?? 'failed'})`);
    const message = run.status === 'cancelled' ? `Starsystem: ${title} was cancelled. ${parts.join(', ')}.` : `Starsystem: ${title} failed: ${failed.join('; ') || parts.join(', ')}.`;
    void window.showErrorMessage(this.ctx.engine.redactor.redact(message), 'Show Output').then((choice) => {
      if (choice) this.output.show();
    });
  }

  async showPlan(target: CommandTarget): Promise<ProvisionRun | NotRun> {
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    const saved = await this.ctx.runs.saveSystem(configPath);
    if (!saved.ok) return { notRun: 'not-saved', message: saved.file };
    try {
      // A dry run: the same plan `ss plan` prints, nothing changed, no lock taken.
      const run = await provision({ ...this.ctx.engine.options(configPath), ...this.envOverride(target), dryRun: true });
      this.output.heading(`Plan · ${configPath} (${run.env})`);
      this.output.block(renderPlan(run.plan, this.workspaceRoot(), PLAIN_STYLE));
      this.output.show();
      return run;
    } catch (error) {
      return this.ctx.runs.reportError('Show Plan', error);
    }
  }

  async checkStatus(target: CommandTarget): Promise<StatusReport | NotRun> {
    if (!Runs.trusted('check health')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    const result = await this.ctx.runs.run({
      title: 'Check Status',
      configPath,
      run: (options) => status({ ...options, ...this.envOverride(target) }),
    });
    if (isNotRun(result)) return result;
    const counts = new Map<string, string[]>();
    for (const s of result.services) counts.set(s.health, [...(counts.get(s.health) ?? []), s.serviceId]);
    const line = [...counts].map(([health, ids]) => `${ids.length} ${health}${health === 'healthy' || health === 'running' ? '' : ` (${ids.join(', ')})`}`).join(', ');
    this.output.log(`Status: ${line || 'no services'}.`);
    if (result.ok) void window.showInformationMessage(`Starsystem: ${line || 'no services'}.`);
    else void window.showWarningMessage(`Starsystem: ${line}.`, 'Show Output').then((c) => c && this.output.show());
    return result;
  }

  async detectDrift(target: CommandTarget): Promise<DriftReport | NotRun> {
    if (!Runs.trusted('check for drift')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    const result = await this.ctx.runs.run({
      title: 'Detect Drift',
      configPath,
      run: (options) => drift({ ...options, ...this.envOverride(target) }),
    });
    if (isNotRun(result)) return result;
    this.ctx.tree.applyDrift(configPath, result);
    const drifted = result.services.filter((s) => s.state === 'drifted');
    for (const s of drifted) {
      this.output.log(`≠ ${s.serviceId} drifted (${s.health})`);
      for (const f of s.findings) this.output.line(`    ${f.field}: ${f.message}`);
    }
    for (const s of result.services.filter((x) => x.state === 'error')) this.output.log(`? ${s.serviceId} could not be checked: ${s.message ?? ''}`);
    const checked = result.services.filter((s) => s.state !== 'skipped').length;
    if (result.exitCode === 0) {
      this.output.log(`No drift: ${checked} service${checked === 1 ? '' : 's'} match what is recorded.`);
      void window.showInformationMessage(`Starsystem: no drift. ${checked} service${checked === 1 ? '' : 's'} match what is recorded and declared.`);
      return result;
    }
    const summary = drifted.map((s) => `${s.serviceId} (${s.findings.map((f) => f.message).join('; ')})`).join(', ');
    const message = drifted.length
      ? `Drift detected in ${drifted.length} of ${checked} service${checked === 1 ? '' : 's'}: ${summary}.`
      : `Drift could not be checked for ${result.errors} service${result.errors === 1 ? '' : 's'}.`;
    this.output.log(message);
    const ids = drifted.map((s) => s.serviceId);
    void window.showWarningMessage(`Starsystem: ${this.ctx.engine.redactor.redact(message)}`, ...(ids.length ? ['Provision Drifted'] : []), 'Show Output').then((choice) => {
      if (choice === 'Show Output') this.output.show();
      else if (choice === 'Provision Drifted') void this.provisionServices(configPath, ids, target);
    });
    return result;
  }

  private async provisionServices(configPath: string, ids: string[], target: CommandTarget): Promise<ProvisionRun | NotRun> {
    const title = `Provision ${ids.join(', ')}`;
    const result = await this.ctx.runs.run({
      title,
      configPath,
      followInTree: true,
      run: (options) => provision({ ...options, ...this.envOverride(target), services: ids, concurrency: this.ctx.engine.settings().concurrency }),
    });
    if (!isNotRun(result)) this.reportProvision(title, result);
    return result;
  }

  async rollBack(target: CommandTarget & { receiptId?: string }): Promise<RollbackResult | NotRun> {
    if (!Runs.trusted('roll back')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    const { receipts, project, env } = await listReceipts({ ...this.ctx.engine.options(configPath), ...this.envOverride(target) });
    const candidates = receipts.filter((r) => r.operation !== 'rollback' || r.status === 'completed');
    if (candidates.length === 0) {
      void window.showInformationMessage(`Starsystem: no deploys are recorded for ${project} (${env}) yet.`);
      return { notRun: 'cancelled' };
    }
    const chosen = await pickReceipt(candidates, `Starsystem: Roll Back ${project} (${env})`);
    if (!chosen) return { notRun: 'cancelled' };
    const confirm = await window.showWarningMessage(
      `Roll back ${project} (${env}) to ${chosen.id.slice(0, 8)}?`,
      {
        modal: true,
        detail: `The vault credentials and the overlay's _state blocks go back to what they were after that ${chosen.operation} (${chosen.startedAt}). Nothing is re-provisioned: you are told what to deploy again.`,
      },
      'Roll Back',
    );
    if (confirm !== 'Roll Back') return { notRun: 'cancelled' };
    const result = await this.ctx.runs.run({
      title: `Roll Back to ${chosen.id.slice(0, 8)}`,
      configPath,
      run: (options) => rollback({ ...options, ...this.envOverride(target), to: chosen.id }),
    });
    if (isNotRun(result)) return result;
    const restored = result.credentials.restored.length + result.credentials.removed.length;
    const line =
      `Rolled back to ${chosen.id.slice(0, 8)}: ${restored} credential${restored === 1 ? '' : 's'} restored` +
      `${result.overlay.services.length ? `, _state of ${result.overlay.services.join(', ')}` : ''}.` +
      (result.redeploy.length ? ` Deploy again to converge: ${result.redeploy.join(', ')}.` : ' Nothing needs deploying again.');
    this.output.log(line);
    for (const key of [...result.credentials.restored, ...result.credentials.removed]) this.output.line(`    ${key}`);
    for (const w of result.warnings) this.output.log(`warning: ${w}`);
    const redeploy = result.redeploy;
    void window.showInformationMessage(`Starsystem: ${line}`, ...(redeploy.length ? ['Provision Those'] : [])).then((choice) => {
      if (choice) void this.provisionServices(configPath, redeploy, target);
    });
    return result;
  }

  async destroy(target: CommandTarget): Promise<DestroyRun | NotRun> {
    if (!Runs.trusted('destroy anything')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    return this.destroyServices(configPath, target.serviceId ? [target.serviceId] : undefined, target, 'Destroy');
  }

  async stopService(target: CommandTarget): Promise<DestroyRun | NotRun> {
    if (!Runs.trusted('stop services')) return { notRun: 'untrusted' };
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    if (!target.serviceId) return { notRun: 'cancelled' };
    return this.destroyServices(configPath, [target.serviceId], target, 'Stop');
  }

  /** Destroys after a modal that names everything that goes; Stop of a lone local process needs no modal. */
  private async destroyServices(configPath: string, services: string[] | undefined, target: CommandTarget, verb: 'Destroy' | 'Stop'): Promise<DestroyRun | NotRun> {
    const preview = await destroy({ ...this.ctx.engine.options(configPath), ...this.envOverride(target), services, dryRun: true });
    if (preview.plan.targets.length === 0) {
      void window.showInformationMessage(`Starsystem: nothing is recorded for ${services ? services.join(', ') : preview.project} (${preview.env}), so there is nothing to ${verb.toLowerCase()}.`);
      return preview;
    }
    const lone = verb === 'Stop' && preview.plan.targets.length === 1 && preview.plan.targets[0]!.provider === 'local-process';
    if (!lone && !(await this.confirmDestroy(preview.plan, verb))) return { notRun: 'cancelled' };
    const confirmed = new Set(preview.plan.targets.map((t) => t.serviceId));
    this.ctx.tree.markStopping([...confirmed]);
    const result = await this.ctx.runs.run({
      title: `${verb} ${services ? services.join(', ') : 'All'}`,
      configPath,
      expectedServices: confirmed.size,
      followInTree: true,
      run: (options) =>
        destroy({
          ...options,
          ...this.envOverride(target),
          services,
          concurrency: this.ctx.engine.settings().concurrency,
          // Whatever was recorded since the modal must not be destroyed unasked.
          confirm: async (plan) => plan.targets.every((t) => confirmed.has(t.serviceId)) || this.confirmDestroy(plan, verb),
        }),
    });
    if (isNotRun(result)) return result;
    const line = `${verb} ${result.status}: ${result.summary.destroyed} destroyed${result.summary.failed ? `, ${result.summary.failed} failed` : ''}${result.summary.notStarted ? `, ${result.summary.notStarted} not started` : ''}.`;
    this.output.log(line);
    if (result.status === 'completed') void window.showInformationMessage(`Starsystem: ${line}`);
    else if (result.status !== 'declined') void window.showErrorMessage(`Starsystem: ${line}`, 'Show Output').then((c) => c && this.output.show());
    return result;
  }

  private async confirmDestroy(plan: DestroyPlan, verb: 'Destroy' | 'Stop'): Promise<boolean> {
    const names = plan.targets.map((t) => {
      const metadata = (t.record?.metadata ?? {}) as { pid?: unknown };
      const what = typeof metadata.pid === 'number' ? `pid ${metadata.pid}` : t.record?.resourceId ?? 'recorded';
      const why = t.reason === 'dependant' ? ', depends on it' : t.declared ? '' : ', no longer declared';
      return `• ${t.serviceId} (${t.provider}: ${what}${why})`;
    });
    const choice = await window.showWarningMessage(
      `${verb} ${plan.targets.length} service${plan.targets.length === 1 ? '' : 's'} of ${plan.project} (${plan.env})?`,
      {
        modal: true,
        detail: `${names.join('\n')}\n\nProcesses are stopped, resources are deleted at their providers, and their records and credentials are removed. This cannot be undone.`,
      },
      verb,
    );
    return choice === verb;
  }

  async validate(target: CommandTarget): Promise<{ errors: number; warnings: number } | NotRun> {
    const configPath = await this.system(target);
    if (typeof configPath !== 'string') return configPath;
    const saved = await this.ctx.runs.saveSystem(configPath);
    if (!saved.ok) return { notRun: 'not-saved', message: saved.file };
    const model = await this.loadModel(configPath, target);
    const diagnostics = [...model.diagnostics].sort(compareDiagnostics);
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
    this.output.heading(`Validate · ${configPath} (${model.env})`);
    for (const d of diagnostics) this.output.line(`  ${renderDiagnostic(d, this.workspaceRoot(), PLAIN_STYLE)}`);
    const files = model.overlay ? `${basename(model.base.path)} + ${basename(model.overlay.path)}` : basename(model.base.path);
    const line = errors + warnings === 0
      ? `${files}: valid (${model.services.length} service${model.services.length === 1 ? '' : 's'}).`
      : `${files}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
    this.output.log(line);
    if (errors > 0) void window.showErrorMessage(`Starsystem: ${line}`, 'Show Problems').then((c) => c && commands.executeCommand('workbench.actions.view.problems'));
    else if (warnings > 0) void window.showWarningMessage(`Starsystem: ${line}`, 'Show Problems').then((c) => c && commands.executeCommand('workbench.actions.view.problems'));
    else void window.showInformationMessage(`Starsystem: ${line}`);
    return { errors, warnings };
  }

  async setVaultKey(presetKey: string | undefined): Promise<{ key: string } | NotRun> {
    const settings = this.ctx.engine.settings();
    let key = presetKey;
    if (!key) {
      let model: SystemModel | undefined;
      const configPath = this.ctx.systems.current();
      if (configPath) model = await this.loadModel(configPath).catch(() => undefined);
      const keys = new Set(await listVaultKeys(settings.home).catch(() => [] as string[]));
      key = await pickVaultKey(model, (k) => keys.has(k));
      if (!key) return { notRun: 'cancelled' };
    }
    const value = await askSecretValue(key);
    if (value === undefined) return { notRun: 'cancelled' };
    const vault = this.ctx.engine.vault(settings);
    await vault.set(key, value);
    this.output.log(`Vault: ${key} set.`);
    void window.showInformationMessage(`Starsystem: ${key} saved in the vault (encrypted).`);
    void this.ctx.tree.refresh();
    return { key };
  }

  async selectEnvironment(preset: string | undefined): Promise<{ env: string } | NotRun> {
    const current = this.ctx.engine.environment();
    let env = preset;
    if (!env) {
      await this.ctx.systems.ready();
      const base = this.ctx.systems.current();
      const envs = new Set([DEFAULT_ENVIRONMENT, current, ...(base ? await overlayEnvironments(base) : [])]);
      env = await pickEnvironment(current, [...envs]);
      if (!env) return { notRun: 'cancelled' };
    }
    // The default environment is stored as "" so that its overlay stays optional.
    const value = env === DEFAULT_ENVIRONMENT ? '' : env;
    const target = workspace.workspaceFolders?.length ? ConfigurationTarget.Workspace : ConfigurationTarget.Global;
    await workspace.getConfiguration('starsystem').update('environment', value === '' ? undefined : value, target);
    return { env };
  }

  async refresh(): Promise<void> {
    await this.ctx.systems.rescan();
    await this.ctx.tree.setSystem(this.ctx.systems.current());
  }

  async openLog(node: unknown): Promise<void> {
    const path = isServicesNode(node) && node.kind === 'service' ? node.service.logPath : typeof node === 'string' ? node : undefined;
    if (!path) return;
    if (!existsSync(path)) {
      void window.showWarningMessage(`Starsystem: the log ${path} does not exist (yet).`);
      return;
    }
    const document = await workspace.openTextDocument(Uri.file(path));
    await window.showTextDocument(document, { preview: true });
  }

  async createConfig(): Promise<string | undefined> {
    const folder = workspace.workspaceFolders?.[0];
    if (!folder) {
      void window.showWarningMessage('Starsystem: open a folder first; starsystem.yaml lives at its root.');
      return undefined;
    }
    const path = join(folder.uri.fsPath, 'starsystem.yaml');
    if (!existsSync(path)) await writeFile(path, STARTER, { flag: 'wx' });
    await window.showTextDocument(await workspace.openTextDocument(Uri.file(path)));
    await this.ctx.systems.rescan();
    await this.ctx.tree.setSystem(this.ctx.systems.current());
    return path;
  }

  private workspaceRoot(): string {
    return workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  }
}

const STARTER = `version: "1"
name: my-system

services:
  web:
    type: process
    name: Web server
    command: node server.js --port=8080
    health_check: http://127.0.0.1:8080/health
    depends_on: []
`;
