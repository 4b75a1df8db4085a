/**
 * Neon serverless Postgres through the Neon API v2 (https://console.neon.tech/api/v2, Bearer
 * token): a project with its default branch, then the declared role and database on that
 * branch, waiting for Neon's asynchronous operations to finish. Writes `DATABASE_URL`.
 *
 * Regions: Neon's ids are `<cloud>-<region>` (`aws-us-east-2`, `azure-eastus2`). A bare AWS
 * region name such as seed 002's `us-east-2` is taken to mean the AWS region of that name
 * (`aws-us-east-2`); anything else must be a Neon region id.
 */
import { HttpClient, ProviderHttpError, providerBaseUrl } from './http';
import { pollTiming, pollUntil, type PollTiming } from './poll';
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

export const NEON_API_URL = 'https://console.neon.tech/api/v2';

const PROVIDER = 'neon';
const DEFAULT_DATABASE = 'neondb';
const OPERATION_TIMING: PollTiming = { intervalMs: 1_000, timeoutMs: 5 * 60_000 };
const DONE_OPERATION = new Set(['finished', 'skipped', 'cancelled']);
const FAILED_OPERATION = new Set(['failed', 'error']);

export interface NeonSettings {
  projectName: string;
  /** Neon region id (aws-us-east-2), when declared. */
  regionId?: string;
  /** The region as declared, for messages. */
  declaredRegion?: string;
  orgId?: string;
  database: string;
  role: string;
  pgVersion?: number;
}

interface NeonProject {
  id: string;
  name: string;
  region_id: string;
  pg_version?: number;
  org_id?: string;
  created_at?: string;
}

interface NeonOperation {
  id: string;
  action: string;
  status: string;
  error?: string;
}

interface NeonBranch {
  id: string;
  name: string;
  default?: boolean;
  primary?: boolean;
  current_state?: string;
}

interface NeonEndpoint {
  id: string;
  host: string;
  branch_id: string;
  type: string;
  current_state?: string;
}

/** `us-east-2` -> `aws-us-east-2`; Neon ids pass through; anything else is refused. */
export function neonRegionId(region: string | undefined): string | undefined {
  if (region === undefined) return undefined;
  const value = region.trim().toLowerCase();
  if (value === '') return undefined;
  if (/^(aws|azure)-[a-z0-9-]+$/.test(value)) return value;
  if (/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(value)) return `aws-${value}`;
  throw new Error(
    `Unknown Neon region "${region}": use a Neon region id such as aws-us-east-2 or azure-eastus2, or an AWS region name such as us-east-2.`,
  );
}

export function neonSettings(ctx: Pick<ProvisionContext, 'project'>, service: ResolvedService): NeonSettings {
  const target = service.target;
  const provision = service.provision;
  const projectName = target?.project_name ?? provision?.project_name ?? `${ctx.project}-${service.id}`;
  const declaredRegion = target?.region ?? provision?.region;
  const database = target?.database ?? DEFAULT_DATABASE;
  return {
    projectName,
    regionId: neonRegionId(declaredRegion),
    declaredRegion,
    orgId: target?.org,
    database,
    // Neon names the default role after the database.
    role: target?.role ?? `${database}_owner`,
    pgVersion: target?.pg_version,
  };
}

/** Removes the password from a connection URI (for state and messages). */
export function withoutPassword(uri: string): string {
  try {
    const url = new URL(uri);
    url.password = '';
    return url.toString();
  } catch {
    return uri.replace(/(\/\/[^:/@]+):[^@]*@/, '$1@');
  }
}

class NeonApi {
  private readonly http: HttpClient;
  private readonly timing: PollTiming;

  constructor(private readonly ctx: ProvisionContext) {
    const env = ctx.processEnv ?? process.env;
    this.http = new HttpClient({
      provider: PROVIDER,
      baseUrl: providerBaseUrl(PROVIDER, NEON_API_URL, env),
      headers: { authorization: `Bearer ${ctx.apiKey}` },
      secrets: [ctx.apiKey],
      // Neon answers 423 Locked while another operation runs on the project; it is safe to retry.
      retryStatuses: [423],
      signal: ctx.signal,
      env,
    });
    this.timing = pollTiming(env, OPERATION_TIMING);
  }

  /** The project, or undefined when Neon says it does not exist. */
  async project(id: string): Promise<NeonProject | undefined> {
    const res = await this.http.get<{ project: NeonProject }>(`/projects/${enc(id)}`, { allow: [404] });
    return res.status === 404 ? undefined : res.body.project;
  }

  /** Projects whose name is exactly `name` (the API's search also matches parts of names and ids). */
  async projectsNamed(name: string, orgId: string | undefined): Promise<NeonProject[]> {
    const found: NeonProject[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 50; page++) {
      const res = await this.http.get<{ projects: NeonProject[]; pagination?: { cursor?: string } }>('/projects', {
        query: { search: name, limit: 400, cursor, org_id: orgId },
      });
      const projects = res.body.projects ?? [];
      found.push(...projects.filter((p) => p.name === name));
      const next = res.body.pagination?.cursor;
      if (projects.length < 400 || !next || next === cursor) break;
      cursor = next;
    }
    return found;
  }

  async createProject(settings: NeonSettings): Promise<{ project: NeonProject; operations: NeonOperation[] }> {
    const res = await this.http.post<{ project: NeonProject; operations?: NeonOperation[] }>(
      '/projects',
      {
        project: {
          name: settings.projectName,
          region_id: settings.regionId,
          pg_version: settings.pgVersion,
          org_id: settings.orgId,
          branch: { role_name: settings.role, database_name: settings.database },
        },
      },
      { idempotent: false },
    );
    return { project: res.body.project, operations: res.body.operations ?? [] };
  }

  async defaultBranch(projectId: string): Promise<NeonBranch> {
    const res = await this.http.get<{ branches: NeonBranch[] }>(`/projects/${enc(projectId)}/branches`);
    const branches = res.body.branches ?? [];
    const branch = branches.find((b) => b.default) ?? branches.find((b) => b.primary) ?? branches[0];
    if (!branch) throw new Error(`Neon project ${projectId} has no branch.`);
    return branch;
  }

  async branch(projectId: string, branchId: string): Promise<NeonBranch | undefined> {
    const res = await this.http.get<{ branch: NeonBranch }>(`/projects/${enc(projectId)}/branches/${enc(branchId)}`, { allow: [404] });
    return res.status === 404 ? undefined : res.body.branch;
  }

  /** Creates the role unless the branch has it; true when created. */
  async ensureRole(projectId: string, branchId: string, role: string): Promise<boolean> {
    const base = `/projects/${enc(projectId)}/branches/${enc(branchId)}/roles`;
    const list = await this.http.get<{ roles: { name: string }[] }>(base);
    if ((list.body.roles ?? []).some((r) => r.name === role)) return false;
    await this.waitUntilIdle(projectId);
    const res = await this.http.post<{ operations?: NeonOperation[] }>(base, { role: { name: role } }, { idempotent: false });
    await this.waitForOperations(projectId, res.body.operations ?? []);
    return true;
  }

  /** Creates the database (owned by `owner`) unless the branch has it; true when created. */
  async ensureDatabase(projectId: string, branchId: string, database: string, owner: string): Promise<boolean> {
    const base = `/projects/${enc(projectId)}/branches/${enc(branchId)}/databases`;
    const list = await this.http.get<{ databases: { name: string; owner_name: string }[] }>(base);
    if ((list.body.databases ?? []).some((d) => d.name === database)) return false;
    await this.waitUntilIdle(projectId);
    const res = await this.http.post<{ operations?: NeonOperation[] }>(
      base,
      { database: { name: database, owner_name: owner } },
      { idempotent: false },
    );
    await this.waitForOperations(projectId, res.body.operations ?? []);
    return true;
  }

  async connectionUri(projectId: string, branchId: string, database: string, role: string): Promise<string> {
    const res = await this.http.get<{ uri: string }>(`/projects/${enc(projectId)}/connection_uri`, {
      query: { branch_id: branchId, database_name: database, role_name: role },
    });
    if (typeof res.body?.uri !== 'string' || res.body.uri === '') {
      throw new Error(`Neon returned no connection URI for database "${database}" as role "${role}".`);
    }
    return res.body.uri;
  }

  async endpoints(projectId: string): Promise<NeonEndpoint[]> {
    const res = await this.http.get<{ endpoints: NeonEndpoint[] }>(`/projects/${enc(projectId)}/endpoints`);
    return res.body.endpoints ?? [];
  }

  /** Deletes the project; false when it was already gone. */
  async deleteProject(projectId: string): Promise<boolean> {
    const res = await this.http.delete(`/projects/${enc(projectId)}`, { allow: [404, 410] });
    return res.status !== 404 && res.status !== 410;
  }

  /**
   * Waits for the operations still running on a project (Neon refuses changes with 423 Locked
   * meanwhile). Only the latest page is read: older operations have long finished.
   */
  async waitUntilIdle(projectId: string): Promise<void> {
    const res = await this.http.get<{ operations: NeonOperation[] }>(`/projects/${enc(projectId)}/operations`, { query: { limit: 100 } });
    // Failed operations in the history do not block new ones.
    const running = (res.body.operations ?? []).filter((op) => !DONE_OPERATION.has(op.status) && !FAILED_OPERATION.has(op.status));
    await this.waitForOperations(projectId, running);
  }

  /** Waits until every given operation has finished; a failed one is an error. */
  async waitForOperations(projectId: string, operations: NeonOperation[]): Promise<void> {
    const pending = operations.filter((op) => !DONE_OPERATION.has(op.status));
    for (const op of pending) {
      if (FAILED_OPERATION.has(op.status)) throw operationFailed(op);
      await pollUntil(
        `Neon operation ${op.action} (${op.id})`,
        async () => {
          const res = await this.http.get<{ operation: NeonOperation }>(`/projects/${enc(projectId)}/operations/${enc(op.id)}`);
          const now = res.body.operation;
          if (FAILED_OPERATION.has(now.status)) throw operationFailed(now);
          return DONE_OPERATION.has(now.status) ? { done: true, value: undefined } : { done: false, detail: now.status };
        },
        this.timing,
        this.ctx.signal,
      );
    }
  }
}

export class NeonProvisioner implements ProvisionerAdapter {
  readonly provider = PROVIDER;
  readonly requiresApiKey = true;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'Neon serverless Postgres: a project with its branch, role and database',
    envVars: [
      { name: 'STARSYSTEM_NEON_API_URL', description: `The Neon API base URL (default ${NEON_API_URL}).` },
      { name: 'STARSYSTEM_POLL_INTERVAL_MS', description: 'Time between two checks of a Neon operation (default 1000).' },
      { name: 'STARSYSTEM_WAIT_TIMEOUT_MS', description: 'Longest wait for Neon operations to finish (default 300000).' },
    ],
    credentials: ['DATABASE_URL'],
  };

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, PROVIDER);
  }

  describePlan(): string {
    return 'Neon project + branch + role + db';
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const settings = neonSettings(ctx, service);
    const api = new NeonApi(ctx);

    let project: NeonProject | undefined;
    let created = false;
    const recordedId = ctx.existing?.resourceId ?? ctx.partial?.resourceId;
    if (recordedId) {
      project = await api.project(recordedId);
      if (!project) ctx.step?.(`Recorded Neon project ${recordedId} no longer exists; looking for "${settings.projectName}"`);
    }
    if (!project) {
      const named = await api.projectsNamed(settings.projectName, settings.orgId);
      if (named.length > 1) {
        throw new Error(
          `Several Neon projects are named "${settings.projectName}" (${named.map((p) => p.id).join(', ')}); set target.project_name to a unique name.`,
        );
      }
      project = named[0];
      if (project) ctx.step?.(`Found existing project: ${project.name} (${project.id})`);
    }
    if (project && settings.regionId && project.region_id !== settings.regionId) {
      throw new Error(
        `Neon project ${project.name} (${project.id}) is in ${project.region_id}, but the service declares ${settings.declaredRegion} (${settings.regionId}). ` +
          'A Neon project cannot move to another region: declare its region, or destroy it and provision again.',
      );
    }
    if (!project) {
      const result = await api.createProject(settings);
      project = result.project;
      created = true;
      await ctx.savePartialState?.({
        provider: PROVIDER,
        resourceId: project.id,
        region: project.region_id,
        metadata: { projectName: project.name },
      });
      ctx.step?.(`Project created: ${project.name} (${project.id}) in ${project.region_id}`);
      await api.waitForOperations(project.id, result.operations);
    }

    const branch = await api.defaultBranch(project.id);
    if (await api.ensureRole(project.id, branch.id, settings.role)) ctx.step?.(`Role created: ${settings.role}`);
    if (await api.ensureDatabase(project.id, branch.id, settings.database, settings.role)) {
      ctx.step?.(`Database created: ${settings.database}`);
    }
    const uri = await api.connectionUri(project.id, branch.id, settings.database, settings.role);
    ctx.step?.(`Connection string ready for ${settings.database} as ${settings.role}`);

    const state: ProvisionStateRecord = {
      provider: PROVIDER,
      resourceId: project.id,
      provisionedAt: !created && ctx.existing?.resourceId === project.id ? ctx.existing.provisionedAt : new Date().toISOString(),
      region: project.region_id,
      metadata: {
        projectName: project.name,
        branchId: branch.id,
        branch: branch.name,
        database: settings.database,
        role: settings.role,
        ...(project.pg_version !== undefined ? { pgVersion: project.pg_version } : {}),
        ...(project.org_id ? { orgId: project.org_id } : {}),
        url: withoutPassword(uri),
      },
    };
    return {
      state,
      credentials: { DATABASE_URL: uri },
      summary: created
        ? `created Neon project ${project.name} (${project.id}) in ${project.region_id}`
        : `Neon project ${project.name} (${project.id}) already exists`,
    };
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    const api = new NeonApi(ctx);
    try {
      const project = await api.project(state.resourceId);
      if (!project) {
        const message = `Neon project ${state.resourceId} no longer exists`;
        return {
          healthy: false,
          condition: 'gone',
          message,
          drift: [{ field: 'project', recorded: state.resourceId, live: null, message }],
        };
      }
      const drift: DriftFinding[] = [];
      if (state.region && project.region_id !== state.region) {
        drift.push({
          field: 'region',
          recorded: state.region,
          live: project.region_id,
          message: `region is ${project.region_id}, recorded ${state.region}`,
        });
      }
      const branchId = typeof state.metadata?.branchId === 'string' ? state.metadata.branchId : undefined;
      if (branchId && !(await api.branch(project.id, branchId))) {
        const message = `branch ${branchId} no longer exists`;
        drift.push({ field: 'branch', recorded: branchId, live: null, message });
        return { healthy: false, condition: 'unhealthy', message: `Neon project ${project.name}: ${message}`, drift, raw: project };
      }
      const endpoint = (await api.endpoints(project.id)).find(
        (e) => e.type === 'read_write' && (!branchId || e.branch_id === branchId),
      );
      const compute = endpoint ? `compute ${endpoint.current_state ?? 'unknown'}` : 'no compute';
      return {
        healthy: true,
        condition: 'healthy',
        message: `Neon project ${project.name} (${project.id}) in ${project.region_id}, ${compute}`,
        drift,
        raw: project,
      };
    } catch (error) {
      return { healthy: false, condition: 'error', message: errorMessage(error) };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const api = new NeonApi(ctx);
    const deleted = await api.deleteProject(state.resourceId);
    ctx.step?.(deleted ? `Project deleted: ${state.resourceId}` : `Project ${state.resourceId} was already gone`);
  }
}

function operationFailed(op: NeonOperation): Error {
  return new Error(`Neon operation ${op.action} (${op.id}) ${op.status}${op.error ? `: ${op.error}` : ''}.`);
}

function errorMessage(error: unknown): string {
  return error instanceof ProviderHttpError || error instanceof Error ? error.message : String(error);
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
