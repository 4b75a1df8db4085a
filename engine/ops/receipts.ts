/**
 * Writing a run's receipt: started (so a killed run shows as interrupted), then finished
 * with its timeline, result, and the state and credentials snapshots that rollback reads.
 */
import { compareText } from '../diagnostics';
import { existsSync } from 'node:fs';
import { processStartTime } from '../run/processes';
import type { Receipt, ReceiptOperation, StateSnapshot, TimelineEntry } from '../run/history';
import { readOverlayState } from '../config/overlayState';
import type { OpsEnvironment } from './context';

export interface ReceiptWriter {
  readonly receipt: Receipt;
  finish(parts: {
    status: Receipt['status'];
    summary: Record<string, number>;
    timeline: TimelineEntry[];
    result: unknown;
    warnings: string[];
    restoredFrom?: string;
  }): Promise<void>;
}

export async function startReceipt(
  ops: OpsEnvironment,
  runId: string,
  operation: ReceiptOperation,
  services: string[],
  plan?: unknown,
): Promise<ReceiptWriter> {
  const receipt: Receipt = {
    id: runId,
    operation,
    project: ops.model.project,
    env: ops.model.env,
    configPath: ops.model.configPath,
    command: ops.options.command,
    status: 'running',
    startedAt: new Date().toISOString(),
    pid: process.pid,
    pidStartTime: processStartTime(process.pid),
    services,
  };
  await ops.history.write(runId, 'receipt', receipt);
  if (plan !== undefined) await ops.history.write(runId, 'plan', plan);
  return {
    receipt,
    async finish(parts) {
      const endedAt = new Date();
      const final: Receipt = {
        ...receipt,
        status: parts.status,
        endedAt: endedAt.toISOString(),
        durationMs: endedAt.getTime() - Date.parse(receipt.startedAt),
        summary: parts.summary,
        ...(parts.restoredFrom ? { restoredFrom: parts.restoredFrom } : {}),
      };
      await ops.history.write(runId, 'timeline', parts.timeline);
      await ops.history.write(runId, 'result', parts.result);
      try {
        const { state, credentials } = await takeSnapshots(ops);
        await ops.history.write(runId, 'state', state);
        await ops.history.write(runId, 'credentials', credentials);
      } catch (error) {
        parts.warnings.push(ops.redact(`The receipt has no state snapshot: ${(error as Error).message}`));
      }
      await ops.history.write(runId, 'receipt', final);
      Object.assign(receipt, final);
    },
  };
}

/** The overlay `_state` blocks, the state records and the (encrypted) service credentials, as they are now. */
export async function takeSnapshots(ops: OpsEnvironment) {
  const records = await ops.store.all();
  const overlayPath = ops.model.overlay?.path;
  const overlayState = overlayPath && existsSync(overlayPath) ? await readOverlayState(overlayPath) : {};
  const state: StateSnapshot = {
    ...(overlayPath ? { overlayPath } : {}),
    overlayState,
    records: Object.fromEntries([...records].sort(([a], [b]) => compareText(a, b))),
  };
  const keys = await serviceCredentialKeys(ops, [...ops.model.order, ...records.keys()]);
  const credentials = await ops.vault.snapshot(keys);
  return { state, credentials };
}

/** Every vault key in the namespaces of these services (`<serviceId>.*`) plus those the state records name. */
export async function serviceCredentialKeys(ops: OpsEnvironment, serviceIds: Iterable<string>): Promise<string[]> {
  const keys = new Set<string>();
  const records = await ops.store.all();
  for (const id of new Set(serviceIds)) {
    for (const key of await ops.vault.list(`${id}.`)) keys.add(key);
    for (const key of records.get(id)?.credentialKeys ?? []) keys.add(key);
  }
  return [...keys].sort();
}
