/**
 * Railway through its public GraphQL API (https://backboard.railway.com/graphql/v2, Bearer
 * account or workspace token): a project found or created by name, a service in it running
 * the declared image, the service's variables (target.env with the injected credentials), and
 * a deployment, waited on until Railway reports it SUCCESS or failed.
 *
 * GraphQL answers errors with HTTP 200 and `{errors: [{message}]}`; those become
 * RailwayGraphQLError, a ProviderHttpError whose `isGone` is true only when Railway says the
 * thing was not found, and whose `isAuth` is true for "Not Authorized".
 */
import { HttpClient, ProviderHttpError, providerBaseUrl, redactValues } from './http';
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

export const RAILWAY_API_URL = 'https://backboard.railway.com/graphql/v2';

const PROVIDER = 'railway';
const DEPLOY_TIMING: PollTiming = { intervalMs: 3_000, timeoutMs: 10 * 60_000 };
const PAGE_SIZE = 50;

/** Railway deployment statuses, by what they mean for the service. */
const DEPLOYED = new Set(['SUCCESS', 'SLEEPING']);
const DEPLOY_FAILED = new Set(['FAILED', 'CRASHED', 'REMOVED', 'SKIPPED']);

export interface RailwaySettings {
  projectName: string;
  serviceName: string;
  image: string;
  region?: string;
  workspaceId?: string;
  /** The environment Railway should deploy to, by name, when the project has it. */
  environmentName: string;
  /** Variable values (declared env and injected credentials); values may be secrets. */
  variables: Record<string, string>;
}

interface Named {
  id: string;
  name: string;
}

interface Connection<T> {
  edges: { node: T }[];
  pageInfo?: { hasNextPage: boolean; endCursor?: string | null };
}

interface RailwayProject extends Named {
  environments: Connection<Named>;
  services: Connection<Named>;
}

interface RailwayDeployment {
  id: string;
  status: string;
  createdAt?: string;
}

interface RailwayServiceInstance {
  id: string;
  serviceName: string;
  region?: string | null;
  source?: { image?: string | null } | null;
  latestDeployment?: RailwayDeployment | null;
}

export function railwaySettings(ctx: Pick<ProvisionContext, 'project' | 'env' | 'injected'>, service: ResolvedService): RailwaySettings {
  const target = service.target;
  const provision = service.provision;
  const image = target?.image ?? provision?.image;
  if (!image) {
    throw new Error(`Service "${service.id}" has no image: Railway deploys target.image (or provision.image).`);
  }
  const declared: Record<string, string> = {};
  for (const [name, value] of Object.entries(target?.env ?? service.env ?? {})) declared[name] = String(value);
  return {
    projectName: target?.project_name ?? provision?.project_name ?? ctx.project,
    serviceName: target?.service ?? service.id,
    image,
    region: target?.region ?? provision?.region,
    workspaceId: target?.org,
    environmentName: ctx.env,
    // What the service's own declaration says wins over an injected credential of the same name.
    variables: { ...(ctx.injected ?? {}), ...declared },
  };
}

/** A GraphQL error answered with HTTP 200: the provider's messages, classified. */
export class RailwayGraphQLError extends ProviderHttpError {
  constructor(message: string, operation: string, providerMessage: string, body: unknown) {
    super(message, PROVIDER, 'http', 'POST', operation, 200, providerMessage, body);
    this.name = 'RailwayGraphQLError';
  }

  override get isGone(): boolean {
    return /\bnot found\b/i.test(this.providerMessage ?? '');
  }

  override get isAuth(): boolean {
    return /not authori[sz]ed|unauthori[sz]ed|invalid token/i.test(this.providerMessage ?? '');
  }
}

const PROJECTS = `query projects($workspaceId: String, $first: Int, $after: String) {
  projects(workspaceId: $workspaceId, first: $first, after: $after) {
    edges { node { id name } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const PROJECT = `query project($id: String!) {
  project(id: $id) {
    id
    name
    environments { edges { node { id name } } }
    services { edges { node { id name } } }
  }
}`;

const PROJECT_CREATE = `mutation projectCreate($input: ProjectCreateInput!) {
  projectCreate(input: $input) {
    id
    name
    environments { edges { node { id name } } }
    services { edges { node { id name } } }
  }
}`;

const PROJECT_DELETE = `mutation projectDelete($id: String!) {
  projectDelete(id: $id)
}`;

const SERVICE = `query service($id: String!) {
  service(id: $id) { id name projectId }
}`;

const SERVICE_CREATE = `mutation serviceCreate($input: ServiceCreateInput!) {
  serviceCreate(input: $input) { id name }
}`;

const SERVICE_DELETE = `mutation serviceDelete($id: String!) {
  serviceDelete(id: $id)
}`;

const SERVICE_INSTANCE = `query serviceInstance($serviceId: String!, $environmentId: String!) {
  serviceInstance(serviceId: $serviceId, environmentId: $environmentId) {
    id
    serviceName
    region
    source { image }
    latestDeployment { id status createdAt }
  }
}`;

const SERVICE_INSTANCE_UPDATE = `mutation serviceInstanceUpdate($serviceId: String!, $environmentId: String!, $input: ServiceInstanceUpdateInput!) {
  serviceInstanceUpdate(serviceId: $serviceId, environmentId: $environmentId, input: $input)
}`;

const VARIABLES = `query variables($projectId: String!, $environmentId: String!, $serviceId: String) {
  variables(projectId: $projectId, environmentId: $environmentId, serviceId: $serviceId)
}`;

const VARIABLES_UPSERT = `mutation variableCollectionUpsert($input: VariableCollectionUpsertInput!) {
  variableCollectionUpsert(input: $input)
}`;

const VARIABLE_DELETE = `mutation variableDelete($input: VariableDeleteInput!) {
  variableDelete(input: $input)
}`;

const DEPLOY = `mutation serviceInstanceDeployV2($serviceId: String!, $environmentId: String!) {
  serviceInstanceDeployV2(serviceId: $serviceId, environmentId: $environmentId)
}`;

const DEPLOYMENT = `query deployment($id: String!) {
  deployment(id: $id) { id status createdAt }
}`;

class RailwayApi {
  private readonly http: HttpClient;
  private readonly endpointPath: string;
  private readonly secrets: string[];
  readonly timing: PollTiming;

  constructor(ctx: ProvisionContext, extraSecrets: string[] = []) {
    const env = ctx.processEnv ?? process.env;
    // The documented URL is the endpoint itself; the client wants an origin and a path.
    const endpoint = new URL(providerBaseUrl(PROVIDER, RAILWAY_API_URL, env));
    this.endpointPath = endpoint.pathname === '' ? '/' : endpoint.pathname;
    this.secrets = [ctx.apiKey, ...extraSecrets];
    this.http = new HttpClient({
      provider: PROVIDER,
      baseUrl: endpoint.origin,
      headers: { authorization: `Bearer ${ctx.apiKey}` },
      secrets: this.secrets,
      signal: ctx.signal,
      env,
    });
    this.timing = pollTiming(env, DEPLOY_TIMING);
  }

  /**
   * Sends one operation. Queries are safe to repeat after a timeout or a dropped connection;
   * mutations are not (the HTTP client then retries them only when Railway clearly did not act).
   */
  async call<T>(operation: string, document: string, variables: Record<string, unknown>): Promise<T> {
    const mutation = document.trimStart().startsWith('mutation');
    const res = await this.http.post<{ data?: T | null; errors?: { message?: unknown }[] }>(
      this.endpointPath,
      { query: document, variables, operationName: operation },
      { idempotent: !mutation },
    );
    const body = res.body;
    if (!body || typeof body !== 'object') {
      throw new ProviderHttpError(
        `railway API ${operation} answered something that is not GraphQL JSON`,
        PROVIDER,
        'http',
        'POST',
        operation,
        res.status,
        undefined,
        undefined,
      );
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      const said = redactValues(
        body.errors.map((e) => (typeof e?.message === 'string' ? e.message : JSON.stringify(e))).join('; '),
        this.secrets,
      );
      throw new RailwayGraphQLError(`railway API ${operation} failed: ${said}`, operation, said, body);
    }
    if (body.data === undefined || body.data === null) {
      throw new ProviderHttpError(`railway API ${operation} returned no data`, PROVIDER, 'http', 'POST', operation, res.status);
    }
    return body.data;
  }

  async projectsNamed(name: string, workspaceId: string | undefined): Promise<Named[]> {
    const found: Named[] = [];
    let after: string | undefined;
    for (let page = 0; page < 100; page++) {
      const data = await this.call<{ projects: Connection<Named> }>('projects', PROJECTS, {
        workspaceId: workspaceId ?? null,
        first: PAGE_SIZE,
        after: after ?? null,
      });
      found.push(...data.projects.edges.map((e) => e.node).filter((p) => p.name === name));
      const info = data.projects.pageInfo;
      if (!info?.hasNextPage || !info.endCursor || info.endCursor === after) break;
      after = info.endCursor;
    }
    return found;
  }

  /** The project, or undefined when Railway says it does not exist. */
  async project(id: string): Promise<RailwayProject | undefined> {
    return goneAsUndefined(async () => (await this.call<{ project: RailwayProject }>('project', PROJECT, { id })).project);
  }

  async createProject(settings: RailwaySettings): Promise<RailwayProject> {
    const input: Record<string, unknown> = { name: settings.projectName };
    if (settings.workspaceId) input.workspaceId = settings.workspaceId;
    return (await this.call<{ projectCreate: RailwayProject }>('projectCreate', PROJECT_CREATE, { input })).projectCreate;
  }

  async deleteProject(id: string): Promise<boolean> {
    return (await goneAsUndefined(() => this.call('projectDelete', PROJECT_DELETE, { id }))) !== undefined;
  }

  async service(id: string): Promise<(Named & { projectId: string }) | undefined> {
    return goneAsUndefined(async () => (await this.call<{ service: Named & { projectId: string } }>('service', SERVICE, { id })).service);
  }

  async createService(projectId: string, environmentId: string, settings: RailwaySettings): Promise<Named> {
    const input = {
      projectId,
      environmentId,
      name: settings.serviceName,
      source: { image: settings.image },
      variables: settings.variables,
    };
    return (await this.call<{ serviceCreate: Named }>('serviceCreate', SERVICE_CREATE, { input })).serviceCreate;
  }

  async deleteService(id: string): Promise<boolean> {
    return (await goneAsUndefined(() => this.call('serviceDelete', SERVICE_DELETE, { id }))) !== undefined;
  }

  async instance(serviceId: string, environmentId: string): Promise<RailwayServiceInstance | undefined> {
    return goneAsUndefined(
      async () =>
        (await this.call<{ serviceInstance: RailwayServiceInstance | null }>('serviceInstance', SERVICE_INSTANCE, { serviceId, environmentId }))
          .serviceInstance ?? undefined,
    );
  }

  async updateInstance(serviceId: string, environmentId: string, input: Record<string, unknown>): Promise<void> {
    await this.call('serviceInstanceUpdate', SERVICE_INSTANCE_UPDATE, { serviceId, environmentId, input });
  }

  async variables(projectId: string, environmentId: string, serviceId: string): Promise<Record<string, string>> {
    const data = await this.call<{ variables: Record<string, string> | null }>('variables', VARIABLES, { projectId, environmentId, serviceId });
    return data.variables ?? {};
  }

  async upsertVariables(projectId: string, environmentId: string, serviceId: string, variables: Record<string, string>): Promise<void> {
    // Deploys are triggered once, explicitly, after every change is in.
    const input = { projectId, environmentId, serviceId, variables, skipDeploys: true };
    await this.call('variableCollectionUpsert', VARIABLES_UPSERT, { input });
  }

  async deleteVariable(projectId: string, environmentId: string, serviceId: string, name: string): Promise<void> {
    await this.call('variableDelete', VARIABLE_DELETE, { input: { projectId, environmentId, serviceId, name } });
  }

  async deploy(serviceId: string, environmentId: string): Promise<string> {
    const data = await this.call<{ serviceInstanceDeployV2: string }>('serviceInstanceDeployV2', DEPLOY, { serviceId, environmentId });
    return data.serviceInstanceDeployV2;
  }

  async deployment(id: string): Promise<RailwayDeployment | undefined> {
    return goneAsUndefined(async () => (await this.call<{ deployment: RailwayDeployment }>('deployment', DEPLOYMENT, { id })).deployment);
  }
}

export class RailwayProvisioner implements ProvisionerAdapter {
  readonly provider = PROVIDER;
  readonly requiresApiKey = true;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'Railway: a project and a service running an image, with its variables, deployed',
    envVars: [
      { name: 'STARSYSTEM_RAILWAY_API_URL', description: `The Railway GraphQL endpoint (default ${RAILWAY_API_URL}).` },
      { name: 'STARSYSTEM_POLL_INTERVAL_MS', description: 'Time between two checks of a Railway deployment (default 3000).' },
      { name: 'STARSYSTEM_WAIT_TIMEOUT_MS', description: 'Longest wait for a Railway deployment to finish (default 600000).' },
    ],
    credentials: [],
  };

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, PROVIDER);
  }

  describePlan(service: ResolvedService): string {
    const image = service.target?.image ?? service.provision?.image;
    return `Railway project + service${image ? ` (${image})` : ''} + variables + deploy`;
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const settings = railwaySettings(ctx, service);
    const api = new RailwayApi(ctx, Object.values(settings.variables));

    // 1. The project: the recorded one if it still exists, else the one with the declared name.
    const recorded: Partial<ProvisionStateRecord> | undefined = ctx.existing ?? ctx.partial;
    const recordedProjectId = stringField(recorded?.metadata, 'projectId');
    let project = recordedProjectId ? await api.project(recordedProjectId) : undefined;
    if (recordedProjectId && !project) ctx.step?.(`Recorded Railway project ${recordedProjectId} no longer exists`);
    if (!project) {
      const named = await api.projectsNamed(settings.projectName, settings.workspaceId);
      if (named.length > 1) {
        throw new Error(
          `Several Railway projects are named "${settings.projectName}" (${named.map((p) => p.id).join(', ')}); set target.project_name to a unique name.`,
        );
      }
      if (named[0]) {
        project = await api.project(named[0].id);
        if (project) ctx.step?.(`Found existing project: ${project.name} (${project.id})`);
      }
    }
    let projectCreated = recorded?.metadata?.projectCreated === true && project?.id === recordedProjectId;
    if (!project) {
      project = await api.createProject(settings);
      projectCreated = true;
      ctx.step?.(`Project created: ${project.name} (${project.id})`);
      await ctx.savePartialState?.({ provider: PROVIDER, metadata: { projectId: project.id, projectCreated: true } });
    }

    const environment = pickEnvironment(project, settings.environmentName);

    // 2. The service: the recorded one if it is still in the project, else the one with the declared name.
    const recordedServiceId = recorded?.resourceId;
    let serviceNode: Named | undefined = recordedServiceId
      ? project.services.edges.map((e) => e.node).find((s) => s.id === recordedServiceId)
      : undefined;
    if (recordedServiceId && !serviceNode && ctx.existing) ctx.step?.(`Recorded Railway service ${recordedServiceId} no longer exists`);
    serviceNode ??= project.services.edges.map((e) => e.node).find((s) => s.name === settings.serviceName);

    let created = false;
    let deploymentId: string | undefined;
    let redeployReason: string | undefined;
    const changes: string[] = [];
    if (!serviceNode) {
      serviceNode = await api.createService(project.id, environment.id, settings);
      created = true;
      ctx.step?.(`Service created: ${serviceNode.name} (${serviceNode.id}) from ${settings.image}`);
      await ctx.savePartialState?.({
        provider: PROVIDER,
        resourceId: serviceNode.id,
        metadata: { projectId: project.id, projectCreated, environmentId: environment.id },
      });
      if (settings.region) {
        // The region is an instance setting; the deployment Railway started on creation predates it.
        await api.updateInstance(serviceNode.id, environment.id, { region: settings.region });
        deploymentId = await api.deploy(serviceNode.id, environment.id);
      }
    } else {
      ctx.step?.(`Found existing service: ${serviceNode.name} (${serviceNode.id})`);
      // 3. Bring an existing service to the declared image, region and variables.
      const instance = await api.instance(serviceNode.id, environment.id);
      const update: Record<string, unknown> = {};
      if (instance?.source?.image !== settings.image) {
        update.source = { image: settings.image };
        changes.push(`image ${instance?.source?.image ?? '(none)'} -> ${settings.image}`);
      }
      if (settings.region && instance?.region !== settings.region) {
        update.region = settings.region;
        changes.push(`region ${instance?.region ?? '(none)'} -> ${settings.region}`);
      }
      if (Object.keys(update).length > 0) await api.updateInstance(serviceNode.id, environment.id, update);

      const live = await api.variables(project.id, environment.id, serviceNode.id);
      const differing = Object.entries(settings.variables).filter(([name, value]) => live[name] !== value);
      if (differing.length > 0) {
        await api.upsertVariables(project.id, environment.id, serviceNode.id, Object.fromEntries(differing));
        changes.push(`variables ${differing.map(([name]) => name).join(', ')}`);
      }
      // A variable this provisioner set earlier and the declaration no longer has goes; others are the user's.
      const recordedNames = Array.isArray(recorded?.metadata?.variables) ? (recorded.metadata.variables as unknown[]) : [];
      const dropped = recordedNames.filter((n): n is string => typeof n === 'string' && !(n in settings.variables) && n in live);
      for (const name of dropped) await api.deleteVariable(project.id, environment.id, serviceNode.id, name);
      if (dropped.length > 0) changes.push(`variables removed ${dropped.join(', ')}`);
      const latest = instance?.latestDeployment ?? undefined;
      if (changes.length > 0 || !latest || DEPLOY_FAILED.has(latest.status)) {
        // Re-running is how a failed deployment is retried.
        if (changes.length === 0) redeployReason = latest ? `last deployment ${latest.status}` : 'no deployment yet';
        deploymentId = await api.deploy(serviceNode.id, environment.id);
        ctx.step?.(`Deploying ${serviceNode.name}: ${redeployReason ?? changes.join('; ')}`);
      } else {
        deploymentId = latest.id;
      }
    }

    // 4. Wait for the deployment (Railway deploys a service created with an image source by itself).
    let deployment: RailwayDeployment | undefined;
    let stillRunning: string | undefined;
    try {
      deployment = await this.waitForDeployment(api, ctx, serviceNode.id, environment.id, deploymentId);
    } catch (error) {
      if (!(error instanceof WaitTimeoutError)) throw error;
      stillRunning = error.message;
    }
    if (deployment && DEPLOY_FAILED.has(deployment.status)) {
      throw new Error(
        `Railway deployment ${deployment.id} of ${settings.serviceName} ended ${deployment.status}; see its logs in the Railway dashboard, then run again.`,
      );
    }
    if (deployment) ctx.step?.(`Deployment ${deployment.id} ${deployment.status}`);

    const state: ProvisionStateRecord = {
      provider: PROVIDER,
      resourceId: serviceNode.id,
      provisionedAt: !created && ctx.existing?.resourceId === serviceNode.id ? ctx.existing.provisionedAt : new Date().toISOString(),
      ...(settings.region ? { region: settings.region } : {}),
      metadata: {
        projectId: project.id,
        projectName: project.name,
        projectCreated,
        environmentId: environment.id,
        environment: environment.name,
        serviceName: serviceNode.name,
        image: settings.image,
        // Names only: the values may be secrets.
        variables: Object.keys(settings.variables).sort(),
        ...(deployment ? { deploymentId: deployment.id, deploymentStatus: deployment.status } : deploymentId ? { deploymentId } : {}),
      },
    };
    const what = `Railway service ${serviceNode.name} (${serviceNode.id}) in ${project.name}/${environment.name}`;
    const tail = stillRunning ? `; deployment still running (${stillRunning})` : '';
    return {
      state,
      summary: created
        ? `created ${what}${tail}`
        : changes.length > 0
          ? `updated ${what}: ${changes.join('; ')}${tail}`
          : redeployReason
            ? `redeployed ${what} (${redeployReason})${tail}`
            : `${what} already up to date${tail}`,
    };
  }

  /** Waits for the given deployment, or for the first one Railway starts by itself, to finish. */
  private async waitForDeployment(
    api: RailwayApi,
    ctx: ProvisionContext,
    serviceId: string,
    environmentId: string,
    deploymentId: string | undefined,
  ): Promise<RailwayDeployment> {
    return pollUntil<RailwayDeployment>(
      `Railway deployment of service ${serviceId}`,
      async () => {
        let deployment: RailwayDeployment | undefined;
        if (deploymentId) {
          deployment = await api.deployment(deploymentId);
          if (!deployment) throw new Error(`Railway deployment ${deploymentId} disappeared while it was being watched.`);
        } else {
          deployment = (await api.instance(serviceId, environmentId))?.latestDeployment ?? undefined;
          if (!deployment) return { done: false, detail: 'no deployment yet' };
        }
        const settled = DEPLOYED.has(deployment.status) || DEPLOY_FAILED.has(deployment.status);
        return settled ? { done: true, value: deployment } : { done: false, detail: `${deployment.id} ${deployment.status}` };
      },
      api.timing,
      ctx.signal,
    );
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    const api = new RailwayApi(ctx);
    const environmentId = stringField(state.metadata, 'environmentId');
    try {
      const service = await api.service(state.resourceId);
      if (service && !environmentId) {
        return { healthy: false, condition: 'error', message: `The recorded state of Railway service ${service.name} names no environment; run provision again.` };
      }
      const instance = service && environmentId ? await api.instance(service.id, environmentId) : undefined;
      if (!service || !instance) {
        const message = service
          ? `Railway service ${service.name} no longer runs in environment ${stringField(state.metadata, 'environment') ?? environmentId}`
          : `Railway service ${state.resourceId} no longer exists`;
        return { healthy: false, condition: 'gone', message, drift: [{ field: 'service', recorded: state.resourceId, live: null, message }] };
      }
      const drift: DriftFinding[] = [];
      const recordedImage = stringField(state.metadata, 'image');
      const liveImage = instance.source?.image ?? undefined;
      if (recordedImage && liveImage !== recordedImage) {
        drift.push({ field: 'image', recorded: recordedImage, live: liveImage ?? null, message: `image is ${liveImage ?? '(none)'}, recorded ${recordedImage}` });
      }
      if (state.region && instance.region && instance.region !== state.region) {
        drift.push({ field: 'region', recorded: state.region, live: instance.region, message: `region is ${instance.region}, recorded ${state.region}` });
      }
      const deployment = instance.latestDeployment;
      const name = `Railway service ${service.name}`;
      if (!deployment) {
        return { healthy: false, condition: 'unhealthy', message: `${name}: no deployment`, drift, raw: instance };
      }
      const condition = deploymentCondition(deployment.status);
      return {
        healthy: condition === 'healthy',
        condition,
        message: `${name}: deployment ${deployment.id} ${deployment.status}`,
        drift,
        raw: instance,
      };
    } catch (error) {
      return { healthy: false, condition: 'error', message: errorText(error) };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const api = new RailwayApi(ctx);
    const deleted = await api.deleteService(state.resourceId);
    ctx.step?.(deleted ? `Service deleted: ${state.resourceId}` : `Service ${state.resourceId} was already gone`);

    // A project this provisioner created goes too, once nothing else lives in it.
    const projectId = stringField(state.metadata, 'projectId');
    if (!projectId || state.metadata?.projectCreated !== true) return;
    const project = await api.project(projectId);
    if (!project) return;
    const others = project.services.edges.map((e) => e.node).filter((s) => s.id !== state.resourceId);
    if (others.length > 0) {
      ctx.step?.(`Project ${project.name} kept: it still has ${others.map((s) => s.name).join(', ')}`);
      return;
    }
    if (await api.deleteProject(projectId)) ctx.step?.(`Project deleted: ${project.name} (${projectId})`);
  }
}

/** The environment named like the run's env, else Railway's default "production", else the first. */
function pickEnvironment(project: RailwayProject, wanted: string): Named {
  const environments = project.environments.edges.map((e) => e.node);
  const environment =
    environments.find((e) => e.name === wanted) ?? environments.find((e) => e.name === 'production') ?? environments[0];
  if (!environment) throw new Error(`Railway project ${project.name} (${project.id}) has no environment to deploy to.`);
  return environment;
}

function deploymentCondition(status: string): NonNullable<ProvisionStatus['condition']> {
  if (DEPLOYED.has(status)) return 'healthy';
  if (DEPLOY_FAILED.has(status)) return 'unhealthy';
  return 'starting';
}

/** Runs a call; a "not found" answer becomes undefined, anything else stays an error. */
async function goneAsUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ProviderHttpError && error.isGone) return undefined;
    throw error;
  }
}

function stringField(metadata: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = metadata?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
