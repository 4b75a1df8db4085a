/**
 * Recorded state per system (project + environment), read from the engine's state store and
 * kept current by watching its folder. Read only.
 */
import { StateStore, type ServiceState } from '../engine/run/state';
import type { RecordedState } from './service/types';
import { FolderWatcher } from './watch';

interface Entry {
  store: StateStore;
  state?: Map<string, ServiceState>;
  loading?: Promise<Map<string, ServiceState>>;
  again: boolean;
  watcher: FolderWatcher;
}

const EMPTY: RecordedState = new Map();

export class RecordedStateIndex {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly home: string,
    private readonly onChange: () => void,
  ) {}

  /** The recorded state of a system (read once, then kept current). */
  async get(project: string, env: string): Promise<RecordedState> {
    const entry = this.entry(project, env);
    if (entry.state) return entry.state;
    return this.load(entry).catch(() => EMPTY);
  }

  /** Every state read so far (for the process liveness check). */
  loaded(): RecordedState[] {
    return [...this.entries.values()].flatMap((e) => (e.state ? [e.state] : []));
  }

  private entry(project: string, env: string): Entry {
    const id = `${project}\u0000${env}`;
    let entry = this.entries.get(id);
    if (!entry) {
      const store = new StateStore(this.home, project, env);
      const created: Entry = {
        store,
        again: false,
        watcher: new FolderWatcher(store.dir, () => {
          if (created.state || created.loading) void this.load(created).catch(() => undefined);
        }),
      };
      entry = created;
      this.entries.set(id, entry);
    }
    return entry;
  }

  private load(entry: Entry): Promise<Map<string, ServiceState>> {
    if (entry.loading) {
      entry.again = true;
      return entry.loading;
    }
    entry.loading = (async () => {
      let next: Map<string, ServiceState>;
      do {
        entry.again = false;
        next = await entry.store.all().catch(() => new Map<string, ServiceState>());
      } while (entry.again);
      const changed = entry.state !== undefined && !sameState(entry.state, next);
      entry.state = next;
      if (changed) this.onChange();
      return next;
    })().finally(() => {
      entry.loading = undefined;
    });
    return entry.loading;
  }

  close(): void {
    for (const e of this.entries.values()) e.watcher.close();
    this.entries.clear();
  }
}

function sameState(a: Map<string, ServiceState>, b: Map<string, ServiceState>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, s] of a) {
    const other = b.get(id);
    if (!other || JSON.stringify(other) !== JSON.stringify(s)) return false;
  }
  return true;
}
