/**
 * A fake Fly Machines API (/v1) on 127.0.0.1: apps in orgs, IP assignments, machines that
 * take a while to start (created -> started, replacing -> started on update), the /wait
 * endpoint that holds the request until a state is reached or answers 408, the
 * `{error, status}` error envelope and Bearer auth. It also serves each app's public URL
 * (`appUrlTemplate`, `{app}` standing for the app name): the health check paths of the
 * machines' service checks answer 200 while a machine runs, 503 otherwise.
 */
import { randomBytes } from 'node:crypto';
import { FakeServer, type FakeRequest, type FakeResponse } from './base';

export const FLY_REGIONS = [
  'ams', 'arn', 'atl', 'bog', 'bom', 'bos', 'cdg', 'den', 'dfw', 'ewr', 'eze', 'fra', 'gdl', 'gig', 'gru', 'hkg',
  'iad', 'jnb', 'lax', 'lhr', 'mad', 'mia', 'nrt', 'ord', 'otp', 'phx', 'qro', 'scl', 'sea', 'sin', 'sjc', 'syd',
  'waw', 'yul', 'yyz',
];

export interface FakeFlyApp {
  id: string;
  name: string;
  org_slug: string;
  network: string;
  created_at: number;
  ips: { ip: string; region: string; shared: boolean; service_name: string; created_at: string }[];
}

export interface FakeFlyMachine {
  id: string;
  name: string;
  app: string;
  region: string;
  instance_id: string;
  state: string;
  config: Record<string, unknown> & { image?: string; env?: Record<string, string>; services?: unknown[] };
  created_at: string;
  updated_at: string;
  /** A transition in progress: the state reached at `at` (ms since epoch). */
  pending?: { state: string; at: number };
}

export interface FakeFlyOptions {
  token?: string;
  /** Org slugs that exist (default: personal). */
  orgs?: string[];
  /** How long a machine takes to start (default 80 ms). */
  startMs?: number;
}

export class FakeFly {
  readonly server = new FakeServer();
  readonly token: string;
  readonly orgs: Set<string>;
  startMs: number;
  readonly apps = new Map<string, FakeFlyApp>();
  readonly machines = new Map<string, FakeFlyMachine>();
  /** Status the public URL answers for an app, overriding the computed one. */
  private readonly appHealth = new Map<string, number>();
  private readonly publicPaths = new Set<string>();
  private stopped = false;

  constructor(options: FakeFlyOptions = {}) {
    this.token = options.token ?? 'test-token-0123456789';
    this.orgs = new Set(options.orgs ?? ['personal']);
    this.startMs = options.startMs ?? 80;
    this.server.errorBody = (_status, message) => ({ error: message });
    this.server.authorize = (req) => this.authorize(req);
    this.routes();
  }

  get url(): string {
    return `${this.server.url}/v1`;
  }

  /** STARSYSTEM_FLY_APP_URL for this fake. */
  get appUrlTemplate(): string {
    return `${this.server.url}/_apps/{app}`;
  }

  get requests() {
    return this.server.requests;
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.server.stop();
  }

  // ---- out-of-band changes for tests ----

  deleteApp(name: string): void {
    this.apps.delete(name);
    for (const [id, m] of this.machines) if (m.app === name) this.machines.delete(id);
  }

  /** The live machines of an app (destroyed ones left out). */
  machinesOf(app: string): FakeFlyMachine[] {
    return [...this.machines.values()].filter((m) => m.app === app && this.current(m).state !== 'destroyed');
  }

  stopMachine(app: string): void {
    for (const m of this.machinesOf(app)) {
      m.state = 'stopped';
      m.pending = undefined;
    }
  }

  setImage(app: string, image: string): void {
    for (const m of this.machinesOf(app)) m.config = { ...m.config, image };
  }

  setRegion(app: string, region: string): void {
    for (const m of this.machinesOf(app)) m.region = region;
  }

  /** Makes the app's public URL answer this status (undefined: back to normal). */
  setAppHealth(app: string, status: number | undefined): void {
    if (status === undefined) this.appHealth.delete(app);
    else this.appHealth.set(app, status);
  }

  /** Creates an app directly (as if made with flyctl). */
  seedApp(name: string, org = 'personal'): FakeFlyApp {
    return this.addApp(name, org);
  }

  // ---- the API ----

  private authorize(req: FakeRequest): FakeResponse | undefined {
    if (req.path.startsWith('/_apps/')) return undefined;
    if (req.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: { error: 'unauthorized' } };
    return undefined;
  }

  private routes(): void {
    const s = this.server;
    s.route('GET', '/v1/apps', (req) => {
      const org = req.query.get('org_slug');
      if (!org) return err(400, 'org_slug is required');
      const apps = [...this.apps.values()]
        .filter((a) => a.org_slug === org)
        .map((a) => ({ id: a.id, name: a.name, machine_count: this.machinesOf(a.name).length, network: a.network }));
      return ok({ total_apps: apps.length, apps });
    });
    s.route('POST', '/v1/apps', (req) => {
      const body = (req.json ?? {}) as { app_name?: unknown; org_slug?: unknown; network?: unknown };
      const name = typeof body.app_name === 'string' ? body.app_name : '';
      const org = typeof body.org_slug === 'string' ? body.org_slug : '';
      if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) return err(400, `invalid app name "${name}"`);
      if (!this.orgs.has(org)) return err(404, `organization "${org}" not found`);
      if (this.apps.has(name)) return { status: 422, body: { error: 'Validation failed: Name has already been taken', status: 'name_taken' } };
      const app = this.addApp(name, org, typeof body.network === 'string' ? body.network : undefined);
      return { status: 201, body: { id: app.id, created_at: app.created_at } };
    });
    s.route('GET', '/v1/apps/:app', (req) => {
      const app = this.apps.get(req.params.app!);
      if (!app) return err(404, 'app not found');
      return ok({
        id: app.id,
        name: app.name,
        status: this.machinesOf(app.name).length > 0 ? 'deployed' : 'pending',
        organization: { name: app.org_slug, slug: app.org_slug },
        network: app.network,
      });
    });
    s.route('DELETE', '/v1/apps/:app', (req) => {
      if (!this.apps.has(req.params.app!)) return err(404, 'app not found');
      this.deleteApp(req.params.app!);
      return { status: 202 };
    });
    s.route('GET', '/v1/apps/:app/ip_assignments', (req) => {
      const app = this.apps.get(req.params.app!);
      return app ? ok({ ips: app.ips }) : err(404, 'app not found');
    });
    s.route('POST', '/v1/apps/:app/ip_assignments', (req) => {
      const app = this.apps.get(req.params.app!);
      if (!app) return err(404, 'app not found');
      const type = String((req.json as { type?: unknown } | undefined)?.type ?? '');
      const ip =
        type === 'shared_v4' ? '66.241.124.' + (app.ips.length + 10)
        : type === 'v6' ? `2a09:8280:1::${randomBytes(2).toString('hex')}`
        : type === 'private_v6' ? `fdaa:0:1::${randomBytes(2).toString('hex')}`
        : type === 'v4' ? '137.66.0.' + (app.ips.length + 10)
        : undefined;
      if (!ip) return err(400, `invalid ip type "${type}"`);
      const assignment = { ip, region: 'global', shared: type === 'shared_v4', service_name: '', created_at: new Date().toISOString() };
      app.ips.push(assignment);
      return ok(assignment);
    });
    s.route('GET', '/v1/apps/:app/machines', (req) => {
      if (!this.apps.has(req.params.app!)) return err(404, 'app not found');
      return ok(this.machinesOf(req.params.app!).map((m) => this.view(m)));
    });
    s.route('POST', '/v1/apps/:app/machines', (req) => this.createMachine(req));
    s.route('GET', '/v1/apps/:app/machines/:id', (req) => {
      const m = this.machineOf(req);
      return m ? ok(this.view(m)) : err(404, 'machine not found');
    });
    s.route('POST', '/v1/apps/:app/machines/:id', (req) => this.updateMachine(req));
    s.route('GET', '/v1/apps/:app/machines/:id/wait', (req) => this.wait(req));
    s.route('POST', '/v1/apps/:app/machines/:id/stop', (req) => {
      const m = this.machineOf(req);
      if (!m) return err(404, 'machine not found');
      m.state = 'stopping';
      m.pending = { state: 'stopped', at: Date.now() + 20 };
      return ok({ ok: true });
    });
    s.route('POST', '/v1/apps/:app/machines/:id/start', (req) => {
      const m = this.machineOf(req);
      if (!m) return err(404, 'machine not found');
      const previous = this.current(m).state;
      if (previous !== 'started') {
        m.state = 'starting';
        m.pending = { state: 'started', at: Date.now() + this.startMs };
      }
      return ok({ previous_state: previous, migrated: false, new_host: '' });
    });
    s.route('DELETE', '/v1/apps/:app/machines/:id', (req) => {
      const m = this.machineOf(req);
      if (!m) return err(404, 'machine not found');
      const force = req.query.get('force') === 'true' || req.query.get('kill') === 'true';
      if (this.current(m).state === 'started' && !force) {
        return err(412, 'unable to destroy machine, not currently stopped');
      }
      m.state = 'destroyed';
      m.pending = undefined;
      return ok({ ok: true });
    });
  }

  private createMachine(req: FakeRequest): FakeResponse {
    const app = this.apps.get(req.params.app!);
    if (!app) return err(404, 'app not found');
    const body = (req.json ?? {}) as { name?: unknown; region?: unknown; config?: FakeFlyMachine['config'] };
    const config = body.config;
    if (!config || typeof config.image !== 'string' || config.image === '') return err(400, 'invalid config.image');
    const region = typeof body.region === 'string' && body.region !== '' ? body.region : 'iad';
    if (!FLY_REGIONS.includes(region)) return err(400, `invalid region "${region}"`);
    const now = new Date().toISOString();
    const machine: FakeFlyMachine = {
      id: randomBytes(7).toString('hex'),
      name: typeof body.name === 'string' && body.name !== '' ? body.name : `machine-${randomBytes(3).toString('hex')}`,
      app: app.name,
      region,
      instance_id: instanceId(),
      state: 'created',
      config,
      created_at: now,
      updated_at: now,
      pending: { state: 'started', at: Date.now() + this.startMs },
    };
    this.machines.set(machine.id, machine);
    this.servePublicPaths(config);
    return ok(this.view(machine));
  }

  private updateMachine(req: FakeRequest): FakeResponse {
    const m = this.machineOf(req);
    if (!m) return err(404, 'machine not found');
    const body = (req.json ?? {}) as { region?: unknown; config?: FakeFlyMachine['config'] };
    if (!body.config || typeof body.config.image !== 'string') return err(400, 'invalid config.image');
    if (typeof body.region === 'string' && body.region !== '' && body.region !== m.region) {
      return err(400, 'a machine cannot change region; create a new one');
    }
    const wasStopped = this.current(m).state === 'stopped';
    m.config = body.config;
    m.instance_id = instanceId();
    m.updated_at = new Date().toISOString();
    if (wasStopped) {
      m.pending = undefined;
    } else {
      m.state = 'replacing';
      m.pending = { state: 'started', at: Date.now() + this.startMs };
    }
    this.servePublicPaths(body.config);
    return ok(this.view(m));
  }

  /** Holds the request until the machine (and instance, when given) reaches the state, or answers 408. */
  private async wait(req: FakeRequest): Promise<FakeResponse> {
    const m = this.machineOf(req);
    if (!m) return err(404, 'machine not found');
    const state = req.query.get('state') ?? 'started';
    const instance = req.query.get('instance_id') ?? req.query.get('version');
    const timeoutS = Number(req.query.get('timeout') ?? 60);
    if (!Number.isFinite(timeoutS) || timeoutS < 1 || timeoutS > 60) return err(400, 'timeout must be between 1 and 60 seconds');
    const deadline = Date.now() + timeoutS * 1000;
    while (!this.stopped) {
      const now = this.current(m);
      if (now.state === state && (!instance || now.instance_id === instance)) return ok({ ok: true });
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return { status: 408, body: { error: `deadline_exceeded: machine did not reach state ${state} in time` } };
  }

  /** Serves GET <app url><path> for each service check path. */
  private servePublicPaths(config: FakeFlyMachine['config']): void {
    for (const service of (config.services ?? []) as { checks?: { path?: string }[] }[]) {
      for (const check of service.checks ?? []) {
        const path = check.path;
        if (!path || this.publicPaths.has(path)) continue;
        this.publicPaths.add(path);
        this.server.route('GET', `/_apps/:app${path === '/' ? '' : path}`, (req) => this.publicAnswer(req.params.app!, path));
      }
    }
  }

  private publicAnswer(appName: string, path: string): FakeResponse {
    const forced = this.appHealth.get(appName);
    if (forced !== undefined) return { status: forced, body: forced < 400 ? { status: 'ok' } : { status: 'failing' } };
    const serving = this.machinesOf(appName).some(
      (m) =>
        this.current(m).state === 'started' &&
        ((m.config.services ?? []) as { checks?: { path?: string }[] }[]).some((s) => (s.checks ?? []).some((c) => c.path === path)),
    );
    return serving ? { status: 200, body: { status: 'ok' } } : { status: 503, body: 'no machines available', raw: true };
  }

  private addApp(name: string, org: string, network = 'default'): FakeFlyApp {
    const app: FakeFlyApp = { id: randomBytes(8).toString('hex'), name, org_slug: org, network, created_at: Date.now(), ips: [] };
    this.apps.set(name, app);
    return app;
  }

  private machineOf(req: FakeRequest): FakeFlyMachine | undefined {
    const m = this.machines.get(req.params.id!);
    if (!m || m.app !== req.params.app || !this.apps.has(m.app) || this.current(m).state === 'destroyed') return undefined;
    return m;
  }

  /** Applies a finished transition. */
  private current(m: FakeFlyMachine): FakeFlyMachine {
    if (m.pending && Date.now() >= m.pending.at) {
      m.state = m.pending.state;
      m.pending = undefined;
    }
    return m;
  }

  private view(m: FakeFlyMachine) {
    const now = this.current(m);
    const image = String(now.config.image ?? '');
    const [repository, tag] = image.includes(':') ? [image.slice(0, image.lastIndexOf(':')), image.slice(image.lastIndexOf(':') + 1)] : [image, 'latest'];
    return {
      id: now.id,
      name: now.name,
      state: now.state,
      region: now.region,
      instance_id: now.instance_id,
      private_ip: 'fdaa:0:1:a7b:1::2',
      config: now.config,
      image_ref: { registry: repository.split('/')[0], repository, tag, digest: `sha256:${randomBytes(8).toString('hex')}` },
      created_at: now.created_at,
      updated_at: now.updated_at,
    };
  }
}

function ok(body: unknown): FakeResponse {
  return { status: 200, body };
}

function err(status: number, message: string): FakeResponse {
  return { status, body: { error: message } };
}

function instanceId(): string {
  return `01${randomBytes(12).toString('hex').toUpperCase()}`;
}
