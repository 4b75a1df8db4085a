/**
 * A fake Cloudflare API v4 on 127.0.0.1: Bearer token auth, the `{success, errors,
 * messages, result, result_info}` envelope with Cloudflare's error codes, page-number
 * pagination, and in-memory zones (DNS records, custom hostnames, fallback origin), Pages
 * projects with custom domains, R2 buckets, Workers KV namespaces and D1 databases.
 * Custom hostnames stay "pending" until a test activates them; a fallback origin is
 * "pending_deployment" for a number of reads before it turns "active".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { FakeServer, type FakeRequest, type FakeResponse } from './base';

export interface CfDnsRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  proxiable: boolean;
  proxied: boolean;
  ttl: number;
  priority?: number;
  locked: boolean;
  comment: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

export interface CfCustomHostname {
  id: string;
  hostname: string;
  status: string;
  ssl: { id: string; type: string; method: string; status: string; bundle_method: string; wildcard: boolean; certificate_authority: string };
  ownership_verification: { type: string; name: string; value: string };
  ownership_verification_http: { http_url: string; http_body: string };
  created_at: string;
}

interface Zone {
  id: string;
  name: string;
  account: string;
  records: Map<string, CfDnsRecord>;
  hostnames: Map<string, CfCustomHostname>;
  fallback?: { origin: string; status: string; pendingReads: number; created_at: string; updated_at: string };
}

export interface CfPagesDomain {
  id: string;
  name: string;
  status: string;
  verification_data: { status: string };
  validation_data: { status: string; method: string };
  zone_tag: string;
  certificate_authority: string;
  created_on: string;
}

interface PagesProject {
  id: string;
  name: string;
  subdomain: string;
  production_branch: string;
  created_on: string;
  customDomains: Map<string, CfPagesDomain>;
}

interface Account {
  id: string;
  pages: Map<string, PagesProject>;
  r2: Map<string, { name: string; creation_date: string; location: string; objects: number }>;
  kv: Map<string, { id: string; title: string; supports_url_encoding: boolean }>;
  d1: Map<string, { uuid: string; name: string; created_at: string; version: string; num_tables: number; file_size: number; running_in_region: string }>;
}

export interface CloudflareFakeOptions {
  /** API tokens the fake accepts (default: one, `cf-test-token-0123456789`). */
  tokens?: string[];
  /** Reads of a newly set fallback origin that still answer "pending_deployment" (default 1). */
  fallbackPendingReads?: number;
}

const now = () => new Date().toISOString();
const hexId = () => randomBytes(16).toString('hex');
const PROXIABLE = new Set(['A', 'AAAA', 'CNAME']);
const RECORD_TYPES = new Set(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA', 'HTTPS']);

export function cfOk(result: unknown, resultInfo?: Record<string, number>): FakeResponse {
  const body: Record<string, unknown> = { success: true, errors: [], messages: [], result };
  if (resultInfo) body.result_info = resultInfo;
  return { status: 200, body };
}

export function cfError(status: number, code: number, message: string, chain?: { code: number; message: string }[]): FakeResponse {
  const error: Record<string, unknown> = { code, message };
  if (chain) error.error_chain = chain;
  return { status, body: { success: false, errors: [error], messages: [], result: null } };
}

/** Page-number pagination as Cloudflare does it, with result_info. */
function paginate<T>(items: T[], req: FakeRequest, defaultPerPage: number, maxPerPage: number): FakeResponse {
  const perPage = Math.min(maxPerPage, Math.max(1, Number(req.query.get('per_page') ?? defaultPerPage) || defaultPerPage));
  const page = Math.max(1, Number(req.query.get('page') ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  return cfOk(slice, { page, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.max(1, Math.ceil(items.length / perPage)) });
}

function body(req: FakeRequest): Record<string, unknown> {
  return req.json && typeof req.json === 'object' ? (req.json as Record<string, unknown>) : {};
}

export class CloudflareFake extends FakeServer {
  readonly tokens: Set<string>;
  private readonly zones = new Map<string, Zone>();
  private readonly accounts = new Map<string, Account>();
  private readonly fallbackPendingReads: number;

  constructor(options: CloudflareFakeOptions = {}) {
    super();
    this.tokens = new Set(options.tokens ?? ['cf-test-token-0123456789']);
    this.fallbackPendingReads = options.fallbackPendingReads ?? 1;
    this.errorBody = (status, message) => ({
      success: false,
      errors: [{ code: status === 429 ? 971 : 10000 + (status % 100), message: status === 429 ? 'Please wait and consider throttling your request speed' : message }],
      messages: [],
      result: null,
    });
    this.authorize = (req) => {
      const header = String(req.headers.authorization ?? '');
      const match = /^Bearer (\S+)$/.exec(header);
      if (!match) {
        return cfError(400, 6003, 'Invalid request headers', [{ code: 6111, message: 'Invalid format for Authorization header' }]);
      }
      if (!this.tokens.has(match[1]!)) return cfError(401, 9109, 'Invalid access token');
      return undefined;
    };
    this.zoneRoutes();
    this.pagesRoutes();
    this.storageRoutes();
  }

  // Setup and out-of-band helpers ------------------------------------------------------------


  /** Adds a zone (an existing Cloudflare zone, as the dns-zone resource expects) and returns its id. */
  addZone(name: string, id = hexId(), account = 'acc-0000'): string {
    this.zones.set(id, { id, name, account, records: new Map(), hostnames: new Map() });
    this.addAccount(account);
    return id;
  }

  addAccount(id: string): this {
    if (!this.accounts.has(id)) this.accounts.set(id, { id, pages: new Map(), r2: new Map(), kv: new Map(), d1: new Map() });
    return this;
  }

  records(zoneId: string): CfDnsRecord[] {
    return [...(this.zone(zoneId).records.values())];
  }

  /** Adds a record out of band (as if made in the dashboard). */
  addRecord(zoneId: string, record: { type: string; name: string; content: string; proxied?: boolean; ttl?: number }): CfDnsRecord {
    const zone = this.zone(zoneId);
    const created = this.newRecord(zone, { ...record, name: this.qualify(zone, record.name) });
    zone.records.set(created.id, created);
    return created;
  }

  /** Changes a record out of band. */
  editRecord(zoneId: string, recordId: string, change: Partial<Pick<CfDnsRecord, 'content' | 'proxied' | 'ttl'>>): void {
    const record = this.zone(zoneId).records.get(recordId);
    if (!record) throw new Error(`no record ${recordId}`);
    Object.assign(record, change, { modified_on: now() });
  }

  deleteRecord(zoneId: string, recordId: string): void {
    this.zone(zoneId).records.delete(recordId);
  }

  hostnames(zoneId: string): CfCustomHostname[] {
    return [...this.zone(zoneId).hostnames.values()];
  }

  /** A custom hostname created out of band (by the SaaS app for a customer): pending until activated. */
  addCustomHostname(zoneId: string, hostname: string): CfCustomHostname {
    const zone = this.zone(zoneId);
    const created = this.newHostname(hostname, 'http');
    zone.hostnames.set(created.id, created);
    return created;
  }

  /** The customer's DNS now points at the zone and the certificate is issued. */
  activateHostname(zoneId: string, hostname: string): void {
    const found = this.hostnames(zoneId).find((h) => h.hostname === hostname);
    if (!found) throw new Error(`no custom hostname ${hostname}`);
    found.status = 'active';
    found.ssl.status = 'active';
  }

  deleteHostname(zoneId: string, hostname: string): void {
    const zone = this.zone(zoneId);
    for (const [id, h] of zone.hostnames) if (h.hostname === hostname) zone.hostnames.delete(id);
  }

  fallbackOrigin(zoneId: string): { origin: string; status: string } | undefined {
    const f = this.zone(zoneId).fallback;
    return f ? { origin: f.origin, status: f.status } : undefined;
  }

  /** Sets the fallback origin out of band (already active). */
  setFallbackOrigin(zoneId: string, origin: string | undefined): void {
    const zone = this.zone(zoneId);
    zone.fallback = origin ? { origin, status: 'active', pendingReads: 0, created_at: now(), updated_at: now() } : undefined;
  }

  pagesProject(accountId: string, name: string): (Omit<PagesProject, 'customDomains'> & { domains: CfPagesDomain[] }) | undefined {
    const project = this.accounts.get(accountId)?.pages.get(name);
    if (!project) return undefined;
    const { customDomains, ...rest } = project;
    return { ...rest, domains: [...customDomains.values()] };
  }

  pagesProjects(accountId: string): string[] {
    return [...(this.accounts.get(accountId)?.pages.keys() ?? [])];
  }

  activatePagesDomain(accountId: string, project: string, domain: string): void {
    const d = this.accounts.get(accountId)?.pages.get(project)?.customDomains.get(domain);
    if (!d) throw new Error(`no domain ${domain} on ${project}`);
    d.status = 'active';
    d.verification_data.status = 'active';
    d.validation_data.status = 'active';
  }

  /** Out of band: a domain removed, or the production branch changed, in the dashboard. */
  removePagesDomain(accountId: string, project: string, domain: string): void {
    this.accounts.get(accountId)?.pages.get(project)?.customDomains.delete(domain);
  }

  setProductionBranch(accountId: string, project: string, branch: string): void {
    const p = this.accounts.get(accountId)?.pages.get(project);
    if (!p) throw new Error(`no project ${project}`);
    p.production_branch = branch;
  }

  deletePagesProject(accountId: string, project: string): void {
    this.accounts.get(accountId)?.pages.delete(project);
  }

  r2Buckets(accountId: string): string[] {
    return [...(this.accounts.get(accountId)?.r2.keys() ?? [])];
  }

  /** Puts an object in a bucket, so that deleting the bucket is refused. */
  putR2Object(accountId: string, bucket: string): void {
    const b = this.accounts.get(accountId)?.r2.get(bucket);
    if (!b) throw new Error(`no bucket ${bucket}`);
    b.objects++;
  }

  deleteR2Bucket(accountId: string, bucket: string): void {
    this.accounts.get(accountId)?.r2.delete(bucket);
  }

  kvNamespaces(accountId: string): { id: string; title: string }[] {
    return [...(this.accounts.get(accountId)?.kv.values() ?? [])];
  }

  renameKvNamespace(accountId: string, id: string, title: string): void {
    const ns = this.accounts.get(accountId)?.kv.get(id);
    if (!ns) throw new Error(`no namespace ${id}`);
    ns.title = title;
  }

  deleteKvNamespace(accountId: string, id: string): void {
    this.accounts.get(accountId)?.kv.delete(id);
  }

  d1Databases(accountId: string): { uuid: string; name: string }[] {
    return [...(this.accounts.get(accountId)?.d1.values() ?? [])];
  }

  deleteD1Database(accountId: string, uuid: string): void {
    this.accounts.get(accountId)?.d1.delete(uuid);
  }

  // Internals --------------------------------------------------------------------------------

  private zone(id: string): Zone {
    const zone = this.zones.get(id);
    if (!zone) throw new Error(`no zone ${id}`);
    return zone;
  }

  private qualify(zone: Zone, name: string): string {
    const n = name.trim().toLowerCase().replace(/\.+$/, '');
    if (n === '@' || n === '') return zone.name;
    if (n === zone.name || n.endsWith(`.${zone.name}`)) return n;
    return `${n}.${zone.name}`;
  }

  private newRecord(zone: Zone, input: { type: string; name: string; content: string; proxied?: boolean; ttl?: number; priority?: number; comment?: string }): CfDnsRecord {
    const type = input.type.toUpperCase();
    const record: CfDnsRecord = {
      id: hexId(),
      zone_id: zone.id,
      zone_name: zone.name,
      name: input.name,
      type,
      content: input.content,
      proxiable: PROXIABLE.has(type),
      proxied: input.proxied ?? false,
      ttl: input.ttl ?? 1,
      locked: false,
      comment: input.comment ?? null,
      tags: [],
      meta: { auto_added: false, managed_by_apps: false, managed_by_argo_tunnel: false },
      created_on: now(),
      modified_on: now(),
    };
    if (input.priority !== undefined) record.priority = input.priority;
    return record;
  }

  private newHostname(hostname: string, method: string): CfCustomHostname {
    const id = randomUUID();
    return {
      id,
      hostname,
      status: 'pending',
      ssl: { id: randomUUID(), type: 'dv', method, status: 'initializing', bundle_method: 'ubiquitous', wildcard: false, certificate_authority: 'google' },
      ownership_verification: { type: 'txt', name: `_cf-custom-hostname.${hostname}`, value: randomUUID() },
      ownership_verification_http: {
        http_url: `http://${hostname}/.well-known/cf-custom-hostname-challenge/${id}`,
        http_body: randomUUID(),
      },
      created_at: now(),
    };
  }

  /** Validation Cloudflare applies to a record write; undefined when it is acceptable. */
  private recordProblem(zone: Zone, record: { type: string; name: string; content: string; proxied?: boolean; ttl?: number }, except?: string): FakeResponse | undefined {
    const type = record.type.toUpperCase();
    if (!RECORD_TYPES.has(type)) return cfError(400, 9000, `DNS record type "${record.type}" is invalid.`);
    if (record.name !== zone.name && !record.name.endsWith(`.${zone.name}`)) {
      return cfError(400, 9000, `DNS name is invalid: ${record.name} is not in zone ${zone.name}.`);
    }
    if (typeof record.content !== 'string' || record.content === '') return cfError(400, 9005, 'Content for the record is invalid.');
    if (type === 'A' && !/^(\d{1,3}\.){3}\d{1,3}$/.test(record.content)) return cfError(400, 9005, 'Content for A record must be a valid IPv4 address.');
    if (type === 'AAAA' && !record.content.includes(':')) return cfError(400, 9005, 'Content for AAAA record must be a valid IPv6 address.');
    if (record.proxied && !PROXIABLE.has(type)) return cfError(400, 9004, 'This record type cannot be proxied.');
    if (record.ttl !== undefined && record.ttl !== 1 && (record.ttl < 60 || record.ttl > 86400)) {
      return cfError(400, 9021, 'Invalid TTL. Must be between 60 and 86400 seconds, or 1 for Automatic.');
    }
    for (const other of zone.records.values()) {
      if (other.id === except || other.name !== record.name) continue;
      if (other.type === type && other.content === record.content) return cfError(400, 81058, 'An identical record already exists.');
      const addressLike = (t: string) => t === 'A' || t === 'AAAA' || t === 'CNAME';
      if ((other.type === 'CNAME' || type === 'CNAME') && addressLike(other.type) && addressLike(type)) {
        return cfError(400, 81053, 'An A, AAAA, or CNAME record with that host already exists.');
      }
      // Below the apex a CNAME stands alone; at the apex Cloudflare flattens it, so MX and TXT may sit beside it.
      if ((other.type === 'CNAME' || type === 'CNAME') && record.name !== zone.name) {
        return cfError(400, 81054, 'A CNAME record with that host already exists.');
      }
    }
    return undefined;
  }

  private withZone(req: FakeRequest, handler: (zone: Zone) => FakeResponse): FakeResponse {
    const zone = this.zones.get(req.params.zone!);
    if (!zone) return cfError(400, 7003, `Could not route to ${req.path}, perhaps your object identifier is invalid?`);
    return handler(zone);
  }

  private withAccount(req: FakeRequest, handler: (account: Account) => FakeResponse): FakeResponse {
    const account = this.accounts.get(req.params.account!);
    if (!account) return cfError(403, 10000, 'Authentication error');
    return handler(account);
  }

  private zoneRoutes(): void {
    this.route('GET', '/zones/:zone', (req) =>
      this.withZone(req, (zone) => cfOk({ id: zone.id, name: zone.name, status: 'active', paused: false, type: 'full', account: { id: zone.account } })),
    );

    // DNS records.
    this.route('GET', '/zones/:zone/dns_records', (req) =>
      this.withZone(req, (zone) => {
        const type = req.query.get('type')?.toUpperCase();
        const name = (req.query.get('name.exact') ?? req.query.get('name'))?.toLowerCase();
        const content = req.query.get('content.exact') ?? req.query.get('content');
        const items = [...zone.records.values()].filter(
          (r) => (!type || r.type === type) && (!name || r.name === name) && (!content || r.content === content),
        );
        return paginate(items, req, 100, 5000);
      }),
    );
    this.route('GET', '/zones/:zone/dns_records/:id', (req) =>
      this.withZone(req, (zone) => {
        const record = zone.records.get(req.params.id!);
        return record ? cfOk(record) : cfError(404, 81044, 'Record does not exist.');
      }),
    );
    this.route('POST', '/zones/:zone/dns_records', (req) =>
      this.withZone(req, (zone) => {
        const b = body(req);
        const input = {
          type: String(b.type ?? ''),
          name: this.qualify(zone, String(b.name ?? '')),
          content: String(b.content ?? ''),
          proxied: typeof b.proxied === 'boolean' ? b.proxied : undefined,
          ttl: typeof b.ttl === 'number' ? b.ttl : undefined,
          priority: typeof b.priority === 'number' ? b.priority : undefined,
          comment: typeof b.comment === 'string' ? b.comment : undefined,
        };
        const problem = this.recordProblem(zone, input);
        if (problem) return problem;
        const record = this.newRecord(zone, input);
        zone.records.set(record.id, record);
        return cfOk(record);
      }),
    );
    const update = (replace: boolean) => (req: FakeRequest) =>
      this.withZone(req, (zone) => {
        const record = zone.records.get(req.params.id!);
        if (!record) return cfError(404, 81044, 'Record does not exist.');
        const b = body(req);
        const next = {
          type: replace || b.type !== undefined ? String(b.type ?? record.type).toUpperCase() : record.type,
          name: b.name !== undefined ? this.qualify(zone, String(b.name)) : record.name,
          content: b.content !== undefined ? String(b.content) : record.content,
          proxied: typeof b.proxied === 'boolean' ? b.proxied : replace ? false : record.proxied,
          ttl: typeof b.ttl === 'number' ? b.ttl : replace ? 1 : record.ttl,
        };
        const problem = this.recordProblem(zone, next, record.id);
        if (problem) return problem;
        Object.assign(record, next, { proxiable: PROXIABLE.has(next.type), modified_on: now() });
        if (typeof b.priority === 'number') record.priority = b.priority;
        return cfOk(record);
      });
    this.route('PATCH', '/zones/:zone/dns_records/:id', update(false));
    this.route('PUT', '/zones/:zone/dns_records/:id', update(true));
    this.route('DELETE', '/zones/:zone/dns_records/:id', (req) =>
      this.withZone(req, (zone) => {
        if (!zone.records.delete(req.params.id!)) return cfError(404, 81044, 'Record does not exist.');
        return cfOk({ id: req.params.id });
      }),
    );

    // Cloudflare for SaaS: fallback origin and custom hostnames.
    this.route('GET', '/zones/:zone/custom_hostnames/fallback_origin', (req) =>
      this.withZone(req, (zone) => {
        const f = zone.fallback;
        if (!f) return cfError(404, 1551, 'No fallback origin found.');
        if (f.status === 'pending_deployment') {
          if (f.pendingReads <= 0) f.status = 'active';
          else f.pendingReads--;
        }
        return cfOk({ origin: f.origin, status: f.status, errors: [], created_at: f.created_at, updated_at: f.updated_at });
      }),
    );
    this.route('PUT', '/zones/:zone/custom_hostnames/fallback_origin', (req) =>
      this.withZone(req, (zone) => {
        const origin = body(req).origin;
        if (typeof origin !== 'string' || !/^[a-z0-9.-]+\.[a-z]{2,}$/i.test(origin)) return cfError(400, 1550, 'Invalid fallback origin hostname.');
        const created = zone.fallback?.created_at ?? now();
        zone.fallback = { origin, status: 'pending_deployment', pendingReads: this.fallbackPendingReads, created_at: created, updated_at: now() };
        return cfOk({ origin, status: 'pending_deployment', errors: [], created_at: created, updated_at: zone.fallback.updated_at });
      }),
    );
    this.route('DELETE', '/zones/:zone/custom_hostnames/fallback_origin', (req) =>
      this.withZone(req, (zone) => {
        if (!zone.fallback) return cfError(404, 1551, 'No fallback origin found.');
        zone.fallback = undefined;
        return cfOk({ id: zone.id });
      }),
    );
    this.route('GET', '/zones/:zone/custom_hostnames', (req) =>
      this.withZone(req, (zone) => {
        const hostname = req.query.get('hostname')?.toLowerCase();
        const id = req.query.get('id');
        const items = [...zone.hostnames.values()].filter((h) => (!hostname || h.hostname === hostname) && (!id || h.id === id));
        return paginate(items, req, 20, 50);
      }),
    );
    this.route('GET', '/zones/:zone/custom_hostnames/:id', (req) =>
      this.withZone(req, (zone) => {
        const h = zone.hostnames.get(req.params.id!);
        return h ? cfOk(h) : cfError(404, 1436, 'The custom hostname was not found.');
      }),
    );
    this.route('POST', '/zones/:zone/custom_hostnames', (req) =>
      this.withZone(req, (zone) => {
        const b = body(req);
        const hostname = typeof b.hostname === 'string' ? b.hostname.toLowerCase() : '';
        if (!/^[a-z0-9*.-]+\.[a-z]{2,}$/.test(hostname)) return cfError(400, 1409, 'The custom hostname is invalid.');
        if ([...zone.hostnames.values()].some((h) => h.hostname === hostname)) return cfError(409, 1406, 'Duplicate custom hostname found.');
        const ssl = (b.ssl ?? {}) as { method?: string };
        const created = this.newHostname(hostname, ssl.method ?? 'http');
        zone.hostnames.set(created.id, created);
        return cfOk(created);
      }),
    );
    this.route('DELETE', '/zones/:zone/custom_hostnames/:id', (req) =>
      this.withZone(req, (zone) => {
        if (!zone.hostnames.delete(req.params.id!)) return cfError(404, 1436, 'The custom hostname was not found.');
        return cfOk({ id: req.params.id });
      }),
    );
  }

  private pagesRoutes(): void {
    const view = (p: PagesProject) => ({
      id: p.id,
      name: p.name,
      subdomain: p.subdomain,
      domains: [p.subdomain, ...p.customDomains.keys()],
      production_branch: p.production_branch,
      created_on: p.created_on,
      source: null,
      build_config: { build_command: null, destination_dir: null, root_dir: null },
      deployment_configs: { preview: {}, production: {} },
      latest_deployment: null,
      canonical_deployment: null,
    });
    const notFound = () => cfError(404, 8000007, 'Project not found. The specified project name does not match any of your existing projects.');
    const withProject = (req: FakeRequest, handler: (account: Account, project: PagesProject) => FakeResponse) =>
      this.withAccount(req, (account) => {
        const project = account.pages.get(req.params.name!);
        return project ? handler(account, project) : notFound();
      });

    this.route('GET', '/accounts/:account/pages/projects', (req) => this.withAccount(req, (a) => paginate([...a.pages.values()].map(view), req, 10, 100)));
    this.route('POST', '/accounts/:account/pages/projects', (req) =>
      this.withAccount(req, (account) => {
        const b = body(req);
        const name = typeof b.name === 'string' ? b.name : '';
        if (!/^[a-z0-9][a-z0-9-]{0,57}$/.test(name)) return cfError(400, 8000011, 'The project name is invalid.');
        if (account.pages.has(name)) return cfError(409, 8000002, 'A project with this name already exists. Choose a different project name.');
        const project: PagesProject = {
          id: randomUUID(),
          name,
          subdomain: `${name}.pages.dev`,
          production_branch: typeof b.production_branch === 'string' ? b.production_branch : 'main',
          created_on: now(),
          customDomains: new Map(),
        };
        account.pages.set(name, project);
        return cfOk(view(project));
      }),
    );
    this.route('GET', '/accounts/:account/pages/projects/:name', (req) => withProject(req, (_a, p) => cfOk(view(p))));
    this.route('PATCH', '/accounts/:account/pages/projects/:name', (req) =>
      withProject(req, (_a, p) => {
        const b = body(req);
        if (typeof b.production_branch === 'string') p.production_branch = b.production_branch;
        return cfOk(view(p));
      }),
    );
    this.route('DELETE', '/accounts/:account/pages/projects/:name', (req) =>
      withProject(req, (a, p) => {
        a.pages.delete(p.name);
        return cfOk(null);
      }),
    );
    this.route('GET', '/accounts/:account/pages/projects/:name/domains', (req) => withProject(req, (_a, p) => cfOk([...p.customDomains.values()])));
    this.route('POST', '/accounts/:account/pages/projects/:name/domains', (req) =>
      withProject(req, (_a, p) => {
        const name = String(body(req).name ?? '').toLowerCase();
        if (!/^[a-z0-9.-]+\.[a-z]{2,}$/.test(name)) return cfError(400, 8000015, 'The custom domain is invalid.');
        if (p.customDomains.has(name)) return cfError(409, 8000018, 'You have already added this custom domain.');
        const domain: CfPagesDomain = {
          id: randomUUID(),
          name,
          status: 'initializing',
          verification_data: { status: 'pending' },
          validation_data: { status: 'initializing', method: 'http' },
          zone_tag: hexId(),
          certificate_authority: 'google',
          created_on: now(),
        };
        p.customDomains.set(name, domain);
        return cfOk(domain);
      }),
    );
    this.route('GET', '/accounts/:account/pages/projects/:name/domains/:domain', (req) =>
      withProject(req, (_a, p) => {
        const d = p.customDomains.get(req.params.domain!);
        return d ? cfOk(d) : cfError(404, 8000009, 'The custom domain you were looking for does not exist.');
      }),
    );
    this.route('DELETE', '/accounts/:account/pages/projects/:name/domains/:domain', (req) =>
      withProject(req, (_a, p) => {
        if (!p.customDomains.delete(req.params.domain!)) return cfError(404, 8000009, 'The custom domain you were looking for does not exist.');
        return cfOk(null);
      }),
    );
  }

  private storageRoutes(): void {
    // R2.
    this.route('GET', '/accounts/:account/r2/buckets', (req) =>
      this.withAccount(req, (a) => cfOk({ buckets: [...a.r2.values()].map(({ objects: _o, ...b }) => b) })),
    );
    this.route('POST', '/accounts/:account/r2/buckets', (req) =>
      this.withAccount(req, (a) => {
        const b = body(req);
        const name = typeof b.name === 'string' ? b.name : '';
        if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) return cfError(400, 10005, 'The specified bucket name is not valid.');
        if (a.r2.has(name)) return cfError(409, 10004, 'The bucket you tried to create already exists, and you own it.');
        const bucket = { name, creation_date: now(), location: typeof b.locationHint === 'string' ? b.locationHint.toUpperCase() : 'ENAM', objects: 0 };
        a.r2.set(name, bucket);
        const { objects: _o, ...view } = bucket;
        return cfOk(view);
      }),
    );
    this.route('GET', '/accounts/:account/r2/buckets/:name', (req) =>
      this.withAccount(req, (a) => {
        const bucket = a.r2.get(req.params.name!);
        if (!bucket) return cfError(404, 10006, 'The specified bucket does not exist.');
        const { objects: _o, ...view } = bucket;
        return cfOk(view);
      }),
    );
    this.route('DELETE', '/accounts/:account/r2/buckets/:name', (req) =>
      this.withAccount(req, (a) => {
        const bucket = a.r2.get(req.params.name!);
        if (!bucket) return cfError(404, 10006, 'The specified bucket does not exist.');
        if (bucket.objects > 0) return cfError(409, 10008, 'The bucket you tried to delete is not empty.');
        a.r2.delete(bucket.name);
        return cfOk({});
      }),
    );

    // Workers KV.
    this.route('GET', '/accounts/:account/storage/kv/namespaces', (req) => this.withAccount(req, (a) => paginate([...a.kv.values()], req, 20, 100)));
    this.route('POST', '/accounts/:account/storage/kv/namespaces', (req) =>
      this.withAccount(req, (a) => {
        const title = body(req).title;
        if (typeof title !== 'string' || title === '') return cfError(400, 10019, 'a namespace title is required');
        if ([...a.kv.values()].some((ns) => ns.title === title)) return cfError(400, 10014, 'a namespace with this account ID and title already exists');
        const ns = { id: hexId(), title, supports_url_encoding: true };
        a.kv.set(ns.id, ns);
        return cfOk(ns);
      }),
    );
    this.route('GET', '/accounts/:account/storage/kv/namespaces/:id', (req) =>
      this.withAccount(req, (a) => {
        const ns = a.kv.get(req.params.id!);
        return ns ? cfOk(ns) : cfError(404, 10013, 'namespace not found');
      }),
    );
    this.route('PUT', '/accounts/:account/storage/kv/namespaces/:id', (req) =>
      this.withAccount(req, (a) => {
        const ns = a.kv.get(req.params.id!);
        if (!ns) return cfError(404, 10013, 'namespace not found');
        const title = body(req).title;
        if (typeof title !== 'string' || title === '') return cfError(400, 10019, 'a namespace title is required');
        ns.title = title;
        return cfOk(null);
      }),
    );
    this.route('DELETE', '/accounts/:account/storage/kv/namespaces/:id', (req) =>
      this.withAccount(req, (a) => (a.kv.delete(req.params.id!) ? cfOk(null) : cfError(404, 10013, 'namespace not found'))),
    );

    // D1.
    this.route('GET', '/accounts/:account/d1/database', (req) =>
      this.withAccount(req, (a) => {
        // Like the real API, `name` narrows the list but is not an exact match.
        const name = req.query.get('name');
        return paginate([...a.d1.values()].filter((db) => !name || db.name.includes(name)), req, 1000, 10000);
      }),
    );
    this.route('POST', '/accounts/:account/d1/database', (req) =>
      this.withAccount(req, (a) => {
        const b = body(req);
        const name = typeof b.name === 'string' ? b.name : '';
        if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) return cfError(400, 7500, 'The database name is invalid.');
        if ([...a.d1.values()].some((db) => db.name === name)) return cfError(400, 7502, 'A database with that name already exists');
        const db = {
          uuid: randomUUID(),
          name,
          created_at: now(),
          version: 'production',
          num_tables: 0,
          file_size: 0,
          running_in_region: typeof b.primary_location_hint === 'string' ? b.primary_location_hint.toUpperCase() : 'ENAM',
        };
        a.d1.set(db.uuid, db);
        return cfOk(db);
      }),
    );
    this.route('GET', '/accounts/:account/d1/database/:id', (req) =>
      this.withAccount(req, (a) => {
        const db = a.d1.get(req.params.id!);
        return db ? cfOk(db) : cfError(404, 7404, `The database ${req.params.id} could not be found`);
      }),
    );
    this.route('DELETE', '/accounts/:account/d1/database/:id', (req) =>
      this.withAccount(req, (a) => (a.d1.delete(req.params.id!) ? cfOk(null) : cfError(404, 7404, `The database ${req.params.id} could not be found`))),
    );
  }
}
