/**
 * Account storage resources: `r2-bucket`, `kv-namespace` and `d1-database`. Each is looked
 * up by name before it is created (a lost state finds it again), refreshed by id when state
 * exists, and recreated only when Cloudflare says the recorded one is gone.
 */
import type { DriftFinding, ProvisionContext, ProvisionResult, ProvisionStateRecord, ProvisionStatus } from '../types';
import { ProviderHttpError } from '../http';
import type { CloudflareApi } from './api';
import type { CloudflareSpec } from './spec';
import { metadataOf, statusFromError, stringField, type CloudflareRun } from './run';

type R2Spec = Extract<CloudflareSpec, { resource: 'r2-bucket' }>;
type KvSpec = Extract<CloudflareSpec, { resource: 'kv-namespace' }>;
type D1Spec = Extract<CloudflareSpec, { resource: 'd1-database' }>;

interface R2Bucket {
  name: string;
  creation_date?: string;
  location?: string;
}

interface KvNamespace {
  id: string;
  title: string;
}

interface D1Database {
  uuid: string;
  name: string;
  created_at?: string;
  version?: string;
  running_in_region?: string;
}

const account = (id: string) => `/accounts/${encodeURIComponent(id)}`;
const r2Path = (acc: string, name?: string) => `${account(acc)}/r2/buckets${name ? `/${encodeURIComponent(name)}` : ''}`;
const kvPath = (acc: string, id?: string) => `${account(acc)}/storage/kv/namespaces${id ? `/${encodeURIComponent(id)}` : ''}`;
const d1Path = (acc: string, id?: string) => `${account(acc)}/d1/database${id ? `/${encodeURIComponent(id)}` : ''}`;

function accountOf(state: ProvisionStateRecord): string {
  const id = stringField(metadataOf(state), 'accountId');
  if (!id) throw new Error(`The recorded state of ${state.resourceId} has no accountId; run provision again.`);
  return id;
}

const isConflict = (error: unknown) => error instanceof ProviderHttpError && error.status === 409;

// R2 ---------------------------------------------------------------------------------------

export async function provisionR2Bucket(run: CloudflareRun, spec: R2Spec): Promise<ProvisionResult> {
  const { api } = run;
  if (run.previous?.resourceId && run.previous.resourceId !== spec.name) {
    run.step(`The recorded bucket ${run.previous.resourceId} is not the declared ${spec.name}; ${run.previous.resourceId} is left as it is`);
  }
  let bucket = await api.find<R2Bucket>(r2Path(spec.accountId, spec.name));
  let created = false;
  if (bucket) {
    run.step(`R2 bucket ${spec.name} exists${bucket.location ? ` (${bucket.location})` : ''}`);
  } else {
    const body: Record<string, unknown> = { name: spec.name };
    if (spec.locationHint) body.locationHint = spec.locationHint;
    try {
      bucket = await api.post<R2Bucket>(r2Path(spec.accountId), body);
      created = true;
      run.step(`R2 bucket ${spec.name} created${bucket.location ? ` (${bucket.location})` : ''}`);
    } catch (error) {
      // "already exists, and you own it": an earlier attempt made it.
      if (!isConflict(error)) throw error;
      bucket = await api.get<R2Bucket>(r2Path(spec.accountId, spec.name));
      run.step(`R2 bucket ${spec.name} exists`);
    }
  }
  const state: ProvisionStateRecord = {
    provider: 'cloudflare',
    resourceId: spec.name,
    provisionedAt: new Date().toISOString(),
    metadata: { resource: 'r2-bucket', accountId: spec.accountId, name: spec.name, ...(bucket.location ? { location: bucket.location } : {}) },
  };
  if (bucket.location) state.region = bucket.location;
  return { state, credentials: { R2_BUCKET: spec.name }, summary: `${created ? 'created' : 'verified'} R2 bucket ${spec.name}` };
}

export async function r2BucketStatus(api: CloudflareApi, state: ProvisionStateRecord): Promise<ProvisionStatus> {
  try {
    const bucket = await api.get<R2Bucket>(r2Path(accountOf(state), state.resourceId));
    const drift: DriftFinding[] = [];
    if (state.region && bucket.location && bucket.location.toLowerCase() !== state.region.toLowerCase()) {
      drift.push({ field: 'region', recorded: state.region, live: bucket.location, message: `bucket location is ${bucket.location}, recorded ${state.region}` });
    }
    return {
      healthy: drift.length === 0,
      condition: drift.length === 0 ? 'healthy' : 'unhealthy',
      message: drift[0]?.message ?? `R2 bucket ${bucket.name}${bucket.location ? ` (${bucket.location})` : ''}`,
      drift,
      raw: bucket,
    };
  } catch (error) {
    return statusFromError(error, `R2 bucket ${state.resourceId}`);
  }
}

export async function destroyR2Bucket(api: CloudflareApi, ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
  const deleted = await api.delete(r2Path(accountOf(state), state.resourceId));
  ctx.step?.(`R2 bucket ${state.resourceId} ${deleted ? 'deleted' : 'was already gone'}`);
}

// Workers KV -------------------------------------------------------------------------------

async function findKvByTitle(api: CloudflareApi, acc: string, title: string): Promise<KvNamespace | undefined> {
  const all = await api.list<KvNamespace>(kvPath(acc), {}, 100);
  return all.find((ns) => ns.title === title);
}

export async function provisionKvNamespace(run: CloudflareRun, spec: KvSpec): Promise<ProvisionResult> {
  const { api } = run;
  let namespace: KvNamespace | undefined;
  if (run.previous?.resourceId) {
    namespace = await api.find<KvNamespace>(kvPath(spec.accountId, run.previous.resourceId));
    if (!namespace) run.step(`The recorded KV namespace ${run.previous.resourceId} is gone`);
  }
  namespace ??= await findKvByTitle(api, spec.accountId, spec.title);
  let created = false;
  if (!namespace) {
    namespace = await api.post<KvNamespace>(kvPath(spec.accountId), { title: spec.title });
    created = true;
    run.step(`Workers KV namespace ${spec.title} created (${namespace.id})`);
  } else if (namespace.title !== spec.title) {
    await api.put<unknown>(kvPath(spec.accountId, namespace.id), { title: spec.title });
    run.step(`Workers KV namespace ${namespace.id} renamed from ${namespace.title} to ${spec.title}`);
    namespace = { ...namespace, title: spec.title };
  } else {
    run.step(`Workers KV namespace ${spec.title} exists (${namespace.id})`);
  }
  return {
    state: {
      provider: 'cloudflare',
      resourceId: namespace.id,
      provisionedAt: new Date().toISOString(),
      metadata: { resource: 'kv-namespace', accountId: spec.accountId, title: spec.title },
    },
    credentials: { KV_NAMESPACE_ID: namespace.id },
    summary: `${created ? 'created' : 'verified'} Workers KV namespace ${spec.title} (${namespace.id})`,
  };
}

export async function kvNamespaceStatus(api: CloudflareApi, state: ProvisionStateRecord): Promise<ProvisionStatus> {
  try {
    const namespace = await api.get<KvNamespace>(kvPath(accountOf(state), state.resourceId));
    const title = stringField(metadataOf(state), 'title');
    const drift: DriftFinding[] = [];
    if (title && namespace.title !== title) {
      drift.push({ field: 'title', recorded: title, live: namespace.title, message: `KV namespace renamed from ${title} to ${namespace.title}` });
    }
    return {
      healthy: drift.length === 0,
      condition: drift.length === 0 ? 'healthy' : 'unhealthy',
      message: drift[0]?.message ?? `Workers KV namespace ${namespace.title} (${namespace.id})`,
      drift,
      raw: namespace,
    };
  } catch (error) {
    return statusFromError(error, `Workers KV namespace ${state.resourceId}`);
  }
}

export async function destroyKvNamespace(api: CloudflareApi, ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
  const deleted = await api.delete(kvPath(accountOf(state), state.resourceId));
  ctx.step?.(`Workers KV namespace ${state.resourceId} ${deleted ? 'deleted' : 'was already gone'}`);
}

// D1 ---------------------------------------------------------------------------------------

async function findD1ByName(api: CloudflareApi, acc: string, name: string): Promise<D1Database | undefined> {
  // `name` narrows the list; the match is made exact here.
  const matches = await api.list<D1Database>(d1Path(acc), { name }, 100);
  return matches.find((db) => db.name === name);
}

export async function provisionD1Database(run: CloudflareRun, spec: D1Spec): Promise<ProvisionResult> {
  const { api } = run;
  let database: D1Database | undefined;
  if (run.previous?.resourceId) {
    database = await api.find<D1Database>(d1Path(spec.accountId, run.previous.resourceId));
    if (!database) run.step(`The recorded D1 database ${run.previous.resourceId} is gone`);
    else if (database.name !== spec.name) {
      run.step(`The recorded D1 database ${database.name} is not the declared ${spec.name}; ${database.name} is left as it is`);
      database = undefined;
    }
  }
  database ??= await findD1ByName(api, spec.accountId, spec.name);
  let created = false;
  if (!database) {
    const body: Record<string, unknown> = { name: spec.name };
    if (spec.locationHint) body.primary_location_hint = spec.locationHint;
    database = await api.post<D1Database>(d1Path(spec.accountId), body);
    created = true;
    run.step(`D1 database ${spec.name} created (${database.uuid})`);
  } else {
    run.step(`D1 database ${spec.name} exists (${database.uuid})`);
  }
  const state: ProvisionStateRecord = {
    provider: 'cloudflare',
    resourceId: database.uuid,
    provisionedAt: new Date().toISOString(),
    metadata: { resource: 'd1-database', accountId: spec.accountId, name: spec.name },
  };
  if (database.running_in_region) state.region = database.running_in_region;
  return {
    state,
    credentials: { D1_DATABASE_ID: database.uuid },
    summary: `${created ? 'created' : 'verified'} D1 database ${spec.name} (${database.uuid})`,
  };
}

export async function d1DatabaseStatus(api: CloudflareApi, state: ProvisionStateRecord): Promise<ProvisionStatus> {
  try {
    const database = await api.get<D1Database>(d1Path(accountOf(state), state.resourceId));
    return {
      healthy: true,
      condition: 'healthy',
      message: `D1 database ${database.name} (${database.uuid})${database.running_in_region ? ` in ${database.running_in_region}` : ''}`,
      drift: [],
      raw: database,
    };
  } catch (error) {
    return statusFromError(error, `D1 database ${state.resourceId}`);
  }
}

export async function destroyD1Database(api: CloudflareApi, ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
  const deleted = await api.delete(d1Path(accountOf(state), state.resourceId));
  ctx.step?.(`D1 database ${state.resourceId} ${deleted ? 'deleted' : 'was already gone'}`);
}
