/**
 * A private code-server for one test: its own port, config, user data, extensions and XDG
 * folders in a temp folder, started in its own session (setsid) and stopped by killing the
 * whole process group, so that no extension host, language server or file watcher outlives it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, killMentioning, stopGroup } from './processes';
import { codeServerBin, requireTools } from './tools';

export interface CodeServerOptions {
  /** The .vsix files to install before start. */
  extensions?: string[];
  /** Keep workspace trust on (the trust tests); off by default. */
  workspaceTrust?: boolean;
  /** User settings (settings.json) on top of the quiet defaults. */
  settings?: Record<string, unknown>;
  /** Environment for code-server and so for the extension host and the language server. */
  env?: NodeJS.ProcessEnv;
  /** A folder to copy code-server's log and the editor's logs (extension host, output channels) into on stop. */
  keepLogsIn?: string;
}

export interface CodeServer {
  port: number;
  /** The root temp folder of this instance (every path it uses is inside). */
  dir: string;
  logFile: string;
  /** The editor's log folder (extension host logs, output channels as files). */
  logsDir: string;
  /** The workbench URL that opens `folder`, with extra query parameters. */
  url(folder: string, query?: Record<string, string>): string;
  stop(): Promise<void>;
}

/** Quiet defaults: no welcome page, no tips, no telemetry, no update checks. */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'editor.minimap.enabled': false,
  'files.autoSave': 'off',
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
  'git.enabled': false,
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  requireTools();
  const dir = await mkdtemp(join(tmpdir(), 'starsystem-code-server-'));
  const paths = {
    config: join(dir, 'config.yaml'),
    userData: join(dir, 'user-data'),
    extensions: join(dir, 'extensions'),
    xdgConfig: join(dir, 'xdg-config'),
    xdgData: join(dir, 'xdg-data'),
    log: join(dir, 'code-server.log'),
  };
  await Promise.all([paths.userData, paths.extensions, paths.xdgConfig, paths.xdgData].map((p) => mkdir(p, { recursive: true })));
  await mkdir(join(paths.userData, 'User'), { recursive: true });
  await writeFile(
    join(paths.userData, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, 'security.workspace.trust.enabled': options.workspaceTrust === true, ...options.settings }, null, 2),
  );
  const port = await freePort();
  await writeFile(paths.config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    XDG_CONFIG_HOME: paths.xdgConfig,
    XDG_DATA_HOME: paths.xdgData,
  };
  // The test runner's own flags (--test, --import tsx) must not reach code-server's node processes.
  delete env.NODE_OPTIONS;
  delete env.NODE_TEST_CONTEXT;
  const common = ['--config', paths.config, '--user-data-dir', paths.userData, '--extensions-dir', paths.extensions];

  for (const vsix of options.extensions ?? []) {
    const installed = spawnSync(process.execPath, [codeServerBin, ...common, '--install-extension', vsix], { env, encoding: 'utf8', timeout: 120_000 });
    if (installed.status !== 0) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`code-server could not install ${vsix}:\n${installed.stdout}\n${installed.stderr}`);
    }
  }

  const args = [
    codeServerBin,
    ...common,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
  ];
  const log = createWriteStream(paths.log);
  // detached: the child calls setsid(), so it leads a process group we can kill as a whole.
  const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const pgid = child.pid!;
  let exited = false;
  child.on('exit', () => (exited = true));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await stopGroup(pgid);
      // Anything that left the group (none expected) still names our temp folder.
      await killMentioning(dir);
      log.end();
      if (options.keepLogsIn) {
        await mkdir(options.keepLogsIn, { recursive: true });
        await cp(paths.log, join(options.keepLogsIn, 'code-server.log')).catch(() => undefined);
        await cp(join(paths.userData, 'logs'), join(options.keepLogsIn, 'logs'), { recursive: true }).catch(() => undefined);
      }
      await rm(dir, { recursive: true, force: true });
    })());

  try {
    await waitForHealth(port, () => exited);
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    port,
    dir,
    logFile: paths.log,
    logsDir: join(paths.userData, 'logs'),
    url(folder, query = {}) {
      const params = new URLSearchParams({ folder, ...query });
      return `http://127.0.0.1:${port}/?${params.toString()}`;
    },
    stop,
  };
}

async function waitForHealth(port: number, exited: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('code-server exited during start.');
    try {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await delay(200);
  }
  throw new Error(`code-server did not answer on port ${port} within ${timeoutMs} ms.`);
}
