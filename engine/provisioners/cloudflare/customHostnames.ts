/**
 * `custom-hostnames`: Cloudflare for SaaS on a zone. Sets the zone's fallback origin when
 * one is declared and creates the declared custom hostnames (found by hostname first, so a
 * lost state never creates a second one). Status reports any hostname that is not active.
 */
import type { ProvisionContext, ProvisionResult, ProvisionStateRecord, ProvisionStatus, DriftFinding } from '../types';
import type { CloudflareApi } from './api';
import type { CloudflareSpec } from './spec';
import { metadataOf, plural, statusFromError, stringField, type CloudflareRun } from './run';

type CustomHostnamesSpec = Extract<CloudflareSpec, { resource: 'custom-hostnames' }>;

interface CustomHostname {
  id: string;
  hostname: string;
  status?: string;
  ssl?: { status?: string; method?: string };
  verification_errors?: string[];
}

interface FallbackOrigin {
  origin?: string;
  status?: string;
  errors?: string[];
}

interface RecordedHostname {
  hostname: string;
  id: string;
}

const base = (zone: string) => `/zones/${encodeURIComponent(zone)}/custom_hostnames`;
const fallbackPath = (zone: string) => `${base(zone)}/fallback_origin`;

function recordedHostnames(state: Partial<ProvisionStateRecord> | undefined): RecordedHostname[] {
  const list = metadataOf(state).hostnames;
  return Array.isArray(list) ? (list as RecordedHostname[]).filter((h) => h && typeof h.id === 'string' && typeof h.hostname === 'string') : [];
}

async function findByHostname(api: CloudflareApi, zone: string, hostname: string): Promise<CustomHostname | undefined> {
  const matches = await api.list<CustomHostname>(base(zone), { hostname }, 50);
  return matches.find((h) => h.hostname.toLowerCase() === hostname);
}

export async function provisionCustomHostnames(run: CloudflareRun, spec: CustomHostnamesSpec): Promise<ProvisionResult> {
  const { api, ctx } = run;
  const zone = spec.zone;
  const metadata: Record<string, unknown> = { resource: 'custom-hostnames', zone };
  const notes: string[] = [];

  if (spec.fallbackOrigin) {
    const current = await api.find<FallbackOrigin>(fallbackPath(zone));
    if (current?.origin?.toLowerCase() === spec.fallbackOrigin.toLowerCase()) {
      run.step(`Fallback origin ${spec.fallbackOrigin} already set (status: ${current.status ?? 'unknown'})`);
      notes.push(`fallback origin ${spec.fallbackOrigin} unchanged`);
    } else {
      const set = await api.put<FallbackOrigin>(fallbackPath(zone), { origin: spec.fallbackOrigin });
      run.step(`Fallback origin set to ${spec.fallbackOrigin}${current?.origin ? ` (was ${current.origin})` : ''} (status: ${set?.status ?? 'pending'})`);
      notes.push(`fallback origin ${current?.origin ? 'updated' : 'set'}`);
    }
    metadata.fallbackOrigin = spec.fallbackOrigin;
    await ctx.savePartialState?.({ provider: 'cloudflare', resourceId: zone, metadata: { ...metadata, hostnames: recordedHostnames(run.previous) } });
  }

  const previous = recordedHostnames(run.previous);
  const kept: RecordedHostname[] = [];
  let created = 0;
  for (const hostname of spec.hostnames) {
    let found: CustomHostname | undefined;
    const known = previous.find((h) => h.hostname === hostname);
    if (known) found = await api.find<CustomHostname>(`${base(zone)}/${encodeURIComponent(known.id)}`);
    found ??= await findByHostname(api, zone, hostname);
    if (found) {
      run.step(`Custom hostname ${hostname} exists (status: ${found.status ?? 'unknown'})`);
    } else {
      found = await api.post<CustomHostname>(base(zone), { hostname, ssl: { method: spec.sslMethod, type: 'dv' } });
      created++;
      run.step(`Custom hostname ${hostname} created (status: ${found.status ?? 'pending'})`);
    }
    kept.push({ hostname, id: found.id });
    await ctx.savePartialState?.({ provider: 'cloudflare', resourceId: zone, metadata: { ...metadata, hostnames: [...previous, ...kept] } });
  }
  for (const old of previous) {
    if (spec.hostnames.includes(old.hostname)) continue;
    const deleted = await api.delete(`${base(zone)}/${encodeURIComponent(old.id)}`);
    run.step(`Custom hostname ${old.hostname} ${deleted ? 'deleted' : 'was already gone'} (no longer declared)`);
  }
  metadata.hostnames = kept;

  if (!spec.fallbackOrigin && spec.hostnames.length === 0) {
    // Nothing to create: still prove the zone and the token work, and say what is there.
    const all = await api.list<CustomHostname>(base(zone), {}, 50);
    notes.push(`${plural(all.length, 'custom hostname')} on the zone`);
  }
  if (spec.hostnames.length > 0) notes.push(`${plural(spec.hostnames.length, 'custom hostname')}${created > 0 ? ` (${created} created)` : ''}`);

  return {
    state: { provider: 'cloudflare', resourceId: zone, provisionedAt: new Date().toISOString(), metadata },
    summary: `Cloudflare for SaaS: ${notes.join(', ')}`,
  };
}

export async function customHostnamesStatus(api: CloudflareApi, state: ProvisionStateRecord): Promise<ProvisionStatus> {
  const metadata = metadataOf(state);
  const zone = stringField(metadata, 'zone') ?? state.resourceId;
  const fallback = stringField(metadata, 'fallbackOrigin');
  const recorded = recordedHostnames(state);
  const drift: DriftFinding[] = [];
  const problems: string[] = [];
  let present = 0;
  let starting = false;
  try {
    let fallbackStatus: string | undefined;
    if (fallback) {
      const live = await api.find<FallbackOrigin>(fallbackPath(zone));
      if (!live?.origin) {
        drift.push({ field: 'fallback_origin', recorded: fallback, live: null, message: `fallback origin ${fallback} was removed out of band` });
      } else {
        present++;
        if (live.origin.toLowerCase() !== fallback.toLowerCase()) {
          drift.push({ field: 'fallback_origin', recorded: fallback, live: live.origin, message: `fallback origin changed from ${fallback} to ${live.origin}` });
        }
        fallbackStatus = live.status;
      }
    }

    let hostnames: CustomHostname[];
    if (recorded.length > 0) {
      hostnames = [];
      for (const [i, h] of recorded.entries()) {
        const live = await api.find<CustomHostname>(`${base(zone)}/${encodeURIComponent(h.id)}`);
        if (!live) {
          drift.push({ field: `hostnames[${i}]`, recorded: h.hostname, live: null, message: `custom hostname ${h.hostname} was deleted out of band` });
          continue;
        }
        present++;
        hostnames.push(live);
      }
    } else {
      // None declared: the app creates them per customer; report every one on the zone.
      hostnames = await api.list<CustomHostname>(base(zone), {}, 50);
    }

    const inactive = hostnames.filter((h) => h.status !== 'active');
    if (inactive.length > 0) {
      const byStatus = new Map<string, string[]>();
      for (const h of inactive) byStatus.set(h.status ?? 'unknown', [...(byStatus.get(h.status ?? 'unknown') ?? []), h.hostname]);
      for (const [status, names] of byStatus) problems.push(`custom hostname status: ${status} (${names.join(', ')})`);
    }
    if (fallback && fallbackStatus && fallbackStatus !== 'active') {
      problems.push(`fallback origin status: ${fallbackStatus}`);
      if (fallbackStatus.startsWith('pending') || fallbackStatus === 'initializing') starting = true;
    }

    const expected = (fallback ? 1 : 0) + recorded.length;
    if (expected > 0 && present === 0) {
      return { healthy: false, condition: 'gone', message: `Cloudflare for SaaS on zone ${zone}: everything recorded was deleted out of band`, drift };
    }
    if (drift.length > 0) problems.unshift(drift[0]!.message);
    if (problems.length > 0) {
      const onlyStarting = starting && problems.length === 1 && inactive.length === 0;
      return { healthy: false, condition: onlyStarting ? 'starting' : 'unhealthy', message: problems.join('; '), drift, raw: { hostnames } };
    }
    const parts = [`${plural(hostnames.length, 'custom hostname')} active`];
    if (fallback) parts.push(`fallback origin ${fallback} active`);
    return { healthy: true, condition: 'healthy', message: parts.join('; '), drift, raw: { hostnames } };
  } catch (error) {
    return statusFromError(error, `Custom hostnames on zone ${zone}`);
  }
}

export async function destroyCustomHostnames(api: CloudflareApi, ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
  const metadata = metadataOf(state);
  const zone = stringField(metadata, 'zone') ?? state.resourceId;
  for (const h of recordedHostnames(state)) {
    const deleted = await api.delete(`${base(zone)}/${encodeURIComponent(h.id)}`);
    ctx.step?.(`Custom hostname ${h.hostname} ${deleted ? 'deleted' : 'was already gone'}`);
  }
  const fallback = stringField(metadata, 'fallbackOrigin');
  if (fallback) {
    const deleted = await api.delete(fallbackPath(zone));
    ctx.step?.(`Fallback origin ${fallback} ${deleted ? 'removed' : 'was already gone'}`);
  }
}
