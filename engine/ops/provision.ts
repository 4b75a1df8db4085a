/**
 * `provision` (and `deploy`): brings the declared system up. Services run in depends_on
 * order, each as soon as its dependencies are done, up to `concurrency` at once; a failure
 * stops its dependants, not its siblings. Each service's record is marked pending before
 * its provisioner runs and written the moment it succeeds, so a run killed at any point
 * leaves state the next run converges from. Credentials go to the vault, the record to the
 * state store and the overlay's `_state`, and the run to a receipt.
 */
import type { ServiceModel } from '../config/model';
import { updateOverlayState } from '../config/overlayState';
import { buildPlan, declarationHash, PLAN_SYMBOLS, summarizePlanRows, type Plan, type PlanRow } from '../plan/plan';
import type { ProvisionStateRecord } from '../provisioners/types';
import { executeGraph } from '../run/executor';
import type { TimelineEntry, TimelineStep } from '../run/history';
import { acquireRunLock } from '../run/lock';
import type { ServiceState } from '../run/state';
import {
  apiKeyFor,
  errorMessage,
  injectedCredentials,
  isAbortError,
  openSystem,
  provisionContext,
  resolvedServiceOf,
  type OpsEnvironment,
  type OpsOptions,
} from './context';
import { destroyRecorded } from './destroy';
import { startReceipt } from './receipts';

export const DEFAULT_CONCURRENCY = 4;

export interface ProvisionOptions extends OpsOptions {
  /** Only these services (and, unless noDeps, what they depend on). */
  services?: string[];
  noDeps?: boolean;
  /** Services provisioned at once (default 4). */
  concurrency?: number;
  /** Plan only: nothing is changed, no lock is taken, no receipt is written. */
  dryRun?: boolean;
  /** Also destroy services that are recorded but no longer declared. */
  removeOrphans?: boolean;
  /**
   * "deploy" acts only on services that name their provisioner (provision.provider or
   * target.type); local processes and services routed by shape are left to `provision`.
   */
  operation?: 'provision' | 'deploy';
}

export type ServiceOutcome = 'created' | 'restarted' | 'updated' | 'verified' | 'failed' | 'skipped' | 'not-started' | 'removed' | 'orphan';

export interface ServiceRunResult {
  serviceId: string;
  provider?: string;
  outcome: ServiceOutcome;
  /** The provisioner's one-line summary, the failure, or why it was skipped / not started. */
  message?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  record?: ProvisionStateRecord;
  /** Vault keys written (`<serviceId>.<NAME>`); names only. */
  credentialKeys?: string[];
  steps: TimelineStep[];
}

export interface RunSummary {
  created: number;
  restarted: number;
  updated: number;
  verified: number;
  failed: number;
  skipped: number;
  notStarted: number;
  removed: number;
  /** Recorded but no longer declared, left in place (remove them with removeOrphans). */
  orphans: number;
}

export interface ProvisionRun {
  operation: 'provision' | 'deploy';
  project: string;
  env: string;
  configPath: string;
  plan: Plan;
  dryRun: boolean;
  /** Absent for a dry run. */
  runId?: string;
  status: 'planned' | 'completed' | 'failed' | 'cancelled';
  services: ServiceRunResult[];
  summary: RunSummary;
  durationMs: number;
  warnings: string[];
}

export async function provision(options: ProvisionOptions = {}): Promise<ProvisionRun> {
  const started = Date.now();
  const operation = options.operation ?? 'provision';
  const ops = await openSystem(options);
  const { model } = ops;
  const stored = await ops.store.all();
  let plan = buildPlan(model, ops.registry, stored, { services: options.services, noDeps: options.noDeps });
  if (operation === 'deploy') plan = deployPlan(plan, model.byId);
  ops.emit({ type: 'plan', operation, plan });

  const base = { operation, project: model.project, env: model.env, configPath: model.configPath, plan };
  if (options.dryRun) {
    return { ...base, dryRun: true, status: 'planned', services: [], summary: emptySummary(), durationMs: Date.now() - started, warnings: [] };
  }

  const runId = ops.history.newId();
  const lock = await acquireRunLock({ home: ops.home, project: model.project, env: model.env, command: options.command ?? `ss ${operation}`, runId });
  const warnings: string[] = [];
  if (lock.tookOver) warnings.push(`Took over the lock of an earlier run that is no longer running (pid ${lock.tookOver.pid}, "${lock.tookOver.command}").`);
  try {
    ops.emit({ type: 'run', phase: 'started', operation, project: model.project, env: model.env, runId });
    const receipt = await startReceipt(ops, runId, operation, plan.rows.map((r) => r.serviceId), plan);
    const results = new Map<string, ServiceRunResult>();

    for (const row of plan.rows) {
      if (row.action === 'skip') {
        results.set(row.serviceId, { serviceId: row.serviceId, outcome: 'skipped', message: row.detail, steps: [] });
        ops.emit({ type: 'service', phase: 'skipped', serviceId: row.serviceId, message: row.detail });
      }
    }

    const runnable = plan.rows.filter((r) => r.action === 'create' || r.action === 'verify' || r.action === 'update');
    const rows = new Map(runnable.map((r) => [r.serviceId, r]));
    const outcomes = await executeGraph<ServiceRunResult>({
      tasks: runnable.map((r) => ({ id: r.serviceId, dependsOn: r.dependsOn })),
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      signal: options.signal,
      onQueued: (id) => ops.emit({ type: 'service', phase: 'queued', serviceId: id, provider: rows.get(id)?.provider }),
      onNotStarted: (id, reason) => {
        results.set(id, { serviceId: id, provider: rows.get(id)?.provider, outcome: 'not-started', message: reason, steps: [] });
        ops.emit({ type: 'service', phase: 'not-started', serviceId: id, provider: rows.get(id)?.provider, message: reason });
      },
      run: (id) => provisionService(ops, model.byId.get(id)!, rows.get(id)!, stored.get(id), runId, warnings, results),
    });
    for (const [id, outcome] of outcomes) {
      if (outcome.status === 'succeeded') results.set(id, outcome.value);
    }

    for (const row of plan.rows.filter((r) => r.action === 'remove')) {
      if (!options.removeOrphans) {
        const message = 'recorded but no longer declared (left running; --remove-orphans removes it)';
        results.set(row.serviceId, { serviceId: row.serviceId, provider: row.provider, outcome: 'orphan', message, steps: [] });
        continue;
      }
      if (options.signal?.aborted) break;
      results.set(row.serviceId, await destroyRecorded(ops, row.serviceId));
    }

    const ordered = plan.rows.map((r) => results.get(r.serviceId)).filter((r): r is ServiceRunResult => r !== undefined);
    const summary = summarize(ordered);
    const status = options.signal?.aborted ? 'cancelled' : summary.failed > 0 || summary.notStarted > 0 ? 'failed' : 'completed';
    const run: ProvisionRun = { ...base, dryRun: false, runId, status, services: ordered, summary, durationMs: Date.now() - started, warnings };
    await receipt.finish({
      status,
      summary: { ...summary },
      timeline: ordered.map((r) => timelineEntry(operation, r)),
      result: run,
      warnings,
    });
    run.durationMs = Date.now() - started;
    ops.emit({ type: 'run', phase: 'finished', operation, project: model.project, env: model.env, runId, status, durationMs: run.durationMs });
    return run;
  } finally {
    await lock.release();
  }
}

async function provisionService(
  ops: OpsEnvironment,
  service: ServiceModel,
  row: PlanRow,
  storedAtStart: ServiceState | undefined,
  runId: string,
  warnings: string[],
  results: Map<string, ServiceRunResult>,
): Promise<ServiceRunResult> {
  const adapter = ops.registry.get(row.provider!)!;
  const id = service.id;
  const steps: TimelineStep[] = [];
  const startedAt = new Date();
  ops.emit({ type: 'service', phase: 'started', serviceId: id, provider: adapter.provider, message: row.detail });
  const elapsed = () => Date.now() - startedAt.getTime();
  // Records are kept sealed (vault values as templates); the provisioner gets them resolved.
  const sealedExisting = row.recorded?.record;
  // An earlier run that did not finish (pending) or failed may have left partial work behind.
  const stored = (await ops.store.get(id)) ?? storedAtStart;
  const sealedPartial = stored && (stored.status !== 'provisioned' || stored.partial) ? (stored.partial ?? {}) : undefined;
  let current: ServiceState = {
    serviceId: id,
    provider: adapter.provider,
    status: sealedExisting ? (stored?.status ?? 'provisioned') : 'pending',
    configHash: stored?.configHash,
    record: sealedExisting,
    ...(stored?.partial ? { partial: stored.partial } : {}),
    credentialKeys: stored?.credentialKeys,
    runId,
    updatedAt: startedAt.toISOString(),
  };
  try {
    const resolved = await resolvedServiceOf(ops, service);
    const injected = await injectedCredentials(ops, service);
    const apiKey = await apiKeyFor(ops, adapter, resolved);
    const existing = sealedExisting ? await ops.unseal(sealedExisting) : undefined;
    const partial = sealedPartial ? await ops.unseal(sealedPartial) : undefined;
    // Pending before anything is created: a run killed from here on is detected by the next one.
    await ops.store.put(current);
    const ctx = provisionContext(ops, {
      serviceId: id,
      apiKey,
      existing,
      partial,
      injected,
      step: (message) => {
        const clean = ops.redact(message);
        steps.push({ at: new Date().toISOString(), message: clean });
        ops.emit({ type: 'service', phase: 'step', serviceId: id, provider: adapter.provider, message: clean });
      },
      savePartialState: async (more) => {
        current = { ...current, partial: { ...current.partial, ...more }, updatedAt: new Date().toISOString() };
        await ops.store.put(current);
      },
    });
    const result = await adapter.provision(ctx, resolved);
    validateRecord(result.state, adapter.provider);

    const credentialKeys: string[] = [];
    for (const [name, value] of Object.entries(result.credentials ?? {})) {
      const key = `${id}.${name}`;
      await ops.vault.set(key, value);
      credentialKeys.push(key);
    }
    const keys = [...new Set([...(stored?.credentialKeys ?? []), ...credentialKeys])].sort();
    const record = result.state;
    await ops.store.put({
      serviceId: id,
      provider: adapter.provider,
      status: 'provisioned',
      configHash: row.configHash ?? declarationHash(service),
      record,
      ...(keys.length > 0 ? { credentialKeys: keys } : {}),
      runId,
      updatedAt: new Date().toISOString(),
    });
    for (const key of credentialKeys) {
      const clean = `${key.slice(id.length + 1)} written to vault`;
      steps.push({ at: new Date().toISOString(), message: clean });
      ops.emit({ type: 'service', phase: 'step', serviceId: id, provider: adapter.provider, message: clean });
    }
    const overlayPath = ops.model.overlay?.path;
    if (overlayPath) {
      try {
        await updateOverlayState(overlayPath, { [id]: ops.seal(record) });
      } catch (error) {
        const message = `Service "${id}": ${errorMessage(ops, error)}`;
        warnings.push(message);
        ops.emit({ type: 'warning', serviceId: id, message });
      }
    }
    const outcome: ServiceOutcome = !existing
      ? 'created'
      : existing.resourceId !== record.resourceId
        ? 'restarted'
        : row.action === 'update'
          ? 'updated'
          : 'verified';
    const summary = ops.redact(result.summary ?? '');
    const endedAt = new Date();
    const durationMs = elapsed();
    ops.emit({ type: 'service', phase: 'healthy', serviceId: id, provider: adapter.provider, outcome, message: summary, durationMs });
    return {
      serviceId: id,
      provider: adapter.provider,
      outcome,
      message: summary,
      startedAt: startedAt.toISOString(),
      endedAt: endedAt.toISOString(),
      durationMs,
      record: ops.seal(record),
      ...(credentialKeys.length > 0 ? { credentialKeys } : {}),
      steps,
    };
  } catch (error) {
    const cancelled = isAbortError(error) || ops.signal?.aborted === true;
    const message = cancelled ? `cancelled: ${errorMessage(ops, error)}` : errorMessage(ops, error);
    const latest = (await ops.store.get(id).catch(() => undefined)) ?? current;
    // A cancelled create stays pending (the next run picks it up); anything else is marked failed.
    const failedState: ServiceState = cancelled
      ? { ...latest, updatedAt: new Date().toISOString() }
      : { ...latest, status: 'failed', error: message, updatedAt: new Date().toISOString() };
    await ops.store.put(failedState).catch(() => {});
    const durationMs = elapsed();
    ops.emit({ type: 'service', phase: 'failed', serviceId: id, provider: adapter.provider, message, durationMs });
    results.set(id, {
      serviceId: id,
      provider: adapter.provider,
      outcome: 'failed',
      message,
      startedAt: startedAt.toISOString(),
      endedAt: new Date().toISOString(),
      durationMs,
      steps,
    });
    throw error;
  }
}

function validateRecord(record: ProvisionStateRecord | undefined, provider: string): void {
  if (!record || typeof record.resourceId !== 'string' || record.resourceId === '' || typeof record.provisionedAt !== 'string') {
    throw new Error(`Provisioner "${provider}" returned no usable state (it needs provider, resourceId and provisionedAt).`);
  }
}

/** `deploy` leaves services that do not name a provisioner to `provision`. */
function deployPlan(plan: Plan, services: Map<string, ServiceModel>): Plan {
  const rows = plan.rows.map((row): PlanRow => {
    if (row.action === 'remove' || row.action === 'skip') return row;
    const service = services.get(row.serviceId);
    if (service?.requestedProvider) return row;
    return {
      ...row,
      action: 'skip',
      symbol: PLAN_SYMBOLS.skip,
      detail: `skipped: ss deploy handles services with provision.provider or target.type (${row.provider} runs it with ss provision)`,
    };
  });
  return { ...plan, rows, summary: summarizePlanRows(rows) };
}

function emptySummary(): RunSummary {
  return { created: 0, restarted: 0, updated: 0, verified: 0, failed: 0, skipped: 0, notStarted: 0, removed: 0, orphans: 0 };
}

export function summarize(results: ServiceRunResult[]): RunSummary {
  const summary = emptySummary();
  for (const r of results) {
    if (r.outcome === 'not-started') summary.notStarted++;
    else if (r.outcome === 'orphan') summary.orphans++;
    else summary[r.outcome]++;
  }
  return summary;
}

function timelineEntry(operation: string, r: ServiceRunResult): TimelineEntry {
  const status: TimelineEntry['status'] =
    r.outcome === 'failed' ? 'failed' : r.outcome === 'not-started' ? 'not-started' : r.outcome === 'skipped' || r.outcome === 'orphan' ? 'skipped' : 'succeeded';
  return {
    name: `ss.${operation}.service.${r.serviceId}`,
    serviceId: r.serviceId,
    status,
    outcome: r.outcome,
    provider: r.provider,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    message: r.message,
    steps: r.steps,
  };
}
