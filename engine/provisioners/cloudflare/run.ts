/** What every Cloudflare resource module gets: the API, the context and the previous state of the same resource kind. */
import type { ProvisionContext, ProvisionStateRecord, ProvisionStatus } from '../types';
import { ProviderHttpError } from '../http';
import type { CloudflareApi } from './api';

export interface CloudflareRun {
  api: CloudflareApi;
  ctx: ProvisionContext;
  /** State from an earlier run (or its saved partial state), only when it is for the same resource kind. */
  previous?: Partial<ProvisionStateRecord>;
  step(message: string): void;
}

export function metadataOf(state: Partial<ProvisionStateRecord> | undefined): Record<string, unknown> {
  return (state?.metadata ?? {}) as Record<string, unknown>;
}

export function stringField(metadata: Record<string, unknown>, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The status of a failed check: "gone" only when Cloudflare said 404/410; anything else is an error. */
export function statusFromError(error: unknown, what: string): ProvisionStatus {
  if (error instanceof ProviderHttpError && error.isGone) {
    return { healthy: false, condition: 'gone', message: `${what} no longer exists (${error.providerMessage ?? `HTTP ${error.status}`})` };
  }
  return { healthy: false, condition: 'error', message: error instanceof Error ? error.message : String(error) };
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
