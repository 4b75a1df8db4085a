/**
 * The shape of `starsystem.yaml` (version "1" and "2") and of its overlays
 * (`starsystem.<env>.yaml`), as zod schemas. Every field carries a one-line description:
 * hovers, completions and the generated JSON Schema (`schemas/`) all read it.
 *
 * Objects are strict: an unknown key is reported (as a warning, see validate.ts), never
 * silently dropped.
 */
import * as z from 'zod';

export const SERVICE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

const serviceId = z
  .string()
  .regex(SERVICE_ID_PATTERN, 'a service id: letters, digits, "-" and "_", starting with a letter or digit')
  .describe('The id of another service in this file.');

const duration = z
  .union([
    z.string().regex(/^\d+(\.\d+)?(ms|s|m|h)$/, 'a duration such as "500ms", "2s" or "1m"'),
    z.number().nonnegative(),
  ])
  .describe('A duration: "500ms", "2s", "1m", or a number of seconds.');

const envMap = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .describe('Environment variables passed to the process (values may use {{ vault(\'ns.key\') }}).');

export const HealthCheckSchema = z
  .strictObject({
    url: z.string().describe('The URL polled until it answers with a 2xx or 3xx status.'),
    interval: duration.optional().describe('Time between two checks (default "500ms").'),
    timeout: duration.optional().describe('Time one check may take before it counts as failed (default "2s").'),
    retries: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Failed checks after start_period before the service counts as unhealthy (default 60).'),
    start_period: duration
      .optional()
      .describe('Time after start during which failed checks do not count (default "0s").'),
  })
  .describe('A health check: the URL and how to poll it.');

const healthCheck = z
  .union([z.string(), HealthCheckSchema])
  .describe('A URL polled until healthy (for example http://127.0.0.1:2019/config/), or {url, interval, timeout, retries, start_period}.');

export const GenerateConfigSchema = z
  .strictObject({
    template: z.string().describe('The template file, relative to the config file.'),
    output: z.string().describe('Where the rendered file is written (a leading ~ is the home directory).'),
    vars: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('Values for {{ NAME }} placeholders in the template; may use {{ vault(\'ns.key\') }}.'),
  })
  .describe('Render a config file from a template before the process starts.');

export const StateRecordSchema = z
  .strictObject({
    provider: z.string().describe('The provisioner that created the resource.'),
    resourceId: z.string().describe("The provider's id for the resource."),
    provisionedAt: z.string().describe('When the resource was provisioned (ISO 8601).'),
    region: z.string().optional().describe('The region the resource lives in.'),
    metadata: z.record(z.string(), z.unknown()).optional().describe('Provider-specific details (never secrets).'),
  })
  .describe('Written by the engine after provisioning: what was created. Do not edit.');

export const ProvisionSchema = z
  .strictObject({
    provider: z.string().optional().describe('The provisioner for this service (neon, supabase, fly, railway, cloudflare, aws, porkbun, ...).'),
    plan: z.string().optional().describe('The provider plan or tier (for example "free", "starter").'),
    region: z.string().optional().describe('The provider region (for example us-east-2, iad).'),
    project_name: z.string().optional().describe('The name of the project created at the provider.'),
    app: z.string().optional().describe('The app name at the provider.'),
    image: z.string().optional().describe('The container image to deploy.'),
    domain: z.string().optional().describe('The domain name (porkbun).'),
    register: z.boolean().optional().describe('Register the domain if it is not registered yet (porkbun; costs money).'),
    records: z.array(z.lazy(() => DnsRecordSchema)).optional().describe('DNS records to create or update.'),
    resource: z.string().optional().describe('The resource kind (cloudflare: pages-project, r2-bucket, kv-namespace, d1-database, dns-zone).'),
    account_id: z.string().optional().describe('The account id (cloudflare).'),
    zone: z.string().optional().describe('The zone id (cloudflare dns-zone).'),
    bucket: z.string().optional().describe('The bucket name (cloudflare r2).'),
    domains: z.array(z.string()).optional().describe('Custom domains (cloudflare pages, aws cloudfront aliases).'),
    certificate_arn: z.string().optional().describe('The ACM certificate (in us-east-1) covering the domains (aws cloudfront).'),
    production_branch: z.string().optional().describe('The production branch (cloudflare pages; default "main").'),
    generate_config: GenerateConfigSchema.optional(),
    _state: StateRecordSchema.optional(),
  })
  .describe('How the service is provisioned: provider, plan, region, generated config.');

export const DnsRecordSchema = z
  .strictObject({
    type: z
      .enum(['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'NS', 'SRV', 'CAA', 'ALIAS', 'HTTPS'])
      .describe('The DNS record type.'),
    name: z.string().describe('The record name: "@" for the zone apex, or a subdomain label.'),
    content: z.string().describe('The record content (an address, a host name, text).'),
    proxied: z.boolean().optional().describe('Proxy through Cloudflare (orange cloud).'),
    ttl: z.number().int().positive().optional().describe('Time to live in seconds (1 = automatic on Cloudflare).'),
    priority: z.number().int().nonnegative().optional().describe('Priority (MX and SRV records).'),
  })
  .describe('A DNS record.');

const cloudflareZone = z.string().describe('The Cloudflare zone id (usually "{{ vault(\'secrets.CF_ZONE_ID\') }}").');

export const CloudflareSchema = z
  .discriminatedUnion('resource', [
    z.strictObject({
      resource: z.literal('custom-hostnames').describe('Cloudflare for SaaS custom hostnames.'),
      zone: cloudflareZone,
      fallback_origin: z.string().optional().describe('The fallback origin for custom hostnames (set when given).'),
      hostnames: z.array(z.string()).optional().describe('Custom hostnames to create on the zone.'),
      ssl_method: z.enum(['http', 'txt', 'email']).optional().describe('How certificates for custom hostnames are validated (default http).'),
    }),
    z.strictObject({
      resource: z.literal('dns-zone').describe('DNS records on an existing Cloudflare zone.'),
      zone: cloudflareZone,
      domain: z.string().optional().describe('The zone\'s domain name; "@" in records stands for it.'),
      records: z.array(DnsRecordSchema).describe('The records; created, or updated when their content changed.'),
    }),
    z.strictObject({
      resource: z.literal('pages-project').describe('A Cloudflare Pages project with custom domains.'),
      account_id: z.string().describe('The Cloudflare account id.'),
      project_name: z.string().describe('The Pages project name.'),
      production_branch: z.string().optional().describe('The production branch (default "main").'),
      domains: z.array(z.string()).optional().describe('Custom domains bound to the project.'),
    }),
  ])
  .describe('A Cloudflare resource: custom-hostnames, dns-zone or pages-project.');

export const TargetSchema = z
  .strictObject({
    type: z.string().describe('The provisioner that deploys this service (neon, fly, supabase, railway, cloudflare, aws, porkbun, ...).'),
    region: z.string().optional().describe('The provider region (for example us-east-2, iad).'),
    credential_env: z
      .string()
      .optional()
      .describe('An environment variable holding the provider API token; when set it wins over the vault.'),
    project_name: z.string().optional().describe('The project name at the provider (neon, supabase, railway).'),
    app: z.string().optional().describe('The app name (fly).'),
    image: z.string().optional().describe('The container image to run (fly, railway).'),
    port: z.number().int().min(1).max(65535).optional().describe('The port the app listens on inside the machine.'),
    health_check_path: z.string().optional().describe('The path checked on the deployed app (for example /health).'),
    env: envMap.optional(),
    // Provider-specific fields.
    org: z.string().optional().describe('The organization slug or id (fly, supabase; the workspace id on railway).'),
    database: z.string().optional().describe('The database name (neon; default "neondb").'),
    role: z.string().optional().describe('The database role (neon; default "<project>_owner").'),
    pg_version: z.number().int().optional().describe('The Postgres major version (neon).'),
    plan: z.string().optional().describe('The plan or tier (supabase).'),
    vm_size: z.string().optional().describe('The machine size (fly; for example "shared-cpu-1x").'),
    memory_mb: z.number().int().positive().optional().describe('Machine memory in MB (fly).'),
    service: z.string().optional().describe('The service name inside the project (railway).'),
    resource: z.string().optional().describe('The resource kind (cloudflare: pages-project, r2-bucket, kv-namespace, d1-database; aws: s3, cloudfront, s3-cloudfront).'),
    account_id: z.string().optional().describe('The account id (cloudflare).'),
    zone: z.string().optional().describe('The zone id (cloudflare).'),
    bucket: z.string().optional().describe('The bucket name (aws s3, cloudflare r2).'),
    domain: z.string().optional().describe('The domain name (porkbun, cloudflare).'),
    domains: z.array(z.string()).optional().describe('Custom domains (cloudflare pages, aws cloudfront aliases).'),
    certificate_arn: z.string().optional().describe('The ACM certificate (in us-east-1) covering the domains (aws cloudfront).'),
    production_branch: z.string().optional().describe('The production branch (cloudflare pages; default "main").'),
    records: z.array(DnsRecordSchema).optional().describe('DNS records (porkbun).'),
    register: z.boolean().optional().describe('Register the domain when it is not registered yet (porkbun; costs money).'),
  })
  .describe('Where and how this service is deployed (version "2"): the provisioner and its settings.');

/** Fields shared by every version of a service declaration. */
const serviceFieldsV1 = {
  type: z
    .string()
    .optional()
    .describe('What the service is: process, database, cdn, dns, external, ... (process + command runs locally).'),
  name: z.string().optional().describe('A human-readable name.'),
  description: z.string().optional().describe('What the service does.'),
  command: z.string().optional().describe('The command that runs the process (split into arguments, never run through a shell).'),
  cwd: z.string().optional().describe('The working directory of the process, relative to the config file.'),
  env: envMap.optional(),
  depends_on: z.array(serviceId).optional().describe('Services that must be up before this one starts.'),
  health_check: healthCheck.optional(),
  install_hint: z.string().optional().describe('Shown when the command\'s program is not installed.'),
  stop_grace_period: duration.optional().describe('Time between SIGTERM and SIGKILL when stopping (default "5s").'),
  provision: ProvisionSchema.optional(),
  _cloudflare: CloudflareSchema.optional(),
};

const serviceFieldsV2 = {
  ...serviceFieldsV1,
  capabilities: z.array(z.string()).optional().describe('What the service offers (for example relational, kv, queue).'),
  inject_from: z
    .record(serviceId, z.array(z.string()).describe('Credential names to inject as environment variables.'))
    .optional()
    .describe('Credentials read from the vault (<service>.<NAME>) and passed to this service\'s environment.'),
  target: TargetSchema.optional(),
};

export const ServiceV1Schema = z.strictObject(serviceFieldsV1).describe('A service (version "1").');
export const ServiceV2Schema = z.strictObject(serviceFieldsV2).describe('A service (version "2").');

/** What a service looks like after the overlay is applied; every version's fields. */
export type ServiceDeclaration = z.infer<typeof ServiceV2Schema>;
export type HealthCheck = z.infer<typeof HealthCheckSchema>;
export type GenerateConfig = z.infer<typeof GenerateConfigSchema>;
export type ProvisionBlock = z.infer<typeof ProvisionSchema>;
export type CloudflareBlock = z.infer<typeof CloudflareSchema>;
export type Target = z.infer<typeof TargetSchema>;
export type DnsRecord = z.infer<typeof DnsRecordSchema>;

/** Keys that exist only in version "2"; used to explain an unknown key in a version "1" file. */
export const V2_ONLY_SERVICE_KEYS: ReadonlySet<string> = new Set(['capabilities', 'inject_from', 'target']);

const version = z.enum(['1', '2']).describe('The file format version: "1" (the default) or "2".');

export const BaseHeaderSchema = z.strictObject({
  version: version.optional(),
  name: z.string().optional().describe('The project name (default: the folder name).'),
  description: z.string().optional().describe('What the system is.'),
  services: z.unknown().optional(),
});

export const OverlayHeaderSchema = z.strictObject({
  version: version.optional(),
  environment: z.string().describe('The environment this overlay configures; must match the file name (starsystem.<environment>.yaml).'),
  name: z.string().optional().describe('The project name; must match the base file when given.'),
  services: z.unknown().optional(),
});

export const OverlayServiceSchema = ServiceV2Schema.partial().describe(
  'Settings for a service declared in the base file; merged onto it.',
);

const services = <T extends z.ZodType>(service: T) =>
  z.record(z.string().regex(SERVICE_ID_PATTERN), service).describe('The services of the system, by id.');

/** The whole base file, for the JSON Schema. */
export const SystemFileSchema = z
  .strictObject({
    version: version.optional(),
    name: BaseHeaderSchema.shape.name,
    description: BaseHeaderSchema.shape.description,
    services: services(ServiceV2Schema),
  })
  .describe('starsystem.yaml: the services of a system and how they depend on each other.');

/** The whole overlay file, for the JSON Schema. */
export const OverlayFileSchema = z
  .strictObject({
    version: version.optional(),
    environment: OverlayHeaderSchema.shape.environment,
    name: OverlayHeaderSchema.shape.name,
    services: services(OverlayServiceSchema).optional(),
  })
  .describe('starsystem.<env>.yaml: per-environment settings merged onto starsystem.yaml.');

export function serviceSchemaFor(version: '1' | '2'): z.ZodType {
  return version === '2' ? ServiceV2Schema : ServiceV1Schema;
}
