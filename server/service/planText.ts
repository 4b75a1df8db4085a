/**
 * A service's plan row in one line, as the CodeLens and the hover show it:
 * `+ will create · local-process`, `~ running · pid 9103`, `• skipped: no provisioner`.
 */
import type { ServiceModel } from '../../engine/config/model';
import { planRow, type PlanRow } from '../../engine/plan/plan';
import type { ProvisionerRegistry } from '../../engine/provisioners/registry';
import type { RecordedState } from './types';

const LOCAL_PROCESS = 'local-process';

export interface PlanLine {
  row: PlanRow;
  text: string;
}

export function planLine(
  service: ServiceModel,
  registry: ProvisionerRegistry,
  state: RecordedState,
  processAlive: (pid: number, startTime: string | undefined) => boolean,
): PlanLine {
  const row = planRow(service, registry, state);
  return { row, text: planText(row, processAlive) };
}

export function planText(row: PlanRow, processAlive: (pid: number, startTime: string | undefined) => boolean): string {
  if (row.action === 'skip') return `${row.symbol} ${row.detail}`;
  const record = row.recorded?.record;
  if (row.provider === LOCAL_PROCESS && record && (row.action === 'verify' || row.action === 'update')) {
    const pid = record.metadata?.pid;
    const startTime = record.metadata?.startTime;
    if (typeof pid === 'number') {
      const alive = processAlive(pid, typeof startTime === 'string' ? startTime : undefined);
      if (alive && row.action === 'verify') return `${row.symbol} running · pid ${pid}`;
      if (alive) return `${row.symbol} running · pid ${pid} · will restart (declaration changed)`;
      return `${row.symbol} not running (pid ${pid} exited) · will start · ${LOCAL_PROCESS}`;
    }
  }
  return `${row.symbol} ${row.detail}${row.provider ? ` · ${row.provider}` : ''}`;
}
