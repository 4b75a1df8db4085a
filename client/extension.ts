/**
 * The Starsystem VS Code extension: starts the language server once a starsystem file is
 * in sight, and wires the commands, the Services view, the output channel and the
 * environment status bar item to the engine, which runs in-process.
 */
import { performance } from 'node:perf_hooks';
import { window, workspace, type ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { Engine } from './engine';
import { createLanguageClient } from './languageClient';
import { StarsystemOutput } from './output';
import { Runs } from './runs';
import { takeSnapshot } from './servicesModel';
import { registerServicesView, ServicesTree } from './servicesTree';
import { EnvironmentStatusBar } from './statusBar';
import { TraceChannel } from './traceChannel';
import { isStarsystemDocument, Systems } from './systems';

/** What the extension hands to other extensions and to its tests. */
export interface StarsystemApi {
  /** Resolves when the language server has answered `initialize` (or rejects if it could not start). */
  readonly serverReady: Promise<void>;
  /** Milliseconds from activation to the server's initialize result, once known. */
  readonly timings: { activationToServerReadyMs?: number };
  readonly tree: ServicesTree;
  readonly output: StarsystemOutput;
  readonly statusBar: EnvironmentStatusBar;
}

let client: LanguageClient | undefined;
let runs: Runs | undefined;

export function activate(context: ExtensionContext): StarsystemApi {
  const activatedAt = performance.now();
  const engine = new Engine();
  const output = new StarsystemOutput(engine.redactor);
  const systems = new Systems();
  const statusBar = new EnvironmentStatusBar();
  const tree = new ServicesTree((configPath) => {
    const settings = engine.settings();
    return takeSnapshot({
      configPath,
      env: settings.environment,
      home: settings.home,
      processEnv: { ...process.env, STARSYSTEM_HOME: settings.home },
      vault: engine.vault(settings),
      checkHealth: workspace.isTrusted,
    });
  });
  runs = new Runs(engine, output, tree, statusBar);
  context.subscriptions.push(output, systems, statusBar, tree, ...registerServicesView(tree));
  context.subscriptions.push(...registerCommands({ engine, systems, runs, tree, output }));

  const timings: StarsystemApi['timings'] = {};
  let resolveReady!: () => void;
  let rejectReady!: (error: unknown) => void;
  const serverReady = new Promise<void>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });
  // Handled here so an unused promise never reports an unhandled rejection.
  serverReady.catch(() => undefined);

  const trace = new TraceChannel('Starsystem Language Server Trace');
  context.subscriptions.push(trace);
  const startServer = () => {
    if (client) return;
    client = createLanguageClient(context, trace);
    client.start().then(
      () => {
        if (timings.activationToServerReadyMs === undefined) {
          timings.activationToServerReadyMs = Math.round(performance.now() - activatedAt);
          output.log(`Language server ready ${timings.activationToServerReadyMs} ms after activation.`);
        } else output.log('Language server ready.');
        resolveReady();
      },
      (error: unknown) => {
        output.error(`The language server did not start: ${error instanceof Error ? error.message : String(error)}`);
        rejectReady(error);
      },
    );
  };
  // The server reads vault key names and recorded state from STARSYSTEM_HOME, fixed when it starts.
  const restartServer = async () => {
    const running = client;
    if (!running) return;
    client = undefined;
    output.log('starsystem.home changed: restarting the language server.');
    await running.stop().catch(() => undefined);
    startServer();
  };
  // Activation by any YAML file: the server starts only once a starsystem file is open or the workspace has one.
  const maybeStart = () => {
    if (systems.hasConfig || workspace.textDocuments.some(isStarsystemDocument)) startServer();
  };
  context.subscriptions.push(workspace.onDidOpenTextDocument((d) => isStarsystemDocument(d) && startServer()));

  const showCurrent = () => {
    const current = systems.current();
    statusBar.update(current ? engine.environment() : undefined, current);
    if (current !== tree.snapshot?.configPath || !tree.snapshot) void tree.setSystem(current);
  };
  context.subscriptions.push(
    systems.onDidChange(() => {
      maybeStart();
      showCurrent();
    }),
    window.onDidChangeActiveTextEditor(() => showCurrent()),
    workspace.onDidSaveTextDocument((d) => {
      if (isStarsystemDocument(d)) void tree.refresh();
    }),
    workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('starsystem.statusRefreshSeconds')) tree.setInterval(engine.settings().statusRefreshSeconds);
      if (e.affectsConfiguration('starsystem.home')) void restartServer();
      if (e.affectsConfiguration('starsystem.environment') || e.affectsConfiguration('starsystem.home')) {
        statusBar.update(systems.current() ? engine.environment() : undefined, systems.current());
        void tree.refresh();
      }
    }),
    workspace.onDidGrantWorkspaceTrust(() => void tree.refresh()),
  );
  tree.setInterval(engine.settings().statusRefreshSeconds);

  maybeStart();
  void systems.rescan().then(() => {
    maybeStart();
    showCurrent();
  });

  return { serverReady, timings, tree, output, statusBar };
}

export async function deactivate(): Promise<void> {
  runs?.cancelAll();
  const stopping = client?.stop();
  client = undefined;
  await stopping;
}
