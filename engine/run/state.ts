/**
 * The engine's state store: what each service's provisioner created, one JSON file per
 * service at `$STARSYSTEM_HOME/state/<project>/<env>/<service>.json`, written atomically.
 * A record is marked pending before a service is created and written at once when it
 * succeeds, so a run killed at any point leaves state the next run converges from.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProvisionStateRecord } from '../provisioners/types';
import { writeFileAtomic } from '../util/fsAtomic';
import { SERVICE_ID_PATTERN } from '../config/schema';

export type ServiceStateStatus = 'pending' | 'provisioned' | 'failed';

export interface ServiceState {
  serviceId: string;
  provider: string;
  status: ServiceStateStatus;
  /** Hash of the declaration the resource was provisioned from (detects config changes). */
  configHash?: string;
  /** What the provisioner returned. */
  record?: ProvisionStateRecord;
  /** Partial state saved mid-run by the provisioner. */
  partial?: Partial<ProvisionStateRecord>;
  /** Vault keys of the credentials the provisioner wrote (`<serviceId>.<NAME>`). */
  credentialKeys?: string[];
  runId?: string;
  updatedAt: string;
  /** The last error, for a failed service. */
  error?: string;
}

/** Path-safe pieces: project and env names become folder names. */
export function safeSegment(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || '_';
}

export class StateStore {
  readonly dir: string;

  constructor(home: string, project: string, env: string) {
    this.dir = join(home, 'state', safeSegment(project), safeSegment(env));
  }

  private file(serviceId: string): string {
    if (!SERVICE_ID_PATTERN.test(serviceId)) throw new Error(`Invalid service id ${JSON.stringify(serviceId)}.`);
    return join(this.dir, `${serviceId}.json`);
  }

  async get(serviceId: string): Promise<ServiceState | undefined> {
    try {
      return JSON.parse(await readFile(this.file(serviceId), 'utf8')) as ServiceState;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(`Cannot read the state of "${serviceId}" in ${this.dir}: ${(error as Error).message}`);
    }
  }

  /** Every recorded service, by id. */
  async all(): Promise<Map<string, ServiceState>> {
    const out = new Map<string, ServiceState>();
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw error;
    }
    await Promise.all(
      names
        .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
        .map(async (name) => {
          const id = name.slice(0, -'.json'.length);
          const state = await this.get(id);
          if (state) out.set(id, state);
        }),
    );
    return out;
  }

  async put(state: ServiceState): Promise<void> {
    await writeFileAtomic(this.file(state.serviceId), JSON.stringify(state, null, 2) + '\n');
  }

  async remove(serviceId: string): Promise<void> {
    await rm(this.file(serviceId), { force: true });
  }
}
