/**
 * `status`: every service's health now. Declared services are checked through their
 * provisioner's `status` against what is recorded; services recorded but no longer declared
 * are checked too and flagged as orphans.
 */
import { declarationHash, recordedFor, selectServices, type RecordedService } from '../plan/plan';
import type { DriftFinding, ProvisionStateRecord } from '../provisioners/types';
import { executeGraph } from '../run/executor';
import { currentLockHolder } from '../run/lock';
import type { ServiceState } from '../run/state';
import { apiKeyFor, errorMessage, openSystem, provisionContext, type OpsEnvironment, type OpsOptions } from './context';

export type ServiceHealth =
  | 'healthy'
  | 'running'
  | 'starting'
  | 'unhealthy'
  | 'dead'
  | 'pending'
  | 'failed'
  | 'not-provisioned'
  | 'skipped'
  | 'error';

export interface ServiceStatus {
  serviceId: string;
  provider?: string;
  health: ServiceHealth;
  /** healthy or running. */
  ok: boolean;
  message: string;
  /** Recorded but no longer declared. */
  orphan?: boolean;
  pid?: number;
  resourceId?: string;
  record?: ProvisionStateRecord;
  recordSource?: RecordedService['source'];
  /** The declaration changed since the service was provisioned. */
  configChanged?: boolean;
  /** What the provisioner reports as different from the record. */
  drift?: DriftFinding[];
  /** The provisioner's raw answer (never secrets). */
  raw?: unknown;
  /** The last run's error, for a failed service. */
  lastError?: string;
}

export interface StatusReport {
  project: string;
  env: string;
  configPath: string;
  services: ServiceStatus[];
  /** Every service with a provisioner is healthy or running. */
  ok: boolean;
  checkedAt: string;
}

export interface StatusOptions extends OpsOptions {
  services?: string[];
  /** Checks run at once (default 8). */
  concurrency?: number;
}

export async function status(options: StatusOptions = {}): Promise<StatusReport> {
  const ops = await openSystem(options, false);
  return statusOf(ops, options);
}

export async function statusOf(ops: OpsEnvironment, options: Pick<StatusOptions, 'services' | 'concurrency'>): Promise<StatusReport> {
  const { model } = ops;
  const stored = await ops.store.all();
  const selected = selectServices(model, { services: options.services, noDeps: true });
  const ids = model.order.filter((id) => selected.has(id));
  const orphans = options.services?.length ? [] : [...stored.keys()].filter((id) => !model.byId.has(id)).sort();
  const lockHolder = await currentLockHolder(ops.home, model.project, model.env);
  const rows = new Map<string, ServiceStatus>();
  await executeGraph<void>({
    tasks: [...ids, ...orphans].map((id) => ({ id, dependsOn: [] })),
    concurrency: options.concurrency ?? 8,
    signal: ops.signal,
    run: async (id) => {
      const row = await checkService(ops, id, stored, lockHolder?.pid);
      rows.set(id, row);
      ops.emit({ type: 'service', phase: 'checked', serviceId: id, provider: row.provider, health: row.health, message: row.message });
    },
  });
  const services = [...ids, ...orphans].map((id) => rows.get(id)).filter((r): r is ServiceStatus => r !== undefined);
  return {
    project: model.project,
    env: model.env,
    configPath: model.configPath,
    services,
    ok: services.every((s) => s.ok || s.health === 'skipped'),
    checkedAt: new Date().toISOString(),
  };
}

async function checkService(ops: OpsEnvironment, id: string, stored: Map<string, ServiceState>, lockPid: number | undefined): Promise<ServiceStatus> {
  const service = ops.model.byId.get(id);
  const state = stored.get(id);
  if (service && !service.provider) {
    return { serviceId: id, health: 'skipped', ok: false, message: service.requestedProvider ? `no provisioner named "${service.requestedProvider}"` : 'no provisioner' };
  }
  const recorded: RecordedService | undefined = service
    ? recordedFor(service, stored)
    : state
      ? { source: 'state', status: state.status, record: state.record, configHash: state.configHash }
      : undefined;
  const provider = service?.provider ?? state?.provider;
  const base = { serviceId: id, provider, ...(service ? {} : { orphan: true }) };
  if (!recorded) return { ...base, health: 'not-provisioned', ok: false, message: 'not provisioned' };
  const configChanged = service !== undefined && recorded.configHash !== undefined && recorded.configHash !== declarationHash(service);
  const common = { ...base, recordSource: recorded.source, ...(configChanged ? { configChanged } : {}), ...(state?.error ? { lastError: state.error } : {}) };
  if (!recorded.record) {
    if (recorded.status === 'failed') {
      // The first line says what failed; the whole error (with the log tail) stays in lastError.
      return { ...common, health: 'failed', ok: false, message: `failed: ${(state?.error ?? 'the last run failed').split('\n')[0]}` };
    }
    const busy = lockPid !== undefined ? ` (a run is in progress: pid ${lockPid})` : ' (an earlier run did not finish)';
    return { ...common, health: 'pending', ok: false, message: `pending${busy}` };
  }
  const record = recorded.record;
  const adapter = ops.registry.get(record.provider) ?? (provider ? ops.registry.get(provider) : undefined);
  const withRecord = { ...common, provider: adapter?.provider ?? record.provider, record, resourceId: record.resourceId, ...pidOf(record) };
  if (!adapter) return { ...withRecord, health: 'error', ok: false, message: `no provisioner named "${record.provider}" is registered` };
  try {
    const resolved = service ? { ...service.declaration, id, depends_on: service.dependsOn } : undefined;
    const apiKey = await apiKeyFor(ops, adapter, resolved);
    const live = await ops.unseal(record);
    const answer = await adapter.status(provisionContext(ops, { serviceId: id, apiKey, existing: live }), live);
    const health: ServiceHealth =
      answer.condition === 'gone'
        ? 'dead'
        : answer.condition && answer.condition !== 'error'
          ? answer.condition
          : answer.condition === 'error'
            ? 'error'
            : answer.healthy
              ? 'healthy'
              : 'unhealthy';
    return {
      ...withRecord,
      health,
      ok: health === 'healthy' || health === 'running',
      message: ops.redact(answer.message),
      ...(answer.drift?.length ? { drift: answer.drift } : {}),
      ...(answer.raw !== undefined ? { raw: JSON.parse(ops.redact(JSON.stringify(answer.raw))) as unknown } : {}),
    };
  } catch (error) {
    return { ...withRecord, health: 'error', ok: false, message: errorMessage(ops, error) };
  }
}

function pidOf(record: ProvisionStateRecord): { pid?: number } {
  const pid = (record.metadata as { pid?: unknown } | undefined)?.pid;
  return typeof pid === 'number' ? { pid } : {};
}
