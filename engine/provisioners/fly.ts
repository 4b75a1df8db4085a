/**
 * Fly.io apps through the Fly Machines API (https://api.machines.dev/v1, Bearer token): the
 * app (in an org), public IPs, one machine running `image` in `region` with `port` behind
 * Fly's proxy and `env` (plus the credentials injected from other services), then wait for
 * the machine to reach "started" and for the app's `health_check_path` to answer at
 * `https://<app>.fly.dev` (STARSYSTEM_FLY_APP_URL, with `{app}`, overrides that URL).
 *
 * A changed image, env, port or size is a rolling update of the machine in place; a changed
 * region starts a machine in the new region before the old one is destroyed. Partial state is
 * saved after the app and after the machine exist, so an interrupted run resumes.
 */
import { HttpClient, ProviderHttpError, providerBaseUrl } from './http';
import { pollTiming, pollUntil, WaitTimeoutError, type PollTiming } from './poll';
import { namesProvider } from './registry';
import type {
  DriftFinding,
  ProvisionContext,
  ProvisionerAdapter,
  ProvisionerCatalogEntry,
  ProvisionResult,
  ProvisionStateRecord,
  ProvisionStatus,
  ResolvedService,
} from './types';

export const FLY_API_URL = 'https://api.machines.dev/v1';
export const FLY_APP_URL = 'https://{app}.fly.dev';

const PROVIDER = 'fly';
const START_TIMING: PollTiming = { intervalMs: 1_000, timeoutMs: 5 * 60_000 };
const HEALTH_TIMING: PollTiming = { intervalMs: 2_000, timeoutMs: 2 * 60_000 };
/** The Machines API holds a wait request for at most 60 s. */
const MAX_WAIT_SECONDS = 60;
const APP_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

export interface FlySettings {
  app: string;
  image: string;
  region?: string;
  org: string;
  port?: number;
  healthCheckPath?: string;
  env: Record<string, string>;
  guest: FlyGuest;
}

export interface FlyGuest {
  cpu_kind: 'shared' | 'performance';
  cpus: number;
  memory_mb: number;
}

interface FlyService {
  protocol: string;
  internal_port: number;
  ports?: { port: number; handlers?: string[]; force_https?: boolean }[];
  checks?: { type: string; method?: string; path?: string; interval?: string; timeout?: string; grace_period?: string }[];
}

export interface FlyMachineConfig {
  image: string;
  env?: Record<string, string>;
  guest?: FlyGuest;
  services?: FlyService[];
  metadata?: Record<string, string>;
  restart?: { policy: string };
  [key: string]: unknown;
}

interface FlyMachine {
  id: string;
  name: string;
  state: string;
  region: string;
  instance_id: string;
  config: FlyMachineConfig;
}

interface FlyApp {
  id: string;
  name: string;
  status?: string;
  organization?: { name?: string; slug?: string };
}

export function flySettings(service: ResolvedService): FlySettings {
  const target = service.target;
  const provision = service.provision;
  const app = target?.app ?? provision?.app;
  if (!app) throw new Error(`Service "${service.id}": fly needs target.app, the Fly app name.`);
  if (!APP_NAME.test(app)) {
    throw new Error(`Service "${service.id}": "${app}" is not a valid Fly app name (lowercase letters, digits and "-", 3 to 63 characters).`);
  }
  const image = target?.image ?? provision?.image;
  if (!image) throw new Error(`Service "${service.id}": fly needs target.image, the container image to run.`);
  const healthCheckPath = target?.health_check_path;
  if (healthCheckPath !== undefined && !healthCheckPath.startsWith('/')) {
    throw new Error(`Service "${service.id}": health_check_path must start with "/" (got "${healthCheckPath}").`);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(target?.env ?? {})) env[key] = String(value);
  return {
    app,
    image,
    region: target?.region ?? provision?.region,
    org: target?.org ?? 'personal',
    port: target?.port,
    healthCheckPath,
    env,
    guest: flyGuest(service.id, target?.vm_size, target?.memory_mb),
  };
}

/** `shared-cpu-1x` / `performance-2x` (Fly's size names) to a guest; memory from memory_mb or the size's default. */
export function flyGuest(serviceId: string, vmSize: string | undefined, memoryMb: number | undefined): FlyGuest {
  const size = vmSize ?? 'shared-cpu-1x';
  const match = /^(shared-cpu|performance)-(\d+)x$/.exec(size);
  if (!match) {
    throw new Error(`Service "${serviceId}": unknown Fly vm_size "${size}" (use shared-cpu-1x, shared-cpu-2x, performance-1x, ...).`);
  }
  const cpus = Number(match[2]);
  const cpuKind = match[1] === 'performance' ? 'performance' : 'shared';
  return { cpu_kind: cpuKind, cpus, memory_mb: memoryMb ?? (cpuKind === 'performance' ? 2048 * cpus : 256) };
}

/** The app's public URL: STARSYSTEM_FLY_APP_URL (with `{app}`) or https://<app>.fly.dev. */
export function flyAppUrl(app: string, env: NodeJS.ProcessEnv): string {
  const template = env.STARSYSTEM_FLY_APP_URL?.trim() || FLY_APP_URL;
  return template.split('{app}').join(app).replace(/\/+$/, '');
}

/** The machine config for the declared service; injected credentials win over declared env of the same name. */
export function machineConfig(
  ctx: Pick<ProvisionContext, 'project' | 'env' | 'serviceId' | 'injected'>,
  settings: FlySettings,
): FlyMachineConfig {
  const config: FlyMachineConfig = {
    image: settings.image,
    env: { ...settings.env, ...(ctx.injected ?? {}) },
    guest: settings.guest,
    metadata: { starsystem_project: ctx.project, starsystem_env: ctx.env, starsystem_service: ctx.serviceId },
    restart: { policy: 'always' },
  };
  if (settings.port !== undefined) {
    const service: FlyService = {
      protocol: 'tcp',
      internal_port: settings.port,
      ports: [
        { port: 80, handlers: ['http'], force_https: true },
        { port: 443, handlers: ['tls', 'http'] },
      ],
    };
    if (settings.healthCheckPath) {
      service.checks = [
        { type: 'http', method: 'get', path: settings.healthCheckPath, interval: '15s', timeout: '5s', grace_period: '10s' },
      ];
    }
    config.services = [service];
  }
  return config;
}

/** Which declared parts of the machine config differ from the live one. */
export function configChanges(live: FlyMachineConfig, desired: FlyMachineConfig): string[] {
  const changes: string[] = [];
  if (live.image !== desired.image) changes.push('image');
  if (!sameJson(sortedEntries(live.env ?? {}), sortedEntries(desired.env ?? {}))) changes.push('env');
  if (!sameJson(servicesShape(live.services), servicesShape(desired.services))) changes.push('services');
  const g1 = live.guest;
  const g2 = desired.guest;
  if (g2 && (!g1 || g1.cpu_kind !== g2.cpu_kind || g1.cpus !== g2.cpus || g1.memory_mb !== g2.memory_mb)) changes.push('size');
  return changes;
}

class FlyApi {
  readonly http: HttpClient;
  /** For /wait, which the API holds open for up to a minute. */
  private readonly waitHttp: HttpClient;

  constructor(ctx: ProvisionContext) {
    const env = ctx.processEnv ?? process.env;
    const common = {
      provider: PROVIDER,
      baseUrl: providerBaseUrl(PROVIDER, FLY_API_URL, env),
      headers: { authorization: `Bearer ${ctx.apiKey}` },
      // Machine env carries injected credentials: keep them out of any error text too.
      secrets: [ctx.apiKey, ...Object.values(ctx.injected ?? {})],
      signal: ctx.signal,
      env,
    };
    this.http = new HttpClient(common);
    this.waitHttp = new HttpClient({ ...common, timeoutMs: (MAX_WAIT_SECONDS + 15) * 1000 });
  }

  async app(name: string): Promise<FlyApp | undefined> {
    const res = await this.http.get<FlyApp>(`/apps/${enc(name)}`, { allow: [404] });
    return res.status === 404 ? undefined : res.body;
  }

  async createApp(name: string, org: string): Promise<void> {
    try {
      await this.http.post('/apps', { app_name: name, org_slug: org }, { idempotent: false });
    } catch (error) {
      if (error instanceof ProviderHttpError && (error.status === 409 || error.status === 422) && /taken|name_taken/i.test(`${error.providerMessage} ${JSON.stringify(error.body)}`)) {
        throw new Error(`${error.message}. Fly app names are unique across all of Fly.io: "${name}" may belong to an app you cannot see; choose another target.app.`);
      }
      throw error;
    }
  }

  async deleteApp(name: string): Promise<boolean> {
    const res = await this.http.delete(`/apps/${enc(name)}`, { allow: [404] });
    return res.status !== 404;
  }

  /** Gives the app a shared IPv4 and an IPv6 address unless it has public ones (the Machines API does not by itself). */
  async ensurePublicIps(app: string): Promise<string[]> {
    const res = await this.http.get<{ ips?: { ip: string; shared?: boolean }[] }>(`/apps/${enc(app)}/ip_assignments`);
    const ips = (res.body.ips ?? []).map((i) => i.ip).filter((ip) => !ip.startsWith('fdaa:'));
    const added: string[] = [];
    if (!ips.some((ip) => !ip.includes(':'))) {
      await this.http.post(`/apps/${enc(app)}/ip_assignments`, { type: 'shared_v4' }, { idempotent: false });
      added.push('shared IPv4');
    }
    if (!ips.some((ip) => ip.includes(':'))) {
      await this.http.post(`/apps/${enc(app)}/ip_assignments`, { type: 'v6' }, { idempotent: false });
      added.push('IPv6');
    }
    return added;
  }

  async machine(app: string, id: string): Promise<FlyMachine | undefined> {
    const res = await this.http.get<FlyMachine>(`/apps/${enc(app)}/machines/${enc(id)}`, { allow: [404] });
    return res.status === 404 || res.body.state === 'destroyed' ? undefined : res.body;
  }

  async machines(app: string): Promise<FlyMachine[]> {
    const res = await this.http.get<FlyMachine[]>(`/apps/${enc(app)}/machines`);
    return (res.body ?? []).filter((m) => m.state !== 'destroyed' && m.state !== 'destroying');
  }

  async createMachine(app: string, name: string, region: string | undefined, config: FlyMachineConfig): Promise<FlyMachine> {
    const res = await this.http.post<FlyMachine>(`/apps/${enc(app)}/machines`, { name, region, config }, { idempotent: false });
    return res.body;
  }

  async updateMachine(app: string, id: string, config: FlyMachineConfig): Promise<FlyMachine> {
    const res = await this.http.post<FlyMachine>(`/apps/${enc(app)}/machines/${enc(id)}`, { config }, { idempotent: false });
    return res.body;
  }

  async startMachine(app: string, id: string): Promise<void> {
    await this.http.post(`/apps/${enc(app)}/machines/${enc(id)}/start`, undefined, { idempotent: true });
  }

  async destroyMachine(app: string, id: string): Promise<void> {
    await this.http.delete(`/apps/${enc(app)}/machines/${enc(id)}`, { query: { force: true }, allow: [404] });
  }

  /** Waits (with the API's /wait, a minute at a time) until the machine's given instance is started. */
  async waitStarted(app: string, machine: FlyMachine, timing: PollTiming): Promise<void> {
    const deadline = Date.now() + timing.timeoutMs;
    for (;;) {
      const seconds = Math.max(1, Math.min(MAX_WAIT_SECONDS, Math.ceil((deadline - Date.now()) / 1000)));
      const res = await this.waitHttp.get(`/apps/${enc(app)}/machines/${enc(machine.id)}/wait`, {
        query: { state: 'started', timeout: seconds, instance_id: machine.instance_id },
        allow: [408],
      });
      if (res.status !== 408) return;
      const now = await this.machine(app, machine.id);
      if (!now) throw new Error(`Fly machine ${machine.id} was destroyed before it started.`);
      if (now.state === 'stopped' || now.state === 'failed') {
        throw new Error(`Fly machine ${machine.id} is ${now.state} instead of started; see its logs (fly logs -a ${app}).`);
      }
      if (Date.now() >= deadline) {
        throw new WaitTimeoutError(`Fly machine ${machine.id} did not reach "started" within ${Math.round(timing.timeoutMs / 1000)} s (it is ${now.state}).`);
      }
    }
  }
}

export class FlyProvisioner implements ProvisionerAdapter {
  readonly provider = PROVIDER;
  readonly requiresApiKey = true;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'Fly.io app + machine from a container image, health-checked at its public URL',
    envVars: [
      { name: 'STARSYSTEM_FLY_API_URL', description: `The Fly Machines API base URL (default ${FLY_API_URL}).` },
      { name: 'STARSYSTEM_FLY_APP_URL', description: `The deployed app's URL, {app} standing for the app name (default ${FLY_APP_URL}).` },
      { name: 'STARSYSTEM_POLL_INTERVAL_MS', description: 'Time between two health checks (default 2000).' },
      { name: 'STARSYSTEM_WAIT_TIMEOUT_MS', description: 'Longest wait for the machine to start and for the health check (default 300000 / 120000).' },
    ],
    credentials: ['APP_URL'],
  };

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, PROVIDER);
  }

  describePlan(service: ResolvedService): string {
    const region = service.target?.region ?? service.provision?.region;
    return region ? `Fly app + machine, region=${region}` : 'Fly app + machine';
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const settings = flySettings(service);
    const env = ctx.processEnv ?? process.env;
    const api = new FlyApi(ctx);
    const desired = machineConfig(ctx, settings);
    const recorded = ctx.existing ?? ctx.partial;
    const recordedApp = typeof recorded?.metadata?.app === 'string' ? recorded.metadata.app : recorded?.resourceId;
    if (recordedApp && recordedApp !== settings.app) {
      ctx.step?.(`The app name changed from ${recordedApp} to ${settings.app}; ${recordedApp} is left as it is`);
    }

    // 1. The app.
    let appCreated = false;
    const app = await api.app(settings.app);
    if (!app) {
      await api.createApp(settings.app, settings.org);
      appCreated = true;
      ctx.step?.(`App created: ${settings.app}`);
    }
    await ctx.savePartialState?.({ provider: PROVIDER, resourceId: settings.app, metadata: { app: settings.app, org: settings.org } });
    if (settings.port !== undefined) {
      const added = await api.ensurePublicIps(settings.app);
      if (added.length > 0) ctx.step?.(`Allocated ${added.join(' and ')} for ${settings.app}`);
    }

    // 2. The machine: the recorded one, else the one tagged with this service.
    const recordedMachineId = recordedApp === settings.app && typeof recorded?.metadata?.machineId === 'string' ? recorded.metadata.machineId : undefined;
    let machine = recordedMachineId ? await api.machine(settings.app, recordedMachineId) : undefined;
    if (!machine && !appCreated) {
      machine = (await api.machines(settings.app)).find((m) => m.config?.metadata?.starsystem_service === ctx.serviceId);
      if (machine) ctx.step?.(`Found existing machine ${machine.id} in ${machine.region}`);
    }

    const startTiming = pollTiming(env, START_TIMING);
    let action: 'created' | 'updated' | 'replaced' | 'started' | 'unchanged';
    let changes: string[] = [];
    if (!machine) {
      machine = await api.createMachine(settings.app, ctx.serviceId, settings.region, desired);
      action = 'created';
      await this.saveMachine(ctx, settings, machine);
      await api.waitStarted(settings.app, machine, startTiming);
      ctx.step?.(`Machine launched in ${machine.region}: ${machine.id}`);
    } else if (settings.region && machine.region !== settings.region) {
      // A machine cannot move: start its replacement in the new region, then retire it.
      const old = machine;
      machine = await api.createMachine(settings.app, ctx.serviceId, settings.region, { ...old.config, ...desired });
      action = 'replaced';
      await this.saveMachine(ctx, settings, machine);
      await api.waitStarted(settings.app, machine, startTiming);
      ctx.step?.(`Machine launched in ${machine.region}: ${machine.id} (replacing ${old.id} in ${old.region})`);
      await this.checkHealth(ctx, settings);
      await api.destroyMachine(settings.app, old.id);
      ctx.step?.(`Machine ${old.id} in ${old.region} destroyed`);
    } else if ((changes = configChanges(machine.config ?? { image: '' }, desired)).length > 0) {
      const before = machine.config?.image;
      machine = await api.updateMachine(settings.app, machine.id, { ...machine.config, ...desired });
      action = 'updated';
      // An update leaves a stopped machine stopped.
      if (machine.state === 'stopped') await api.startMachine(settings.app, machine.id);
      ctx.step?.(
        changes.includes('image') ? `Rolling update: image ${before} -> ${settings.image}` : `Rolling update: ${changes.join(', ')} changed`,
      );
      await this.saveMachine(ctx, settings, machine);
      await api.waitStarted(settings.app, machine, startTiming);
    } else if (machine.state !== 'started') {
      await api.startMachine(settings.app, machine.id);
      action = 'started';
      ctx.step?.(`Machine ${machine.id} was ${machine.state}; starting it`);
      await api.waitStarted(settings.app, machine, startTiming);
    } else {
      action = 'unchanged';
    }

    // 3. The app answers at its public URL.
    if (action !== 'replaced') await this.checkHealth(ctx, settings);

    const url = flyAppUrl(settings.app, env);
    const keepTime = ctx.existing?.resourceId === settings.app && action !== 'created';
    const state: ProvisionStateRecord = {
      provider: PROVIDER,
      resourceId: settings.app,
      provisionedAt: keepTime ? ctx.existing!.provisionedAt : new Date().toISOString(),
      region: machine.region,
      metadata: {
        app: settings.app,
        org: settings.org,
        machineId: machine.id,
        instanceId: machine.instance_id,
        image: settings.image,
        ...(settings.port !== undefined ? { port: settings.port } : {}),
        ...(settings.healthCheckPath ? { healthCheckPath: settings.healthCheckPath } : {}),
        envKeys: Object.keys(desired.env ?? {}).sort(),
        url,
      },
    };
    const summaries = {
      created: `deployed ${settings.image} to Fly app ${settings.app} in ${machine.region}`,
      updated: `rolling update of ${settings.app} (${changes.join(', ')})`,
      replaced: `moved ${settings.app} to ${machine.region}`,
      started: `started the machine of ${settings.app}`,
      unchanged: `Fly app ${settings.app} already runs ${settings.image}`,
    };
    return { state, credentials: { APP_URL: url }, summary: summaries[action] };
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    const env = ctx.processEnv ?? process.env;
    const api = new FlyApi(ctx);
    const appName = typeof state.metadata?.app === 'string' ? state.metadata.app : state.resourceId;
    try {
      const app = await api.app(appName);
      if (!app) {
        const message = `Fly app ${appName} no longer exists`;
        return { healthy: false, condition: 'gone', message, drift: [{ field: 'app', recorded: appName, live: null, message }] };
      }
      const machineId = typeof state.metadata?.machineId === 'string' ? state.metadata.machineId : undefined;
      const machine = machineId ? await api.machine(appName, machineId) : undefined;
      if (!machine) {
        const message = `machine ${machineId ?? '(none recorded)'} no longer exists`;
        return {
          healthy: false,
          condition: 'unhealthy',
          message: `Fly app ${appName}: ${message}`,
          drift: [{ field: 'machine', recorded: machineId, live: null, message }],
        };
      }
      const drift = machineDrift(state, machine);
      if (machine.state !== 'started') {
        const starting = ['created', 'starting', 'replacing', 'updating'].includes(machine.state);
        return {
          healthy: false,
          condition: starting ? 'starting' : 'unhealthy',
          message: `Fly app ${appName}: machine ${machine.id} is ${machine.state}`,
          drift,
          raw: machine,
        };
      }
      const path = typeof state.metadata?.healthCheckPath === 'string' ? state.metadata.healthCheckPath : undefined;
      if (path) {
        const answer = await probe(flyAppUrl(appName, env), path, env, ctx.signal);
        if (!answer.ok) {
          return { healthy: false, condition: 'unhealthy', message: `Fly app ${appName}: health check ${answer.detail}`, drift, raw: machine };
        }
      }
      return {
        healthy: true,
        condition: 'healthy',
        message: `Fly app ${appName}: machine ${machine.id} started in ${machine.region}${path ? ', health check passing' : ''}`,
        drift,
        raw: machine,
      };
    } catch (error) {
      return { healthy: false, condition: 'error', message: (error as Error).message };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const api = new FlyApi(ctx);
    const appName = typeof state.metadata?.app === 'string' ? state.metadata.app : state.resourceId;
    if (!(await api.app(appName))) {
      ctx.step?.(`App ${appName} was already gone`);
      return;
    }
    for (const machine of await api.machines(appName)) {
      await api.destroyMachine(appName, machine.id);
      ctx.step?.(`Machine ${machine.id} destroyed`);
    }
    const deleted = await api.deleteApp(appName);
    ctx.step?.(deleted ? `App deleted: ${appName}` : `App ${appName} was already gone`);
  }

  private async saveMachine(ctx: ProvisionContext, settings: FlySettings, machine: FlyMachine): Promise<void> {
    await ctx.savePartialState?.({
      provider: PROVIDER,
      resourceId: settings.app,
      region: machine.region,
      metadata: { app: settings.app, org: settings.org, machineId: machine.id, image: settings.image },
    });
  }

  /** Polls the app's health check path at its public URL until it answers 2xx. */
  private async checkHealth(ctx: ProvisionContext, settings: FlySettings): Promise<void> {
    if (!settings.healthCheckPath) return;
    const env = ctx.processEnv ?? process.env;
    const base = flyAppUrl(settings.app, env);
    const url = base + settings.healthCheckPath;
    await pollUntil(
      `the health check at ${url}`,
      async () => {
        const answer = await probe(base, settings.healthCheckPath!, env, ctx.signal);
        return answer.ok ? { done: true, value: undefined } : { done: false, detail: answer.detail };
      },
      pollTiming(env, HEALTH_TIMING),
      ctx.signal,
    );
    ctx.step?.(`Health check passing at ${url}`);
  }
}

/** Drift between what was recorded and the live machine: image, region, state, env names. */
function machineDrift(state: ProvisionStateRecord, machine: FlyMachine): DriftFinding[] {
  const drift: DriftFinding[] = [];
  const image = state.metadata?.image;
  if (typeof image === 'string' && machine.config?.image !== image) {
    drift.push({ field: 'image', recorded: image, live: machine.config?.image, message: `image is ${machine.config?.image}, recorded ${image}` });
  }
  if (state.region && machine.region !== state.region) {
    drift.push({ field: 'region', recorded: state.region, live: machine.region, message: `region is ${machine.region}, recorded ${state.region}` });
  }
  if (machine.state !== 'started') {
    drift.push({ field: 'state', recorded: 'started', live: machine.state, message: `machine is ${machine.state}` });
  }
  const envKeys = state.metadata?.envKeys;
  if (Array.isArray(envKeys)) {
    const live = Object.keys(machine.config?.env ?? {}).sort();
    if (!sameJson(live, [...envKeys].sort())) {
      drift.push({ field: 'env', recorded: envKeys, live, message: `environment variables are ${live.join(', ') || '(none)'}` });
    }
  }
  return drift;
}

/** One GET of the app's health path; never throws for an HTTP or network failure. */
async function probe(
  base: string,
  path: string,
  env: NodeJS.ProcessEnv,
  signal: AbortSignal | undefined,
): Promise<{ ok: true } | { ok: false; detail: string }> {
  // The app's own URL, without the API token; one attempt per poll.
  const client = new HttpClient({ provider: PROVIDER, baseUrl: base, retries: 0, signal, env });
  try {
    await client.get(path, { headers: { accept: '*/*' } });
    return { ok: true };
  } catch (error) {
    if (error instanceof ProviderHttpError) {
      if (error.kind === 'cancelled') throw error;
      return { ok: false, detail: error.status ? `answered ${error.status}` : `failed (${error.kind})` };
    }
    throw error;
  }
}

function servicesShape(services: FlyService[] | undefined): unknown {
  return (services ?? []).map((s) => ({
    internal_port: s.internal_port,
    protocol: s.protocol,
    checks: (s.checks ?? []).map((c) => c.path ?? null),
  }));
}

function sortedEntries(record: Record<string, string>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
