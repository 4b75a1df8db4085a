/**
 * What a service asks of Cloudflare, from whichever shape declares it: a `_cloudflare:`
 * block (seed 000), a v2 `target:` with `type: cloudflare`, or a v1 `provision:` with
 * `provider: cloudflare`. One normalized spec per resource kind; missing fields are clear errors.
 */
import type { DnsRecord } from '../../config/schema';
import type { ProvisionContext, ResolvedService } from '../types';

export const CLOUDFLARE_RESOURCES = [
  'custom-hostnames',
  'dns-zone',
  'pages-project',
  'r2-bucket',
  'kv-namespace',
  'd1-database',
] as const;

export type CloudflareResource = (typeof CLOUDFLARE_RESOURCES)[number];

export type CloudflareSpec =
  | { resource: 'custom-hostnames'; zone: string; fallbackOrigin?: string; hostnames: string[]; sslMethod: 'http' | 'txt' | 'email' }
  | { resource: 'dns-zone'; zone: string; domain?: string; records: DnsRecord[] }
  | { resource: 'pages-project'; accountId: string; projectName: string; productionBranch: string; domains: string[] }
  | { resource: 'r2-bucket'; accountId: string; name: string; locationHint?: string }
  | { resource: 'kv-namespace'; accountId: string; title: string }
  | { resource: 'd1-database'; accountId: string; name: string; locationHint?: string };

/** The declaration fields a Cloudflare service may use outside a `_cloudflare` block. */
interface LooseFields {
  resource?: string;
  account_id?: string;
  zone?: string;
  domain?: string;
  records?: DnsRecord[];
  project_name?: string;
  production_branch?: string;
  domains?: string[];
  bucket?: string;
  region?: string;
  database?: string;
}

export class CloudflareSpecError extends Error {
  constructor(serviceId: string, problem: string) {
    super(`Service "${serviceId}" (cloudflare): ${problem}`);
    this.name = 'CloudflareSpecError';
  }
}

/** The resource kind a service declares, without resolving anything (for plans and catalog). */
export function declaredResource(service: ResolvedService): string | undefined {
  if (service._cloudflare) return service._cloudflare.resource;
  return looseFields(service)?.resource;
}

function looseFields(service: ResolvedService): LooseFields | undefined {
  if (service.target?.type === 'cloudflare') return service.target as LooseFields;
  if (service.provision?.provider === 'cloudflare') return service.provision as LooseFields;
  return undefined;
}

/**
 * The normalized spec. Names left out default to `<project>-<env>-<service>` (made valid for
 * Cloudflare) so that each environment gets its own resource and a lost state can find it again.
 */
export async function cloudflareSpec(service: ResolvedService, ctx: Pick<ProvisionContext, 'project' | 'env' | 'serviceId' | 'vaultGet'>): Promise<CloudflareSpec> {
  const fail = (problem: string): never => {
    throw new CloudflareSpecError(service.id, problem);
  };
  const block = service._cloudflare;
  if (block) {
    switch (block.resource) {
      case 'custom-hostnames':
        return {
          resource: 'custom-hostnames',
          zone: required(block.zone, 'zone', fail),
          fallbackOrigin: nonEmpty(block.fallback_origin),
          hostnames: (block.hostnames ?? []).map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
          sslMethod: block.ssl_method ?? 'http',
        };
      case 'dns-zone':
        return { resource: 'dns-zone', zone: required(block.zone, 'zone', fail), domain: nonEmpty(block.domain), records: block.records ?? [] };
      case 'pages-project':
        return {
          resource: 'pages-project',
          accountId: await accountId(block.account_id, ctx, fail),
          projectName: pagesName(required(block.project_name, 'project_name', fail), fail),
          productionBranch: nonEmpty(block.production_branch) ?? 'main',
          domains: normalizeDomains(block.domains),
        };
    }
  }
  const fields = looseFields(service);
  if (!fields) return fail('declare a _cloudflare block, target.type: cloudflare or provision.provider: cloudflare.');
  const resource = fields.resource;
  if (!resource) return fail(`say which resource to create: resource: ${CLOUDFLARE_RESOURCES.filter((r) => r !== 'custom-hostnames').join(' | ')}.`);
  const defaultName = `${ctx.project}-${ctx.env}-${ctx.serviceId}`;
  switch (resource) {
    case 'dns-zone':
      return { resource, zone: required(fields.zone, 'zone', fail), domain: nonEmpty(fields.domain), records: fields.records ?? [] };
    case 'pages-project':
      return {
        resource,
        accountId: await accountId(fields.account_id, ctx, fail),
        projectName: pagesName(nonEmpty(fields.project_name) ?? slug(defaultName, 58), fail),
        productionBranch: nonEmpty(fields.production_branch) ?? 'main',
        domains: normalizeDomains(fields.domains),
      };
    case 'r2-bucket':
      return {
        resource,
        accountId: await accountId(fields.account_id, ctx, fail),
        name: bucketName(nonEmpty(fields.bucket) ?? nonEmpty(fields.project_name) ?? slug(defaultName, 63), fail),
        locationHint: nonEmpty(fields.region),
      };
    case 'kv-namespace':
      return { resource, accountId: await accountId(fields.account_id, ctx, fail), title: nonEmpty(fields.project_name) ?? defaultName };
    case 'd1-database':
      return {
        resource,
        accountId: await accountId(fields.account_id, ctx, fail),
        name: nonEmpty(fields.database) ?? nonEmpty(fields.project_name) ?? slug(defaultName, 63),
        locationHint: nonEmpty(fields.region),
      };
    case 'custom-hostnames':
      return fail('custom-hostnames is declared in a _cloudflare block (zone, fallback_origin, hostnames).');
    default:
      return fail(`unknown resource "${resource}"; expected one of ${CLOUDFLARE_RESOURCES.join(', ')}.`);
  }
}

async function accountId(
  declared: string | undefined,
  ctx: Pick<ProvisionContext, 'vaultGet'>,
  fail: (problem: string) => never,
): Promise<string> {
  const value = nonEmpty(declared) ?? nonEmpty((await ctx.vaultGet('providers.cloudflare.account_id')) ?? undefined);
  return value ?? fail('account_id is required (or set it once with `ss vault set-key cloudflare account_id <id>`).');
}

function required(value: string | undefined, field: string, fail: (problem: string) => never): string {
  return nonEmpty(value) ?? fail(`${field} is required.`);
}

function nonEmpty(value: string | undefined): string | undefined {
  const v = value?.trim();
  return v ? v : undefined;
}

function normalizeDomains(domains: string[] | undefined): string[] {
  return [...new Set((domains ?? []).map((d) => d.trim().toLowerCase().replace(/\.+$/, '')).filter((d) => d !== ''))];
}

/** Lower case letters, digits and single hyphens, trimmed to a length. */
function slug(value: string, max: number): string {
  return value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');
}

/** Pages project names: lower case letters, digits and hyphens, at most 58 characters. */
function pagesName(name: string, fail: (problem: string) => never): string {
  if (!/^[a-z0-9][a-z0-9-]{0,57}$/.test(name)) fail(`project_name "${name}" is not a valid Pages project name (lower case letters, digits and "-", at most 58 characters).`);
  return name;
}

/** R2 bucket names: 3 to 63 lower case letters, digits and hyphens, not starting or ending with a hyphen. */
function bucketName(name: string, fail: (problem: string) => never): string {
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(name)) fail(`bucket "${name}" is not a valid R2 bucket name (3-63 lower case letters, digits and "-").`);
  return name;
}
