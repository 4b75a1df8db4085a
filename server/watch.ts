/**
 * Watching a folder that may not exist yet (the vault before its first key, the state of a
 * system never provisioned): the nearest existing ancestor is watched until the folder
 * appears, then the folder itself (and, at depth 1, its subfolders). Watching only reads.
 */
import { existsSync, readdirSync, watch, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';

export class FolderWatcher {
  private watchers: FSWatcher[] = [];
  private closed = false;

  constructor(
    private readonly target: string,
    private readonly onChange: () => void,
    private readonly depth: 0 | 1 = 0,
  ) {
    this.arm();
  }

  private arm(): void {
    // A folder on the way can appear between looking for it and watching its parent; then
    // its creation was not seen, so look again until what is watched is the deepest folder.
    for (let attempt = 0; attempt < 16; attempt++) {
      this.closeWatchers();
      if (this.closed) return;
      const dir = this.deepestExisting();
      if (dir === undefined) return;
      const reached = dir === this.target;
      this.add(dir, () => {
        // Something appeared or vanished on the way to the target, or inside it: look again.
        if (!reached || this.depth === 1) this.arm();
        this.onChange();
      });
      if (reached && this.depth === 1) {
        let entries: string[] = [];
        try {
          entries = readdirSync(dir, { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => e.name);
        } catch {
          entries = [];
        }
        for (const name of entries) this.add(join(dir, name), () => this.onChange());
      }
      if (reached || this.deepestExisting() === dir) return;
    }
  }

  private deepestExisting(): string | undefined {
    let dir = this.target;
    while (!existsSync(dir)) {
      const parent = dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
    return dir;
  }

  private add(dir: string, listener: () => void): void {
    try {
      const watcher = watch(dir, { persistent: false }, listener);
      watcher.on('error', () => {
        // The folder went away; start over from what exists.
        setImmediate(() => this.arm());
      });
      this.watchers.push(watcher);
    } catch {
      // Not watchable (gone meanwhile, or no watches left): changes show up on the next look.
    }
  }

  private closeWatchers(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }

  close(): void {
    this.closed = true;
    this.closeWatchers();
  }
}

/** Watches one folder for changes to the files in it; the listener gets the changed file's name. */
export function watchFolderFiles(dir: string, onChange: (name: string | undefined) => void): { close(): void } {
  try {
    const watcher = watch(dir, { persistent: false }, (_event, name) => onChange(name ?? undefined));
    watcher.on('error', () => watcher.close());
    return { close: () => watcher.close() };
  } catch {
    return { close: () => undefined };
  }
}
