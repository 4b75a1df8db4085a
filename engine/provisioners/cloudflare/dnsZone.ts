/**
 * `dns-zone`: DNS records on an existing Cloudflare zone. Records are matched by type and
 * name; a record is updated only when its content (or a declared ttl/proxied/priority)
 * changed, created only when missing, and never duplicated.
 */
import {
  describeRecord,
  desiredRecords,
  normalizeDomain,
  planDnsRecords,
  recordDrift,
  type DesiredDnsRecord,
  type LiveDnsRecord,
  type RecordedDnsRecord,
} from '../dnsRecords';
import type { ProvisionContext, ProvisionResult, ProvisionStateRecord, ProvisionStatus } from '../types';
import type { CloudflareApi } from './api';
import type { CloudflareSpec } from './spec';
import { metadataOf, plural, statusFromError, stringField, type CloudflareRun } from './run';

type DnsZoneSpec = Extract<CloudflareSpec, { resource: 'dns-zone' }>;

interface CloudflareDnsRecord {
  id: string;
  type: string;
  name: string;
  content: string;
  ttl?: number;
  proxied?: boolean;
  priority?: number;
}

const PROXIABLE = new Set(['A', 'AAAA', 'CNAME']);

function toLive(record: CloudflareDnsRecord): LiveDnsRecord {
  return {
    id: record.id,
    type: record.type.toUpperCase(),
    name: normalizeDomain(record.name),
    content: record.content,
    ttl: record.ttl,
    proxied: record.proxied,
    priority: record.priority,
  };
}

function toRecorded(record: CloudflareDnsRecord): RecordedDnsRecord {
  const out: RecordedDnsRecord = { id: record.id, type: record.type.toUpperCase(), name: normalizeDomain(record.name), content: record.content };
  if (record.ttl !== undefined) out.ttl = record.ttl;
  if (record.proxied !== undefined) out.proxied = record.proxied;
  if (record.priority !== undefined) out.priority = record.priority;
  return out;
}

function recordsPath(zone: string): string {
  return `/zones/${encodeURIComponent(zone)}/dns_records`;
}

async function liveRecords(api: CloudflareApi, zone: string): Promise<CloudflareDnsRecord[]> {
  return api.list<CloudflareDnsRecord>(recordsPath(zone), {}, 500);
}

export function recordedRecords(state: Partial<ProvisionStateRecord> | undefined): RecordedDnsRecord[] {
  const records = metadataOf(state).records;
  return Array.isArray(records) ? (records as RecordedDnsRecord[]).filter((r) => r && typeof r.id === 'string') : [];
}

/** The body Cloudflare takes for a record; ttl 1 means automatic. */
function recordBody(record: DesiredDnsRecord): Record<string, unknown> {
  const body: Record<string, unknown> = { type: record.type, name: record.fqdn, content: record.content, ttl: record.ttl ?? 1 };
  if (PROXIABLE.has(record.type)) body.proxied = record.proxied ?? false;
  else if (record.proxied !== undefined) body.proxied = record.proxied;
  if (record.priority !== undefined) body.priority = record.priority;
  return body;
}

export async function provisionDnsZone(run: CloudflareRun, spec: DnsZoneSpec): Promise<ProvisionResult> {
  const { api, ctx } = run;
  // The zone's own name is only needed when the declaration does not say it (saves a Zone:Read permission).
  const domain = normalizeDomain(spec.domain ?? (await api.get<{ name: string }>(`/zones/${encodeURIComponent(spec.zone)}`)).name);
  const desired = desiredRecords(spec.records, domain);
  const previous = recordedRecords(run.previous);
  const live = (await liveRecords(api, spec.zone)).map(toLive);
  const plan = planDnsRecords(desired, live, new Set(previous.map((r) => r.id)), { compareProxied: true });

  const kept = new Map<DesiredDnsRecord, CloudflareDnsRecord>();
  for (const { desired: d, live: l } of plan.unchanged) kept.set(d, l);
  const saveProgress = async () => {
    await ctx.savePartialState?.({
      provider: 'cloudflare',
      resourceId: spec.zone,
      metadata: { resource: 'dns-zone', zone: spec.zone, domain, records: [...previous, ...[...kept.values()].map(toRecorded)] },
    });
  };

  for (const { desired: d, live: l, changed } of plan.update) {
    const body = recordBody(d);
    delete body.name;
    delete body.type;
    if (d.ttl === undefined) delete body.ttl;
    if (d.proxied === undefined) delete body.proxied;
    const updated = await api.patch<CloudflareDnsRecord>(`${recordsPath(spec.zone)}/${encodeURIComponent(l.id)}`, body);
    kept.set(d, updated);
    run.step(`Record ${describeRecord({ type: d.type, name: d.fqdn, content: d.content })} updated (${changed.join(', ')} changed)`);
  }
  for (const d of plan.create) {
    const created = await api.post<CloudflareDnsRecord>(recordsPath(spec.zone), recordBody(d));
    kept.set(d, created);
    await saveProgress();
    run.step(`Record ${describeRecord({ type: d.type, name: d.fqdn, content: d.content })} created`);
  }
  for (const l of plan.remove) {
    await api.delete(`${recordsPath(spec.zone)}/${encodeURIComponent(l.id)}`);
    run.step(`Record ${describeRecord(l)} deleted (no longer declared)`);
  }

  const records = desired.map((d) => toRecorded(kept.get(d)!));
  const counts = [
    plan.create.length > 0 ? `${plan.create.length} created` : '',
    plan.update.length > 0 ? `${plan.update.length} updated` : '',
    plan.remove.length > 0 ? `${plan.remove.length} deleted` : '',
    plan.unchanged.length > 0 ? `${plan.unchanged.length} unchanged` : '',
  ].filter(Boolean);
  return {
    state: {
      provider: 'cloudflare',
      resourceId: spec.zone,
      provisionedAt: new Date().toISOString(),
      metadata: { resource: 'dns-zone', zone: spec.zone, domain, records },
    },
    summary: `${plural(records.length, 'DNS record')} on ${domain}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`,
  };
}

export async function dnsZoneStatus(api: CloudflareApi, state: ProvisionStateRecord): Promise<ProvisionStatus> {
  const metadata = metadataOf(state);
  const zone = stringField(metadata, 'zone') ?? state.resourceId;
  const domain = stringField(metadata, 'domain') ?? zone;
  const recorded = recordedRecords(state);
  let live: CloudflareDnsRecord[];
  try {
    live = await liveRecords(api, zone);
  } catch (error) {
    return statusFromError(error, `Zone ${domain}`);
  }
  const { findings, missing } = recordDrift(recorded, live.map(toLive), { compareProxied: true });
  if (findings.length === 0) {
    return { healthy: true, condition: 'healthy', message: `${plural(recorded.length, 'DNS record')} in place on ${domain}`, drift: [] };
  }
  const message =
    missing.length > 0
      ? `${plural(missing.length, 'DNS record')} missing on ${domain}: ${findings[0]!.message}`
      : `DNS records on ${domain} changed out of band: ${findings[0]!.message}`;
  return { healthy: false, condition: 'unhealthy', message, drift: findings };
}

export async function destroyDnsZone(api: CloudflareApi, ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
  const zone = stringField(metadataOf(state), 'zone') ?? state.resourceId;
  for (const record of recordedRecords(state)) {
    const deleted = await api.delete(`${recordsPath(zone)}/${encodeURIComponent(record.id)}`);
    ctx.step?.(`Record ${describeRecord(record)} ${deleted ? 'deleted' : 'was already gone'}`);
  }
}
