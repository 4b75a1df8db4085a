/**
 * A fake Neon API v2 on 127.0.0.1: projects with their default branch, compute endpoint,
 * roles and databases, asynchronous operations that run for a while before they finish
 * (and 423 Locked for a change requested while one runs), the `{code, message}` error
 * envelope and Bearer auth. Helpers change things out of band for drift tests.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { FakeServer, type FakeRequest, type FakeResponse } from './base';

export const NEON_REGIONS = [
  'aws-us-east-1',
  'aws-us-east-2',
  'aws-us-west-2',
  'aws-eu-central-1',
  'aws-eu-west-2',
  'aws-ap-southeast-1',
  'aws-ap-southeast-2',
  'aws-sa-east-1',
  'azure-eastus2',
  'azure-westus3',
  'azure-gwc',
];

export interface FakeNeonProject {
  id: string;
  name: string;
  region_id: string;
  pg_version: number;
  org_id: string;
  platform_id: string;
  proxy_host: string;
  store_passwords: boolean;
  created_at: string;
  updated_at: string;
}

interface FakeBranch {
  id: string;
  project_id: string;
  name: string;
  default: boolean;
  primary: boolean;
  created_at: string;
}

interface FakeRole {
  branch_id: string;
  name: string;
  password: string;
  protected: boolean;
  created_at: string;
}

interface FakeDatabase {
  id: number;
  branch_id: string;
  name: string;
  owner_name: string;
  created_at: string;
}

interface FakeEndpoint {
  id: string;
  host: string;
  project_id: string;
  branch_id: string;
  region_id: string;
  type: 'read_write';
  current_state: 'active' | 'idle' | 'init';
  created_at: string;
}

interface FakeOperation {
  id: string;
  project_id: string;
  branch_id?: string;
  endpoint_id?: string;
  action: string;
  created_at: string;
  /** When the operation finishes (ms since epoch). */
  finishAt: number;
}

export interface FakeNeonOptions {
  /** The API key the fake accepts. */
  token?: string;
  /** How long each operation runs before it finishes (default 60 ms). */
  operationMs?: number;
  /** The organization new projects belong to. */
  orgId?: string;
}

const WORDS_A = ['quiet', 'bold', 'misty', 'round', 'shiny', 'green', 'old', 'hidden', 'young', 'damp'];
const WORDS_B = ['mountain', 'river', 'fire', 'hill', 'morning', 'feather', 'glade', 'brook', 'unit', 'sun'];

export class FakeNeon {
  readonly server = new FakeServer();
  readonly token: string;
  operationMs: number;
  readonly orgId: string;
  readonly projects = new Map<string, FakeNeonProject>();
  private readonly branches = new Map<string, FakeBranch>();
  private readonly roles: FakeRole[] = [];
  private readonly databases: FakeDatabase[] = [];
  private readonly endpoints = new Map<string, FakeEndpoint>();
  private readonly operations = new Map<string, FakeOperation>();
  private nextDatabaseId = 1000;

  constructor(options: FakeNeonOptions = {}) {
    this.token = options.token ?? 'test-token-0123456789';
    this.operationMs = options.operationMs ?? 60;
    this.orgId = options.orgId ?? 'org-royal-sun-91776391';
    this.server.errorBody = (_status, message) => ({ code: '', message });
    this.server.authorize = (req) => this.authorize(req);
    this.routes();
  }

  get url(): string {
    return this.server.url;
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

  // ---- out-of-band changes for tests ----

  /** Deletes a project as if someone removed it in the console. */
  deleteProject(id: string): void {
    this.removeProject(id);
  }

  /** Moves a project to another region (cannot happen for real; it stands for any out-of-band mismatch). */
  setRegion(id: string, region: string): void {
    const project = this.mustProject(id);
    project.region_id = region;
  }

  /** Deletes the project's default branch out of band. */
  deleteBranch(projectId: string): void {
    for (const [id, branch] of this.branches) if (branch.project_id === projectId) this.branches.delete(id);
  }

  /** Creates a project directly (as if made in the console). */
  seedProject(name: string, region = 'aws-us-east-2'): FakeNeonProject {
    return this.createProject({ name, region_id: region }).project;
  }

  projectsNamed(name: string): FakeNeonProject[] {
    return [...this.projects.values()].filter((p) => p.name === name);
  }

  databasesOf(projectId: string): { name: string; owner_name: string }[] {
    const branchIds = this.branchIdsOf(projectId);
    return this.databases.filter((d) => branchIds.has(d.branch_id)).map((d) => ({ name: d.name, owner_name: d.owner_name }));
  }

  /** Every role of every project, with its password (to check that no output leaks one). */
  rolesOfAll(): { name: string; password: string }[] {
    return this.roles.map((r) => ({ name: r.name, password: r.password }));
  }

  rolesOf(projectId: string): { name: string; password: string }[] {
    const branchIds = this.branchIdsOf(projectId);
    return this.roles.filter((r) => branchIds.has(r.branch_id)).map((r) => ({ name: r.name, password: r.password }));
  }

  // ---- the API ----

  private authorize(req: FakeRequest): FakeResponse | undefined {
    const header = req.headers.authorization;
    if (header !== `Bearer ${this.token}`) {
      return { status: 401, body: { code: '', message: 'authentication required' } };
    }
    return undefined;
  }

  private routes(): void {
    const s = this.server;
    s.route('GET', '/projects', (req) => this.listProjects(req));
    s.route('POST', '/projects', (req) => {
      const body = (req.json as { project?: Record<string, unknown> } | undefined)?.project ?? {};
      const region = body.region_id === undefined ? 'aws-us-east-2' : String(body.region_id);
      if (!NEON_REGIONS.includes(region)) return bad(400, `region_id "${region}" is not supported`);
      const pg = body.pg_version === undefined ? 17 : Number(body.pg_version);
      if (![14, 15, 16, 17, 18].includes(pg)) return bad(400, `pg_version ${pg} is not supported`);
      const result = this.createProject(body);
      return { status: 201, body: result.response };
    });
    s.route('GET', '/projects/:id', (req) => {
      const project = this.projects.get(req.params.id!);
      return project ? ok({ project }) : notFound('project not found');
    });
    s.route('DELETE', '/projects/:id', (req) => {
      const project = this.projects.get(req.params.id!);
      if (!project) return notFound('project not found');
      this.removeProject(project.id);
      return ok({ project });
    });
    s.route('GET', '/projects/:id/operations', (req) => {
      if (!this.projects.has(req.params.id!)) return notFound('project not found');
      const ops = [...this.operations.values()].filter((o) => o.project_id === req.params.id).map((o) => this.operationView(o));
      return ok({ operations: ops, pagination: {} });
    });
    s.route('GET', '/projects/:id/operations/:op', (req) => {
      const op = this.operations.get(req.params.op!);
      if (!op || op.project_id !== req.params.id) return notFound('operation not found');
      return ok({ operation: this.operationView(op) });
    });
    s.route('GET', '/projects/:id/branches', (req) => {
      if (!this.projects.has(req.params.id!)) return notFound('project not found');
      return ok({ branches: [...this.branches.values()].filter((b) => b.project_id === req.params.id).map((b) => this.branchView(b)) });
    });
    s.route('GET', '/projects/:id/branches/:branch', (req) => {
      const branch = this.branchOf(req.params.id!, req.params.branch!);
      return branch ? ok({ branch: this.branchView(branch) }) : notFound('branch not found');
    });
    s.route('GET', '/projects/:id/branches/:branch/roles', (req) => {
      const branch = this.branchOf(req.params.id!, req.params.branch!);
      if (!branch) return notFound('branch not found');
      return ok({ roles: this.roles.filter((r) => r.branch_id === branch.id).map(({ password: _p, ...role }) => role) });
    });
    s.route('POST', '/projects/:id/branches/:branch/roles', (req) => {
      const branch = this.branchOf(req.params.id!, req.params.branch!);
      if (!branch) return notFound('branch not found');
      if (this.locked(branch.project_id)) return locked();
      const name = String((req.json as { role?: { name?: unknown } } | undefined)?.role?.name ?? '');
      if (!/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/.test(name)) return bad(400, `invalid role name "${name}"`);
      if (this.roles.some((r) => r.branch_id === branch.id && r.name === name)) return bad(409, `role "${name}" already exists`);
      const role: FakeRole = { branch_id: branch.id, name, password: password(), protected: false, created_at: now() };
      this.roles.push(role);
      const op = this.operation(branch.project_id, 'apply_config', branch.id);
      return { status: 201, body: { role, operations: [this.operationView(op)] } };
    });
    s.route('GET', '/projects/:id/branches/:branch/databases', (req) => {
      const branch = this.branchOf(req.params.id!, req.params.branch!);
      if (!branch) return notFound('branch not found');
      return ok({ databases: this.databases.filter((d) => d.branch_id === branch.id) });
    });
    s.route('POST', '/projects/:id/branches/:branch/databases', (req) => {
      const branch = this.branchOf(req.params.id!, req.params.branch!);
      if (!branch) return notFound('branch not found');
      if (this.locked(branch.project_id)) return locked();
      const body = (req.json as { database?: { name?: unknown; owner_name?: unknown } } | undefined)?.database ?? {};
      const name = String(body.name ?? '');
      const owner = String(body.owner_name ?? '');
      if (name === '') return bad(400, 'database name is required');
      if (!this.roles.some((r) => r.branch_id === branch.id && r.name === owner)) return bad(400, `role "${owner}" does not exist`);
      if (this.databases.some((d) => d.branch_id === branch.id && d.name === name)) return bad(409, `database "${name}" already exists`);
      const database: FakeDatabase = { id: this.nextDatabaseId++, branch_id: branch.id, name, owner_name: owner, created_at: now() };
      this.databases.push(database);
      const op = this.operation(branch.project_id, 'apply_config', branch.id);
      return { status: 201, body: { database, operations: [this.operationView(op)] } };
    });
    s.route('GET', '/projects/:id/endpoints', (req) => {
      if (!this.projects.has(req.params.id!)) return notFound('project not found');
      return ok({ endpoints: [...this.endpoints.values()].filter((e) => e.project_id === req.params.id).map((e) => this.endpointView(e)) });
    });
    s.route('GET', '/projects/:id/connection_uri', (req) => {
      const project = this.projects.get(req.params.id!);
      if (!project) return notFound('project not found');
      const databaseName = req.query.get('database_name');
      const roleName = req.query.get('role_name');
      if (!databaseName || !roleName) return bad(400, 'database_name and role_name are required');
      const branchId = req.query.get('branch_id') ?? [...this.branches.values()].find((b) => b.project_id === project.id && b.default)?.id;
      const branch = branchId ? this.branchOf(project.id, branchId) : undefined;
      if (!branch) return notFound('branch not found');
      const role = this.roles.find((r) => r.branch_id === branch.id && r.name === roleName);
      if (!role) return notFound(`role "${roleName}" not found`);
      if (!this.databases.some((d) => d.branch_id === branch.id && d.name === databaseName)) return notFound(`database "${databaseName}" not found`);
      const endpoint = [...this.endpoints.values()].find((e) => e.branch_id === branch.id);
      if (!endpoint) return notFound('endpoint not found');
      const pooled = req.query.get('pooled') === 'true';
      const host = pooled ? endpoint.host.replace(endpoint.id, `${endpoint.id}-pooler`) : endpoint.host;
      return ok({ uri: `postgresql://${role.name}:${role.password}@${host}/${databaseName}?sslmode=require` });
    });
  }

  private listProjects(req: FakeRequest): FakeResponse {
    const search = req.query.get('search') ?? '';
    const limit = Math.min(400, Math.max(1, Number(req.query.get('limit') ?? 10)));
    const orgId = req.query.get('org_id');
    const cursor = req.query.get('cursor');
    let projects = [...this.projects.values()]
      .filter((p) => search === '' || p.name.includes(search) || p.id.includes(search))
      .filter((p) => !orgId || p.org_id === orgId)
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    if (cursor) projects = projects.filter((p) => p.id > cursor);
    const page = projects.slice(0, limit);
    return ok({ projects: page, pagination: page.length > 0 ? { cursor: page[page.length - 1]!.id } : {} });
  }

  private createProject(body: Record<string, unknown>) {
    const id = `${pick(WORDS_A)}-${pick(WORDS_B)}-${randomInt(10_000_000, 99_999_999)}`;
    const region = body.region_id === undefined ? 'aws-us-east-2' : String(body.region_id);
    const cloudRegion = region.replace(/^(aws|azure)-/, '');
    const proxyHost = `c-2.${cloudRegion}.${region.startsWith('azure') ? 'azure' : 'aws'}.neon.tech`;
    const created = now();
    const project: FakeNeonProject = {
      id,
      name: typeof body.name === 'string' && body.name !== '' ? body.name : id,
      region_id: region,
      pg_version: body.pg_version === undefined ? 17 : Number(body.pg_version),
      org_id: typeof body.org_id === 'string' ? body.org_id : this.orgId,
      platform_id: region.startsWith('azure') ? 'azure' : 'aws',
      proxy_host: proxyHost,
      store_passwords: true,
      created_at: created,
      updated_at: created,
    };
    this.projects.set(id, project);
    const branchSpec = (body.branch ?? {}) as { name?: string; role_name?: string; database_name?: string };
    const databaseName = branchSpec.database_name ?? 'neondb';
    const roleName = branchSpec.role_name ?? `${databaseName}_owner`;
    const branch: FakeBranch = { id: `br-${slug()}`, project_id: id, name: branchSpec.name ?? 'main', default: true, primary: true, created_at: created };
    this.branches.set(branch.id, branch);
    const endpointId = `ep-${slug()}`;
    const endpoint: FakeEndpoint = {
      id: endpointId,
      host: `${endpointId}.${proxyHost}`,
      project_id: id,
      branch_id: branch.id,
      region_id: region,
      type: 'read_write',
      current_state: 'init',
      created_at: created,
    };
    this.endpoints.set(endpointId, endpoint);
    const role: FakeRole = { branch_id: branch.id, name: roleName, password: password(), protected: false, created_at: created };
    this.roles.push(role);
    const database: FakeDatabase = { id: this.nextDatabaseId++, branch_id: branch.id, name: databaseName, owner_name: roleName, created_at: created };
    this.databases.push(database);
    const ops = [this.operation(id, 'create_timeline', branch.id), this.operation(id, 'start_compute', branch.id, endpointId)];
    const uri = `postgresql://${role.name}:${role.password}@${endpoint.host}/${databaseName}?sslmode=require`;
    return {
      project,
      response: {
        project,
        connection_uris: [
          {
            connection_uri: uri,
            connection_parameters: { database: databaseName, password: role.password, role: role.name, host: endpoint.host },
          },
        ],
        roles: [role],
        databases: [database],
        operations: ops.map((o) => this.operationView(o)),
        branch: this.branchView(branch),
        endpoints: [this.endpointView(endpoint)],
      },
    };
  }

  private removeProject(id: string): void {
    this.projects.delete(id);
    const branchIds = this.branchIdsOf(id);
    for (const branchId of branchIds) this.branches.delete(branchId);
    for (let i = this.roles.length - 1; i >= 0; i--) if (branchIds.has(this.roles[i]!.branch_id)) this.roles.splice(i, 1);
    for (let i = this.databases.length - 1; i >= 0; i--) if (branchIds.has(this.databases[i]!.branch_id)) this.databases.splice(i, 1);
    for (const [epId, ep] of this.endpoints) if (ep.project_id === id) this.endpoints.delete(epId);
    for (const [opId, op] of this.operations) if (op.project_id === id) this.operations.delete(opId);
  }

  private operation(projectId: string, action: string, branchId?: string, endpointId?: string): FakeOperation {
    const op: FakeOperation = {
      id: randomUuid(),
      project_id: projectId,
      branch_id: branchId,
      endpoint_id: endpointId,
      action,
      created_at: now(),
      finishAt: Date.now() + this.operationMs,
    };
    this.operations.set(op.id, op);
    return op;
  }

  private operationView(op: FakeOperation) {
    const finished = Date.now() >= op.finishAt;
    const { finishAt: _f, ...rest } = op;
    return { ...rest, status: finished ? 'finished' : 'running', failures_count: 0, updated_at: now(), total_duration_ms: finished ? this.operationMs : 0 };
  }

  /** A project is locked while any of its operations runs. */
  private locked(projectId: string): boolean {
    const t = Date.now();
    return [...this.operations.values()].some((o) => o.project_id === projectId && t < o.finishAt);
  }

  private branchView(branch: FakeBranch) {
    return { ...branch, current_state: this.locked(branch.project_id) ? 'init' : 'ready', updated_at: now() };
  }

  private endpointView(endpoint: FakeEndpoint) {
    return { ...endpoint, current_state: this.locked(endpoint.project_id) ? 'init' : 'idle', pooler_mode: 'transaction' };
  }

  private branchOf(projectId: string, branchId: string): FakeBranch | undefined {
    const branch = this.branches.get(branchId);
    return branch && branch.project_id === projectId && this.projects.has(projectId) ? branch : undefined;
  }

  private branchIdsOf(projectId: string): Set<string> {
    return new Set([...this.branches.values()].filter((b) => b.project_id === projectId).map((b) => b.id));
  }

  private mustProject(id: string): FakeNeonProject {
    const project = this.projects.get(id);
    if (!project) throw new Error(`no fake Neon project ${id}`);
    return project;
  }
}

function ok(body: unknown): FakeResponse {
  return { status: 200, body };
}

function bad(status: number, message: string): FakeResponse {
  return { status, body: { code: '', message } };
}

function notFound(message: string): FakeResponse {
  return bad(404, message);
}

function locked(): FakeResponse {
  return bad(423, 'project already has running operations, scheduling of new ones is prohibited');
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

function pick<T>(items: T[]): T {
  return items[randomInt(items.length)]!;
}

function slug(): string {
  return `${pick(WORDS_A)}-${pick(WORDS_B)}-${randomBytes(4).toString('hex')}`;
}

function password(): string {
  return `npg_${randomBytes(9).toString('base64url')}`;
}

function randomUuid(): string {
  return globalThis.crypto.randomUUID();
}
