/**
 * What every operation starts from: the loaded system, the registry, the vault, the state
 * store, the history, and the event sink. Also the ProvisionContext handed to provisioners.
 */
import { loadSystem } from '../config/load';
import type { SystemModel } from '../config/model';
import { resolveTemplates } from '../config/templates';
import { hasErrors, type Diagnostic } from '../diagnostics';
import { starsystemHome } from '../home';
import { provisioners as sharedRegistry } from '../provisioners/index';
import type { ProvisionerRegistry } from '../provisioners/registry';
import type { ProvisionContext, ProvisionerAdapter, ProvisionStateRecord, ResolvedService } from '../provisioners/types';
import { History } from '../run/history';
import { StateStore } from '../run/state';
import { resolveProviderApiKey } from '../vault/credentials';
import { providerKey } from '../vault/names';
import { openVault } from '../vault/store';
import type { Vault } from '../vault/types';
import { toResolvedService, type ServiceModel } from '../config/model';
import type { OpsEvent, OpsEventListener } from './events';
import { seal, SecretTrackingVault, unseal } from './sealing';
import type { ServiceState } from '../run/state';

export interface OpsOptions {
  /** The config file (default: starsystem.yaml in `cwd`). An overlay path selects its environment. */
  file?: string;
  /** The environment (its overlay `NAME.<env>.yaml` must exist when given). */
  env?: string;
  cwd?: string;
  /** Provisioners (default: the shared registry with every built-in). */
  registry?: ProvisionerRegistry;
  /** The vault (default: the age vault of STARSYSTEM_HOME). */
  vault?: Vault;
  /** The environment the engine runs with: STARSYSTEM_HOME, credential_env variables, PATH for processes. */
  processEnv?: NodeJS.ProcessEnv;
  /** STARSYSTEM_HOME (default: from processEnv). */
  home?: string;
  signal?: AbortSignal;
  onEvent?: OpsEventListener;
  /** The command line, recorded in the lock and the receipt ("ss provision --env=prod"). */
  command?: string;
}

export class InvalidConfigError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    const errors = diagnostics.filter((d) => d.severity === 'error');
    super(`The configuration has ${errors.length} error${errors.length === 1 ? '' : 's'}; fix ${errors.length === 1 ? 'it' : 'them'} first (ss validate lists them).`);
    this.name = 'InvalidConfigError';
  }
}

export interface OpsEnvironment {
  model: SystemModel;
  registry: ProvisionerRegistry;
  vault: Vault;
  home: string;
  processEnv: NodeJS.ProcessEnv;
  store: StateStore;
  history: History;
  signal?: AbortSignal;
  emit(event: DistributiveOmit<OpsEvent, 'at'>): void;
  /** Masks every secret the vault knows. */
  redact(text: string): string;
  /** Replaces the vault values in a record by their templates, for anything written or shown. */
  seal<T>(value: T): T;
  /** Resolves a sealed record's templates, for handing it back to its provisioner. */
  unseal<T>(value: T): Promise<T>;
  options: OpsOptions;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Loads the system; with `requireValid`, a configuration with errors throws InvalidConfigError. */
export async function openSystem(options: OpsOptions, requireValid = true): Promise<OpsEnvironment> {
  const processEnv = options.processEnv ?? process.env;
  const home = options.home ?? starsystemHome(processEnv);
  const registry = options.registry ?? sharedRegistry;
  const model = await loadSystem({ file: options.file, env: options.env, cwd: options.cwd, registry });
  if (requireValid && hasErrors(model.diagnostics)) throw new InvalidConfigError(model.diagnostics);
  const vault = new SecretTrackingVault(options.vault ?? openVault({ home, env: processEnv }));
  const redact = (text: string) => vault.redactor.redact(text);
  const sealValue = <T>(value: T): T => seal(value, vault.known);
  return {
    model,
    registry,
    vault,
    home,
    processEnv,
    store: new SealingStateStore(home, model.project, model.env, sealValue),
    history: new History(home, model.project, model.env),
    signal: options.signal,
    emit(event) {
      if (!options.onEvent) return;
      const clean = { ...event, at: new Date().toISOString() } as OpsEvent;
      if ('message' in clean && typeof clean.message === 'string') clean.message = redact(clean.message);
      try {
        options.onEvent(clean);
      } catch {
        // A listener's failure must not break the run.
      }
    },
    redact,
    seal: sealValue,
    unseal: (value) => unseal(value, vault),
    options,
  };
}

/** The state store, with every record sealed before it is written. */
class SealingStateStore extends StateStore {
  constructor(home: string, project: string, env: string, private readonly sealValue: <T>(value: T) => T) {
    super(home, project, env);
  }

  override put(state: ServiceState): Promise<void> {
    return super.put({
      ...state,
      ...(state.record ? { record: this.sealValue(state.record) } : {}),
      ...(state.partial ? { partial: this.sealValue(state.partial) } : {}),
      ...(state.error ? { error: this.sealValue(state.error) } : {}),
    });
  }
}

/** A provider needs an API key that is not set anywhere. */
export class MissingApiKeyError extends Error {
  constructor(provider: string, credentialEnv: string | undefined) {
    const envPart = credentialEnv ? `set ${credentialEnv} in the environment, or ` : '';
    super(`Provisioner "${provider}" needs an API key: ${envPart}run ss vault set-key ${provider} api_key <token>.`);
    this.name = 'MissingApiKeyError';
  }
}

/** inject_from names a credential the vault does not have. */
export class MissingInjectedCredentialError extends Error {
  constructor(readonly serviceId: string, readonly key: string, dependency: string) {
    super(
      `Service "${serviceId}" injects "${key}" (inject_from), but the vault has no such key. ` +
        `It is written when "${dependency}" is provisioned (ss provision --service=${dependency}), or set it with: ss vault set ${key}`,
    );
    this.name = 'MissingInjectedCredentialError';
  }
}

/** The declaration with every `{{ vault('key') }}` replaced by its value. */
export async function resolvedServiceOf(ops: OpsEnvironment, service: ServiceModel): Promise<ResolvedService> {
  return resolveTemplates(toResolvedService(service), (key) => ops.vault.get(key), service.vaultReferences);
}

/** inject_from: NAME -> value from `<dependency>.<NAME>`. */
export async function injectedCredentials(ops: OpsEnvironment, service: ServiceModel): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [dependency, names] of Object.entries(service.injectFrom)) {
    for (const name of names) {
      const key = `${dependency}.${name}`;
      const value = await ops.vault.get(key);
      if (value === null) throw new MissingInjectedCredentialError(service.id, key, dependency);
      out[name] = value;
    }
  }
  return out;
}

export async function apiKeyFor(ops: OpsEnvironment, adapter: ProvisionerAdapter, service?: ResolvedService): Promise<string> {
  if (adapter.requiresApiKey === false) return '';
  const credentialEnv = typeof service?.target?.credential_env === 'string' ? service.target.credential_env : undefined;
  const found = await resolveProviderApiKey({ vault: ops.vault, provider: adapter.provider, credentialEnv, env: ops.processEnv });
  if (!found) throw new MissingApiKeyError(adapter.provider, credentialEnv);
  ops.vault.redactor.add(found.value);
  return found.value;
}

export interface ContextParts {
  serviceId: string;
  apiKey: string;
  existing?: ProvisionStateRecord;
  partial?: Partial<ProvisionStateRecord>;
  injected?: Record<string, string>;
  signal?: AbortSignal;
  step?(message: string): void;
  savePartialState?(partial: Partial<ProvisionStateRecord>): Promise<void>;
}

export function provisionContext(ops: OpsEnvironment, parts: ContextParts): ProvisionContext {
  return {
    project: ops.model.project,
    env: ops.model.env,
    serviceId: parts.serviceId,
    apiKey: parts.apiKey,
    existing: parts.existing,
    configDir: ops.model.configDir,
    vaultGet: (key) => ops.vault.get(key),
    vaultSetProviderKey: (provider, key, value) => ops.vault.set(providerKey(provider, key), value),
    savePartialState: parts.savePartialState,
    signal: parts.signal ?? ops.signal,
    step: parts.step,
    injected: parts.injected,
    home: ops.home,
    processEnv: ops.processEnv,
    partial: parts.partial,
  };
}

/** The error's message with secrets masked. */
export function errorMessage(ops: Pick<OpsEnvironment, 'redact'>, error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return ops.redact(text);
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR');
}
