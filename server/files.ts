/**
 * Starsystem files on disk that are not open in the editor (the base file of an open
 * overlay, the overlay of the active environment, the other overlays for a rename): read,
 * parsed once per content, and dropped from the cache when their folder says they changed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseFile, type ParsedFile, type SegmentCache } from '../engine/config/parse';
import { watchFolderFiles } from './watch';

interface DiskFile {
  text: string;
  parsed: ParsedFile;
  cache: SegmentCache;
}

export class DiskFiles {
  private readonly files = new Map<string, DiskFile | null>();
  private readonly listings = new Map<string, string[]>();
  private readonly watchers = new Map<string, { close(): void }>();

  /** `onChange(path)`: a file in a watched folder changed on disk. */
  constructor(private readonly onChange: (path: string) => void) {}

  /** The parse of a file on disk; undefined when it does not exist or cannot be read. */
  get(path: string): ParsedFile | undefined {
    this.watch(dirname(path));
    let file = this.files.get(path);
    if (file === undefined) {
      file = read(path);
      this.files.set(path, file);
    }
    return file?.parsed;
  }

  exists(path: string): boolean {
    return this.list(dirname(path)).includes(basename(path));
  }

  /** File names in a folder (cached until the folder changes). */
  list(dir: string): string[] {
    this.watch(dir);
    let names = this.listings.get(dir);
    if (!names) {
      try {
        names = readdirSync(dir);
      } catch {
        names = [];
      }
      this.listings.set(dir, names);
    }
    return names;
  }

  /** Forget what is cached about a path (and its folder's listing); re-read it if it was read before. */
  invalidate(path: string): void {
    const previous = this.files.get(path);
    this.listings.delete(dirname(path));
    if (previous === undefined) return;
    const text = readText(path);
    if (text === undefined) {
      this.files.set(path, null);
      return;
    }
    if (previous && previous.text === text) return;
    // Keep the segment cache: a file saved with one service changed re-parses only that one.
    const cache = previous?.cache ?? new Map();
    this.files.set(path, { text, cache, parsed: parseFile(path, text, cache) });
  }

  private watch(dir: string): void {
    if (this.watchers.has(dir)) return;
    this.watchers.set(
      dir,
      watchFolderFiles(dir, (name) => {
        this.listings.delete(dir);
        const changed = name ? [join(dir, name)] : [...this.files.keys()].filter((p) => dirname(p) === dir);
        for (const path of changed) {
          this.invalidate(path);
          this.onChange(path);
        }
      }),
    );
  }

  close(): void {
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function read(path: string): DiskFile | null {
  const text = readText(path);
  if (text === undefined) return null;
  const cache: SegmentCache = new Map();
  return { text, parsed: parseFile(path, text, cache), cache };
}
