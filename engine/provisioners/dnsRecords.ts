/**
 * DNS record reconciliation shared by the DNS provisioners (Cloudflare dns-zone, Porkbun):
 * names relative to a domain, content comparison, and the plan that turns declared records
 * plus live records into creates, updates and deletes without ever duplicating a record.
 */
import type { DnsRecord } from '../config/schema';
import type { DriftFinding } from './types';

/** A live record as the provider reports it, reduced to what reconciliation compares. */
export interface LiveDnsRecord {
  id: string;
  type: string;
  /** Fully qualified name, lower case, without a trailing dot. */
  name: string;
  content: string;
  ttl?: number;
  proxied?: boolean;
  priority?: number;
}

/** A declared record with its name made fully qualified. */
export interface DesiredDnsRecord extends DnsRecord {
  /** Fully qualified name, lower case, without a trailing dot. */
  fqdn: string;
}

/** What is recorded in state for each record the provisioner manages (no secrets). */
export interface RecordedDnsRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl?: number;
  proxied?: boolean;
  priority?: number;
}

export interface DnsRecordPlan {
  unchanged: { desired: DesiredDnsRecord; live: LiveDnsRecord }[];
  update: { desired: DesiredDnsRecord; live: LiveDnsRecord; changed: string[] }[];
  create: DesiredDnsRecord[];
  /** Records this provisioner created earlier that are no longer declared. */
  remove: LiveDnsRecord[];
}

/** Lower case, no trailing dot. */
export function normalizeDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.+$/, '');
}

/** "@" (or "") is the apex; a name already ending in the domain stays; anything else is a label under it. */
export function qualifyName(name: string, domain: string): string {
  const zone = normalizeDomain(domain);
  const n = normalizeDomain(name);
  if (n === '@' || n === '') return zone;
  if (n === zone || n.endsWith(`.${zone}`)) return n;
  return `${n}.${zone}`;
}

/** The label under the domain ("" for the apex): what registrars such as Porkbun call the subdomain. */
export function subdomainOf(fqdn: string, domain: string): string {
  const zone = normalizeDomain(domain);
  const n = normalizeDomain(fqdn);
  if (n === zone) return '';
  return n.endsWith(`.${zone}`) ? n.slice(0, -(zone.length + 1)) : n;
}

const HOST_VALUED = new Set(['CNAME', 'MX', 'NS', 'ALIAS', 'SRV', 'HTTPS']);

/** Content as compared: host names case-insensitive without a trailing dot, TXT without surrounding quotes. */
export function normalizeContent(type: string, content: string): string {
  const t = type.toUpperCase();
  const c = content.trim();
  if (HOST_VALUED.has(t)) return c.toLowerCase().replace(/\.+$/, '');
  if (t === 'TXT' && c.length >= 2 && c.startsWith('"') && c.endsWith('"')) return c.slice(1, -1);
  if (t === 'AAAA') return c.toLowerCase();
  return c;
}

export function sameContent(type: string, a: string, b: string): boolean {
  return normalizeContent(type, a) === normalizeContent(type, b);
}

export function desiredRecords(records: readonly DnsRecord[], domain: string): DesiredDnsRecord[] {
  return records.map((r) => ({ ...r, type: r.type.toUpperCase() as DnsRecord['type'], fqdn: qualifyName(r.name, domain) }));
}

/**
 * Fields that differ between a declared record and a live one. Only what the declaration
 * sets is compared: an undeclared ttl or proxied flag is whatever the provider keeps.
 */
export function changedFields(
  desired: DesiredDnsRecord,
  live: LiveDnsRecord,
  options: { compareProxied?: boolean; normalizeTtl?: (ttl: number) => number } = {},
): string[] {
  const changed: string[] = [];
  if (!sameContent(desired.type, desired.content, live.content)) changed.push('content');
  if (desired.ttl !== undefined) {
    const want = options.normalizeTtl ? options.normalizeTtl(desired.ttl) : desired.ttl;
    if (live.ttl !== want) changed.push('ttl');
  }
  if (options.compareProxied && desired.proxied !== undefined && (live.proxied ?? false) !== desired.proxied) changed.push('proxied');
  if (desired.priority !== undefined && live.priority !== desired.priority) changed.push('priority');
  return changed;
}

/**
 * Pairs declared records with live ones. Within one (type, name): a live record with the
 * same content is the same record; remaining declared records take over remaining live
 * records (content changed: update, never a second record); only what is still missing
 * is created. Live records the provisioner recorded earlier whose (type, name) keeps fewer
 * declared records are removed; records it never created are never touched.
 */
export function planDnsRecords(
  desired: readonly DesiredDnsRecord[],
  live: readonly LiveDnsRecord[],
  recordedIds: ReadonlySet<string>,
  options: { compareProxied?: boolean; normalizeTtl?: (ttl: number) => number } = {},
): DnsRecordPlan {
  const plan: DnsRecordPlan = { unchanged: [], update: [], create: [], remove: [] };
  const key = (type: string, name: string) => `${type.toUpperCase()} ${normalizeDomain(name)}`;
  const liveByKey = new Map<string, LiveDnsRecord[]>();
  for (const record of live) {
    const k = key(record.type, record.name);
    liveByKey.set(k, [...(liveByKey.get(k) ?? []), record]);
  }
  const desiredByKey = new Map<string, DesiredDnsRecord[]>();
  for (const record of desired) {
    const k = key(record.type, record.fqdn);
    desiredByKey.set(k, [...(desiredByKey.get(k) ?? []), record]);
  }

  for (const [k, wanted] of desiredByKey) {
    // Ours first, so that a content change updates the record this provisioner made.
    const candidates = [...(liveByKey.get(k) ?? [])].sort((a, b) => Number(recordedIds.has(b.id)) - Number(recordedIds.has(a.id)));
    const unpaired: DesiredDnsRecord[] = [];
    for (const record of wanted) {
      const index = candidates.findIndex((l) => sameContent(record.type, record.content, l.content));
      if (index < 0) {
        unpaired.push(record);
        continue;
      }
      const [match] = candidates.splice(index, 1);
      const changed = changedFields(record, match!, options);
      if (changed.length === 0) plan.unchanged.push({ desired: record, live: match! });
      else plan.update.push({ desired: record, live: match!, changed });
    }
    for (const record of unpaired) {
      const match = candidates.shift();
      if (match) plan.update.push({ desired: record, live: match, changed: changedFields(record, match, options) });
      else plan.create.push(record);
    }
    for (const leftover of candidates) if (recordedIds.has(leftover.id)) plan.remove.push(leftover);
  }
  for (const [k, records] of liveByKey) {
    if (desiredByKey.has(k)) continue;
    for (const record of records) if (recordedIds.has(record.id)) plan.remove.push(record);
  }
  return plan;
}

/** Differences between the records recorded in state and the live records (by id). */
export function recordDrift(
  recorded: readonly RecordedDnsRecord[],
  live: readonly LiveDnsRecord[],
  options: { compareProxied?: boolean } = {},
): { findings: DriftFinding[]; missing: RecordedDnsRecord[] } {
  const byId = new Map(live.map((r) => [r.id, r]));
  const findings: DriftFinding[] = [];
  const missing: RecordedDnsRecord[] = [];
  recorded.forEach((r, i) => {
    const label = `${r.type} ${r.name}`;
    const now = byId.get(r.id);
    if (!now) {
      missing.push(r);
      findings.push({ field: `records[${i}]`, recorded: r.content, live: null, message: `${label} was deleted out of band` });
      return;
    }
    if (!sameContent(r.type, r.content, now.content)) {
      findings.push({ field: `records[${i}].content`, recorded: r.content, live: now.content, message: `${label} content changed from ${r.content} to ${now.content}` });
    }
    if (normalizeDomain(now.name) !== normalizeDomain(r.name) || now.type.toUpperCase() !== r.type.toUpperCase()) {
      findings.push({ field: `records[${i}].name`, recorded: label, live: `${now.type} ${now.name}`, message: `${label} is now ${now.type} ${now.name}` });
    }
    if (r.ttl !== undefined && now.ttl !== undefined && r.ttl !== now.ttl) {
      findings.push({ field: `records[${i}].ttl`, recorded: r.ttl, live: now.ttl, message: `${label} ttl changed from ${r.ttl} to ${now.ttl}` });
    }
    if (options.compareProxied && r.proxied !== undefined && (now.proxied ?? false) !== r.proxied) {
      findings.push({ field: `records[${i}].proxied`, recorded: r.proxied, live: now.proxied ?? false, message: `${label} proxied changed from ${r.proxied} to ${now.proxied ?? false}` });
    }
    if (r.priority !== undefined && now.priority !== undefined && r.priority !== now.priority) {
      findings.push({ field: `records[${i}].priority`, recorded: r.priority, live: now.priority, message: `${label} priority changed from ${r.priority} to ${now.priority}` });
    }
  });
  return { findings, missing };
}

/** "CNAME example.com -> target.pages.dev" for steps and summaries. */
export function describeRecord(record: { type: string; name: string; content: string }): string {
  return `${record.type} ${record.name} -> ${record.content}`;
}
