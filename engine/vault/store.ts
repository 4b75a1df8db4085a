/**
 * The vault store: one age-encrypted file per key at `<home>/vault/<namespace>/<name>.age`,
 * in the manner of `pass`. Listing names needs no decryption, writers of different keys
 * never touch the same file, and a rollback snapshot is a copy of files.
 *
 * Files are written ASCII-armored (PEM-like text). Both forms decrypt with `age -d`, but
 * armor survives copy-paste, shows up readably in a terminal or diff, and lets a snapshot
 * carry the ciphertext as a plain string. Binary files that the `age` CLI writes (its
 * default) are read too.
 */
import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { Decrypter, Encrypter } from 'age-encryption';
import { loadAge, type AgeModule } from './age';
import { writeFileAtomic } from '../util/fsAtomic';
import { VaultIdentity, VaultIdentityError, IDENTITY_FILE, PROTECTED_IDENTITY_FILE, type IdentityInfo, type PassphraseSource } from './identity';
import { isVaultKeySegment, parseVaultKey, VAULT_KEY_MAX_LENGTH, VaultKeyError } from './names';
import { createRedactor } from './redact';
import type { Redactor, Vault, VaultSnapshot } from './types';

export const VAULT_FOLDER = 'vault';
const FILE_SUFFIX = '.age';
const AGE_BINARY_HEADER = 'age-encryption.org/v1\n';
const AGE_ARMOR_HEADER = '-----BEGIN AGE ENCRYPTED FILE-----';
/** The temp files of engine/util/fsAtomic.ts: `.<name>.<pid>.<random>.tmp`. */
const TEMP_FILE = /^\.(.+)\.(\d+)\.[0-9a-f]+\.tmp$/;

export interface OpenVaultOptions {
  /** STARSYSTEM_HOME (engine/home.ts `starsystemHome(env)`). */
  home: string;
  /** Where STARSYSTEM_AGE_IDENTITY, STARSYSTEM_VAULT_PASSPHRASE and the scrypt work factor are read. */
  env?: NodeJS.ProcessEnv;
  /** Asks for the identity's passphrase when it is protected and the environment has none. */
  passphrase?: PassphraseSource;
  /** Share one redactor between several vaults (or with other masking). */
  redactor?: Redactor;
}

/** Something about the vault's files that the user should fix (a warning, not an error). */
export interface VaultProblem {
  code: 'permissions' | 'plain-identity';
  path: string;
  message: string;
}

export interface VaultLocation {
  home: string;
  dir: string;
  identity: IdentityInfo;
  /** The public recipient, when it is known without a passphrase. */
  recipient?: string;
  keyCount: number;
}

/** The age-backed vault: the `Vault` contract plus what the CLI shows about it. */
export interface AgeVault extends Vault {
  readonly home: string;
  readonly identity: VaultIdentity;
  /** The file that holds a key (validates the name). */
  pathOf(key: string): string;
  /**
   * Modes wider than the vault's own (0700 folders, 0600 files), and similar mistakes.
   * `files: false` skips the key files (one stat each) and checks the folders and identity only.
   */
  problems(options?: { files?: boolean }): Promise<VaultProblem[]>;
  /** Paths, identity and recipient, for `ss vault where`. Creates nothing, asks for nothing. */
  where(): Promise<VaultLocation>;
}

/** A vault file that cannot be read: wrong identity, corrupt, unreadable. Never contains the value. */
export class VaultReadError extends Error {
  constructor(
    readonly key: string,
    readonly path: string,
    readonly reason: 'wrong-identity' | 'corrupt' | 'unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'VaultReadError';
  }
}

export function vaultDirOf(home: string): string {
  return join(home, VAULT_FOLDER);
}

export function openVault(options: OpenVaultOptions): AgeVault {
  return new AgeFileVault(options);
}

/**
 * Vault key names (sorted), optionally only those starting with `prefix`. Reads folder
 * listings only: never decrypts, never reads or creates the identity, never writes. A
 * missing vault has no keys.
 */
export async function listVaultKeys(home: string, prefix = ''): Promise<string[]> {
  const dir = vaultDirOf(home);
  let namespaces;
  try {
    namespaces = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // A folder whose name is not a valid namespace holds no keys (checked once per folder,
  // then each file name is one segment: cheaper than checking every full key).
  const candidates = namespaces.filter((d) => d.isDirectory() && mayHoldPrefix(d.name, prefix) && d.name.split('.').every(isVaultKeySegment));
  const lists = await Promise.all(
    candidates.map(async (ns) => {
      const names = await readdir(join(dir, ns.name)).catch(() => [] as string[]);
      const keys: string[] = [];
      for (const file of names) {
        if (!file.endsWith(FILE_SUFFIX)) continue;
        const name = file.slice(0, -FILE_SUFFIX.length);
        const key = `${ns.name}.${name}`;
        if (key.startsWith(prefix) && key.length <= VAULT_KEY_MAX_LENGTH && isVaultKeySegment(name)) keys.push(key);
      }
      return keys;
    }),
  );
  return lists.flat().sort();
}

/**
 * `vaultHas` for validation (engine/config/validate.ts): the names are listed once, nothing
 * is decrypted. Undefined when the vault cannot be listed (then no key is reported unset).
 */
export async function vaultKeyLookup(home: string): Promise<((key: string) => boolean) | undefined> {
  try {
    const keys = new Set(await listVaultKeys(home));
    return (key) => keys.has(key);
  } catch {
    return undefined;
  }
}

/** Whether a namespace folder can hold keys starting with `prefix` (keys are `<namespace>.<name>`). */
function mayHoldPrefix(namespace: string, prefix: string): boolean {
  const head = `${namespace}.`;
  return prefix.length <= head.length ? head.startsWith(prefix) : prefix.startsWith(head);
}

class AgeFileVault implements AgeVault {
  readonly home: string;
  readonly dir: string;
  readonly redactor: Redactor;
  readonly identity: VaultIdentity;
  private readonly env: NodeJS.ProcessEnv;
  private decrypter?: Promise<Decrypter>;
  private encrypter?: { recipient: string; encrypter: Encrypter };

  constructor(options: OpenVaultOptions) {
    this.home = options.home;
    this.dir = vaultDirOf(options.home);
    this.env = options.env ?? process.env;
    this.redactor = options.redactor ?? createRedactor();
    this.identity = new VaultIdentity({ vaultDir: this.dir, env: this.env, passphrase: options.passphrase });
  }

  pathOf(key: string): string {
    const { namespace, name } = parseVaultKey(key);
    const path = join(this.dir, namespace, `${name}${FILE_SUFFIX}`);
    // The name rules already make this impossible; the check keeps it so if they change.
    const rel = relative(this.dir, path);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new VaultKeyError(key, 'it would point outside the vault folder');
    return path;
  }

  list(prefix?: string): Promise<string[]> {
    return listVaultKeys(this.home, prefix ?? '');
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(key))).isFile();
    } catch (error) {
      if (error instanceof VaultKeyError) throw error;
      return false;
    }
  }

  async get(key: string): Promise<string | null> {
    const path = this.pathOf(key);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw new VaultReadError(key, path, 'unreadable', `Cannot read vault key "${key}" (${path}): ${code ?? (error as Error).message}.`);
    }
    const ciphertext = decodeAgeFile(bytes, (await loadAge()).armor);
    if (!ciphertext) throw corrupt(key, path);
    const decrypter = await this.getDecrypter();
    let value: string;
    try {
      value = await decrypter.decrypt(ciphertext, 'text');
    } catch (error) {
      if (/no identity matched/.test((error as Error).message ?? '')) {
        const recipient = await this.identity.recipientIfKnown();
        const info = await this.identity.describe();
        throw new VaultReadError(
          key,
          path,
          'wrong-identity',
          `Cannot decrypt vault key "${key}" (${path}): it was encrypted to a different identity than ${info.path}${recipient ? ` (recipient ${recipient})` : ''}.`,
        );
      }
      throw corrupt(key, path);
    }
    this.redactor.add(value);
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    const path = this.pathOf(key);
    if (typeof value !== 'string') throw new TypeError(`The value for vault key "${key}" must be a string.`);
    await this.refuseSymlinkedNamespace(key, path);
    const recipient = await this.identity.ensure();
    const { Encrypter, armor } = await loadAge();
    if (this.encrypter?.recipient !== recipient) {
      const encrypter = new Encrypter();
      encrypter.addRecipient(recipient);
      this.encrypter = { recipient, encrypter };
    }
    this.redactor.add(value);
    const file = armor.encode(await this.encrypter.encrypter.encrypt(value));
    await writeFileAtomic(path, file, 0o600);
    await removeStaleTempFiles(dirname(path));
  }

  // Empty namespace folders are left in place: removing one could race a writer that has
  // just created it for a new key.
  async delete(key: string): Promise<boolean> {
    const path = this.pathOf(key);
    try {
      await rm(path);
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return false;
      throw new Error(`Cannot remove vault key "${key}" (${path}): ${code ?? (error as Error).message}.`);
    }
  }

  async snapshot(keys: string[]): Promise<VaultSnapshot> {
    const unique = [...new Set(keys)];
    const paths = unique.map((key) => [key, this.pathOf(key)] as const);
    const entries: Record<string, string | null> = {};
    const { armor } = await loadAge();
    for (const [key, path] of paths) {
      let bytes: Buffer;
      try {
        bytes = await readFile(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') {
          entries[key] = null;
          continue;
        }
        throw new VaultReadError(key, path, 'unreadable', `Cannot read vault key "${key}" (${path}): ${code ?? (error as Error).message}.`);
      }
      const ciphertext = decodeAgeFile(bytes, armor);
      if (!ciphertext) throw corrupt(key, path);
      // Stored as armor whatever the file's form: the same ciphertext, as text.
      entries[key] = isArmored(bytes) ? bytes.toString('utf8') : armor.encode(ciphertext);
    }
    return { version: 1, recipient: (await this.identity.recipient()) ?? '', entries };
  }

  async restore(snapshot: VaultSnapshot): Promise<void> {
    // Check everything before changing anything: a bad snapshot changes no key.
    if (!snapshot || snapshot.version !== 1 || typeof snapshot.entries !== 'object' || snapshot.entries === null) {
      throw new Error('Not a vault snapshot (expected version 1 with entries).');
    }
    const writes: { key: string; path: string; content: string | null }[] = [];
    const { armor } = await loadAge();
    for (const [key, content] of Object.entries(snapshot.entries)) {
      const path = this.pathOf(key);
      if (content !== null && (typeof content !== 'string' || !decodeAgeFile(Buffer.from(content, 'utf8'), armor))) {
        throw new Error(`The snapshot's entry for vault key "${key}" is not an age file; nothing was restored.`);
      }
      writes.push({ key, path, content });
    }
    if (writes.some((w) => w.content !== null)) {
      const recipient = await this.identity.recipient();
      if (snapshot.recipient && recipient !== snapshot.recipient) {
        throw new VaultIdentityError(
          `The snapshot was encrypted to ${snapshot.recipient}, but this vault's identity is ${recipient ?? 'not set up'}; nothing was restored.`,
        );
      }
    }
    for (const w of writes) {
      if (w.content === null) await this.delete(w.key);
      else {
        await this.refuseSymlinkedNamespace(w.key, w.path);
        await writeFileAtomic(w.path, w.content, 0o600);
      }
    }
  }

  async problems(options: { files?: boolean } = {}): Promise<VaultProblem[]> {
    const out: VaultProblem[] = [];
    const check = async (path: string, allowed: number, kind: 'folder' | 'file') => {
      const st = await stat(path).catch(() => undefined);
      if (!st) return;
      const mode = st.mode & 0o777;
      if ((mode & ~allowed) !== 0) {
        const wanted = allowed.toString(8).padStart(3, '0');
        out.push({
          code: 'permissions',
          path,
          message: `${path} has mode ${mode.toString(8).padStart(3, '0')}: other users may read the vault ${kind === 'folder' ? 'folder' : 'file'}. Fix it with: chmod ${wanted} '${path}'`,
        });
      }
    };
    const vaultStat = await stat(this.dir).catch(() => undefined);
    if (!vaultStat) return out;
    await check(this.dir, 0o700, 'folder');
    const info = await this.identity.describe();
    if (info.exists) await check(info.path, 0o600, 'file');
    if (info.mode === 'passphrase') {
      const plain = join(this.dir, IDENTITY_FILE);
      if (await stat(plain).then(() => true, () => false)) {
        out.push({
          code: 'plain-identity',
          path: plain,
          message: `${plain} is still present beside ${join(this.dir, PROTECTED_IDENTITY_FILE)}: the passphrase does not protect it. Run "ss vault init --passphrase" again to finish, or remove it.`,
        });
      }
    }
    const namespaces = await readdir(this.dir, { withFileTypes: true }).catch(() => []);
    for (const ns of namespaces) {
      if (!ns.isDirectory()) continue;
      const nsPath = join(this.dir, ns.name);
      await check(nsPath, 0o700, 'folder');
      if (options.files === false) continue;
      const files = await readdir(nsPath).catch(() => [] as string[]);
      for (const file of files) if (file.endsWith(FILE_SUFFIX)) await check(join(nsPath, file), 0o600, 'file');
    }
    return out;
  }

  async where(): Promise<VaultLocation> {
    const identity = await this.identity.describe();
    const recipient = await this.identity.recipientIfKnown();
    return { home: this.home, dir: this.dir, identity, recipient, keyCount: (await this.list()).length };
  }

  private getDecrypter(): Promise<Decrypter> {
    this.decrypter ??= Promise.all([this.identity.identities(), loadAge()]).then(
      ([keys, { Decrypter }]) => {
        const decrypter = new Decrypter();
        for (const key of keys) decrypter.addIdentity(key);
        return decrypter;
      },
      (error: unknown) => {
        this.decrypter = undefined;
        throw error;
      },
    );
    return this.decrypter;
  }

  /** A namespace folder that is a symlink could send a write outside the vault. */
  private async refuseSymlinkedNamespace(key: string, path: string): Promise<void> {
    const nsDir = dirname(path);
    const st = await lstat(nsDir).catch(() => undefined);
    if (st?.isSymbolicLink()) throw new VaultKeyError(key, `its folder ${nsDir} is a symbolic link, and writes stay inside the vault folder`);
  }
}

function isArmored(bytes: Buffer): boolean {
  return bytes.toString('latin1', 0, 100).trimStart().startsWith(AGE_ARMOR_HEADER);
}

/** The binary age file inside an armored or binary file, or undefined when it is neither. */
function decodeAgeFile(bytes: Buffer, armor: AgeModule['armor']): Uint8Array | undefined {
  if (isArmored(bytes)) {
    try {
      const decoded = armor.decode(bytes.toString('utf8'));
      return startsWithHeader(decoded) ? decoded : undefined;
    } catch {
      return undefined;
    }
  }
  return startsWithHeader(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : undefined;
}

function startsWithHeader(bytes: Uint8Array): boolean {
  if (bytes.length < AGE_BINARY_HEADER.length) return false;
  for (let i = 0; i < AGE_BINARY_HEADER.length; i++) if (bytes[i] !== AGE_BINARY_HEADER.charCodeAt(i)) return false;
  return true;
}

function corrupt(key: string, path: string): VaultReadError {
  return new VaultReadError(key, path, 'corrupt', `Vault key "${key}" (${path}) is corrupt: it is not a readable age file. Set it again with: ss vault set ${key}`);
}

/**
 * Removes temp files left by writers that were killed mid-write (their process is gone).
 * They hold only ciphertext, but they would pile up.
 */
async function removeStaleTempFiles(dir: string): Promise<void> {
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const m = TEMP_FILE.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || processAlive(pid)) continue;
    await rm(join(dir, name), { force: true }).catch(() => {});
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
