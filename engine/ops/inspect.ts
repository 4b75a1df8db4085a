/**
 * `inspect`: the receipts of earlier runs. One receipt (the newest, or by id or prefix)
 * with its timeline and, on request, the recorded state; or the list of runs.
 */
import { compareText } from '../diagnostics';
import type { ProvisionStateRecord } from '../provisioners/types';
import type { Receipt, ReceiptDetails, TimelineEntry } from '../run/history';
import { openSystem, type OpsOptions } from './context';

export interface InspectOptions extends OpsOptions {
  /** A receipt id or unique prefix; the newest when absent. */
  id?: string;
}

export interface InspectResult {
  project: string;
  env: string;
  receipt: Receipt;
  timeline: TimelineEntry[];
  /** The state records after the run (state store first, then the overlay `_state`), by service. */
  state: Record<string, ProvisionStateRecord>;
  /** Vault key names of the credentials snapshot (values stay encrypted, never shown). */
  credentialKeys: string[];
  plan?: unknown;
  result?: unknown;
}

export async function inspect(options: InspectOptions = {}): Promise<InspectResult> {
  const ops = await openSystem(options, false);
  const details: ReceiptDetails = await ops.history.read(options.id);
  const state: Record<string, ProvisionStateRecord> = { ...details.state?.overlayState };
  for (const [id, record] of Object.entries(details.state?.records ?? {})) {
    if (record.record) state[id] = record.record;
  }
  return {
    project: ops.model.project,
    env: ops.model.env,
    receipt: details.receipt,
    timeline: details.timeline ?? [],
    state: Object.fromEntries(Object.entries(state).sort(([a], [b]) => compareText(a, b))),
    credentialKeys: Object.entries(details.credentials?.entries ?? {})
      .filter(([, v]) => v !== null)
      .map(([k]) => k)
      .sort(),
    plan: details.plan,
    result: details.result,
  };
}

export async function listReceipts(options: OpsOptions = {}): Promise<{ project: string; env: string; receipts: Receipt[] }> {
  const ops = await openSystem(options, false);
  return { project: ops.model.project, env: ops.model.env, receipts: await ops.history.list() };
}
