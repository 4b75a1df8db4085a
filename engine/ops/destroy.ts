/**
 * `destroy`: tears down recorded services in reverse dependency order (dependants first).
 * With `services`, those services and every recorded service that depends on them, as
 * `terraform destroy -target` does. A service whose teardown fails keeps the services it
 * depends on alive. Each destroyed service loses its state record, its `_state` block and
 * the credentials its provisioner wrote.
 */
import { existsSync } from 'node:fs';
import { updateOverlayState } from '../config/overlayState';
import { recordedFor, UnknownServiceError } from '../plan/plan';
import type { ProvisionStateRecord } from '../provisioners/types';
import { executeGraph } from '../run/executor';
import type { TimelineEntry, TimelineStep } from '../run/history';
import { acquireRunLock } from '../run/lock';
import { apiKeyFor, errorMessage, openSystem, provisionContext, type OpsEnvironment, type OpsOptions } from './context';
import type { ServiceRunResult } from './provision';
import { startReceipt } from './receipts';

export interface DestroyOptions extends OpsOptions {
  /** Only these services, and the recorded services that depend on them. */
  services?: string[];
  concurrency?: number;
  /** Say what would be destroyed, change nothing. */
  dryRun?: boolean;
  /** Asked before anything is destroyed; false cancels. Without it, destroy proceeds. */
  confirm?(plan: DestroyPlan): Promise<boolean>;
}

export interface DestroyTarget {
  serviceId: string;
  provider: string;
  /** Declared in the file (false: recorded but no longer declared). */
  declared: boolean;
  /** Why it is destroyed: named, depends on a named service, or everything recorded. */
  reason: 'selected' | 'dependant' | 'all';
  record?: ProvisionStateRecord;
  /** The recorded services that depend on it (destroyed before it). */
  dependants: string[];
}

export interface DestroyPlan {
  project: string;
  env: string;
  configPath: string;
  /** In the order they are destroyed. */
  targets: DestroyTarget[];
  /** Named services with nothing recorded. */
  notRecorded: string[];
}

export interface DestroyRun {
  project: string;
  env: string;
  plan: DestroyPlan;
  runId?: string;
  status: 'planned' | 'declined' | 'nothing-to-do' | 'completed' | 'failed' | 'cancelled';
  services: ServiceRunResult[];
  summary: { destroyed: number; failed: number; notStarted: number };
  durationMs: number;
  warnings: string[];
}

export async function destroy(options: DestroyOptions = {}): Promise<DestroyRun> {
  const started = Date.now();
  // Destroying must work even when the file has errors (the records are what matter).
  const ops = await openSystem(options, false);
  const plan = await planDestroy(ops, options.services);
  const base = { project: plan.project, env: plan.env, plan, warnings: [] as string[] };
  const done = (status: DestroyRun['status']): DestroyRun => ({
    ...base,
    status,
    services: [],
    summary: { destroyed: 0, failed: 0, notStarted: 0 },
    durationMs: Date.now() - started,
  });
  if (plan.targets.length === 0) return done('nothing-to-do');
  if (options.dryRun) return done('planned');
  if (options.confirm && !(await options.confirm(plan))) return done('declined');

  const runId = ops.history.newId();
  const lock = await acquireRunLock({ home: ops.home, project: plan.project, env: plan.env, command: options.command ?? 'ss destroy', runId });
  try {
    if (lock.tookOver) base.warnings.push(`Took over the lock of an earlier run that is no longer running (pid ${lock.tookOver.pid}).`);
    ops.emit({ type: 'run', phase: 'started', operation: 'destroy', project: plan.project, env: plan.env, runId });
    const receipt = await startReceipt(ops, runId, 'destroy', plan.targets.map((t) => t.serviceId), plan);
    const results = new Map<string, ServiceRunResult>();
    const targets = new Map(plan.targets.map((t) => [t.serviceId, t]));
    await executeGraph<ServiceRunResult>({
      // Reverse order: a service waits for everything that depends on it.
      tasks: plan.targets.map((t) => ({ id: t.serviceId, dependsOn: t.dependants })),
      concurrency: options.concurrency ?? 4,
      signal: options.signal,
      onQueued: (id) => ops.emit({ type: 'service', phase: 'queued', serviceId: id, provider: targets.get(id)?.provider }),
      onNotStarted: (id, reason) => {
        const message = reason.replace('did not succeed', 'could not be destroyed');
        results.set(id, { serviceId: id, provider: targets.get(id)?.provider, outcome: 'not-started', message, steps: [] });
        ops.emit({ type: 'service', phase: 'not-started', serviceId: id, message });
      },
      run: async (id) => {
        const result = await destroyRecorded(ops, id);
        results.set(id, result);
        if (result.outcome === 'failed') throw new Error(result.message);
        return result;
      },
    });
    const ordered = plan.targets.map((t) => results.get(t.serviceId)!).filter(Boolean);
    const summary = {
      destroyed: ordered.filter((r) => r.outcome === 'removed').length,
      failed: ordered.filter((r) => r.outcome === 'failed').length,
      notStarted: ordered.filter((r) => r.outcome === 'not-started').length,
    };
    const status: DestroyRun['status'] = options.signal?.aborted ? 'cancelled' : summary.failed + summary.notStarted > 0 ? 'failed' : 'completed';
    const run: DestroyRun = { ...base, runId, status, services: ordered, summary, durationMs: Date.now() - started };
    await receipt.finish({ status, summary, timeline: ordered.map((r) => timelineOf(r)), result: run, warnings: base.warnings });
    run.durationMs = Date.now() - started;
    ops.emit({ type: 'run', phase: 'finished', operation: 'destroy', project: plan.project, env: plan.env, runId, status, durationMs: run.durationMs });
    return run;
  } finally {
    await lock.release();
  }
}

/** What `destroy` would tear down, in order. */
export async function planDestroy(ops: OpsEnvironment, selected?: string[]): Promise<DestroyPlan> {
  const { model } = ops;
  const stored = await ops.store.all();
  const recorded = new Map<string, { provider: string; record?: ProvisionStateRecord }>();
  for (const [id, state] of stored) recorded.set(id, { provider: state.provider, record: state.record ?? asRecord(state.partial, state.provider) });
  for (const service of model.services) {
    if (recorded.has(service.id)) continue;
    const fromOverlay = recordedFor(service, new Map());
    if (fromOverlay?.record) recorded.set(service.id, { provider: fromOverlay.record.provider, record: fromOverlay.record });
  }
  const dependantsOf = (id: string) => model.services.filter((s) => s.dependsOn.includes(id)).map((s) => s.id);

  const chosen = new Map<string, DestroyTarget['reason']>();
  const notRecorded: string[] = [];
  if (!selected || selected.length === 0) {
    for (const id of recorded.keys()) chosen.set(id, 'all');
  } else {
    for (const id of selected) {
      if (!model.byId.has(id) && !recorded.has(id)) throw new UnknownServiceError(id, [...new Set([...model.order, ...recorded.keys()])]);
      if (recorded.has(id)) chosen.set(id, 'selected');
      else notRecorded.push(id);
      // Everything that depends on it goes first, recorded or not (then nothing to do for it).
      const stack = dependantsOf(id);
      while (stack.length > 0) {
        const dependant = stack.pop()!;
        if (chosen.has(dependant) || selected.includes(dependant)) continue;
        if (recorded.has(dependant)) chosen.set(dependant, 'dependant');
        stack.push(...dependantsOf(dependant));
      }
    }
  }
  // Undeclared first (nothing is known to depend on them), then the file's order reversed.
  const undeclared = [...chosen.keys()].filter((id) => !model.byId.has(id)).sort();
  const declared = [...model.order].reverse().filter((id) => chosen.has(id));
  const targets: DestroyTarget[] = [...undeclared, ...declared].map((id) => ({
    serviceId: id,
    provider: recorded.get(id)!.provider,
    declared: model.byId.has(id),
    reason: chosen.get(id)!,
    record: recorded.get(id)!.record,
    dependants: model.byId.has(id) ? dependantsOf(id).filter((d) => chosen.has(d)) : [],
  }));
  return { project: model.project, env: model.env, configPath: model.configPath, targets, notRecorded };
}

/** Tears one recorded service down and forgets it. Never throws: a failure is in the result. */
export async function destroyRecorded(ops: OpsEnvironment, id: string): Promise<ServiceRunResult> {
  const steps: TimelineStep[] = [];
  const startedAt = new Date();
  const stored = await ops.store.get(id);
  const service = ops.model.byId.get(id);
  const overlayRecord = service ? recordedFor(service, new Map())?.record : undefined;
  const record = stored?.record ?? overlayRecord;
  const provider = stored?.provider ?? record?.provider ?? 'unknown';
  ops.emit({ type: 'service', phase: 'started', serviceId: id, provider, message: 'destroying' });
  const step = (message: string) => {
    const clean = ops.redact(message);
    steps.push({ at: new Date().toISOString(), message: clean });
    ops.emit({ type: 'service', phase: 'step', serviceId: id, provider, message: clean });
  };
  try {
    const adapter = ops.registry.get(provider);
    // What may exist: the record, and a newer process or resource an interrupted run started.
    const partial = asRecord(stored?.partial, provider);
    const resources = [record, partial && partial.resourceId !== record?.resourceId ? partial : undefined].filter(
      (r): r is ProvisionStateRecord => r !== undefined,
    );
    if (resources.length > 0) {
      if (!adapter) throw new Error(`No provisioner named "${provider}" is registered, so "${id}" cannot be destroyed.`);
      const apiKey = await apiKeyFor(ops, adapter, service?.declaration ? { ...service.declaration, id, depends_on: service.dependsOn } : undefined);
      for (const sealed of resources) {
        const resource = await ops.unseal(sealed);
        const ctx = provisionContext(ops, { serviceId: id, apiKey, existing: resource, step });
        await adapter.destroy(ctx, resource);
      }
    }
    for (const key of stored?.credentialKeys ?? []) {
      if (await ops.vault.delete(key)) step(`${key} removed from vault`);
    }
    await ops.store.remove(id);
    const overlayPath = ops.model.overlay?.path;
    if (overlayPath && existsSync(overlayPath)) {
      try {
        await updateOverlayState(overlayPath, { [id]: null });
      } catch (error) {
        step(`The overlay's _state block was not removed: ${errorMessage(ops, error)}`);
      }
    }
    const durationMs = Date.now() - startedAt.getTime();
    ops.emit({ type: 'service', phase: 'destroyed', serviceId: id, provider, message: 'destroyed', durationMs });
    return { serviceId: id, provider, outcome: 'removed', message: 'destroyed', startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), durationMs, steps };
  } catch (error) {
    const message = errorMessage(ops, error);
    const durationMs = Date.now() - startedAt.getTime();
    ops.emit({ type: 'service', phase: 'failed', serviceId: id, provider, message, durationMs });
    return { serviceId: id, provider, outcome: 'failed', message, startedAt: startedAt.toISOString(), endedAt: new Date().toISOString(), durationMs, steps };
  }
}

/** Partial state is usable as a record once it names the resource. */
function asRecord(partial: Partial<ProvisionStateRecord> | undefined, provider: string): ProvisionStateRecord | undefined {
  if (!partial || typeof partial.resourceId !== 'string' || partial.resourceId === '') return undefined;
  return { provider: partial.provider ?? provider, resourceId: partial.resourceId, provisionedAt: partial.provisionedAt ?? '', ...(partial.region ? { region: partial.region } : {}), ...(partial.metadata ? { metadata: partial.metadata } : {}) };
}

function timelineOf(r: ServiceRunResult): TimelineEntry {
  return {
    name: `ss.destroy.service.${r.serviceId}`,
    serviceId: r.serviceId,
    status: r.outcome === 'removed' ? 'succeeded' : r.outcome === 'failed' ? 'failed' : 'not-started',
    outcome: r.outcome === 'removed' ? 'destroyed' : r.outcome,
    provider: r.provider,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    durationMs: r.durationMs,
    message: r.message,
    steps: r.steps,
  };
}
