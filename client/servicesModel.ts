/**
 * What the Services view shows, as data: one entry per service of the current system with
 * its plan row, recorded state, health (from the engine's `status`), last deploy, drift
 * findings and, during a run, its progress. The tree only renders this.
 */
import { loadSystem } from '../engine/config/load';
import type { SystemModel } from '../engine/config/model';
import { hasErrors } from '../engine/diagnostics';
import { status as statusOp, type ServiceHealth, type ServiceStatus } from '../engine/ops/index';
import { buildPlan, type Plan, type PlanRow } from '../engine/plan/plan';
import { provisioners } from '../engine/provisioners/index';
import type { DriftFinding, ProvisionStateRecord } from '../engine/provisioners/types';
import { History, type Receipt } from '../engine/run/history';
import { StateStore } from '../engine/run/state';
import type { Vault } from '../engine/vault/types';

/** The engine's health, plus "unchecked" (an untrusted workspace checks nothing). */
export type DisplayHealth = ServiceHealth | 'unchecked';

/** A service's place in a run that is in progress. */
export type RunPhase = 'queued' | 'starting' | 'stopping';

export interface LastDeploy {
  id: string;
  operation: Receipt['operation'];
  status: Receipt['status'];
  startedAt: string;
  durationMs?: number;
}

export interface ServiceEntry {
  id: string;
  /** The declared `type:` (process, database, cdn...). */
  type?: string;
  name?: string;
  provider?: string;
  health: DisplayHealth;
  /** What the health check said. */
  message?: string;
  planRow?: PlanRow;
  record?: ProvisionStateRecord;
  pid?: number;
  resourceId?: string;
  logPath?: string;
  urls: string[];
  lastDeploy?: LastDeploy;
  drift?: DriftFinding[];
  runPhase?: RunPhase;
  /** Recorded but no longer declared. */
  orphan?: boolean;
  dependsOn: string[];
}

export interface SystemSnapshot {
  configPath: string;
  project: string;
  env: string;
  services: ServiceEntry[];
  /** The configuration has errors (health and plan may be incomplete). */
  invalid: boolean;
  /** Why the snapshot could not be loaded at all. */
  error?: string;
  checkedHealth: boolean;
  takenAt: string;
}

export interface SnapshotOptions {
  configPath: string;
  /** The environment chosen in the settings ("" = the default). */
  env: string;
  home: string;
  processEnv: NodeJS.ProcessEnv;
  vault: Vault;
  /** Check health (off in an untrusted workspace). */
  checkHealth: boolean;
}

export async function takeSnapshot(options: SnapshotOptions): Promise<SystemSnapshot> {
  const takenAt = new Date().toISOString();
  let model: SystemModel;
  try {
    model = await loadSystem({ file: options.configPath, env: options.env || undefined, registry: provisioners });
  } catch (error) {
    return { configPath: options.configPath, project: '', env: options.env || 'local', services: [], invalid: true, error: (error as Error).message, checkedHealth: false, takenAt };
  }
  const store = new StateStore(options.home, model.project, model.env);
  const stored = await store.all().catch(() => new Map());
  let plan: Plan | undefined;
  try {
    plan = buildPlan(model, provisioners, stored);
  } catch {
    plan = undefined;
  }
  const rows = new Map(plan?.rows.map((r) => [r.serviceId, r]) ?? []);

  let health = new Map<string, ServiceStatus>();
  let checkedHealth = false;
  if (options.checkHealth) {
    try {
      const report = await statusOp({ file: options.configPath, env: options.env || undefined, home: options.home, processEnv: options.processEnv, vault: options.vault });
      health = new Map(report.services.map((s) => [s.serviceId, s]));
      checkedHealth = true;
    } catch {
      // A configuration that cannot load is shown with its plan rows; the error is in Problems.
    }
  }

  const lastDeploys = await lastDeployByService(new History(options.home, model.project, model.env));
  const ids = [...model.order, ...[...health.keys()].filter((id) => !model.byId.has(id))];
  const services = ids.map((id): ServiceEntry => {
    const service = model.byId.get(id);
    const row = rows.get(id);
    const status = health.get(id);
    const record = status?.record ?? row?.recorded?.record ?? stored.get(id)?.record;
    const metadata = (record?.metadata ?? {}) as Record<string, unknown>;
    const declaration = (service?.declaration ?? {}) as Record<string, unknown>;
    return {
      id,
      type: typeof declaration.type === 'string' ? declaration.type : undefined,
      name: typeof declaration.name === 'string' ? declaration.name : undefined,
      provider: status?.provider ?? row?.provider ?? service?.provider,
      health: status?.health ?? fallbackHealth(row, checkedHealth),
      message: status?.message ?? row?.detail,
      planRow: row,
      record,
      pid: status?.pid ?? (typeof metadata.pid === 'number' ? metadata.pid : undefined),
      resourceId: record?.resourceId,
      logPath: typeof metadata.logPath === 'string' ? metadata.logPath : undefined,
      urls: urlsOf(declaration, metadata),
      lastDeploy: lastDeploys.get(id),
      drift: status?.drift,
      orphan: status?.orphan,
      dependsOn: service?.dependsOn ?? [],
    };
  });
  return { configPath: model.configPath, project: model.project, env: model.env, services, invalid: hasErrors(model.diagnostics), checkedHealth, takenAt };
}

/** Without a health check: what the plan says (skipped, not provisioned) or "unchecked". */
function fallbackHealth(row: PlanRow | undefined, checked: boolean): DisplayHealth {
  if (!row) return 'unchecked';
  if (row.action === 'skip') return 'skipped';
  if (row.action === 'create' && !row.recorded) return 'not-provisioned';
  return checked ? 'error' : 'unchecked';
}

/** The newest provision, deploy or destroy that acted on each service (a rollback changes records, not services). */
async function lastDeployByService(history: History): Promise<Map<string, LastDeploy>> {
  const out = new Map<string, LastDeploy>();
  const receipts = await history.list().catch(() => [] as Receipt[]);
  for (const receipt of receipts) {
    if (receipt.operation === 'rollback') continue;
    for (const id of receipt.services) {
      if (out.has(id)) continue;
      out.set(id, { id: receipt.id, operation: receipt.operation, status: receipt.status, startedAt: receipt.startedAt, durationMs: receipt.durationMs });
    }
  }
  return out;
}

/** URLs worth opening: the declared health check, and any http(s) URL the provisioner recorded. */
export function urlsOf(declaration: Record<string, unknown>, metadata: Record<string, unknown>): string[] {
  const urls = new Set<string>();
  const add = (value: unknown) => {
    if (typeof value === 'string' && /^https?:\/\/\S+$/i.test(value)) urls.add(value);
  };
  const health = declaration.health_check;
  add(typeof health === 'object' && health !== null ? (health as { url?: unknown }).url : health);
  for (const [key, value] of Object.entries(metadata)) {
    if (key === 'healthCheck') add(value);
    else if (/url|host|endpoint|domain/i.test(key)) {
      if (Array.isArray(value)) value.forEach(add);
      else add(value);
    }
  }
  return [...urls];
}
