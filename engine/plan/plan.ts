/**
 * The plan: one row per service saying what provisioning would do, in dependency order.
 * The same rows feed `ss plan`, the editor's CodeLenses and the services tree.
 */
import { compareText } from '../diagnostics';
import { toResolvedService, type ServiceModel, type SystemModel } from '../config/model';
import type { ProvisionerRegistry } from '../provisioners/registry';
import type { ProvisionStateRecord } from '../provisioners/types';
import type { ServiceState } from '../run/state';
import { hashValue } from '../util/stableJson';

export type PlanAction = 'create' | 'verify' | 'update' | 'remove' | 'skip';

export const PLAN_SYMBOLS: Record<PlanAction, string> = {
  create: '+',
  verify: '~',
  update: '~',
  remove: '-',
  skip: '•',
};

export interface PlanRow {
  serviceId: string;
  action: PlanAction;
  symbol: string;
  /** The provisioner that handles the service. */
  provider?: string;
  /** What will happen, in words ("will create", "exists, will verify", "skipped: no provisioner"). */
  detail: string;
  /** The provisioner's own description of the work, when it gives one. */
  description?: string;
  dependsOn: string[];
  /** What is recorded for the service (state store, else the overlay's _state). */
  recorded?: RecordedService;
  /** Hash of the current declaration, when there is a recorded one to compare it with (a difference means "update"). */
  configHash?: string;
}

export interface RecordedService {
  source: 'state' | 'overlay';
  status: ServiceState['status'] | 'provisioned';
  record?: ProvisionStateRecord;
  configHash?: string;
}

export interface PlanSummary {
  create: number;
  update: number;
  unchanged: number;
  remove: number;
  skip: number;
}

export interface Plan {
  project: string;
  env: string;
  configPath: string;
  rows: PlanRow[];
  summary: PlanSummary;
}

export interface PlanOptions {
  /** Only these services (and, unless `noDeps`, what they depend on). */
  services?: string[];
  noDeps?: boolean;
}

/** The hash that tells whether a service's declaration changed since it was provisioned. */
export function declarationHash(service: ServiceModel): string {
  const { provision, ...rest } = service.declaration;
  // The engine writes provision._state; it is not part of what the user declared (nor is
  // the empty provision block that holds only it).
  const { _state, ...declaredProvision } = provision ?? {};
  const declared = Object.keys(declaredProvision).length > 0 ? { ...rest, provision: declaredProvision } : rest;
  return hashValue(declared);
}

export function recordedFor(service: ServiceModel, state: ReadonlyMap<string, ServiceState>): RecordedService | undefined {
  const stored = state.get(service.id);
  if (stored) return { source: 'state', status: stored.status, record: stored.record, configHash: stored.configHash };
  const fromOverlay = service.declaration.provision?._state;
  if (fromOverlay && typeof fromOverlay.resourceId === 'string') {
    return { source: 'overlay', status: 'provisioned', record: fromOverlay as ProvisionStateRecord };
  }
  return undefined;
}

/** Services selected by --service, with their dependencies unless noDeps. */
export function selectServices(model: SystemModel, options: PlanOptions): Set<string> {
  if (!options.services || options.services.length === 0) return new Set(model.order);
  const selected = new Set<string>();
  const visit = (id: string) => {
    if (selected.has(id) || !model.byId.has(id)) return;
    selected.add(id);
    if (!options.noDeps) for (const dep of model.byId.get(id)!.dependsOn) visit(dep);
  };
  for (const id of options.services) {
    if (!model.byId.has(id)) throw new UnknownServiceError(id, model.services.map((s) => s.id));
    visit(id);
  }
  return selected;
}

export class UnknownServiceError extends Error {
  constructor(readonly serviceId: string, known: string[]) {
    super(`Unknown service "${serviceId}". Services: ${known.join(', ') || '(none)'}.`);
    this.name = 'UnknownServiceError';
  }
}

export function buildPlan(
  model: SystemModel,
  registry: ProvisionerRegistry,
  state: ReadonlyMap<string, ServiceState>,
  options: PlanOptions = {},
): Plan {
  const selected = selectServices(model, options);
  const rows: PlanRow[] = [];
  for (const id of model.order) {
    if (!selected.has(id)) continue;
    rows.push(planRow(model.byId.get(id)!, registry, state));
  }
  // Recorded but no longer declared.
  if (!options.services || options.services.length === 0) {
    for (const [id, stored] of [...state].sort(([a], [b]) => compareText(a, b))) {
      if (model.byId.has(id)) continue;
      rows.push({
        serviceId: id,
        action: 'remove',
        symbol: PLAN_SYMBOLS.remove,
        provider: stored.provider,
        detail: 'recorded but no longer declared',
        dependsOn: [],
        recorded: { source: 'state', status: stored.status, record: stored.record, configHash: stored.configHash },
      });
    }
  }
  return { project: model.project, env: model.env, configPath: model.configPath, rows, summary: summarizePlanRows(rows) };
}

export function summarizePlanRows(rows: readonly PlanRow[]): PlanSummary {
  const summary: PlanSummary = { create: 0, update: 0, unchanged: 0, remove: 0, skip: 0 };
  for (const row of rows) {
    if (row.action === 'create') summary.create++;
    else if (row.action === 'update') summary.update++;
    else if (row.action === 'verify') summary.unchanged++;
    else if (row.action === 'remove') summary.remove++;
    else summary.skip++;
  }
  return summary;
}

export function planRow(service: ServiceModel, registry: ProvisionerRegistry, state: ReadonlyMap<string, ServiceState>): PlanRow {
  const base = { serviceId: service.id, dependsOn: service.dependsOn };
  const adapter = service.provider ? registry.get(service.provider) : undefined;
  if (!adapter) {
    return {
      ...base,
      action: 'skip',
      symbol: PLAN_SYMBOLS.skip,
      detail: service.requestedProvider ? `skipped: no provisioner named "${service.requestedProvider}"` : 'skipped: no provisioner',
    };
  }
  const recorded = recordedFor(service, state);
  const description = adapter.describePlan?.(toResolvedService(service));
  if (!recorded || (recorded.status !== 'provisioned' && !recorded.record)) {
    return {
      ...base,
      action: 'create',
      symbol: PLAN_SYMBOLS.create,
      provider: adapter.provider,
      detail:
        recorded?.status === 'pending'
          ? 'will create (an earlier run did not finish)'
          : recorded?.status === 'failed'
            ? 'will create (the last attempt failed)'
            : 'will create',
      description,
      recorded,
    };
  }
  // Hashing every declaration costs a plan of thousands of services real time; only a record to compare with needs it.
  const configHash = recorded.configHash !== undefined ? declarationHash(service) : undefined;
  const changed = configHash !== undefined && recorded.configHash !== configHash;
  return {
    ...base,
    action: changed ? 'update' : 'verify',
    symbol: PLAN_SYMBOLS[changed ? 'update' : 'verify'],
    provider: adapter.provider,
    detail: changed ? 'exists, will update (declaration changed)' : recorded.status === 'failed' ? 'exists, will repair (last run failed)' : 'exists, will verify',
    description,
    recorded,
    configHash,
  };
}

/** "Plan: 2 to create, 0 to update, 1 unchanged, 4 skipped." */
export function planSummaryLine(summary: PlanSummary): string {
  const parts = [`${summary.create} to create`, `${summary.update} to update`, `${summary.unchanged} unchanged`];
  if (summary.remove > 0) parts.push(`${summary.remove} to remove`);
  parts.push(`${summary.skip} skipped`);
  return `Plan: ${parts.join(', ')}.`;
}
