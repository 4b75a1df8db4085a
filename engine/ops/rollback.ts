/**
 * `rollback`: puts the service credentials in the vault and the overlay's `_state` blocks
 * back to a receipt's snapshot. It does not re-provision anything: it says which services
 * to deploy again to converge (those whose record changed, and those that inject the
 * credentials that changed). Rollback itself is recorded as a receipt, so it can be undone.
 */
import { existsSync } from 'node:fs';
import { restoreOverlayState } from '../config/overlayState';
import type { Receipt } from '../run/history';
import { acquireRunLock } from '../run/lock';
import type { VaultSnapshot } from '../vault/types';
import { openSystem, type OpsOptions } from './context';
import { serviceCredentialKeys, startReceipt } from './receipts';

export interface RollbackOptions extends OpsOptions {
  /** The receipt id (or a unique prefix of at least 4 characters). */
  to: string;
}

export interface RollbackResult {
  project: string;
  env: string;
  runId: string;
  restoredFrom: Receipt;
  credentials: {
    /** Keys put back to the snapshot's value. */
    restored: string[];
    /** Keys removed because they did not exist then. */
    removed: string[];
    unchanged: number;
  };
  overlay: {
    path?: string;
    /** Services whose `_state` block changed. */
    services: string[];
  };
  /** Deploy these again to converge, in dependency order. */
  redeploy: string[];
  warnings: string[];
}

export class RollbackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RollbackError';
  }
}

export async function rollback(options: RollbackOptions): Promise<RollbackResult> {
  const ops = await openSystem(options, false);
  const { model } = ops;
  const target = await ops.history.read(options.to);
  const snapshotState = target.state;
  const snapshotCredentials = target.credentials;
  if (!snapshotState || !snapshotCredentials) {
    throw new RollbackError(
      `Receipt ${target.receipt.id.slice(0, 8)} has no snapshot (${target.receipt.status === 'completed' ? 'it was not recorded' : `the run is ${target.receipt.status}`}); pick another with ss rollback --list.`,
    );
  }
  const runId = ops.history.newId();
  const lock = await acquireRunLock({ home: ops.home, project: model.project, env: model.env, command: options.command ?? `ss rollback --to=${options.to}`, runId });
  const warnings: string[] = [];
  try {
    const covered = new Set([...Object.keys(snapshotState.records), ...Object.keys(snapshotState.overlayState), ...model.order]);
    const currentKeys = await serviceCredentialKeys(ops, covered);
    const wanted: VaultSnapshot = {
      ...snapshotCredentials,
      entries: { ...Object.fromEntries(currentKeys.map((k) => [k, null])), ...snapshotCredentials.entries },
    };
    const before = await ops.vault.snapshot(Object.keys(wanted.entries));
    const restored: string[] = [];
    const removed: string[] = [];
    let unchanged = 0;
    for (const [key, content] of Object.entries(wanted.entries)) {
      if ((before.entries[key] ?? null) === content) unchanged++;
      else if (content === null) removed.push(key);
      else restored.push(key);
    }
    const receipt = await startReceipt(ops, runId, 'rollback', [...covered].sort());
    if (restored.length + removed.length > 0) await ops.vault.restore(wanted);

    const overlayPath = model.overlay?.path;
    let overlayServices: string[] = [];
    if (overlayPath && existsSync(overlayPath)) {
      overlayServices = await restoreOverlayState(overlayPath, snapshotState.overlayState);
    } else if (Object.keys(snapshotState.overlayState).length > 0) {
      warnings.push(`The snapshot has _state blocks for ${snapshotState.overlayPath ?? 'an overlay'}, which does not exist now; they were not restored.`);
    }

    // Converge: what changed, and whatever injects credentials that changed.
    const changedServices = new Set<string>(overlayServices);
    for (const key of [...restored, ...removed]) {
      const owner = [...covered].find((id) => key.startsWith(`${id}.`));
      if (owner) changedServices.add(owner);
    }
    const redeploy = new Set<string>();
    for (const id of model.order) {
      const service = model.byId.get(id)!;
      if (!service.provider) continue;
      if (overlayServices.includes(id)) redeploy.add(id);
      if (Object.keys(service.injectFrom).some((dep) => changedServices.has(dep))) redeploy.add(id);
      if (service.dependsOn.some((dep) => redeploy.has(dep) && Object.keys(service.injectFrom).includes(dep))) redeploy.add(id);
    }
    const result: RollbackResult = {
      project: model.project,
      env: model.env,
      runId,
      restoredFrom: target.receipt,
      credentials: { restored: restored.sort(), removed: removed.sort(), unchanged },
      overlay: { ...(overlayPath ? { path: overlayPath } : {}), services: overlayServices },
      redeploy: model.order.filter((id) => redeploy.has(id)),
      warnings,
    };
    await receipt.finish({
      status: 'completed',
      summary: { restored: restored.length, removed: removed.length, overlay: overlayServices.length },
      timeline: [],
      result,
      warnings,
      restoredFrom: target.receipt.id,
    });
    ops.emit({ type: 'run', phase: 'finished', operation: 'rollback', project: model.project, env: model.env, runId, status: 'completed' });
    return result;
  } finally {
    await lock.release();
  }
}
