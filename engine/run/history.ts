/**
 * Receipts: every run that changes something is recorded under
 * `$STARSYSTEM_HOME/history/<project>/<env>/<id>/`:
 *   receipt.json      what ran, when, how it ended, the summary
 *   plan.json         the plan it executed
 *   timeline.json     one entry per service with its steps and duration
 *   result.json       every service's outcome
 *   state.json        the overlay `_state` blocks and the state records after the run
 *   credentials.json  the service credentials after the run, still age-encrypted
 * Nothing in a receipt is a secret in clear: state records carry no secrets and the
 * credentials stay encrypted to the vault's recipient.
 */
import { randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProvisionStateRecord } from '../provisioners/types';
import type { VaultSnapshot } from '../vault/types';
import { writeFileAtomic } from '../util/fsAtomic';
import { processMatches } from './processes';
import { safeSegment, type ServiceState } from './state';

export type ReceiptOperation = 'provision' | 'deploy' | 'destroy' | 'rollback';
export type ReceiptStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface Receipt {
  id: string;
  operation: ReceiptOperation;
  project: string;
  env: string;
  configPath: string;
  /** The command line, when the run came from one. */
  command?: string;
  status: ReceiptStatus;
  startedAt: string;
  endedAt?: string;
  durationMs?: number;
  /** The engine process, so that a run killed mid-way shows as interrupted. */
  pid: number;
  pidStartTime?: string;
  summary?: Record<string, number>;
  /** Services the run acted on. */
  services: string[];
  /** Rollback: the receipt it restored. */
  restoredFrom?: string;
}

export interface TimelineStep {
  at: string;
  message: string;
}

export interface TimelineEntry {
  /** "ss.deploy.service.api": the span name of the service's work. */
  name: string;
  serviceId: string;
  status: 'succeeded' | 'failed' | 'not-started' | 'skipped';
  /** created, verified, updated, restarted, destroyed... */
  outcome?: string;
  provider?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  message?: string;
  steps: TimelineStep[];
}

export interface StateSnapshot {
  /** The overlay file the `_state` blocks live in, when the environment has one. */
  overlayPath?: string;
  /** `services.<id>.provision._state` of the overlay, by service id (absent: no block). */
  overlayState: Record<string, ProvisionStateRecord>;
  /** The engine's state records, by service id. */
  records: Record<string, ServiceState>;
}

export interface ReceiptDetails {
  receipt: Receipt;
  plan?: unknown;
  timeline?: TimelineEntry[];
  result?: unknown;
  state?: StateSnapshot;
  credentials?: VaultSnapshot;
}

export class ReceiptNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReceiptNotFoundError';
  }
}

export class History {
  readonly dir: string;

  constructor(home: string, readonly project: string, readonly env: string) {
    this.dir = join(home, 'history', safeSegment(project), safeSegment(env));
  }

  newId(): string {
    return randomUUID();
  }

  private file(id: string, name: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new ReceiptNotFoundError(`Invalid receipt id ${JSON.stringify(id)}.`);
    return join(this.dir, id, name);
  }

  async write(id: string, part: 'receipt' | 'plan' | 'timeline' | 'result' | 'state' | 'credentials', value: unknown): Promise<void> {
    await writeFileAtomic(this.file(id, `${part}.json`), JSON.stringify(value, null, 2) + '\n');
  }

  private async readPart<T>(id: string, part: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(this.file(id, `${part}.json`), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`Cannot read ${part}.json of receipt ${id}: ${(error as Error).message}`);
    }
  }

  /** Every receipt, newest first. A run that died without finishing shows as interrupted. */
  async list(): Promise<Receipt[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const receipts: Receipt[] = [];
    for (const name of names) {
      if (!/^[0-9a-f-]{36}$/.test(name)) continue;
      const receipt = await this.readPart<Receipt>(name, 'receipt').catch(() => undefined);
      if (receipt) receipts.push(withLiveness(receipt));
    }
    return receipts.sort((a, b) => (a.startedAt < b.startedAt ? 1 : a.startedAt > b.startedAt ? -1 : a.id < b.id ? 1 : -1));
  }

  /** The receipt with this id or unique id prefix (at least 4 characters); the newest when id is absent. */
  async resolve(id?: string): Promise<Receipt> {
    const all = await this.list();
    const where = `project "${this.project}", environment "${this.env}"`;
    if (id === undefined || id === '') {
      if (all.length === 0) throw new ReceiptNotFoundError(`No runs are recorded for ${where}.`);
      return all[0]!;
    }
    const wanted = id.toLowerCase();
    if (wanted.length < 4) throw new ReceiptNotFoundError(`Give at least 4 characters of the receipt id ("${id}" is too short).`);
    const matches = all.filter((r) => r.id.startsWith(wanted));
    if (matches.length === 0) throw new ReceiptNotFoundError(`No receipt "${id}" for ${where}. List them with: ss inspect --list`);
    if (matches.length > 1) {
      throw new ReceiptNotFoundError(`"${id}" matches ${matches.length} receipts (${matches.map((r) => r.id.slice(0, 8)).join(', ')}); give more of the id.`);
    }
    return matches[0]!;
  }

  async read(id?: string): Promise<ReceiptDetails> {
    const receipt = await this.resolve(id);
    const [plan, timeline, result, state, credentials] = await Promise.all([
      this.readPart<unknown>(receipt.id, 'plan'),
      this.readPart<TimelineEntry[]>(receipt.id, 'timeline'),
      this.readPart<unknown>(receipt.id, 'result'),
      this.readPart<StateSnapshot>(receipt.id, 'state'),
      this.readPart<VaultSnapshot>(receipt.id, 'credentials'),
    ]);
    return { receipt, plan, timeline, result, state, credentials };
  }
}

function withLiveness(receipt: Receipt): Receipt {
  if (receipt.status !== 'running') return receipt;
  return processMatches(receipt.pid, receipt.pidStartTime) ? receipt : { ...receipt, status: 'interrupted' };
}
