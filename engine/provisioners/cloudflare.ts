/**
 * The Cloudflare provisioner (API v4): custom hostnames with a fallback origin (Cloudflare
 * for SaaS), DNS records on a zone, Pages projects with custom domains, R2 buckets, Workers
 * KV namespaces and D1 databases. Chosen for `type: cdn` with a `_cloudflare:` block, or
 * when a service names the provider (`provision.provider` / `target.type: cloudflare`).
 */
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
import { CloudflareApi } from './cloudflare/api';
import { customHostnamesStatus, destroyCustomHostnames, provisionCustomHostnames } from './cloudflare/customHostnames';
import { destroyDnsZone, dnsZoneStatus, provisionDnsZone } from './cloudflare/dnsZone';
import { destroyPagesProject, pagesProjectStatus, provisionPagesProject } from './cloudflare/pages';
import { metadataOf, statusFromError, type CloudflareRun } from './cloudflare/run';
import { CLOUDFLARE_RESOURCES, cloudflareSpec, declaredResource, type CloudflareResource } from './cloudflare/spec';
import {
  d1DatabaseStatus,
  destroyD1Database,
  destroyKvNamespace,
  destroyR2Bucket,
  kvNamespaceStatus,
  provisionD1Database,
  provisionKvNamespace,
  provisionR2Bucket,
  r2BucketStatus,
} from './cloudflare/storage';

const PLAN_LABELS: Record<CloudflareResource, string> = {
  'custom-hostnames': 'Cloudflare for SaaS custom hostnames',
  'dns-zone': 'DNS records',
  'pages-project': 'Pages project',
  'r2-bucket': 'R2 bucket',
  'kv-namespace': 'Workers KV namespace',
  'd1-database': 'D1 database',
};

export class CloudflareProvisioner implements ProvisionerAdapter {
  readonly provider = 'cloudflare';
  readonly requiresApiKey = true;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'Cloudflare: custom hostnames (Cloudflare for SaaS), DNS records, Pages projects, R2 buckets, Workers KV, D1',
    vaultKeys: [
      { key: 'providers.cloudflare.account_id', description: 'Account id for Pages, R2, KV and D1 when the service does not give account_id', optional: true },
      { key: 'secrets.CF_ZONE_ID', description: "The zone id, as referenced by {{ vault('secrets.CF_ZONE_ID') }}", optional: true },
      { key: 'secrets.CF_DOMAIN', description: "The zone's domain, as referenced by {{ vault('secrets.CF_DOMAIN') }}", optional: true },
    ],
    envVars: [{ name: 'STARSYSTEM_CLOUDFLARE_API_URL', description: 'The Cloudflare API base URL (default https://api.cloudflare.com/client/v4).' }],
    credentials: ['PAGES_URL', 'R2_BUCKET', 'KV_NAMESPACE_ID', 'D1_DATABASE_ID'],
    resources: [...CLOUDFLARE_RESOURCES],
  };

  canProvision(service: ResolvedService): boolean {
    return (service.type === 'cdn' && service._cloudflare !== undefined) || namesProvider(service, this.provider);
  }

  describePlan(service: ResolvedService): string {
    const resource = declaredResource(service) as CloudflareResource | undefined;
    if (!resource || !(resource in PLAN_LABELS)) return 'Cloudflare resource (resource not declared)';
    const block = service._cloudflare;
    if (block?.resource === 'custom-hostnames') {
      const parts = [];
      if (block.fallback_origin) parts.push('fallback origin');
      if (block.hostnames?.length) parts.push(`${block.hostnames.length} custom hostname${block.hostnames.length === 1 ? '' : 's'}`);
      return parts.length > 0 ? `Cloudflare for SaaS: ${parts.join(' + ')}` : PLAN_LABELS[resource];
    }
    const records = block?.resource === 'dns-zone' ? block.records : service.target?.records ?? service.provision?.records;
    if (resource === 'dns-zone') return `${records?.length ?? 0} DNS record${records?.length === 1 ? '' : 's'} on the zone`;
    const domains = block?.resource === 'pages-project' ? block.domains : service.target?.domains ?? service.provision?.domains;
    if (resource === 'pages-project' && domains?.length) return `Pages project + ${domains.length} custom domain${domains.length === 1 ? '' : 's'}`;
    return PLAN_LABELS[resource];
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const spec = await cloudflareSpec(service, ctx);
    const api = new CloudflareApi(ctx.apiKey, ctx);
    const earlier = ctx.existing ?? ctx.partial;
    const run: CloudflareRun = {
      api,
      ctx,
      // State of another resource kind (the declaration changed kind) says nothing about this one.
      previous: metadataOf(earlier).resource === spec.resource ? earlier : undefined,
      step: (message) => ctx.step?.(message),
    };
    switch (spec.resource) {
      case 'custom-hostnames':
        return provisionCustomHostnames(run, spec);
      case 'dns-zone':
        return provisionDnsZone(run, spec);
      case 'pages-project':
        return provisionPagesProject(run, spec);
      case 'r2-bucket':
        return provisionR2Bucket(run, spec);
      case 'kv-namespace':
        return provisionKvNamespace(run, spec);
      case 'd1-database':
        return provisionD1Database(run, spec);
    }
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    let api: CloudflareApi;
    try {
      api = new CloudflareApi(ctx.apiKey, ctx);
    } catch (error) {
      return statusFromError(error, 'Cloudflare');
    }
    switch (metadataOf(state).resource) {
      case 'custom-hostnames':
        return customHostnamesStatus(api, state);
      case 'dns-zone':
        return dnsZoneStatus(api, state);
      case 'pages-project':
        return pagesProjectStatus(api, state);
      case 'r2-bucket':
        return r2BucketStatus(api, state);
      case 'kv-namespace':
        return kvNamespaceStatus(api, state);
      case 'd1-database':
        return d1DatabaseStatus(api, state);
      default:
        return { healthy: false, condition: 'error', message: `The recorded state of ${state.resourceId} does not say which Cloudflare resource it is; run provision again.` };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const api = new CloudflareApi(ctx.apiKey, ctx);
    switch (metadataOf(state).resource) {
      case 'custom-hostnames':
        return destroyCustomHostnames(api, ctx, state);
      case 'dns-zone':
        return destroyDnsZone(api, ctx, state);
      case 'pages-project':
        return destroyPagesProject(api, ctx, state);
      case 'r2-bucket':
        return destroyR2Bucket(api, ctx, state);
      case 'kv-namespace':
        return destroyKvNamespace(api, ctx, state);
      case 'd1-database':
        return destroyD1Database(api, ctx, state);
      default:
        throw new Error(`Cannot destroy ${state.resourceId}: the recorded state does not say which Cloudflare resource it is.`);
    }
  }
}
