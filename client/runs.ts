/**
 * Running an engine operation from the editor: only in a trusted workspace, one run per
 * system at a time, after saving the system's files (a run never acts on text the user has
 * not saved), with a progress notification whose Cancel aborts the engine run, every event
 * streamed to the output channel (redacted) and to the Services view.
 */
import { basename, dirname, sep } from 'node:path';
import { commands, ProgressLocation, window, workspace } from 'vscode';
import { InvalidConfigError, LockHeldError, type OpsEvent, type OpsOptions } from '../engine/ops/index';
import { renderDiagnostic } from '../engine/cli/render';
import type { Engine } from './engine';
import { PLAIN_STYLE, type StarsystemOutput } from './output';
import type { ServicesTree } from './servicesTree';
import { baseFileOf, isStarsystemDocument } from './systems';
import type { EnvironmentStatusBar } from './statusBar';

/** Why a command did not run, for its caller (and the extension-host tests). */
export interface NotRun {
  notRun: 'untrusted' | 'busy' | 'not-saved' | 'cancelled' | 'no-system' | 'error';
  message?: string;
}

export interface RunRequest<T> {
  /** "Provision All", shown in the notification and the output. */
  title: string;
  configPath: string;
  /** Services the progress counts (for the percentage); optional. */
  expectedServices?: number;
  /** Mark the view's items while the run goes on. */
  followInTree?: boolean;
  /** The environment the run uses when it is not the selected one (a CodeLens in an overlay). */
  env?: string;
  run(options: OpsOptions): Promise<T>;
}

export class Runs {
  private readonly running = new Map<string, AbortController>();

  constructor(
    private readonly engine: Engine,
    private readonly output: StarsystemOutput,
    private readonly tree: ServicesTree,
    private readonly statusBar: EnvironmentStatusBar,
  ) {}

  /** True (and says why when not): nothing runs in an untrusted workspace. */
  static trusted(action: string): boolean {
    if (workspace.isTrusted) return true;
    void window
      .showWarningMessage(
        `Starsystem does not ${action} in an untrusted workspace: running it would start processes and use your credentials as this folder's files say. Editing, validation and plans still work.`,
        'Manage Workspace Trust',
      )
      .then((choice) => {
        if (choice) void commands.executeCommand('workbench.trust.manage');
      });
    return false;
  }

  /**
   * Saves every open, modified file the run may read: the system's starsystem files and
   * anything under its folder (config templates, the services' own code). Reports the
   * first file that could not be saved.
   */
  async saveSystem(configPath: string): Promise<{ ok: true } | { ok: false; file: string }> {
    const folder = dirname(configPath) + sep;
    for (const document of workspace.textDocuments) {
      if (!document.isDirty || document.uri.scheme !== 'file') continue;
      const path = document.uri.fsPath;
      const ofSystem = isStarsystemDocument(document) ? baseFileOf(path) === configPath : path.startsWith(folder);
      if (!ofSystem) continue;
      if (!(await document.save())) return { ok: false, file: path };
    }
    return { ok: true };
  }

  async run<T>(request: RunRequest<T>): Promise<T | NotRun> {
    const { configPath } = request;
    if (this.running.has(configPath)) {
      void window.showWarningMessage(`A Starsystem run is already in progress for ${basename(configPath)}. Wait for it, or cancel it from its notification.`);
      return { notRun: 'busy' };
    }
    const saved = await this.saveSystem(configPath);
    if (!saved.ok) {
      void window.showErrorMessage(`Starsystem: ${basename(saved.file)} could not be saved, so ${request.title} did not start.`);
      return { notRun: 'not-saved', message: saved.file };
    }
    const controller = new AbortController();
    this.running.set(configPath, controller);
    const env = request.env ?? this.engine.environment();
    this.output.heading(`${request.title} · ${configPath} (${env})`);
    this.statusBar.update(env, configPath, request.title);
    try {
      return await window.withProgress(
        { location: ProgressLocation.Notification, title: `Starsystem: ${request.title}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => {
            if (controller.signal.aborted) return;
            this.output.log('Cancelling…');
            controller.abort();
          });
          const total = Math.max(1, request.expectedServices ?? 1);
          const onEvent = (event: OpsEvent) => {
            this.output.event(event);
            if (request.followInTree) this.tree.applyEvent(configPath, env, event);
            if (event.type !== 'service') return;
            const done = ['healthy', 'destroyed', 'failed', 'skipped', 'not-started'].includes(event.phase);
            const text =
              event.phase === 'step' ? `${event.serviceId}: ${event.message ?? ''}` :
              event.phase === 'started' ? `${event.serviceId}: ${event.message === 'destroying' ? 'destroying' : 'starting'}…` :
              event.phase === 'queued' ? undefined :
              `${event.serviceId}: ${event.outcome ?? event.health ?? event.phase}`;
            if (text) progress.report({ message: this.engine.redactor.redact(text), ...(done ? { increment: 100 / total } : {}) });
          };
          const result = await request.run(this.engine.options(configPath, { signal: controller.signal, onEvent, command: `VS Code: Starsystem ${request.title}` }));
          return result;
        },
      );
    } catch (error) {
      return this.reportError(request.title, error);
    } finally {
      this.running.delete(configPath);
      this.statusBar.update(this.engine.environment(), configPath);
      if (request.followInTree) this.tree.endRun();
      void this.tree.refresh();
    }
  }

  /** Writes an operation's failure to the output and says it in a notification. */
  reportError(title: string, error: unknown): NotRun {
    if (error instanceof InvalidConfigError) {
      for (const d of error.diagnostics.filter((x) => x.severity === 'error')) this.output.line(`  ${renderDiagnostic(d, process.cwd(), PLAIN_STYLE)}`);
      this.output.error(error.message);
      void window.showErrorMessage(`Starsystem: ${title} did not start: the configuration has errors.`, 'Show Problems').then((choice) => {
        if (choice) void commands.executeCommand('workbench.actions.view.problems');
      });
      return { notRun: 'error', message: error.message };
    }
    const message = this.engine.redactor.redact(error instanceof Error ? error.message : String(error));
    this.output.error(message);
    const prefix = error instanceof LockHeldError ? '' : `${title} failed: `;
    void window.showErrorMessage(`Starsystem: ${prefix}${message}`, 'Show Output').then((choice) => {
      if (choice) this.output.show();
    });
    return { notRun: 'error', message };
  }

  /** Aborts every run (the extension is deactivating). */
  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort();
  }
}

export function isNotRun(value: unknown): value is NotRun {
  return typeof value === 'object' && value !== null && 'notRun' in value;
}
