/**
 * The provisioner contract (`ProvisionerAdapter` and its companion types), as the custom
 * provisioner guide defines it. Third-party provisioners implement exactly this; the
 * optional members marked "engine extension" add what the engine and the editor can use
 * when a provisioner offers it.
 */
import type { ServiceDeclaration } from '../config/schema';

/** A service after its overlay is applied and its templates resolved. */
export type ResolvedService = ServiceDeclaration & {
  /** The service id within the system. */
  id: string;
  depends_on: string[];
};

export interface ProvisionStateRecord {
  provider: string;
  resourceId: string;
  provisionedAt: string;
  region?: string;
  metadata?: Record<string, unknown>;
}

export interface ProvisionContext {
  /** Starsystem project name (from `name:` in starsystem.yaml). */
  project: string;
  /** Active environment (e.g. "local", "prod"). */
  env: string;
  /** Service id within the system. */
  serviceId: string;
  /** API token read from the vault via providers:<name> api_key ("" when the provisioner needs none). */
  apiKey: string;
  /** State from the previous run (undefined on the first run). */
  existing?: ProvisionStateRecord;
  /** Directory containing starsystem.yaml (for resolving relative paths). */
  configDir?: string;
  /** Read any vault key. */
  vaultGet(key: string): Promise<string | null>;
  /** Write a provider key back to the vault. */
  vaultSetProviderKey(provider: string, key: string, value: string): Promise<void>;
  /** Persist partial state mid-run. */
  savePartialState?(partial: Partial<ProvisionStateRecord>): Promise<void>;

  /** Engine extension: cancelled when the run is cancelled. */
  signal?: AbortSignal;
  /** Engine extension: report a step of the work ("Machine launched in iad"). */
  step?(message: string): void;
  /** Engine extension: credentials from `inject_from`, resolved from the vault (NAME -> value). */
  injected?: Record<string, string>;
  /** Engine extension: STARSYSTEM_HOME and the environment the engine runs with. */
  home?: string;
  processEnv?: NodeJS.ProcessEnv;
  /** Engine extension: partial state saved by an earlier, interrupted run. */
  partial?: Partial<ProvisionStateRecord>;
}

export interface ProvisionResult {
  /** Vault + overlay YAML `_state` block. Safe to commit: no secrets. */
  state: ProvisionStateRecord;
  /** Vault only; never written to YAML. */
  credentials?: Record<string, string>;
  /** A human-readable one-liner for the CLI and the editor. */
  summary: string;
}

export interface ProvisionStatus {
  healthy: boolean;
  message: string;
  raw?: unknown;
  /**
   * Engine extension: what the health means. "gone" only when the provider says the
   * resource does not exist (404/410); never for an auth or network error.
   */
  condition?: 'running' | 'healthy' | 'unhealthy' | 'starting' | 'dead' | 'gone' | 'error';
  /** Engine extension: differences between the recorded state and what is live. */
  drift?: DriftFinding[];
}

export interface DriftFinding {
  /** What differs: "region", "image", "records[0].content", "process". */
  field: string;
  recorded?: unknown;
  live?: unknown;
  message: string;
}

/** Engine extension: what a provisioner needs and returns, for `ss catalog` and completions. */
export interface ProvisionerCatalogEntry {
  /** One line: what the provisioner creates. */
  title: string;
  /** Vault keys it reads besides its api key (`providers.<provider>.api_key`). */
  vaultKeys?: { key: string; description: string; optional?: boolean }[];
  /** Environment variables it reads. */
  envVars?: { name: string; description: string }[];
  /** Credential names it writes to the vault (`<serviceId>.<NAME>`), what `inject_from` can read. */
  credentials?: string[];
  /** The `_cloudflare.resource` or `target.resource` kinds it handles. */
  resources?: string[];
}

export interface ProvisionerAdapter {
  /** Unique provider name. Must match `provision.provider:` in YAML or `target.type:`. */
  readonly provider: string;
  /** Set to false if the provisioner doesn't need an API key from the vault. Defaults to true. */
  readonly requiresApiKey?: boolean;
  /** Return true if this provisioner can handle the given service. */
  canProvision(service: ResolvedService): boolean;
  /** Create or refresh the resource; idempotent when ctx.existing is set. */
  provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult>;
  /** Check the health of a provisioned resource. */
  status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus>;
  /** Tear down the resource. Irreversible. */
  destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void>;

  /** Engine extension: catalog information. */
  readonly catalog?: ProvisionerCatalogEntry;
  /** Engine extension: a short plan label ("Neon project + branch + role + db"). */
  describePlan?(service: ResolvedService): string;
}
