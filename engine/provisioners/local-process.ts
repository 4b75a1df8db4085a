/**
 * The local-process provisioner: a service with `type: process` and a `command` runs on
 * this machine, detached in its own process group (it outlives the terminal and the
 * editor), its output appended to `$STARSYSTEM_HOME/logs/<project>/<env>/<service>.log`.
 *
 * The command is split into argv without a shell. The record holds the pid, the process
 * start time (a reused pid is never ours), a hash of everything the process was launched
 * with (so a changed command, env or generated config restarts it), and the log path.
 * Every process also carries STARSYSTEM_INSTANCE in its environment, so a run that was
 * killed between spawning and recording finds its process again instead of starting a
 * second one.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { resolveTemplates } from '../config/templates';
import { starsystemHome } from '../home';
import { durationMs } from '../run/duration';
import { processEnvValue, processGroupId, processStartTime, processesWithEnv } from '../run/processes';
import { stableStringify } from '../util/stableJson';
import { CommandSyntaxError, splitCommand } from './local/argv';
import { findExecutable } from './local/executable';
import { expandTilde, renderConfig, writeRenderedConfig, type RenderedConfig } from './local/generateConfig';
import { healthSettings, probe, waitHealthy, type HealthSettings } from './local/health';
import { serviceLogPath, tailLog } from './local/logs';
import { conditionOf, stopProcessGroup, type RecordedProcess } from './local/processGroup';
import type {
  DriftFinding,
  ProvisionContext,
  ProvisionerAdapter,
  ProvisionResult,
  ProvisionStateRecord,
  ProvisionStatus,
  ResolvedService,
} from './types';

export const LOCAL_PROCESS_PROVIDER = 'local-process';
const DEFAULT_STOP_GRACE_MS = 5000;
/** How many failed checks a verify of an already healthy service tolerates before restarting it. */
const VERIFY_RETRIES = 3;

/** What the record's metadata holds (none of it secret: the command is kept only as a hash). */
export interface LocalProcessMetadata {
  pid: number;
  pgid: number;
  startTime: string;
  /** sha256 of argv, cwd, the declared and injected env, and the generated config. */
  commandHash: string;
  /** The program as declared (argv[0] before templates), for display. */
  program: string;
  logPath: string;
  cwd: string;
  healthCheck?: string;
  healthTimeoutMs?: number;
  stopGraceMs: number;
  configOutput?: string;
}

/** A service's process could not be launched (missing program, bad command, bad cwd). */
export class LaunchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LaunchError';
  }
}

interface Launch {
  serviceId: string;
  program: string;
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  hash: string;
  logPath: string;
  config?: RenderedConfig;
  health?: HealthSettings;
  stopGraceMs: number;
  instance: string;
}

export class LocalProcessProvisioner implements ProvisionerAdapter {
  readonly provider = LOCAL_PROCESS_PROVIDER;
  readonly requiresApiKey = false;
  readonly catalog = {
    title: 'A process on this machine (type: process + command), detached, with its own log file.',
    envVars: [{ name: 'PATH', description: 'Where the command\'s program is looked up.' }],
  };

  canProvision(service: ResolvedService): boolean {
    return service.type === 'process' && typeof service.command === 'string' && service.command.trim() !== '';
  }

  describePlan(service: ResolvedService): string {
    let program = '';
    try {
      program = basename(splitCommand(service.command ?? '', '~')[0] ?? '');
    } catch {
      program = 'command';
    }
    const health = healthUrl(service.health_check);
    return health ? `run ${program}, wait for ${health}` : `run ${program}`;
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const launch = await prepareLaunch(ctx, service);
    const step = (message: string) => ctx.step?.(message);

    const recorded = metadataOf(ctx.existing);
    const leftover = recorded ? undefined : findLeftover(ctx, launch);
    if (recorded) {
      const condition = conditionOf(recorded);
      if (condition === 'running') {
        if (recorded.commandHash === launch.hash) {
          const health = await checkRunning(launch, recorded, ctx.signal, VERIFY_RETRIES);
          if (health.ok) {
            // Same process; settings that do not need a restart (health check, grace period) are refreshed.
            const state = { ...recordFor(metadataFor(launch, recorded.pid, recorded.startTime)), provisionedAt: ctx.existing!.provisionedAt };
            return { state, summary: `running (pid ${recorded.pid}${launch.health ? ', health ok' : ''})` };
          }
          step(`Unhealthy (${health.detail}); restarting`);
        } else {
          step(`Command, env or config changed; restarting (pid ${recorded.pid})`);
        }
        await stopProcessGroup(recorded, recorded.stopGraceMs ?? launch.stopGraceMs);
      } else if (condition === 'reused') {
        step(`pid ${recorded.pid} now belongs to another process; starting a new one`);
      } else {
        step(`Not running (pid ${recorded.pid} exited); starting it`);
      }
    } else if (leftover) {
      // An earlier run started this process and was stopped before it finished recording it.
      if (leftover.commandHash === launch.hash) {
        step(`Found the process an interrupted run started (pid ${leftover.pid}); checking it`);
        const metadata = metadataFor(launch, leftover.pid, leftover.startTime);
        await ctx.savePartialState?.(recordFor(metadata));
        const health = await checkRunning(launch, metadata, ctx.signal, undefined);
        if (health.ok) return { state: recordFor(metadata), summary: `running (pid ${leftover.pid}${launch.health ? ', health ok' : ''})` };
        step(`Unhealthy (${health.detail}); restarting`);
      } else {
        step(`Stopping the process an interrupted run started with other settings (pid ${leftover.pid})`);
      }
      await stopProcessGroup({ pid: leftover.pid, startTime: leftover.startTime, pgid: leftover.pid }, launch.stopGraceMs);
    }
    return start(ctx, launch);
  }

  async status(_ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    const recorded = metadataOf(state);
    if (!recorded) return { healthy: false, condition: 'error', message: 'the record has no process details; provision the service again' };
    const condition = conditionOf(recorded);
    if (condition !== 'running') {
      const message = condition === 'reused' ? `not running (pid ${recorded.pid} now belongs to another process)` : `not running (pid ${recorded.pid} exited)`;
      const tail = await tailLog(recorded.logPath, 5);
      const drift: DriftFinding[] = [{ field: 'process', recorded: recorded.pid, live: null, message }];
      return { healthy: false, condition: 'dead', message, drift, raw: { pid: recorded.pid, logPath: recorded.logPath, logTail: tail } };
    }
    if (!recorded.healthCheck) {
      return { healthy: true, condition: 'running', message: `running (pid ${recorded.pid})`, raw: { pid: recorded.pid, logPath: recorded.logPath } };
    }
    const result = await probe(recorded.healthCheck, recorded.healthTimeoutMs ?? 2000);
    if (result.ok) {
      return { healthy: true, condition: 'healthy', message: `running (pid ${recorded.pid}, health ok)`, raw: { pid: recorded.pid, logPath: recorded.logPath } };
    }
    const message = `running (pid ${recorded.pid}), health check failing: ${result.detail}`;
    return {
      healthy: false,
      condition: 'unhealthy',
      message,
      drift: [{ field: 'health', recorded: 'healthy', live: result.detail, message: `health check ${recorded.healthCheck} failing: ${result.detail}` }],
      raw: { pid: recorded.pid, logPath: recorded.logPath },
    };
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const recorded = metadataOf(state);
    if (!recorded) return;
    const result = await stopProcessGroup(recorded, recorded.stopGraceMs ?? DEFAULT_STOP_GRACE_MS);
    if (result.found === 'running') ctx.step?.(result.killed ? `Killed pid ${recorded.pid} (it ignored SIGTERM)` : `Stopped pid ${recorded.pid}`);
    else if (result.found === 'reused') ctx.step?.(`pid ${recorded.pid} belongs to another process now; nothing to stop`);
    else ctx.step?.(`pid ${recorded.pid} was not running`);
  }
}

async function prepareLaunch(ctx: ProvisionContext, service: ResolvedService): Promise<Launch> {
  const home = ctx.home ?? starsystemHome(ctx.processEnv ?? process.env);
  const userHome = ctx.processEnv?.HOME || homedir();
  const configDir = ctx.configDir ?? process.cwd();
  let argv: string[];
  try {
    argv = splitCommand(service.command ?? '', userHome);
  } catch (error) {
    if (error instanceof CommandSyntaxError) throw new LaunchError(`Service "${ctx.serviceId}": ${error.message}`);
    throw error;
  }
  const cwd = service.cwd ? resolve(configDir, expandTilde(service.cwd, userHome)) : configDir;
  const cwdInfo = await stat(cwd).catch(() => undefined);
  if (!cwdInfo?.isDirectory()) throw new LaunchError(`Service "${ctx.serviceId}": the working directory ${cwd} does not exist.`);

  const declaredEnv: Record<string, string> = {};
  for (const [name, value] of Object.entries(service.env ?? {})) declaredEnv[name] = String(value);
  const injected = ctx.injected ?? {};
  const instance = instanceMarker(home, ctx.project, ctx.env, ctx.serviceId);
  const baseEnv = ctx.processEnv ?? process.env;
  const env: NodeJS.ProcessEnv = { ...baseEnv, ...declaredEnv, ...injected };

  const program = argv[0]!;
  const file = await findExecutable(program, { cwd, path: env.PATH });
  if (!file) {
    const where = program.includes('/') ? `${program} does not exist or is not executable` : `"${program}" is not installed (not found on PATH)`;
    const hint = service.install_hint ? ` ${service.install_hint}` : '';
    throw new LaunchError(`Service "${ctx.serviceId}": ${where}.${hint}`);
  }

  let config: RenderedConfig | undefined;
  const spec = service.provision?.generate_config;
  if (spec) {
    const rendered = await renderConfig(spec, { configDir, home: userHome });
    config = { ...rendered, content: await resolveTemplates(rendered.content, (key) => ctx.vaultGet(key)) };
  }
  const hash = createHash('sha256')
    .update(stableStringify({ argv, cwd, env: { ...declaredEnv, ...injected }, config: config ? { path: config.output, content: config.content } : null }))
    .digest('hex');
  env.STARSYSTEM_HOME = home;
  env.STARSYSTEM_PROJECT = ctx.project;
  env.STARSYSTEM_ENV = ctx.env;
  env.STARSYSTEM_SERVICE = ctx.serviceId;
  env.STARSYSTEM_INSTANCE = instance;
  env.STARSYSTEM_LAUNCH_HASH = hash;

  return {
    serviceId: ctx.serviceId,
    program: declaredProgram(service.command ?? '', program),
    file,
    args: argv.slice(1),
    cwd,
    env,
    hash,
    logPath: serviceLogPath(home, ctx.project, ctx.env, ctx.serviceId),
    config,
    health: healthSettings(service.health_check),
    stopGraceMs: durationMs(service.stop_grace_period, DEFAULT_STOP_GRACE_MS, 'stop_grace_period'),
    instance,
  };
}

/** The program as written in the file (a vault template in it is not resolved for display). */
function declaredProgram(command: string, resolved: string): string {
  const first = command.trim().split(/\s+/)[0] ?? resolved;
  return first.includes('{{') ? basename(resolved) : first;
}

async function start(ctx: ProvisionContext, launch: Launch): Promise<ProvisionResult> {
  const step = (message: string) => ctx.step?.(message);
  if (launch.config) {
    await writeRenderedConfig(launch.config);
    step(`Config written to ${launch.config.output}`);
  }
  await mkdir(dirname(launch.logPath), { recursive: true, mode: 0o700 });
  const log = await open(launch.logPath, 'a', 0o600);
  let child;
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  try {
    await log.write(`--- ${new Date().toISOString()} starting ${launch.serviceId} ---\n`);
    // Loaded on first use, like everything only a run needs.
    const { spawn } = await import('node:child_process');
    child = spawn(launch.file, launch.args, {
      cwd: launch.cwd,
      env: launch.env,
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      argv0: launch.program.includes('/') ? undefined : basename(launch.program),
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
    });
    await new Promise<void>((resolveSpawn, rejectSpawn) => {
      child!.once('spawn', resolveSpawn);
      child!.once('error', rejectSpawn);
    });
  } catch (error) {
    throw new LaunchError(`Service "${launch.serviceId}": could not start ${launch.program}: ${(error as Error).message}`);
  } finally {
    await log.close();
  }
  child.unref();
  const pid = child.pid!;
  const startTime = processStartTime(pid);
  if (startTime === undefined) {
    await waitForExit(() => exitInfo !== undefined, 500);
    throw new LaunchError(`${launch.program} exited at once (${describeExit(exitInfo)}).${await logTail(launch.logPath)}`);
  }
  const metadata = metadataFor(launch, pid, startTime);
  const record = recordFor(metadata);
  await ctx.savePartialState?.(record);
  step(`Started ${launch.program} (pid ${pid})`);

  if (!launch.health) {
    if (exitInfo) throw new LaunchError(`${launch.program} exited at once (${describeExit(exitInfo)}).${await logTail(launch.logPath)}`);
    return { state: record, summary: `started (pid ${pid})` };
  }
  step(`Waiting for ${launch.health.url}`);
  const outcome = await waitHealthy(launch.health, { signal: ctx.signal, exited: () => exitInfo !== undefined || conditionOf(metadata) !== 'running' });
  if (outcome.healthy) {
    step(`Health check passing at ${launch.health.url}`);
    return { state: record, summary: `started (pid ${pid}, health ok)` };
  }
  if (outcome.reason === 'cancelled') {
    const error = new Error(`cancelled while waiting for ${launch.health.url}; pid ${pid} keeps running and the next run checks it`);
    error.name = 'AbortError';
    throw error;
  }
  if (outcome.reason === 'exited') {
    await waitForExit(() => exitInfo !== undefined, 200);
    const last = outcome.last ? ` Last health check: ${outcome.last.detail}.` : '';
    throw new LaunchError(`${launch.program} exited before it was healthy (${describeExit(exitInfo)}).${last}${await logTail(launch.logPath)}`);
  }
  // Unhealthy: stop what we started, so a failed service leaves nothing half-running.
  await stopProcessGroup(metadata, launch.stopGraceMs);
  throw new LaunchError(
    `Health check ${launch.health.url} failed ${outcome.attempts} time${outcome.attempts === 1 ? '' : 's'} in ${(outcome.elapsedMs / 1000).toFixed(1)}s ` +
      `(last: ${outcome.last?.detail ?? 'no answer'}); the process was stopped.${await logTail(launch.logPath)}`,
  );
}

/** For a process that runs: healthy when it has no health check, or when the check passes within the retries. */
async function checkRunning(
  launch: Launch,
  metadata: LocalProcessMetadata,
  signal: AbortSignal | undefined,
  retries: number | undefined,
): Promise<{ ok: boolean; detail: string }> {
  if (!launch.health) return { ok: true, detail: 'running' };
  const settings = retries === undefined ? launch.health : { ...launch.health, startPeriodMs: 0 };
  const outcome = await waitHealthy(settings, { signal, maxRetries: retries, exited: () => conditionOf(metadata) !== 'running' });
  if (outcome.healthy) return { ok: true, detail: outcome.last.detail };
  if (outcome.reason === 'cancelled') {
    const error = new Error('cancelled');
    error.name = 'AbortError';
    throw error;
  }
  return { ok: false, detail: outcome.reason === 'exited' ? 'the process exited' : outcome.last?.detail ?? 'no answer' };
}

function metadataFor(launch: Launch, pid: number, startTime: string): LocalProcessMetadata {
  return {
    pid,
    pgid: pid,
    startTime,
    commandHash: launch.hash,
    program: launch.program,
    logPath: launch.logPath,
    cwd: launch.cwd,
    ...(launch.health ? { healthCheck: launch.health.url, healthTimeoutMs: launch.health.timeoutMs } : {}),
    stopGraceMs: launch.stopGraceMs,
    ...(launch.config ? { configOutput: launch.config.output } : {}),
  };
}

function recordFor(metadata: LocalProcessMetadata): ProvisionStateRecord {
  return {
    provider: LOCAL_PROCESS_PROVIDER,
    resourceId: String(metadata.pid),
    provisionedAt: new Date().toISOString(),
    metadata: metadata as unknown as Record<string, unknown>,
  };
}

/** The process details of a record (or partial record), when it has them. */
function metadataOf(state: Partial<ProvisionStateRecord> | undefined): (LocalProcessMetadata & RecordedProcess) | undefined {
  const m = state?.metadata as Partial<LocalProcessMetadata> | undefined;
  if (!m || typeof m.pid !== 'number' || typeof m.logPath !== 'string') return undefined;
  return m as LocalProcessMetadata;
}

/**
 * The process an interrupted run left behind for this service: from the partial record it
 * saved, else by its STARSYSTEM_INSTANCE marker. Looked for only when an earlier run did
 * not finish (the engine then passes `partial`).
 */
function findLeftover(ctx: ProvisionContext, launch: Launch): { pid: number; startTime: string; commandHash?: string } | undefined {
  if (ctx.partial === undefined) return undefined;
  const fromPartial = metadataOf(ctx.partial);
  if (fromPartial && conditionOf(fromPartial) === 'running') {
    return { pid: fromPartial.pid, startTime: fromPartial.startTime, commandHash: fromPartial.commandHash };
  }
  for (const pid of processesWithEnv('STARSYSTEM_INSTANCE', launch.instance)) {
    // Our services lead their own process group; their children carry the marker too.
    if (processGroupId(pid) !== pid) continue;
    const startTime = processStartTime(pid);
    if (startTime === undefined) continue;
    return { pid, startTime, commandHash: processEnvValue(pid, 'STARSYSTEM_LAUNCH_HASH') };
  }
  return undefined;
}

/** The identity every process of this service carries in its environment. */
export function instanceMarker(home: string, project: string, env: string, serviceId: string): string {
  return createHash('sha256').update([home, project, env, serviceId].join('\0')).digest('hex').slice(0, 24);
}

function healthUrl(check: ResolvedService['health_check']): string | undefined {
  if (!check) return undefined;
  return typeof check === 'string' ? check : check.url;
}

function describeExit(info: { code: number | null; signal: NodeJS.Signals | null } | undefined): string {
  if (!info) return 'no longer running';
  return info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`;
}

async function waitForExit(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

async function logTail(path: string): Promise<string> {
  const tail = await tailLog(path, 20);
  return tail ? `\nLast lines of ${path}:\n${tail}` : ` (log: ${path})`;
}
