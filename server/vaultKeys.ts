/**
 * The names of the keys set in the vault, kept current by watching the vault folder. Only
 * names are listed: nothing is decrypted, nothing is created.
 */
import { listVaultKeys, vaultDirOf } from '../engine/vault/store';
import { FolderWatcher } from './watch';

export class VaultKeyIndex {
  /** The key names; undefined until listed, or when the vault cannot be listed. */
  keys: ReadonlySet<string> | undefined;
  /** Increases every time the set of names changes. */
  generation = 0;
  private watcher?: FolderWatcher;
  private loading?: Promise<void>;
  private again = false;

  constructor(
    private readonly home: string,
    private readonly onChange: () => void,
  ) {}

  /** Lists the keys and starts watching; resolves when the first listing is done. */
  start(): Promise<void> {
    this.watcher ??= new FolderWatcher(vaultDirOf(this.home), () => void this.refresh(), 1);
    return this.refresh();
  }

  /** Lists again; overlapping calls are folded into one more listing after the current one. */
  refresh(): Promise<void> {
    if (this.loading) {
      this.again = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.again = false;
        let next: Set<string> | undefined;
        try {
          next = new Set(await listVaultKeys(this.home));
        } catch {
          next = undefined;
        }
        if (!sameSet(this.keys, next)) {
          this.keys = next;
          this.generation++;
          this.onChange();
        }
      } while (this.again);
    })().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  close(): void {
    this.watcher?.close();
  }
}

function sameSet(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}
