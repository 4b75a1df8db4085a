/**
 * Vault key names: `namespace.name`, where the namespace may itself be dotted
 * (`providers.neon.api_key`). A name maps to the file `vault/<namespace>/<name>.age`, so
 * anything that could step outside the vault folder is refused.
 */

export interface VaultKeyName {
  /** The full key, "providers.neon.api_key". */
  key: string;
  /** Everything before the last dot, "providers.neon". */
  namespace: string;
  /** After the last dot, "api_key". */
  name: string;
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_@+=,-]*$/;
export const VAULT_KEY_MAX_LENGTH = 200;

/** Whether one dot-separated part of a key name is allowed (for checks that go part by part). */
export function isVaultKeySegment(segment: string): boolean {
  return SEGMENT.test(segment);
}

/** Why a key name is refused, or undefined when it is valid. */
export function vaultKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key === '') return 'a vault key name cannot be empty';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) return 'a vault key name cannot contain control characters';
  if (key.includes('/') || key.includes('\\')) return 'a vault key name cannot contain "/" or "\\"';
  if (key.includes('..')) return 'a vault key name cannot contain ".."';
  if (!key.includes('.')) return 'a vault key name has the form namespace.name (for example secrets.CF_ZONE_ID)';
  if (key.length > VAULT_KEY_MAX_LENGTH) return `a vault key name is at most ${VAULT_KEY_MAX_LENGTH} characters`;
  for (const segment of key.split('.')) {
    if (!SEGMENT.test(segment)) {
      return `"${segment}" is not allowed in a vault key name: use letters, digits, "_" and "-"`;
    }
  }
  return undefined;
}

export class VaultKeyError extends Error {
  constructor(readonly key: string, reason: string) {
    super(`Invalid vault key name ${JSON.stringify(key)}: ${reason}.`);
    this.name = 'VaultKeyError';
  }
}

/** Parses and validates a key name; throws VaultKeyError when it is refused. */
export function parseVaultKey(key: string): VaultKeyName {
  const problem = vaultKeyProblem(key);
  if (problem) throw new VaultKeyError(key, problem);
  const dot = key.lastIndexOf('.');
  return { key, namespace: key.slice(0, dot), name: key.slice(dot + 1) };
}

/** The canonical key for a provider credential: `providers.<provider>.<key>`. */
export function providerKey(provider: string, key: string): string {
  return `providers.${provider}.${key}`;
}
