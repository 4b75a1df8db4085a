/**
 * The vault's age identity. Three ways to have one:
 * - `vault/identity.txt`: an X25519 key in age-keygen's format (0600), created on first use;
 * - `vault/identity.age`: the same kind of key, encrypted with a passphrase (scrypt), which
 *   the user opts into with `ss vault init --passphrase`; `vault/recipient.txt` keeps the
 *   public half so that writing a secret never needs the passphrase, only reading one;
 * - `STARSYSTEM_AGE_IDENTITY`: another identity file (plain or passphrase-encrypted), never
 *   created or changed by the vault.
 * The passphrase protects the identity rather than every file, so a read costs one X25519
 * decryption instead of one scrypt derivation (about 2.4 s at the default work factor), and
 * `age -d -i identity.age FILE` still decrypts every file (age asks for the passphrase).
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { loadAge, newX25519Identity, recipientOf } from './age';
import { writeFileAtomic } from '../util/fsAtomic';

export const IDENTITY_FILE = 'identity.txt';
export const PROTECTED_IDENTITY_FILE = 'identity.age';
export const RECIPIENT_FILE = 'recipient.txt';

export const IDENTITY_ENV = 'STARSYSTEM_AGE_IDENTITY';
export const PASSPHRASE_ENV = 'STARSYSTEM_VAULT_PASSPHRASE';
export const SCRYPT_WORK_FACTOR_ENV = 'STARSYSTEM_SCRYPT_WORK_FACTOR';

/** age's default scrypt work factor (log2 N). */
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;
/** The highest work factor age-encryption agrees to decrypt. */
const MAX_SCRYPT_WORK_FACTOR = 20;
export const MIN_PASSPHRASE_LENGTH = 8;

const AGE_BINARY_HEADER = 'age-encryption.org/v1\n';
const AGE_ARMOR_HEADER = '-----BEGIN AGE ENCRYPTED FILE-----';

export type IdentityMode = 'x25519' | 'passphrase' | 'external' | 'none';

export interface IdentityInfo {
  /** none: no identity yet (one is created by the first write). */
  mode: IdentityMode;
  /** The identity file that is (or will be) used. */
  path: string;
  exists: boolean;
  /** Whether reading the identity needs a passphrase. */
  encrypted: boolean;
  /** Passphrase mode: where the public recipient is kept. */
  recipientPath?: string;
}

/** Asks for the passphrase of an identity file (a no-echo prompt in a terminal); undefined when it cannot. */
export type PassphraseSource = (request: { path: string }) => Promise<string | undefined>;

export interface IdentityOptions {
  /** The vault folder. */
  vaultDir: string;
  env?: NodeJS.ProcessEnv;
  /** Used when the identity is passphrase-protected and STARSYSTEM_VAULT_PASSPHRASE is not set. */
  passphrase?: PassphraseSource;
}

/** A problem with the identity: missing, unreadable, wrong passphrase. Never contains key material. */
export class VaultIdentityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VaultIdentityError';
  }
}

/** The vault's identity, loaded lazily: nothing is read before it is needed, nothing is created before a write. */
export class VaultIdentity {
  private readonly vaultDir: string;
  private readonly env: NodeJS.ProcessEnv;
  private readonly passphraseSource?: PassphraseSource;
  private secretKeys?: Promise<string[]>;
  private publicKey?: Promise<string | undefined>;

  constructor(options: IdentityOptions) {
    this.vaultDir = options.vaultDir;
    this.env = options.env ?? process.env;
    this.passphraseSource = options.passphrase;
  }

  /** Which identity is in use and where, without reading or creating it. */
  async describe(): Promise<IdentityInfo> {
    const external = externalIdentityPath(this.env);
    if (external) {
      const text = await readFile(external, 'utf8').catch(() => undefined);
      return { mode: 'external', path: external, exists: text !== undefined, encrypted: text !== undefined && isAgeEncrypted(text) };
    }
    const protectedPath = join(this.vaultDir, PROTECTED_IDENTITY_FILE);
    if (await exists(protectedPath)) {
      return { mode: 'passphrase', path: protectedPath, exists: true, encrypted: true, recipientPath: join(this.vaultDir, RECIPIENT_FILE) };
    }
    const plainPath = join(this.vaultDir, IDENTITY_FILE);
    if (await exists(plainPath)) return { mode: 'x25519', path: plainPath, exists: true, encrypted: false };
    return { mode: 'none', path: plainPath, exists: false, encrypted: false };
  }

  /** The recipient files are encrypted to, or undefined when there is no identity yet. Never asks for a passphrase unless the recipient cannot be known otherwise. */
  recipient(): Promise<string | undefined> {
    this.publicKey ??= this.readRecipient(true).catch((error: unknown) => {
      this.publicKey = undefined;
      throw error;
    });
    return this.publicKey;
  }

  /** The recipient when it can be known without a passphrase (for `ss vault where`); never creates or prompts. */
  async recipientIfKnown(): Promise<string | undefined> {
    if (this.publicKey) return this.publicKey.catch(() => undefined);
    return this.readRecipient(false).catch(() => undefined);
  }

  /** The recipient, creating `identity.txt` first when the vault has no identity (the first write). */
  async ensure(): Promise<string> {
    const existing = await this.recipient();
    if (existing) return existing;
    const info = await this.describe();
    if (info.mode !== 'none') {
      // Another process created one between the two looks.
      this.publicKey = undefined;
      const again = await this.recipient();
      if (again) return again;
    }
    await createIdentityFile(info.path);
    this.publicKey = undefined;
    const created = await this.recipient();
    if (!created) throw new VaultIdentityError(`Could not create the vault identity at ${info.path}.`);
    return created;
  }

  /** The secret keys (AGE-SECRET-KEY-1...), for decryption. May ask for the passphrase. */
  identities(): Promise<string[]> {
    this.secretKeys ??= this.readIdentities().catch((error: unknown) => {
      this.secretKeys = undefined;
      throw error;
    });
    return this.secretKeys;
  }

  private async readRecipient(mayUnlock: boolean): Promise<string | undefined> {
    const info = await this.describe();
    if (info.mode === 'none') return undefined;
    if (info.mode === 'passphrase') {
      const stored = await readFile(info.recipientPath!, 'utf8').catch(() => undefined);
      const line = stored?.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#'));
      if (line && /^age1[0-9a-z]+$/.test(line)) return line;
      if (!mayUnlock) return undefined;
      // recipient.txt is missing (an interrupted init): derive it once and keep it.
      const [first] = await this.identities();
      const derived = await recipientOf(first!);
      await writeFileAtomic(info.recipientPath!, `${derived}\n`, 0o600);
      return derived;
    }
    if (!info.exists) throw missingExternal(info.path);
    if (info.encrypted) {
      if (!mayUnlock) return undefined;
      const [first] = await this.identities();
      return recipientOf(first!);
    }
    const keys = await this.identities();
    return recipientOf(keys[0]!);
  }

  private async readIdentities(): Promise<string[]> {
    const info = await this.describe();
    if (info.mode === 'none') {
      throw new VaultIdentityError(`The vault has no identity yet (${info.path}); nothing in it can be decrypted.`);
    }
    let text: string;
    try {
      text = await readFile(info.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw info.mode === 'external' ? missingExternal(info.path) : new VaultIdentityError(`The vault identity ${info.path} is missing.`);
      throw new VaultIdentityError(`Cannot read the vault identity ${info.path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`);
    }
    if (isAgeEncrypted(text)) text = await this.unlock(info.path, text);
    return parseIdentityText(text, info.path);
  }

  private async unlock(path: string, encrypted: string): Promise<string> {
    const fromEnv = this.env[PASSPHRASE_ENV];
    const passphrase = fromEnv !== undefined && fromEnv !== '' ? fromEnv : await this.passphraseSource?.({ path });
    if (passphrase === undefined || passphrase === '') {
      throw new VaultIdentityError(
        `The vault identity ${path} is protected by a passphrase: set ${PASSPHRASE_ENV} or run the command in a terminal to be asked for it.`,
      );
    }
    return decryptWithPassphrase(path, encrypted, passphrase);
  }
}

/** The X25519 secret keys in an identity file's text (age-keygen's format: comments, then keys). */
export function parseIdentityText(text: string, path: string): string[] {
  const keys: string[] = [];
  let sawOther: 'pq' | 'plugin' | 'unknown' | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('AGE-SECRET-KEY-1')) keys.push(line);
    else if (line.startsWith('AGE-SECRET-KEY-PQ-1')) sawOther = 'pq';
    else if (line.startsWith('AGE-PLUGIN-')) sawOther = 'plugin';
    else sawOther ??= 'unknown';
  }
  if (keys.length === 0) {
    const why =
      sawOther === 'pq'
        ? 'it holds only post-quantum identities, which age 1.1 cannot read; use an X25519 identity (age-keygen)'
        : sawOther === 'plugin'
          ? 'age plugin identities are not supported; use an X25519 identity (age-keygen)'
          : 'it holds no age X25519 identity (a line starting with AGE-SECRET-KEY-1)';
    throw new VaultIdentityError(`Cannot use ${path} as the vault identity: ${why}.`);
  }
  return keys;
}

/** True when the text is an age file (binary or armored) rather than a plain identity. */
export function isAgeEncrypted(text: string): boolean {
  return text.startsWith(AGE_BINARY_HEADER) || text.trimStart().startsWith(AGE_ARMOR_HEADER);
}

/** The scrypt work factor for new passphrase encryptions: STARSYSTEM_SCRYPT_WORK_FACTOR, else age's default. */
export function scryptWorkFactor(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[SCRYPT_WORK_FACTOR_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_SCRYPT_WORK_FACTOR;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SCRYPT_WORK_FACTOR) {
    throw new VaultIdentityError(`${SCRYPT_WORK_FACTOR_ENV} must be a whole number from 1 to ${MAX_SCRYPT_WORK_FACTOR} (it is ${JSON.stringify(raw)}).`);
  }
  return n;
}

export interface ProtectResult {
  recipient: string;
  path: string;
  /** True when a new identity was made; false when the existing identity.txt was encrypted. */
  created: boolean;
  /** True when the vault was already passphrase-protected. */
  alreadyProtected: boolean;
}

/**
 * Puts the vault identity under a passphrase: the existing `identity.txt` (or a new key) is
 * encrypted to `identity.age`, its recipient kept in `recipient.txt`, and the plain file
 * removed. Files already in the vault keep decrypting: the key itself does not change.
 */
export async function protectIdentity(options: { vaultDir: string; env?: NodeJS.ProcessEnv }, passphrase: string): Promise<ProtectResult> {
  const env = options.env ?? process.env;
  if (externalIdentityPath(env)) {
    throw new VaultIdentityError(`${IDENTITY_ENV} is set: that file is the identity. Protect it with "age -p" instead.`);
  }
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new VaultIdentityError(`The passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters long.`);
  }
  const workFactor = scryptWorkFactor(env);
  const plainPath = join(options.vaultDir, IDENTITY_FILE);
  const protectedPath = join(options.vaultDir, PROTECTED_IDENTITY_FILE);
  const recipientPath = join(options.vaultDir, RECIPIENT_FILE);

  if (await exists(protectedPath)) {
    // Already protected. A plain copy beside it means an earlier init stopped halfway:
    // finish it once the passphrase proves both are the same key.
    const keys = parseIdentityText(await decryptWithPassphrase(protectedPath, await readFile(protectedPath, 'utf8'), passphrase), protectedPath);
    const recipient = await recipientOf(keys[0]!);
    await writeFileAtomic(recipientPath, `${recipient}\n`, 0o600);
    const plain = await readFile(plainPath, 'utf8').catch(() => undefined);
    if (plain !== undefined) {
      const plainKeys = parseIdentityText(plain, plainPath);
      if (plainKeys[0] === keys[0]) await rm(plainPath, { force: true });
    }
    return { recipient, path: protectedPath, created: false, alreadyProtected: true };
  }

  const plain = await readFile(plainPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new VaultIdentityError(`Cannot read the vault identity ${plainPath}: ${error.code ?? error.message}.`);
  });
  const identityText = plain ?? (await identityFileText(await newX25519Identity()));
  const keys = parseIdentityText(identityText, plainPath);
  const recipient = await recipientOf(keys[0]!);
  const { Encrypter, armor } = await loadAge();
  const encrypter = new Encrypter();
  encrypter.setPassphrase(passphrase);
  encrypter.setScryptWorkFactor(workFactor);
  const encrypted = armor.encode(await encrypter.encrypt(identityText));
  if (!(await writeExclusive(protectedPath, encrypted))) {
    throw new VaultIdentityError(`${protectedPath} appeared while the vault was being protected; run the command again.`);
  }
  await writeFileAtomic(recipientPath, `${recipient}\n`, 0o600);
  await rm(plainPath, { force: true });
  return { recipient, path: protectedPath, created: plain === undefined, alreadyProtected: false };
}

/** Creates an X25519 identity at `path` unless one is there already (another process may race us). */
export async function createIdentityFile(path: string): Promise<boolean> {
  return writeExclusive(path, await identityFileText(await newX25519Identity()));
}

async function identityFileText(secretKey: string): Promise<string> {
  const recipient = await recipientOf(secretKey);
  return `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${secretKey}\n`;
}

async function decryptWithPassphrase(path: string, encrypted: string, passphrase: string): Promise<string> {
  const { Decrypter, armor } = await loadAge();
  const decrypter = new Decrypter();
  decrypter.addPassphrase(passphrase);
  let bytes: Uint8Array;
  try {
    bytes = encrypted.trimStart().startsWith(AGE_ARMOR_HEADER) ? armor.decode(encrypted) : new TextEncoder().encode(encrypted);
  } catch {
    throw new VaultIdentityError(`The vault identity ${path} is corrupt (not a readable age file).`);
  }
  try {
    return await decrypter.decrypt(bytes, 'text');
  } catch (error) {
    const message = (error as Error).message ?? '';
    if (/no identity matched/.test(message)) throw new VaultIdentityError(`Wrong passphrase for the vault identity ${path}.`);
    if (/work factor is too high/.test(message)) throw new VaultIdentityError(`The vault identity ${path} uses a scrypt work factor above ${MAX_SCRYPT_WORK_FACTOR}; re-encrypt it with a lower one.`);
    if (/not the only one/.test(message)) throw new VaultIdentityError(`The vault identity ${path} is encrypted to recipients, not to a passphrase.`);
    throw new VaultIdentityError(`The vault identity ${path} could not be decrypted: it is corrupt or not an age file.`);
  }
}

/**
 * Writes a file that must not replace an existing one: temp file, fsync, then link() to the
 * final name, which fails when the name exists. Returns false when it existed.
 */
async function writeExclusive(path: string, data: string): Promise<boolean> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.identity.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    try {
      await link(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
    const dirHandle = await open(dir, 'r').catch(() => undefined);
    await dirHandle?.sync().catch(() => {});
    await dirHandle?.close();
    return true;
  } finally {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
  }
}

function externalIdentityPath(env: NodeJS.ProcessEnv): string | undefined {
  const value = env[IDENTITY_ENV];
  return value !== undefined && value.trim() !== '' ? resolve(value) : undefined;
}

function missingExternal(path: string): VaultIdentityError {
  return new VaultIdentityError(`${IDENTITY_ENV} points at ${path}, which does not exist.`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
