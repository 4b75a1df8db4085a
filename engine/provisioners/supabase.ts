/**
 * Supabase cloud projects through the Management API (https://api.supabase.com/v1, Bearer
 * personal access token): create the project in `target.org` and `region` with a generated
 * database password, wait until it is ACTIVE_HEALTHY, then return the project URL and its
 * API keys. The password goes to the vault as a credential (never to state); an earlier one
 * found in the vault is reused. A paused project is restored.
 */
import { randomBytes } from 'node:crypto';
import { HttpClient, providerBaseUrl } from './http';
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

export const SUPABASE_API_URL = 'https://api.supabase.com/v1';

const PROVIDER = 'supabase';
const READY_TIMING: PollTiming = { intervalMs: 5_000, timeoutMs: 10 * 60_000 };
const STARTING = new Set(['COMING_UP', 'RESTORING', 'RESTARTING', 'UPGRADING', 'RESIZING', 'UNKNOWN']);
const PAUSED = new Set(['INACTIVE', 'PAUSING', 'GOING_DOWN']);
const FAILED = new Set(['INIT_FAILED', 'REMOVED', 'RESTORE_FAILED', 'PAUSE_FAILED']);

export interface SupabaseSettings {
  projectName: string;
  org?: string;
  region?: string;
  plan?: string;
}

interface SupabaseProject {
  id: string;
  ref?: string;
  organization_id?: string;
  organization_slug?: string;
  name: string;
  region: string;
  status: string;
  created_at?: string;
  database?: { host?: string; version?: string };
}

export function supabaseSettings(ctx: Pick<ProvisionContext, 'project'>, service: ResolvedService): SupabaseSettings {
  const target = service.target;
  const provision = service.provision;
  return {
    projectName: target?.project_name ?? provision?.project_name ?? `${ctx.project}-${service.id}`,
    org: target?.org,
    region: target?.region ?? provision?.region,
    plan: target?.plan ?? provision?.plan,
  };
}

/** The project's API URL. */
export function supabaseProjectUrl(ref: string): string {
  return `https://${ref}.supabase.co`;
}

/** A database password: 32 URL-safe characters. */
export function generateDbPassword(): string {
  return randomBytes(24).toString('base64url');
}

class SupabaseApi {
  private readonly http: HttpClient;

  constructor(ctx: ProvisionContext, secrets: string[] = []) {
    const env = ctx.processEnv ?? process.env;
    this.http = new HttpClient({
      provider: PROVIDER,
      baseUrl: providerBaseUrl(PROVIDER, SUPABASE_API_URL, env),
      headers: { authorization: `Bearer ${ctx.apiKey}` },
      secrets: [ctx.apiKey, ...secrets],
      signal: ctx.signal,
      env,
    });
  }

  async project(ref: string): Promise<SupabaseProject | undefined> {
    const res = await this.http.get<SupabaseProject>(`/projects/${enc(ref)}`, { allow: [404] });
    return res.status === 404 ? undefined : res.body;
  }

  async projects(): Promise<SupabaseProject[]> {
    const res = await this.http.get<SupabaseProject[]>('/projects');
    return Array.isArray(res.body) ? res.body : [];
  }

  async createProject(settings: Required<Pick<SupabaseSettings, 'org' | 'region'>> & SupabaseSettings, dbPass: string): Promise<SupabaseProject> {
    const res = await this.http.post<SupabaseProject>(
      '/projects',
      { name: settings.projectName, organization_id: settings.org, region: settings.region, db_pass: dbPass, plan: settings.plan },
      { idempotent: false },
    );
    return res.body;
  }

  async restore(ref: string): Promise<void> {
    await this.http.post(`/projects/${enc(ref)}/restore`, {}, { idempotent: false });
  }

  async apiKeys(ref: string): Promise<{ name: string; api_key: string }[]> {
    const res = await this.http.get<{ name: string; api_key: string }[]>(`/projects/${enc(ref)}/api-keys`, { query: { reveal: true } });
    return Array.isArray(res.body) ? res.body : [];
  }

  async deleteProject(ref: string): Promise<boolean> {
    const res = await this.http.delete(`/projects/${enc(ref)}`, { allow: [404] });
    return res.status !== 404;
  }
}

export class SupabaseProvisioner implements ProvisionerAdapter {
  readonly provider = PROVIDER;
  readonly requiresApiKey = true;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'Supabase cloud project (Management API): project URL, API keys and database',
    envVars: [
      { name: 'STARSYSTEM_SUPABASE_API_URL', description: `The Supabase Management API base URL (default ${SUPABASE_API_URL}).` },
      { name: 'STARSYSTEM_POLL_INTERVAL_MS', description: 'Time between two checks of the project status (default 5000).' },
      { name: 'STARSYSTEM_WAIT_TIMEOUT_MS', description: 'Longest wait for the project to become healthy (default 600000).' },
    ],
    credentials: ['SUPABASE_URL', 'SUPABASE_ANON_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_DB_PASSWORD', 'DATABASE_URL'],
  };

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, PROVIDER);
  }

  describePlan(service: ResolvedService): string {
    const region = service.target?.region ?? service.provision?.region;
    return region ? `Supabase project, region=${region}` : 'Supabase project';
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const settings = supabaseSettings(ctx, service);
    const passwordKey = `${ctx.serviceId}.SUPABASE_DB_PASSWORD`;
    const storedPassword = await ctx.vaultGet(passwordKey);
    let password = storedPassword ?? undefined;
    const api = new SupabaseApi(ctx, password ? [password] : []);

    let project: SupabaseProject | undefined;
    let created = false;
    const recordedRef = ctx.existing?.resourceId ?? ctx.partial?.resourceId;
    if (recordedRef) {
      project = await api.project(recordedRef);
      if (!project) ctx.step?.(`Recorded Supabase project ${recordedRef} no longer exists; looking for "${settings.projectName}"`);
    }
    if (!project) {
      const named = (await api.projects()).filter(
        (p) => p.name === settings.projectName && (!settings.org || p.organization_id === settings.org || p.organization_slug === settings.org),
      );
      if (named.length > 1) {
        throw new Error(
          `Several Supabase projects are named "${settings.projectName}" (${named.map((p) => refOf(p)).join(', ')}); set target.project_name to a unique name.`,
        );
      }
      project = named[0];
      if (project) ctx.step?.(`Found existing project: ${project.name} (${refOf(project)})`);
    }
    if (project && settings.region && project.region !== settings.region) {
      throw new Error(
        `Supabase project ${project.name} (${refOf(project)}) is in ${project.region}, but the service declares ${settings.region}. ` +
          'A Supabase project cannot move to another region: declare its region, or destroy it and provision again.',
      );
    }

    if (!project) {
      if (!settings.org) throw new Error(`Service "${service.id}": supabase needs target.org, the organization id the project is created in.`);
      if (!settings.region) throw new Error(`Service "${service.id}": supabase needs target.region (for example us-east-1).`);
      password ??= generateDbPassword();
      const creator = new SupabaseApi(ctx, [password]);
      project = await creator.createProject({ ...settings, org: settings.org, region: settings.region }, password);
      created = true;
      await ctx.savePartialState?.({
        provider: PROVIDER,
        resourceId: refOf(project),
        region: project.region,
        metadata: { projectName: project.name, org: settings.org },
      });
      ctx.step?.(`Project created: ${project.name} (${refOf(project)}) in ${project.region}`);
    } else if (PAUSED.has(project.status)) {
      await api.restore(refOf(project));
      ctx.step?.(`Project ${project.name} was paused (${project.status}); restoring it`);
    }

    const ref = refOf(project);
    project = await this.waitUntilHealthy(ctx, api, ref);
    ctx.step?.(`Project ${project.name} is ACTIVE_HEALTHY`);

    const keys = await api.apiKeys(ref);
    const anon = keys.find((k) => k.name === 'anon')?.api_key;
    const serviceRole = keys.find((k) => k.name === 'service_role')?.api_key;
    if (!anon || !serviceRole) {
      throw new Error(`Supabase project ${ref} did not return its anon and service_role API keys (got: ${keys.map((k) => k.name).join(', ') || 'none'}).`);
    }

    const url = supabaseProjectUrl(ref);
    const dbHost = project.database?.host ?? `db.${ref}.supabase.co`;
    const credentials: Record<string, string> = {
      SUPABASE_URL: url,
      SUPABASE_ANON_KEY: anon,
      SUPABASE_SERVICE_ROLE_KEY: serviceRole,
    };
    if (password && (created || storedPassword)) {
      credentials.SUPABASE_DB_PASSWORD = password;
      credentials.DATABASE_URL = `postgresql://postgres:${encodeURIComponent(password)}@${dbHost}:5432/postgres`;
    } else {
      ctx.step?.(
        `The database password of ${ref} is not in the vault, so DATABASE_URL is not written: reset it in the Supabase dashboard and store it with "ss vault set ${passwordKey} <password>"`,
      );
    }

    const state: ProvisionStateRecord = {
      provider: PROVIDER,
      resourceId: ref,
      provisionedAt: !created && ctx.existing?.resourceId === ref ? ctx.existing.provisionedAt : new Date().toISOString(),
      region: project.region,
      metadata: {
        projectName: project.name,
        ...(project.organization_id ? { org: project.organization_id } : settings.org ? { org: settings.org } : {}),
        url,
        dbHost,
      },
    };
    return {
      state,
      credentials,
      summary: created
        ? `created Supabase project ${project.name} (${ref}) in ${project.region}`
        : `Supabase project ${project.name} (${ref}) already exists`,
    };
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    const api = new SupabaseApi(ctx);
    try {
      const project = await api.project(state.resourceId);
      if (!project) {
        const message = `Supabase project ${state.resourceId} no longer exists`;
        return { healthy: false, condition: 'gone', message, drift: [{ field: 'project', recorded: state.resourceId, live: null, message }] };
      }
      const drift: DriftFinding[] = [];
      if (state.region && project.region !== state.region) {
        drift.push({ field: 'region', recorded: state.region, live: project.region, message: `region is ${project.region}, recorded ${state.region}` });
      }
      const label = `Supabase project ${project.name} (${state.resourceId})`;
      if (project.status === 'ACTIVE_HEALTHY') {
        return { healthy: true, condition: 'healthy', message: `${label} is ACTIVE_HEALTHY in ${project.region}`, drift, raw: project };
      }
      if (STARTING.has(project.status)) {
        return { healthy: false, condition: 'starting', message: `${label} is ${project.status}`, drift, raw: project };
      }
      const paused = PAUSED.has(project.status);
      drift.push({
        field: 'status',
        recorded: 'ACTIVE_HEALTHY',
        live: project.status,
        message: paused ? `project is paused (${project.status})` : `project is ${project.status}`,
      });
      return { healthy: false, condition: 'unhealthy', message: `${label} is ${project.status}${paused ? ' (paused)' : ''}`, drift, raw: project };
    } catch (error) {
      return { healthy: false, condition: 'error', message: (error as Error).message };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const deleted = await new SupabaseApi(ctx).deleteProject(state.resourceId);
    ctx.step?.(deleted ? `Project deleted: ${state.resourceId}` : `Project ${state.resourceId} was already gone`);
  }

  private waitUntilHealthy(ctx: ProvisionContext, api: SupabaseApi, ref: string): Promise<SupabaseProject> {
    return pollUntil(
      `Supabase project ${ref} to become ACTIVE_HEALTHY`,
      async () => {
        const project = await api.project(ref);
        if (!project) throw new Error(`Supabase project ${ref} disappeared while it was starting.`);
        if (project.status === 'ACTIVE_HEALTHY') return { done: true, value: project };
        if (FAILED.has(project.status)) throw new Error(`Supabase project ${ref} is ${project.status}.`);
        return { done: false, detail: project.status };
      },
      pollTiming(ctx.processEnv ?? process.env, READY_TIMING),
      ctx.signal,
    );
  }
}

/** The project ref (the API calls it `id`, newer answers also `ref`). */
function refOf(project: SupabaseProject): string {
  return project.ref ?? project.id;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
