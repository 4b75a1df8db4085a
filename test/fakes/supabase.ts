/**
 * A fake Supabase Management API (/v1) on 127.0.0.1: projects in organizations that come up
 * (COMING_UP, then ACTIVE_HEALTHY after a while), pause and restore, their API keys, the
 * `{message}` error envelope and Bearer auth. Helpers change things out of band.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { FakeServer, type FakeRequest, type FakeResponse } from './base';

export const SUPABASE_REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'eu-central-1', 'eu-central-2', 'eu-north-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2',
  'ap-northeast-1', 'ap-northeast-2', 'sa-east-1',
];

export interface FakeSupabaseProject {
  id: string;
  ref: string;
  organization_id: string;
  organization_slug: string;
  name: string;
  region: string;
  created_at: string;
  status: string;
  plan: string;
  database: { host: string; version: string; postgres_engine: string; release_channel: string };
  /** Kept to check what the client sent; never returned by the API. */
  dbPass: string;
  keys: { anon: string; service_role: string };
  /** A transition in progress. */
  pending?: { status: string; at: number };
}

export interface FakeSupabaseOptions {
  token?: string;
  /** Organization ids that exist (default: my-org-id). */
  orgs?: string[];
  /** How long a project takes to come up (default 120 ms). */
  startMs?: number;
}

export class FakeSupabase {
  readonly server = new FakeServer();
  readonly token: string;
  readonly orgs: Set<string>;
  startMs: number;
  readonly projects = new Map<string, FakeSupabaseProject>();

  constructor(options: FakeSupabaseOptions = {}) {
    this.token = options.token ?? 'test-token-0123456789';
    this.orgs = new Set(options.orgs ?? ['my-org-id']);
    this.startMs = options.startMs ?? 120;
    this.server.errorBody = (_status, message) => ({ message });
    this.server.authorize = (req) => this.authorize(req);
    this.routes();
  }

  get url(): string {
    return `${this.server.url}/v1`;
  }

  get requests() {
    return this.server.requests;
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  // ---- out-of-band changes ----

  deleteProject(ref: string): void {
    this.projects.delete(ref);
  }

  pauseProject(ref: string): void {
    const p = this.must(ref);
    p.status = 'INACTIVE';
    p.pending = undefined;
  }

  setStatus(ref: string, status: string): void {
    const p = this.must(ref);
    p.status = status;
    p.pending = undefined;
  }

  setRegion(ref: string, region: string): void {
    this.must(ref).region = region;
  }

  seedProject(name: string, org = 'my-org-id', region = 'us-east-1'): FakeSupabaseProject {
    const p = this.addProject(name, org, region, 'free', randomBytes(12).toString('hex'));
    p.status = 'ACTIVE_HEALTHY';
    p.pending = undefined;
    return p;
  }

  projectsNamed(name: string): FakeSupabaseProject[] {
    return [...this.projects.values()].filter((p) => p.name === name);
  }

  // ---- the API ----

  private authorize(req: FakeRequest): FakeResponse | undefined {
    if (req.headers.authorization !== `Bearer ${this.token}`) return { status: 401, body: { message: 'Unauthorized' } };
    return undefined;
  }

  private routes(): void {
    const s = this.server;
    s.route('GET', '/v1/projects', () => ok([...this.projects.values()].map((p) => this.view(p))));
    s.route('POST', '/v1/projects', (req) => {
      const body = (req.json ?? {}) as Record<string, unknown>;
      const name = typeof body.name === 'string' ? body.name.trim() : '';
      const org = typeof body.organization_id === 'string' ? body.organization_id : '';
      const region = typeof body.region === 'string' ? body.region : '';
      const dbPass = typeof body.db_pass === 'string' ? body.db_pass : '';
      const plan = body.plan === undefined ? 'free' : String(body.plan);
      if (name === '' || name.length > 256) return bad(400, 'name must be 1 to 256 characters');
      if (!this.orgs.has(org)) return bad(403, 'You do not have permission to create a project in this organization');
      if (!SUPABASE_REGIONS.includes(region)) return bad(400, `region must be one of ${SUPABASE_REGIONS.join(', ')}`);
      if (dbPass.length < 8) return bad(400, 'db_pass must be at least 8 characters');
      if (!['free', 'pro'].includes(plan)) return bad(400, 'plan must be free or pro');
      const p = this.addProject(name, org, region, plan, dbPass);
      const { database: _d, ...created } = this.view(p);
      return { status: 201, body: created };
    });
    s.route('GET', '/v1/projects/:ref', (req) => {
      const p = this.projects.get(req.params.ref!);
      return p ? ok(this.view(p)) : bad(404, 'Project not found');
    });
    s.route('DELETE', '/v1/projects/:ref', (req) => {
      const p = this.projects.get(req.params.ref!);
      if (!p) return bad(404, 'Project not found');
      this.projects.delete(p.ref);
      return ok({ id: p.id, ref: p.ref, name: p.name });
    });
    s.route('POST', '/v1/projects/:ref/restore', (req) => {
      const p = this.projects.get(req.params.ref!);
      if (!p) return bad(404, 'Project not found');
      if (this.current(p).status !== 'INACTIVE') return bad(400, `Project is ${p.status}, not paused`);
      p.status = 'RESTORING';
      p.pending = { status: 'ACTIVE_HEALTHY', at: Date.now() + this.startMs };
      return ok({});
    });
    s.route('GET', '/v1/projects/:ref/api-keys', (req) => {
      const p = this.projects.get(req.params.ref!);
      if (!p) return bad(404, 'Project not found');
      if (this.current(p).status === 'COMING_UP') return bad(400, 'Project is not ready yet');
      return ok([
        { name: 'anon', api_key: p.keys.anon, id: 'anon', type: 'legacy', hash: null, prefix: null, description: 'Legacy anon API key' },
        { name: 'service_role', api_key: p.keys.service_role, id: 'service_role', type: 'legacy', hash: null, prefix: null, description: 'Legacy service_role API key' },
      ]);
    });
  }

  private addProject(name: string, org: string, region: string, plan: string, dbPass: string): FakeSupabaseProject {
    let ref = '';
    do ref = Array.from({ length: 20 }, () => String.fromCharCode(97 + randomInt(26))).join('');
    while (this.projects.has(ref));
    const p: FakeSupabaseProject = {
      id: ref,
      ref,
      organization_id: org,
      organization_slug: org,
      name,
      region,
      created_at: new Date().toISOString(),
      status: 'COMING_UP',
      plan,
      database: { host: `db.${ref}.supabase.co`, version: '15.8.1.085', postgres_engine: '15', release_channel: 'ga' },
      dbPass,
      keys: { anon: jwt(ref, 'anon'), service_role: jwt(ref, 'service_role') },
      pending: { status: 'ACTIVE_HEALTHY', at: Date.now() + this.startMs },
    };
    this.projects.set(ref, p);
    return p;
  }

  private current(p: FakeSupabaseProject): FakeSupabaseProject {
    if (p.pending && Date.now() >= p.pending.at) {
      p.status = p.pending.status;
      p.pending = undefined;
    }
    return p;
  }

  private view(p: FakeSupabaseProject) {
    const now = this.current(p);
    return {
      id: now.id,
      ref: now.ref,
      organization_id: now.organization_id,
      organization_slug: now.organization_slug,
      name: now.name,
      region: now.region,
      created_at: now.created_at,
      status: now.status,
      database: now.database,
    };
  }

  private must(ref: string): FakeSupabaseProject {
    const p = this.projects.get(ref);
    if (!p) throw new Error(`no fake Supabase project ${ref}`);
    return p;
  }
}

function ok(body: unknown): FakeResponse {
  return { status: 200, body };
}

function bad(status: number, message: string): FakeResponse {
  return { status, body: { message } };
}

/** A JWT-shaped key (header.payload.signature) like Supabase's legacy keys. */
function jwt(ref: string, role: string): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ iss: 'supabase', ref, role, iat: Math.floor(Date.now() / 1000) })}.${randomBytes(32).toString('base64url')}`;
}
