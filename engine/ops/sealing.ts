/**
 * Persisted state never holds a vault value. A provisioner's record can contain values it
 * was given (a zone id kept under `secrets.CF_ZONE_ID`, a URL with a token); before a record
 * is written to the state store, the overlay's `_state` block, a receipt or any output,
 * each such value is replaced by its `{{ vault('key') }}` template, and the template is
 * resolved again when the record goes back to its provisioner.
 */
import { resolveTemplates } from '../config/templates';
import type { Vault, VaultSnapshot } from '../vault/types';

/** Values shorter than this are ordinary words more often than secrets (as in redaction). */
const MIN_SEALED_LENGTH = 4;

/**
 * A vault that remembers which key each value it handed out belongs to. Values written by
 * `set` (credentials a provisioner returns) are its outputs: where it also keeps a part of
 * them in its record (a public URL), that part is state the provisioner chose to show.
 */
export class SecretTrackingVault implements Vault {
  /** value -> key, for every value read in this process. */
  readonly known = new Map<string, string>();

  constructor(private readonly inner: Vault) {}

  get dir(): string {
    return this.inner.dir;
  }

  get redactor() {
    return this.inner.redactor;
  }

  list(prefix?: string): Promise<string[]> {
    return this.inner.list(prefix);
  }

  has(key: string): Promise<boolean> {
    return this.inner.has(key);
  }

  async get(key: string): Promise<string | null> {
    const value = await this.inner.get(key);
    if (value !== null) this.remember(value, key);
    return value;
  }

  set(key: string, value: string): Promise<void> {
    return this.inner.set(key, value);
  }

  delete(key: string): Promise<boolean> {
    return this.inner.delete(key);
  }

  snapshot(keys: string[]): Promise<VaultSnapshot> {
    return this.inner.snapshot(keys);
  }

  restore(snapshot: VaultSnapshot): Promise<void> {
    return this.inner.restore(snapshot);
  }

  private remember(value: string, key: string): void {
    if (value.length >= MIN_SEALED_LENGTH) this.known.set(value, key);
  }
}

/** Replaces every known vault value in the strings of `value` (deeply) by its template. */
export function seal<T>(value: T, known: ReadonlyMap<string, string>): T {
  if (known.size === 0) return value;
  // Longest first, so a value that contains another is replaced whole.
  const entries = [...known].sort(([a], [b]) => b.length - a.length);
  const sealString = (s: string): string => {
    let out = s;
    for (const [secret, key] of entries) if (out.includes(secret)) out = out.split(secret).join(`{{ vault('${key}') }}`);
    return out;
  };
  return mapStrings(value, sealString) as T;
}

/** Resolves the templates `seal` left (values read from the vault again). */
export function unseal<T>(value: T, vault: Pick<Vault, 'get'>): Promise<T> {
  return resolveTemplates(value, (key) => vault.get(key));
}

function mapStrings(value: unknown, fn: (s: string) => string): unknown {
  if (typeof value === 'string') return fn(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)]));
  return value;
}
