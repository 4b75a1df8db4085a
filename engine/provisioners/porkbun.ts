/**
 * The Porkbun provisioner (API v3): DNS records for a domain, created or updated when their
 * content changed, never duplicated. Registering the domain happens only behind an explicit
 * `register: true`, after an availability and price check, and says that it costs money.
 * Every call is a POST whose JSON body carries `apikey` and `secretapikey`; answers are
 * `{status: "SUCCESS" | "ERROR", message}`.
 */
import type { DnsRecord } from '../config/schema';
import {
  describeRecord,
  desiredRecords,
  normalizeDomain,
  planDnsRecords,
  recordDrift,
  subdomainOf,
  type DesiredDnsRecord,
  type LiveDnsRecord,
  type RecordedDnsRecord,
} from './dnsRecords';
import { HttpClient, ProviderHttpError, providerBaseUrl, redactValues } from './http';
import { namesProvider } from './registry';
import type {
  ProvisionContext,
  ProvisionerAdapter,
  ProvisionerCatalogEntry,
  ProvisionResult,
  ProvisionStateRecord,
  ProvisionStatus,
  ResolvedService,
} from './types';

export const PORKBUN_API_URL = 'https://api.porkbun.com/api/json/v3';
/** Where the secret API key is read, in order. */
export const PORKBUN_SECRET_KEYS = ['secrets.PORKBUN_SECRET_KEY', 'providers.porkbun.secret_key'] as const;
/** Porkbun's smallest TTL; lower values are raised to it by Porkbun. */
const MIN_TTL = 600;
const PORKBUN_TYPES = new Set(['A', 'AAAA', 'CNAME', 'ALIAS', 'TXT', 'MX', 'NS', 'SRV', 'CAA', 'HTTPS']);

interface PorkbunRecord {
  id: string | number;
  name: string;
  type: string;
  content: string;
  ttl?: string | number;
  prio?: string | number | null;
  notes?: string | null;
}

interface PorkbunAnswer {
  status?: string;
  message?: string;
}

export interface PorkbunSpec {
  domain: string;
  records: DnsRecord[];
  register: boolean;
}

/** The domain, records and register flag from `target:` (type porkbun) or `provision:` (provider porkbun). */
export function porkbunSpec(service: ResolvedService): PorkbunSpec {
  const source = service.target?.type === 'porkbun' ? service.target : service.provision;
  const fail = (problem: string): never => {
    throw new Error(`Service "${service.id}" (porkbun): ${problem}`);
  };
  const domain = normalizeDomain(source?.domain ?? '');
  if (!domain || !/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) fail(domain ? `"${source?.domain}" is not a domain name.` : 'domain is required.');
  const records = source?.records ?? [];
  records.forEach((r, i) => {
    if (!PORKBUN_TYPES.has(r.type.toUpperCase())) fail(`records[${i}]: Porkbun does not serve ${r.type} records.`);
    if (r.proxied !== undefined) fail(`records[${i}]: proxied is a Cloudflare setting; Porkbun does not proxy records.`);
  });
  return { domain, records, register: source?.register === true };
}

function toLive(record: PorkbunRecord): LiveDnsRecord {
  const type = record.type.toUpperCase();
  const out: LiveDnsRecord = { id: String(record.id), type, name: normalizeDomain(record.name), content: record.content };
  if (record.ttl !== undefined && record.ttl !== null && record.ttl !== '') out.ttl = Number(record.ttl);
  // Porkbun reports prio "0" for records that have none; only MX and SRV carry one.
  if ((type === 'MX' || type === 'SRV') && record.prio !== undefined && record.prio !== null && record.prio !== '') out.priority = Number(record.prio);
  return out;
}

const normalizeTtl = (ttl: number) => Math.max(MIN_TTL, ttl);

class PorkbunApi {
  private readonly http: HttpClient;

  constructor(private readonly apiKey: string, private readonly secretKey: string, ctx: ProvisionContext) {
    const env = ctx.processEnv ?? process.env;
    this.http = new HttpClient({
      provider: 'porkbun',
      baseUrl: providerBaseUrl('porkbun', PORKBUN_API_URL, env),
      secrets: [apiKey, secretKey],
      errorMessage: (body) => (body && typeof body === 'object' && typeof (body as PorkbunAnswer).message === 'string' ? (body as PorkbunAnswer).message : undefined),
      signal: ctx.signal,
      env,
    });
  }

  /** POSTs with the keys in the body; a 2xx whose status is not SUCCESS is an error too. */
  async call<T extends PorkbunAnswer>(path: string, payload: Record<string, unknown> = {}, options: { idempotent?: boolean } = {}): Promise<T> {
    const response = await this.http.post<T>(path, { ...payload, apikey: this.apiKey, secretapikey: this.secretKey }, options);
    const body = response.body;
    if (!body || typeof body !== 'object' || body.status !== 'SUCCESS') {
      const said = (body && typeof body === 'object' && body.message) || `status ${JSON.stringify(body?.status ?? null)}`;
      const clean = (s: string) => redactValues(s, [this.apiKey, this.secretKey]);
      throw new ProviderHttpError(clean(`porkbun API POST ${path} failed: ${response.status} ${said}`), 'porkbun', 'http', 'POST', path, response.status, clean(said), body);
    }
    return body;
  }

  async records(domain: string): Promise<PorkbunRecord[]> {
    const answer = await this.call<PorkbunAnswer & { records?: PorkbunRecord[] }>(`/dns/retrieve/${encodeURIComponent(domain)}`, {}, { idempotent: true });
    return Array.isArray(answer.records) ? answer.records : [];
  }

  /** Whether the domain is in this account (listAll pages by 1000). */
  async ownsDomain(domain: string): Promise<boolean> {
    for (let start = 0; start < 100_000; start += 1000) {
      const answer = await this.call<PorkbunAnswer & { domains?: { domain: string }[] }>('/domain/listAll', { start: String(start) }, { idempotent: true });
      const domains = Array.isArray(answer.domains) ? answer.domains : [];
      if (domains.some((d) => normalizeDomain(d.domain) === domain)) return true;
      if (domains.length < 1000) return false;
    }
    return false;
  }
}

function recordedRecords(state: Partial<ProvisionStateRecord> | undefined): RecordedDnsRecord[] {
  const records = (state?.metadata as { records?: unknown } | undefined)?.records;
  return Array.isArray(records) ? (records as RecordedDnsRecord[]).filter((r) => r && typeof r.id === 'string') : [];
}

function recordPayload(domain: string, record: DesiredDnsRecord, ttl: number): Record<string, unknown> {
  const payload: Record<string, unknown> = { name: subdomainOf(record.fqdn, domain), type: record.type, content: record.content, ttl: String(ttl) };
  if (record.priority !== undefined) payload.prio = String(record.priority);
  return payload;
}

export class PorkbunProvisioner implements ProvisionerAdapter {
  readonly provider = 'porkbun';
  readonly requiresApiKey = true;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'Porkbun: DNS records for a domain; registers the domain only with register: true (costs money)',
    vaultKeys: [
      { key: 'secrets.PORKBUN_SECRET_KEY', description: 'The secret API key (sk1_...), set with `ss vault set PORKBUN_SECRET_KEY <sk1_...>`' },
      { key: 'providers.porkbun.secret_key', description: 'Read instead when secrets.PORKBUN_SECRET_KEY is not set', optional: true },
    ],
    envVars: [{ name: 'STARSYSTEM_PORKBUN_API_URL', description: `The Porkbun API base URL (default ${PORKBUN_API_URL}).` }],
    credentials: [],
  };

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, this.provider);
  }

  describePlan(service: ResolvedService): string {
    const source = service.target?.type === 'porkbun' ? service.target : service.provision;
    const n = source?.records?.length ?? 0;
    const records = `${n} DNS record${n === 1 ? '' : 's'}`;
    return source?.register === true ? `Porkbun domain registration (if not registered) + ${records}` : `Porkbun ${records}`;
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const spec = porkbunSpec(service);
    const api = await this.api(ctx);
    const step = (message: string) => ctx.step?.(message);
    const earlier = ctx.existing ?? ctx.partial;
    const previous = earlier?.resourceId === spec.domain ? earlier : undefined;
    if (earlier?.resourceId && !previous) step(`The recorded domain ${earlier.resourceId} is not the declared ${spec.domain}; its records are left as they are`);
    let registered = (previous?.metadata as { registered?: unknown } | undefined)?.registered === true;

    if (spec.register && !previous) {
      registered = await this.registerIfNeeded(api, ctx, spec.domain, step);
    }

    const domain = spec.domain;
    const desired = desiredRecords(spec.records, domain);
    const recorded = recordedRecords(previous);
    let live: LiveDnsRecord[];
    try {
      live = (await api.records(domain)).map(toLive);
    } catch (error) {
      throw withDomainHint(error, domain, spec.register);
    }
    const plan = planDnsRecords(desired, live, new Set(recorded.map((r) => r.id)), { normalizeTtl });

    const kept = new Map<DesiredDnsRecord, RecordedDnsRecord>();
    const remember = (d: DesiredDnsRecord, id: string, ttl: number) => {
      const r: RecordedDnsRecord = { id, type: d.type, name: d.fqdn, content: d.content, ttl };
      if (d.priority !== undefined) r.priority = d.priority;
      kept.set(d, r);
    };
    for (const { desired: d, live: l } of plan.unchanged) remember(d, l.id, l.ttl ?? MIN_TTL);
    const metadataWith = (records: RecordedDnsRecord[]) => ({ domain, ...(registered ? { registered: true } : {}), records });

    for (const { desired: d, live: l, changed } of plan.update) {
      const ttl = d.ttl !== undefined ? normalizeTtl(d.ttl) : l.ttl ?? MIN_TTL;
      await api.call(`/dns/edit/${encodeURIComponent(domain)}/${encodeURIComponent(l.id)}`, recordPayload(domain, d, ttl), { idempotent: true });
      remember(d, l.id, ttl);
      step(`Record ${describeRecord({ type: d.type, name: d.fqdn, content: d.content })} updated (${changed.join(', ')} changed)`);
    }
    for (const d of plan.create) {
      const ttl = normalizeTtl(d.ttl ?? MIN_TTL);
      const answer = await api.call<PorkbunAnswer & { id?: string | number }>(`/dns/create/${encodeURIComponent(domain)}`, recordPayload(domain, d, ttl));
      if (answer.id === undefined) throw new Error(`porkbun API POST /dns/create/${domain} answered without the new record's id`);
      remember(d, String(answer.id), ttl);
      await ctx.savePartialState?.({ provider: 'porkbun', resourceId: domain, metadata: metadataWith([...recorded, ...kept.values()]) });
      step(`Record ${describeRecord({ type: d.type, name: d.fqdn, content: d.content })} created`);
    }
    for (const l of plan.remove) {
      await api.call(`/dns/delete/${encodeURIComponent(domain)}/${encodeURIComponent(l.id)}`);
      step(`Record ${describeRecord(l)} deleted (no longer declared)`);
    }

    const records = desired.map((d) => kept.get(d)!);
    const counts = [
      plan.create.length > 0 ? `${plan.create.length} created` : '',
      plan.update.length > 0 ? `${plan.update.length} updated` : '',
      plan.remove.length > 0 ? `${plan.remove.length} deleted` : '',
      plan.unchanged.length > 0 ? `${plan.unchanged.length} unchanged` : '',
    ].filter(Boolean);
    return {
      state: { provider: 'porkbun', resourceId: domain, provisionedAt: new Date().toISOString(), metadata: metadataWith(records) },
      summary: `${records.length} DNS record${records.length === 1 ? '' : 's'} on ${domain}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`,
    };
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    const domain = state.resourceId;
    const recorded = recordedRecords(state);
    let live: LiveDnsRecord[];
    try {
      const api = await this.api(ctx);
      live = (await api.records(domain)).map(toLive);
    } catch (error) {
      // Porkbun has no 404 for a domain; anything failing here is an error, never "gone".
      if (error instanceof ProviderHttpError && error.isGone) return { healthy: false, condition: 'gone', message: `${domain}: ${error.message}` };
      return { healthy: false, condition: 'error', message: error instanceof Error ? error.message : String(error) };
    }
    const { findings, missing } = recordDrift(recorded, live);
    if (findings.length === 0) {
      return { healthy: true, condition: 'healthy', message: `${recorded.length} DNS record${recorded.length === 1 ? '' : 's'} in place on ${domain}`, drift: [] };
    }
    const message =
      missing.length > 0
        ? `${missing.length} DNS record${missing.length === 1 ? '' : 's'} missing on ${domain}: ${findings[0]!.message}`
        : `DNS records on ${domain} changed out of band: ${findings[0]!.message}`;
    return { healthy: false, condition: 'unhealthy', message, drift: findings };
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const domain = state.resourceId;
    const api = await this.api(ctx);
    const present = new Set((await api.records(domain)).map((r) => String(r.id)));
    for (const record of recordedRecords(state)) {
      if (!present.has(record.id)) {
        ctx.step?.(`Record ${describeRecord(record)} was already gone`);
        continue;
      }
      await api.call(`/dns/delete/${encodeURIComponent(domain)}/${encodeURIComponent(record.id)}`);
      ctx.step?.(`Record ${describeRecord(record)} deleted`);
    }
    if ((state.metadata as { registered?: unknown } | undefined)?.registered === true) {
      ctx.step?.(`The registration of ${domain} stays: a registration cannot be undone (turn auto-renew off in the Porkbun account to let it lapse)`);
    }
  }

  private async api(ctx: ProvisionContext): Promise<PorkbunApi> {
    if (!ctx.apiKey) throw new Error('Porkbun needs an API key: set it with `ss vault set-key porkbun api_key <pk1_...>`.');
    let secret: string | null = null;
    for (const key of PORKBUN_SECRET_KEYS) {
      secret = await ctx.vaultGet(key);
      if (secret) break;
    }
    if (!secret) throw new Error('Porkbun needs the secret API key: set it with `ss vault set PORKBUN_SECRET_KEY <sk1_...>`.');
    return new PorkbunApi(ctx.apiKey, secret, ctx);
  }

  /** Registers the domain when it is not in the account yet; true when it is (or now is) registered through this account. */
  private async registerIfNeeded(api: PorkbunApi, ctx: ProvisionContext, domain: string, step: (m: string) => void): Promise<boolean> {
    if (await api.ownsDomain(domain)) {
      step(`${domain} is already registered in this Porkbun account`);
      return true;
    }
    const check = await api.call<PorkbunAnswer & { response?: { avail?: string; price?: string; premium?: string } }>(
      `/domain/checkDomain/${encodeURIComponent(domain)}`,
      {},
      { idempotent: true },
    );
    const offer = check.response ?? {};
    if (offer.avail !== 'yes') throw new Error(`${domain} is not available for registration at Porkbun (and it is not in this account).`);
    if (offer.premium === 'yes') throw new Error(`${domain} is a premium domain (${offer.price ?? '?'} USD); Porkbun registers premium domains only on its website.`);
    const price = Number(offer.price);
    if (!Number.isFinite(price) || price <= 0) throw new Error(`Porkbun did not quote a price for ${domain}; nothing was registered.`);
    step(`Registering ${domain} for ${price.toFixed(2)} USD: this charges the Porkbun account (register: true)`);
    const order = await api.call<PorkbunAnswer & { orderId?: string | number }>(`/domain/create/${encodeURIComponent(domain)}`, {
      cost: Math.round(price * 100),
      agreeToTerms: 'yes',
    });
    step(`${domain} registered${order.orderId !== undefined ? ` (order ${order.orderId})` : ''}`);
    await ctx.savePartialState?.({ provider: 'porkbun', resourceId: domain, metadata: { domain, registered: true, records: [] } });
    return true;
  }
}

/** Porkbun answers "Invalid domain." for a domain outside the account: say what to check. */
function withDomainHint(error: unknown, domain: string, register: boolean): unknown {
  if (!(error instanceof ProviderHttpError) || error.kind !== 'http' || !/domain/i.test(error.providerMessage ?? '')) return error;
  const hint = register
    ? ` (check that API access is turned on for ${domain} in the Porkbun account)`
    : ` (is ${domain} in this Porkbun account with API access turned on? register: true registers it, which costs money)`;
  return new ProviderHttpError(error.message + hint, error.provider, error.kind, error.method, error.path, error.status, error.providerMessage, error.body);
}
