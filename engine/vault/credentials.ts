/**
 * Where a provider's API key comes from, in order: the environment variable a v2
 * `target.credential_env` names (when it is set, it wins: CI passes secrets that way), then
 * the canonical `providers.<provider>.api_key` (what `ss vault set-key` writes), then the
 * names the walkthrough uses (`<provider>.api_token`), then `<provider>.api_key`.
 */
import type { ProvisionerAdapter, ProvisionerCatalogEntry } from '../provisioners/types';
import { providerKey, vaultKeyProblem } from './names';
import type { Vault } from './types';

export type CredentialSource = { kind: 'env'; name: string } | { kind: 'vault'; key: string };

export interface ResolvedCredential {
  value: string;
  source: CredentialSource;
}

/** The vault keys that can hold a provider's API key, in lookup order. */
export function providerApiKeyCandidates(provider: string): string[] {
  const keys = [providerKey(provider, 'api_key'), `${provider}.api_token`, `${provider}.api_key`];
  return keys.filter((key) => vaultKeyProblem(key) === undefined);
}

/** The provider's API key and where it was found, or undefined when none is set. */
export async function resolveProviderApiKey(options: {
  vault: Pick<Vault, 'get'>;
  provider: string;
  credentialEnv?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<ResolvedCredential | undefined> {
  const env = options.env ?? process.env;
  if (options.credentialEnv) {
    const value = env[options.credentialEnv];
    if (value !== undefined && value !== '') return { value, source: { kind: 'env', name: options.credentialEnv } };
  }
  for (const key of providerApiKeyCandidates(options.provider)) {
    const value = await options.vault.get(key);
    if (value !== null && value !== '') return { value, source: { kind: 'vault', key } };
  }
  return undefined;
}

/** The command that sets a vault key, in the form the docs show. */
export function vaultSetHint(key: string): string {
  const m = /^providers\.([^.]+)\.([^.]+)$/.exec(key);
  return m ? `ss vault set-key ${m[1]} ${m[2]} <value>` : `ss vault set ${key} <value>`;
}

export interface CredentialCheck {
  /** A vault key or an environment variable name. */
  name: string;
  kind: 'vault' | 'env';
  set: boolean;
}

export interface ProviderCredentialReport {
  provider: string;
  title?: string;
  requiresApiKey: boolean;
  /** Present when the provisioner needs an API key. */
  apiKey?: {
    /** Where it would be read from now (the first candidate that is set). */
    source?: CredentialSource;
    /** Every place it is looked up, in order. */
    candidates: CredentialCheck[];
    /** How to set it. */
    setCommand: string;
  };
  vaultKeys: { key: string; description: string; optional: boolean; set: boolean; setCommand: string }[];
  envVars: { name: string; description: string; set: boolean }[];
  /** Credential names the provisioner writes to the vault as `<serviceId>.<NAME>`. */
  credentials: string[];
  resources: string[];
  /** Everything required is set. */
  ready: boolean;
}

/**
 * What a provisioner needs and which of it is set, from key names only (no decryption):
 * `isSet` answers for vault keys, `env` for environment variables.
 */
export function describeProviderCredentials(options: {
  adapter: Pick<ProvisionerAdapter, 'provider' | 'requiresApiKey'> & { catalog?: ProvisionerCatalogEntry };
  isSet: (key: string) => boolean;
  env?: NodeJS.ProcessEnv;
  /** Environment variables named by `target.credential_env` for this provider. */
  credentialEnv?: string[];
}): ProviderCredentialReport {
  const { adapter, isSet } = options;
  const env = options.env ?? process.env;
  const envSet = (name: string) => env[name] !== undefined && env[name] !== '';
  const catalog = adapter.catalog;
  const requiresApiKey = adapter.requiresApiKey !== false;

  let apiKey: ProviderCredentialReport['apiKey'];
  if (requiresApiKey) {
    const candidates: CredentialCheck[] = [
      ...(options.credentialEnv ?? []).map((name) => ({ name, kind: 'env' as const, set: envSet(name) })),
      ...providerApiKeyCandidates(adapter.provider).map((name) => ({ name, kind: 'vault' as const, set: isSet(name) })),
    ];
    const first = candidates.find((c) => c.set);
    apiKey = {
      source: first ? (first.kind === 'env' ? { kind: 'env', name: first.name } : { kind: 'vault', key: first.name }) : undefined,
      candidates,
      setCommand: vaultSetHint(providerKey(adapter.provider, 'api_key')),
    };
  }
  const vaultKeys = (catalog?.vaultKeys ?? []).map((k) => ({
    key: k.key,
    description: k.description,
    optional: k.optional === true,
    set: vaultKeyProblem(k.key) === undefined && isSet(k.key),
    setCommand: vaultSetHint(k.key),
  }));
  const envVars = (catalog?.envVars ?? []).map((v) => ({ name: v.name, description: v.description, set: envSet(v.name) }));
  const ready = (!apiKey || apiKey.source !== undefined) && vaultKeys.every((k) => k.optional || k.set);
  return {
    provider: adapter.provider,
    title: catalog?.title,
    requiresApiKey,
    apiKey,
    vaultKeys,
    envVars,
    credentials: catalog?.credentials ?? [],
    resources: catalog?.resources ?? [],
    ready,
  };
}
