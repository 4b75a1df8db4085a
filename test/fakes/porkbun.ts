/**
 * A fake Porkbun API v3 on 127.0.0.1: every call is a POST with `apikey` and `secretapikey`
 * in its JSON body; answers are `{status: "SUCCESS" | "ERROR", message}` (errors with HTTP
 * 400, as Porkbun sends them). Holds the account's domains (with their API-access switch)
 * and DNS records in memory, quotes prices for domains that are free, and registers them
 * when `domain/create` brings the exact cost in cents and `agreeToTerms: "yes"`.
 */
import { FakeServer, type FakeRequest, type FakeResponse } from './base';

export interface PorkbunFakeRecord {
  id: string;
  name: string;
  type: string;
  content: string;
  ttl: string;
  prio: string | null;
  notes: string;
}

interface AccountDomain {
  domain: string;
  apiAccess: boolean;
  createDate: string;
  records: Map<string, PorkbunFakeRecord>;
}

export interface PorkbunFakeOptions {
  apiKey?: string;
  secretKey?: string;
}

const TYPES = new Set(['A', 'AAAA', 'CNAME', 'ALIAS', 'TXT', 'MX', 'NS', 'SRV', 'TLSA', 'CAA', 'HTTPS', 'SVCB']);
const stamp = () => new Date().toISOString().replace('T', ' ').slice(0, 19);

const success = (extra: Record<string, unknown> = {}): FakeResponse => ({ status: 200, body: { status: 'SUCCESS', ...extra } });
const failure = (message: string, status = 400): FakeResponse => ({ status, body: { status: 'ERROR', message } });

export class PorkbunFake extends FakeServer {
  readonly apiKey: string;
  readonly secretKey: string;
  private readonly domains = new Map<string, AccountDomain>();
  /** Domains that are free to register, with their price in USD ("9.73"). */
  private readonly forSale = new Map<string, { price: string; premium: boolean }>();
  private nextId = 300_000_000;
  private nextOrder = 1_000;

  constructor(options: PorkbunFakeOptions = {}) {
    super();
    this.apiKey = options.apiKey ?? 'pk1_test_0123456789abcdef';
    this.secretKey = options.secretKey ?? 'sk1_test_fedcba9876543210';
    this.errorBody = (_status, message) => ({ status: 'ERROR', message });
    this.authorize = (req) => {
      const body = req.json as { apikey?: unknown; secretapikey?: unknown } | undefined;
      if (!body || body.apikey === undefined || body.secretapikey === undefined) return failure('All API requests require an API key and a secret API key.');
      if (body.apikey !== this.apiKey || body.secretapikey !== this.secretKey) return failure('Invalid API key. (002)');
      return undefined;
    };
    this.porkbunRoutes();
  }

  // Setup and out-of-band helpers ------------------------------------------------------------


  /** A domain already in the account (API access on unless said otherwise). */
  addDomain(domain: string, options: { apiAccess?: boolean } = {}): this {
    this.domains.set(domain, { domain, apiAccess: options.apiAccess ?? true, createDate: stamp(), records: new Map() });
    return this;
  }

  /** A domain nobody owns yet, for sale at this price (USD). */
  offerDomain(domain: string, price: string, options: { premium?: boolean } = {}): this {
    this.forSale.set(domain, { price, premium: options.premium ?? false });
    return this;
  }

  ownedDomains(): string[] {
    return [...this.domains.keys()];
  }

  records(domain: string): PorkbunFakeRecord[] {
    return [...(this.domains.get(domain)?.records.values() ?? [])];
  }

  addRecord(domain: string, record: { name: string; type: string; content: string; ttl?: number; prio?: number }): PorkbunFakeRecord {
    const d = this.domains.get(domain);
    if (!d) throw new Error(`no domain ${domain}`);
    const created = this.newRecord(d, record.name, record.type, record.content, record.ttl, record.prio);
    d.records.set(created.id, created);
    return created;
  }

  editRecord(domain: string, id: string, change: Partial<Pick<PorkbunFakeRecord, 'content' | 'ttl'>>): void {
    const r = this.domains.get(domain)?.records.get(id);
    if (!r) throw new Error(`no record ${id}`);
    Object.assign(r, change);
  }

  deleteRecord(domain: string, id: string): void {
    this.domains.get(domain)?.records.delete(id);
  }

  /** POST requests to a path prefix ("/dns/create/"). */
  calls(prefix: string): number {
    return this.requests.filter((r) => r.method === 'POST' && r.path.startsWith(prefix)).length;
  }

  // Internals --------------------------------------------------------------------------------

  private newRecord(d: AccountDomain, subdomain: string, type: string, content: string, ttl?: number, prio?: number): PorkbunFakeRecord {
    const name = subdomain ? `${subdomain}.${d.domain}` : d.domain;
    return {
      id: String(this.nextId++),
      name,
      type: type.toUpperCase(),
      content,
      // Porkbun raises a TTL under 600 to 600.
      ttl: String(Math.max(600, ttl ?? 600)),
      prio: prio !== undefined ? String(prio) : type.toUpperCase() === 'MX' ? '0' : null,
      notes: '',
    };
  }

  /** The domain of a DNS call, or the answer Porkbun gives when it cannot be used. */
  private domainFor(req: FakeRequest): AccountDomain | FakeResponse {
    const d = this.domains.get(req.params.domain!.toLowerCase());
    if (!d) return failure('Invalid domain.');
    if (!d.apiAccess) return failure('Domain is not opted in to API access.');
    return d;
  }

  private porkbunRoutes(): void {
    const isResponse = (x: AccountDomain | FakeResponse): x is FakeResponse => 'status' in x;
    const input = (req: FakeRequest) => (req.json ?? {}) as Record<string, unknown>;

    this.route('POST', '/ping', (req) => success({ yourIp: String(req.headers['x-forwarded-for'] ?? '127.0.0.1') }));

    this.route('POST', '/domain/listAll', (req) => {
      const start = Number(input(req).start ?? 0) || 0;
      const page = [...this.domains.values()].slice(start, start + 1000).map((d) => ({
        domain: d.domain,
        status: 'ACTIVE',
        tld: d.domain.split('.').pop(),
        createDate: d.createDate,
        expireDate: d.createDate.replace(/^\d{4}/, (y) => String(Number(y) + 1)),
        securityLock: '1',
        whoisPrivacy: '1',
        autoRenew: 0,
        notLocal: 0,
      }));
      return success({ domains: page });
    });

    this.route('POST', '/domain/checkDomain/:domain', (req) => {
      const domain = req.params.domain!.toLowerCase();
      const offer = this.forSale.get(domain);
      const avail = offer && !this.domains.has(domain) ? 'yes' : 'no';
      const price = offer?.price ?? '11.08';
      return success({
        response: {
          avail,
          type: 'registration',
          price,
          firstYearPromo: 'no',
          regularPrice: price,
          premium: offer?.premium ? 'yes' : 'no',
          additional: { renewal: { type: 'renewal', price, regularPrice: price }, transfer: { type: 'transfer', price, regularPrice: price } },
        },
        limits: { TTL: '10', limit: '1', used: 1, naturalLanguage: '1 out of 1 checks within 10 seconds used.' },
      });
    });

    this.route('POST', '/domain/create/:domain', (req) => {
      const domain = req.params.domain!.toLowerCase();
      const body = input(req);
      const offer = this.forSale.get(domain);
      if (!offer || this.domains.has(domain)) return failure(`${domain} is not available.`);
      if (offer.premium) return failure('Premium domains cannot be registered through the API.');
      if (body.agreeToTerms !== 'yes') return failure('You must agree to the terms (agreeToTerms: "yes").');
      const cents = Math.round(Number(offer.price) * 100);
      if (body.cost !== cents) return failure(`The cost you specified (${String(body.cost)}) does not match the current price (${cents}).`);
      this.addDomain(domain);
      this.forSale.delete(domain);
      return success({ domain, cost: cents, orderId: this.nextOrder++, balance: 10_000 - cents });
    });

    const retrieve = (req: FakeRequest, filter: (r: PorkbunFakeRecord) => boolean) => {
      const d = this.domainFor(req);
      if (isResponse(d)) return d;
      return success({ cloudflare: 'disabled', records: [...d.records.values()].filter(filter) });
    };
    this.route('POST', '/dns/retrieve/:domain', (req) => retrieve(req, () => true));
    this.route('POST', '/dns/retrieve/:domain/:id', (req) => retrieve(req, (r) => r.id === req.params.id));
    const byNameType = (req: FakeRequest) => {
      const d = this.domains.get(req.params.domain!.toLowerCase());
      const sub = req.params.subdomain ?? '';
      const name = sub ? `${sub}.${req.params.domain}` : req.params.domain;
      return (r: PorkbunFakeRecord) => r.type === req.params.type!.toUpperCase() && r.name === name && d !== undefined;
    };
    this.route('POST', '/dns/retrieveByNameType/:domain/:type', (req) => retrieve(req, byNameType(req)));
    this.route('POST', '/dns/retrieveByNameType/:domain/:type/:subdomain', (req) => retrieve(req, byNameType(req)));

    this.route('POST', '/dns/create/:domain', (req) => {
      const d = this.domainFor(req);
      if (isResponse(d)) return d;
      const body = input(req);
      const type = String(body.type ?? '').toUpperCase();
      if (!TYPES.has(type)) return failure('Invalid type passed');
      if (typeof body.content !== 'string' || body.content === '') return failure('Invalid content passed');
      const sub = typeof body.name === 'string' ? body.name.toLowerCase() : '';
      const name = sub ? `${sub}.${d.domain}` : d.domain;
      const clash = [...d.records.values()].find((r) => r.name === name && (r.type === 'CNAME' || type === 'CNAME'));
      if (clash) return failure(`Edit error: we were unable to create the DNS record: a CNAME record cannot share ${name} with other records.`);
      const record = this.newRecord(d, sub, type, body.content, body.ttl !== undefined ? Number(body.ttl) : undefined, body.prio !== undefined ? Number(body.prio) : undefined);
      d.records.set(record.id, record);
      return success({ id: Number(record.id) });
    });

    this.route('POST', '/dns/edit/:domain/:id', (req) => {
      const d = this.domainFor(req);
      if (isResponse(d)) return d;
      const record = d.records.get(req.params.id!);
      if (!record) return failure('Invalid record id.');
      const body = input(req);
      const type = String(body.type ?? record.type).toUpperCase();
      if (!TYPES.has(type)) return failure('Invalid type passed');
      const sub = typeof body.name === 'string' ? body.name.toLowerCase() : '';
      record.name = sub ? `${sub}.${d.domain}` : d.domain;
      record.type = type;
      if (typeof body.content === 'string') record.content = body.content;
      if (body.ttl !== undefined) record.ttl = String(Math.max(600, Number(body.ttl)));
      if (body.prio !== undefined) record.prio = String(body.prio);
      return success();
    });

    this.route('POST', '/dns/delete/:domain/:id', (req) => {
      const d = this.domainFor(req);
      if (isResponse(d)) return d;
      if (!d.records.delete(req.params.id!)) return failure('Invalid record id.');
      return success();
    });
  }
}
