/**
 * The vault's contract. The store (age-encrypted, one file per key under
 * `$STARSYSTEM_HOME/vault/<namespace>/<name>.age`) implements it; the engine's operations,
 * the CLI and the extension use only this.
 */

export interface Vault {
  /** The vault folder. */
  readonly dir: string;
  /** Key names (no decryption), sorted; only those starting with `prefix` when given. */
  list(prefix?: string): Promise<string[]>;
  has(key: string): Promise<boolean>;
  /** The value, or null when the key is not set. Every value handed out is added to the redactor. */
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /** The current encrypted files of these keys (absent keys recorded as absent), for rollback. */
  snapshot(keys: string[]): Promise<VaultSnapshot>;
  /** Puts every key of a snapshot back as it was (absent keys are deleted). */
  restore(snapshot: VaultSnapshot): Promise<void>;
  /** Masks every secret value this vault has handed out or stored. */
  readonly redactor: Redactor;
}

/** Encrypted file contents by key; null for a key that was not set. Safe to store: it is still encrypted. */
export interface VaultSnapshot {
  version: 1;
  /** The recipient the files are encrypted to. */
  recipient: string;
  entries: Record<string, string | null>;
}

export interface Redactor {
  /** Adds a secret value to mask (values shorter than 4 characters are ignored). */
  add(value: string): void;
  /** The text with every known secret replaced by `***`. */
  redact(text: string): string;
}
