/**
 * AWS: an S3 bucket (`resource: s3`), a CloudFront distribution in front of an existing
 * bucket (`cloudfront`), or both (`s3-cloudfront`). The distribution reads the private bucket
 * through an origin access control and a bucket policy statement that names the
 * distribution; aliases come from `domains` (with `certificate_arn`, an ACM certificate in
 * us-east-1, as CloudFront requires for them).
 *
 * Credentials: the access key id is the API key (credential_env, or
 * `providers.aws.access_key_id`, what `ss vault set-key aws access_key_id` writes); the
 * secret is `secrets.AWS_SECRET_ACCESS_KEY` (`ss vault set AWS_SECRET_ACCESS_KEY`), else
 * `providers.aws.secret_access_key`; `providers.aws.session_token` for temporary credentials.
 *
 * Ownership: a bucket this provisioner creates is tagged with the project, env and service;
 * a bucket that existed untagged is used but never deleted.
 */
import { randomUUID } from 'node:crypto';
import { ProviderHttpError, providerBaseUrl } from './http';
import { pollTiming, pollUntil, WaitTimeoutError, type PollTiming } from './poll';
import { namesProvider } from './registry';
import type {
  DriftFinding,
  ProvisionContext,
  ProvisionerAdapter,
  ProvisionerCatalogEntry,
  ProvisionResult,
  ProvisionStateRecord,
  ProvisionStatus,
  ResolvedService,
} from './types';
import { errorCode, PROVIDER, type AwsCredentials } from './aws/client';
import {
  CLOUDFRONT_API_URL,
  CloudFrontApi,
  DistributionAlreadyExistsError,
  disableConfig,
  reconcileConfig,
  type DesiredDistribution,
  type Distribution,
} from './aws/cloudfront';
import { bucketNameProblem, bucketRegionalDomain, S3Api, type BucketPolicy, type PolicyStatement } from './aws/s3';

export const AWS_RESOURCES = ['s3', 'cloudfront', 's3-cloudfront'] as const;
export type AwsResource = (typeof AWS_RESOURCES)[number];

const DEFAULT_REGION = 'us-east-1';
/** CloudFront takes minutes to propagate a change; destroy waits for a disabled distribution to settle. */
const CLOUDFRONT_TIMING: PollTiming = { intervalMs: 20_000, timeoutMs: 30 * 60_000 };
const TAG_PROJECT = 'starsystem:project';
const TAG_ENV = 'starsystem:env';
const TAG_SERVICE = 'starsystem:service';

export interface AwsSettings {
  resource: AwsResource;
  bucket: string;
  region: string;
  domains: string[];
  certificateArn?: string;
  /** What marks the distribution as this service's, so a lost state finds it again. */
  comment: string;
  tags: Record<string, string>;
}

export function awsSettings(ctx: Pick<ProvisionContext, 'project' | 'env' | 'serviceId'>, service: ResolvedService): AwsSettings {
  const target = service.target;
  const provision = service.provision;
  const resource = target?.resource ?? provision?.resource;
  if (!resource || !(AWS_RESOURCES as readonly string[]).includes(resource)) {
    throw new Error(
      `Service "${service.id}": aws needs target.resource (or provision.resource) set to ${AWS_RESOURCES.join(', ')}${resource ? `, not "${resource}"` : ''}.`,
    );
  }
  const region = target?.region ?? provision?.region ?? DEFAULT_REGION;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new Error(`"${region}" is not an AWS region name (for example us-east-1, eu-west-3).`);
  const declaredBucket = target?.bucket ?? provision?.bucket;
  if (resource === 'cloudfront' && !declaredBucket) {
    throw new Error(`Service "${service.id}": resource cloudfront puts a distribution in front of an existing bucket; name it in target.bucket.`);
  }
  const bucket = declaredBucket ?? defaultBucketName(ctx);
  const problem = bucketNameProblem(bucket);
  if (problem) throw new Error(`"${bucket}" cannot be an S3 bucket name: ${problem}.`);
  const domains = target?.domains ?? provision?.domains ?? [];
  const certificateArn = target?.certificate_arn ?? provision?.certificate_arn;
  if (resource !== 's3' && domains.length > 0 && !certificateArn) {
    throw new Error(
      `Service "${service.id}": CloudFront serves the domains ${domains.join(', ')} only with a certificate that covers them; set target.certificate_arn to an ACM certificate in us-east-1.`,
    );
  }
  return {
    resource: resource as AwsResource,
    bucket,
    region,
    domains,
    ...(certificateArn ? { certificateArn } : {}),
    comment: `starsystem:${ctx.project}/${ctx.env}/${ctx.serviceId}`.slice(0, 128),
    tags: { [TAG_PROJECT]: ctx.project, [TAG_ENV]: ctx.env, [TAG_SERVICE]: ctx.serviceId },
  };
}

/** `<project>-<env>-<service>`, lowercased, in the characters S3 allows. */
function defaultBucketName(ctx: Pick<ProvisionContext, 'project' | 'env' | 'serviceId'>): string {
  return `${ctx.project}-${ctx.env}-${ctx.serviceId}`
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 63)
    .replace(/^-+|-+$/g, '');
}

/**
 * The credentials, or a clear error saying which key to set. The access key id: the variable
 * `credential_env` names, the API key the engine resolved, `providers.aws.access_key_id`,
 * `providers.aws.api_key`, then AWS's own AWS_ACCESS_KEY_ID. The secret: the vault, then
 * AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN), the variables CI systems set for AWS.
 */
export async function awsCredentials(ctx: ProvisionContext, credentialEnv?: string): Promise<AwsCredentials> {
  const env = ctx.processEnv ?? process.env;
  const accessKeyId =
    (credentialEnv ? env[credentialEnv] : undefined) ||
    ctx.apiKey ||
    (await ctx.vaultGet('providers.aws.access_key_id')) ||
    (await ctx.vaultGet('providers.aws.api_key')) ||
    env.AWS_ACCESS_KEY_ID ||
    '';
  if (!accessKeyId) {
    throw new Error('No AWS access key id: run `ss vault set-key aws access_key_id <AKIA...>` (or set target.credential_env).');
  }
  const vaultSecret = (await ctx.vaultGet('secrets.AWS_SECRET_ACCESS_KEY')) || (await ctx.vaultGet('providers.aws.secret_access_key')) || '';
  const secretAccessKey = vaultSecret || env.AWS_SECRET_ACCESS_KEY || '';
  if (!secretAccessKey) {
    throw new Error('No AWS secret access key: run `ss vault set AWS_SECRET_ACCESS_KEY <key>` (or set providers.aws.secret_access_key).');
  }
  const sessionToken = (vaultSecret ? await ctx.vaultGet('providers.aws.session_token') : env.AWS_SESSION_TOKEN) || undefined;
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

interface Apis {
  s3: S3Api;
  cloudfront: CloudFrontApi;
  timing: PollTiming;
}

async function apis(ctx: ProvisionContext, credentialEnv: string | undefined): Promise<Apis> {
  const env = ctx.processEnv ?? process.env;
  const credentials = await awsCredentials(ctx, credentialEnv);
  const s3Endpoint = env.STARSYSTEM_AWS_API_URL?.trim();
  return {
    s3: new S3Api({ credentials, ...(s3Endpoint ? { endpoint: s3Endpoint.replace(/\/+$/, '') } : {}), signal: ctx.signal, env }),
    cloudfront: new CloudFrontApi({
      credentials,
      baseUrl: providerBaseUrl('aws_cloudfront', CLOUDFRONT_API_URL, env),
      signal: ctx.signal,
      env,
    }),
    timing: pollTiming(env, CLOUDFRONT_TIMING),
  };
}

export class AwsProvisioner implements ProvisionerAdapter {
  readonly provider = PROVIDER;
  // The access key id may live under providers.aws.access_key_id rather than api_key; provision() checks.
  readonly requiresApiKey = false;
  readonly catalog: ProvisionerCatalogEntry = {
    title: 'AWS: an S3 bucket, a CloudFront distribution, or both (s3-cloudfront)',
    vaultKeys: [
      { key: 'providers.aws.access_key_id', description: 'The access key id (AKIA...), read when neither credential_env nor an api_key gives one.' },
      { key: 'secrets.AWS_SECRET_ACCESS_KEY', description: 'The secret access key.' },
      { key: 'providers.aws.secret_access_key', description: 'The secret access key, when secrets.AWS_SECRET_ACCESS_KEY is not set.', optional: true },
      { key: 'providers.aws.session_token', description: 'A session token, for temporary credentials.', optional: true },
    ],
    envVars: [
      { name: 'STARSYSTEM_AWS_API_URL', description: 'An S3-compatible endpoint to use instead of AWS (path-style addressing).' },
      { name: 'STARSYSTEM_AWS_CLOUDFRONT_API_URL', description: `The CloudFront API base URL (default ${CLOUDFRONT_API_URL}).` },
      { name: 'AWS_ACCESS_KEY_ID', description: 'The access key id, when neither credential_env nor the vault gives one.' },
      { name: 'AWS_SECRET_ACCESS_KEY', description: 'The secret access key, when the vault has none (with AWS_SESSION_TOKEN for temporary credentials).' },
      { name: 'STARSYSTEM_POLL_INTERVAL_MS', description: 'Time between two checks of a distribution being disabled (default 20000).' },
      { name: 'STARSYSTEM_WAIT_TIMEOUT_MS', description: 'Longest wait for a disabled distribution to settle before deleting it (default 1800000).' },
    ],
    credentials: ['S3_BUCKET', 'CDN_URL'],
    resources: [...AWS_RESOURCES],
  };

  canProvision(service: ResolvedService): boolean {
    return namesProvider(service, PROVIDER);
  }

  describePlan(service: ResolvedService): string {
    const resource = service.target?.resource ?? service.provision?.resource;
    const bucket = service.target?.bucket ?? service.provision?.bucket;
    const region = service.target?.region ?? service.provision?.region ?? DEFAULT_REGION;
    if (resource === 'cloudfront') return `CloudFront distribution + origin access control for ${bucket ?? 'a bucket'}`;
    if (resource === 's3-cloudfront') return `S3 bucket${bucket ? ` ${bucket}` : ''} in ${region} + CloudFront distribution`;
    return `S3 bucket${bucket ? ` ${bucket}` : ''} in ${region}`;
  }

  async provision(ctx: ProvisionContext, service: ResolvedService): Promise<ProvisionResult> {
    const settings = awsSettings(ctx, service);
    const credentialEnv = service.target?.credential_env;
    const { s3, cloudfront } = await apis(ctx, credentialEnv);
    const recorded: Partial<ProvisionStateRecord> | undefined = ctx.existing ?? ctx.partial;
    const meta = recorded?.metadata ?? {};
    const done: string[] = [];

    // 1. The bucket.
    const bucket = await this.ensureBucket(ctx, s3, settings, meta.bucketCreated === true, done);
    const metadata: Record<string, unknown> = {
      resource: settings.resource,
      bucket: settings.bucket,
      bucketCreated: bucket.created,
      // The variable's name (never its value), so that status and destroy find the same key.
      ...(credentialEnv ? { credentialEnv } : {}),
    };
    // What dependants inject. Only these two: the engine treats every vault value as a secret and
    // masks it in all output, so a region or an id written here would vanish from every message.
    const credentials: Record<string, string> = { S3_BUCKET: settings.bucket };
    if (settings.resource === 's3') {
      return {
        state: stateRecord(ctx, settings.bucket, bucket.region, metadata, done.length > 0),
        credentials,
        summary: done.length > 0 ? `S3 bucket ${settings.bucket} in ${bucket.region}: ${done.join('; ')}` : `S3 bucket ${settings.bucket} already exists`,
      };
    }

    // 2. The origin access control the distribution signs its requests to the bucket with.
    const oacName = settings.bucket.slice(0, 64);
    let oac = await cloudfront.originAccessControlNamed(oacName);
    let oacCreated = meta.originAccessControlCreated === true && meta.originAccessControlId === oac?.id;
    if (oac && oac.originType !== 's3') {
      throw new Error(`CloudFront origin access control "${oacName}" exists for ${oac.originType} origins, not S3; rename or remove it.`);
    }
    if (!oac) {
      oac = { id: await cloudfront.createOriginAccessControl(oacName, `Read access to s3://${settings.bucket} (${settings.comment})`), originType: 's3' };
      oacCreated = true;
      done.push(`origin access control ${oac.id} created`);
      ctx.step?.(`Origin access control created: ${oac.id}`);
    }
    Object.assign(metadata, { originAccessControlId: oac.id, originAccessControlCreated: oacCreated });
    await ctx.savePartialState?.({ provider: PROVIDER, resourceId: settings.bucket, region: bucket.region, metadata: { ...metadata } });

    // 3. The distribution: the recorded one, else the one marked with this service's comment, else a new one.
    const recordedId = typeof meta.distributionId === 'string' ? meta.distributionId : undefined;
    // A caller reference saved by an interrupted create is reused (a repeat cannot duplicate);
    // once a distribution was recorded, its reference is spent, and a replacement needs a new one.
    const pendingReference = !recordedId && typeof meta.callerReference === 'string' ? meta.callerReference : undefined;
    const desired: DesiredDistribution = {
      callerReference: pendingReference ?? `starsystem-${randomUUID()}`,
      comment: settings.comment,
      aliases: settings.domains,
      ...(settings.certificateArn ? { certificateArn: settings.certificateArn } : {}),
      originId: `s3-${settings.bucket}`,
      originDomain: bucketRegionalDomain(settings.bucket, bucket.region),
      originAccessControlId: oac.id,
      defaultRootObject: 'index.html',
    };
    let distribution: Distribution | undefined;
    if (recordedId) {
      distribution = (await cloudfront.distribution(recordedId))?.distribution;
      if (!distribution) ctx.step?.(`Recorded CloudFront distribution ${recordedId} no longer exists`);
    }
    distribution ??= await cloudfront.findDistributionByComment(settings.comment);
    let created = false;
    if (!distribution) {
      await ctx.savePartialState?.({
        provider: PROVIDER,
        resourceId: settings.bucket,
        region: bucket.region,
        metadata: { ...metadata, callerReference: desired.callerReference },
      });
      try {
        distribution = (await cloudfront.createDistribution(desired)).distribution;
        created = true;
        done.push(`distribution ${distribution.id} created`);
        ctx.step?.(`Distribution created: ${distribution.id} (${distribution.domainName}), ${distribution.status}`);
      } catch (error) {
        // The same caller reference was used before: an earlier attempt did create it.
        if (!(error instanceof DistributionAlreadyExistsError)) throw error;
        distribution = await cloudfront.findDistributionByComment(settings.comment);
        if (!distribution) throw error;
      }
    } else {
      ctx.step?.(`Found distribution ${distribution.id} (${distribution.domainName})`);
      const live = await cloudfront.config(distribution.id);
      if (!live) throw new Error(`CloudFront distribution ${distribution.id} disappeared while it was being checked; run again.`);
      const changes = reconcileConfig(live.config, desired);
      if (changes.length > 0) {
        distribution = (await cloudfront.updateConfig(distribution.id, live.config, live.etag)).distribution;
        done.push(`distribution ${distribution.id} updated: ${changes.join('; ')}`);
        ctx.step?.(`Distribution updated: ${changes.join('; ')}`);
      }
    }

    // 4. The bucket policy statement that lets this distribution, and only it, read the bucket.
    const sid = policySid(distribution.id);
    if (await ensurePolicyStatement(s3, settings.bucket, bucket.region, sid, readStatement(sid, settings.bucket, distribution.arn))) {
      done.push('bucket policy allows the distribution to read');
      ctx.step?.(`Bucket policy: ${sid} lets distribution ${distribution.id} read s3://${settings.bucket}`);
    }
    // The statement of a distribution this one replaced grants nothing any more.
    const previousSid = typeof meta.policySid === 'string' ? meta.policySid : undefined;
    if (previousSid && previousSid !== sid && (await removePolicyStatement(s3, settings.bucket, bucket.region, previousSid))) {
      ctx.step?.(`Bucket policy: ${previousSid} removed`);
    }

    Object.assign(metadata, {
      distributionId: distribution.id,
      distributionArn: distribution.arn,
      domainName: distribution.domainName,
      aliases: distribution.aliases,
      originDomain: desired.originDomain,
      distributionStatus: distribution.status,
      callerReference: distribution.callerReference ?? desired.callerReference,
      policySid: sid,
    });
    credentials.CDN_URL = `https://${distribution.aliases[0] ?? distribution.domainName}`;
    const what = `CloudFront distribution ${distribution.id} (${distribution.domainName}, ${distribution.status}) for s3://${settings.bucket}`;
    return {
      state: stateRecord(ctx, distribution.id, bucket.region, metadata, created),
      credentials,
      summary: done.length > 0 ? `${what}: ${done.join('; ')}` : `${what} already up to date`,
    };
  }

  /** The bucket exists (created now, or found) in the declared region; returns its region and whether it is ours. */
  private async ensureBucket(
    ctx: ProvisionContext,
    s3: S3Api,
    settings: AwsSettings,
    recordedAsCreated: boolean,
    done: string[],
  ): Promise<{ region: string; created: boolean }> {
    const probe = await s3.headBucket(settings.bucket, settings.region);
    const mayCreate = settings.resource !== 'cloudfront';
    if (probe.status === 404) {
      if (!mayCreate) throw new Error(`The origin bucket s3://${settings.bucket} does not exist (resource cloudfront uses an existing bucket).`);
      const outcome = await s3.createBucket(settings.bucket, settings.region);
      await ctx.savePartialState?.({
        provider: PROVIDER,
        resourceId: settings.bucket,
        region: settings.region,
        metadata: { resource: settings.resource, bucket: settings.bucket, bucketCreated: true },
      });
      await s3.putTags(settings.bucket, settings.region, settings.tags);
      if (outcome === 'created') {
        done.push(`bucket created in ${settings.region}`);
        ctx.step?.(`Bucket created: s3://${settings.bucket} in ${settings.region}`);
      }
      return { region: settings.region, created: true };
    }
    if (probe.status === 403) {
      throw new Error(
        `S3 bucket ${settings.bucket} exists but these credentials cannot reach it: it belongs to another account, or the key lacks s3:ListBucket.`,
      );
    }
    const region = probe.region ?? settings.region;
    if (probe.status === 301 || region !== settings.region) {
      throw new Error(
        `S3 bucket ${settings.bucket} is in ${region}, but the service declares ${settings.region}. A bucket cannot move: declare ${region}, or use another bucket name.`,
      );
    }
    if (!mayCreate) {
      // Fronting a bucket is not owning it: it may well be another service's.
      ctx.step?.(`Found origin bucket s3://${settings.bucket} in ${region}`);
      return { region, created: false };
    }
    const tags = await s3.tags(settings.bucket, region);
    const owner = tags[TAG_SERVICE] !== undefined ? `${tags[TAG_PROJECT]}/${tags[TAG_ENV]}/${tags[TAG_SERVICE]}` : undefined;
    const ours = `${settings.tags[TAG_PROJECT]}/${settings.tags[TAG_ENV]}/${settings.tags[TAG_SERVICE]}`;
    if (owner !== undefined && owner !== ours) {
      throw new Error(`S3 bucket ${settings.bucket} belongs to Starsystem service ${owner}, not ${ours}; use another bucket name.`);
    }
    const created = owner === ours || recordedAsCreated;
    ctx.step?.(`Found bucket s3://${settings.bucket} in ${region}${created ? '' : ' (not created by Starsystem: it will be kept on destroy)'}`);
    if (created && owner === undefined) await s3.putTags(settings.bucket, region, { ...tags, ...settings.tags });
    return { region, created };
  }

  async status(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<ProvisionStatus> {
    try {
      const meta = state.metadata ?? {};
      const { s3, cloudfront } = await apis(ctx, credentialEnvOf(meta));
      const resource = (typeof meta.resource === 'string' ? meta.resource : 's3') as AwsResource;
      const bucket = typeof meta.bucket === 'string' ? meta.bucket : state.resourceId;
      const region = state.region ?? DEFAULT_REGION;
      const drift: DriftFinding[] = [];
      const notes: string[] = [];

      const probe = await s3.headBucket(bucket, region);
      if (probe.status === 403) {
        return { healthy: false, condition: 'error', message: `S3 bucket ${bucket}: access denied (403) to these credentials` };
      }
      const bucketGone = probe.status === 404;
      if (bucketGone) {
        const message = `S3 bucket ${bucket} no longer exists`;
        if (resource === 's3') return { healthy: false, condition: 'gone', message, drift: [{ field: 'bucket', recorded: bucket, live: null, message }] };
        drift.push({ field: 'bucket', recorded: bucket, live: null, message });
      } else if (probe.region && probe.region !== region) {
        drift.push({ field: 'region', recorded: region, live: probe.region, message: `bucket region is ${probe.region}, recorded ${region}` });
      }
      if (resource === 's3') {
        return { healthy: true, condition: 'healthy', message: `S3 bucket ${bucket} in ${probe.region ?? region}`, drift };
      }

      const got = await cloudfront.distribution(state.resourceId);
      if (!got) {
        const message = `CloudFront distribution ${state.resourceId} no longer exists`;
        return { healthy: false, condition: 'gone', message, drift: [...drift, { field: 'distribution', recorded: state.resourceId, live: null, message }] };
      }
      const d = got.distribution;
      const recordedAliases = Array.isArray(meta.aliases) ? (meta.aliases as string[]) : [];
      if ([...recordedAliases].sort().join(',') !== [...d.aliases].sort().join(',')) {
        drift.push({ field: 'aliases', recorded: recordedAliases, live: d.aliases, message: `aliases are ${d.aliases.join(', ') || '(none)'}, recorded ${recordedAliases.join(', ') || '(none)'}` });
      }
      const origin = d.origins[0]?.domainName;
      if (typeof meta.originDomain === 'string' && origin !== meta.originDomain) {
        drift.push({ field: 'origin', recorded: meta.originDomain, live: origin ?? null, message: `origin is ${origin ?? '(none)'}, recorded ${meta.originDomain}` });
      }
      if (!d.enabled) {
        drift.push({ field: 'enabled', recorded: true, live: false, message: 'the distribution was disabled' });
        notes.push('disabled');
      }
      const condition: ProvisionStatus['condition'] = bucketGone || !d.enabled ? 'unhealthy' : d.status === 'Deployed' ? 'healthy' : 'starting';
      return {
        healthy: condition === 'healthy',
        condition,
        message: `CloudFront distribution ${d.id} (${d.domainName}) ${d.status}${notes.length ? `, ${notes.join(', ')}` : ''}${bucketGone ? `; bucket ${bucket} is gone` : ''}`,
        drift,
        raw: d,
      };
    } catch (error) {
      return { healthy: false, condition: 'error', message: error instanceof Error ? error.message : String(error) };
    }
  }

  async destroy(ctx: ProvisionContext, state: ProvisionStateRecord): Promise<void> {
    const meta = state.metadata ?? {};
    const { s3, cloudfront, timing } = await apis(ctx, credentialEnvOf(meta));
    const resource = (typeof meta.resource === 'string' ? meta.resource : 's3') as AwsResource;
    const bucket = typeof meta.bucket === 'string' ? meta.bucket : state.resourceId;
    const region = state.region ?? DEFAULT_REGION;
    const deleteBucket = resource !== 'cloudfront' && meta.bucketCreated === true;

    if (resource !== 's3') {
      await this.deleteDistribution(ctx, cloudfront, state.resourceId, timing);
      const oacId = typeof meta.originAccessControlId === 'string' ? meta.originAccessControlId : undefined;
      if (oacId && meta.originAccessControlCreated === true) {
        const outcome = await cloudfront.deleteOriginAccessControl(oacId);
        ctx.step?.(
          outcome === 'in-use'
            ? `Origin access control ${oacId} kept: another distribution uses it`
            : outcome
              ? `Origin access control deleted: ${oacId}`
              : `Origin access control ${oacId} was already gone`,
        );
      }
      const sid = typeof meta.policySid === 'string' ? meta.policySid : policySid(state.resourceId);
      if (!deleteBucket && (await removePolicyStatement(s3, bucket, region, sid))) ctx.step?.(`Bucket policy statement ${sid} removed`);
    }

    if (deleteBucket) {
      const deleted = await s3.deleteBucket(bucket, region);
      ctx.step?.(deleted ? `Bucket deleted: s3://${bucket}` : `Bucket s3://${bucket} was already gone`);
    } else if (resource !== 'cloudfront') {
      ctx.step?.(`Bucket s3://${bucket} kept: it existed before Starsystem`);
    }
  }

  /** Disable, wait until CloudFront has deployed that, then delete with the latest ETag. */
  private async deleteDistribution(ctx: ProvisionContext, cloudfront: CloudFrontApi, id: string, timing: PollTiming): Promise<void> {
    const live = await cloudfront.config(id);
    if (!live) {
      ctx.step?.(`Distribution ${id} was already gone`);
      return;
    }
    if (disableConfig(live.config)) {
      await cloudfront.updateConfig(id, live.config, live.etag);
      ctx.step?.(`Distribution ${id} disabled; waiting for CloudFront to deploy that`);
    }
    for (let attempt = 0; ; attempt++) {
      let etag: string | undefined;
      try {
        etag = await pollUntil<string | undefined>(
          `CloudFront distribution ${id} to finish disabling`,
          async () => {
            const got = await cloudfront.distribution(id);
            if (!got) return { done: true, value: undefined };
            return got.distribution.status === 'Deployed' ? { done: true, value: got.etag } : { done: false, detail: got.distribution.status };
          },
          timing,
          ctx.signal,
        );
      } catch (error) {
        if (error instanceof WaitTimeoutError) {
          throw new Error(`${error.message} The distribution is disabled; run destroy again once CloudFront shows it Deployed.`, { cause: error });
        }
        throw error;
      }
      if (etag === undefined) {
        ctx.step?.(`Distribution ${id} was already gone`);
        return;
      }
      try {
        const deleted = await cloudfront.deleteDistribution(id, etag);
        ctx.step?.(deleted ? `Distribution deleted: ${id}` : `Distribution ${id} was already gone`);
        return;
      } catch (error) {
        // Someone changed it between the read and the delete: read the new ETag and try again.
        if (errorCode(error) !== 'PreconditionFailed' || attempt >= 2) throw error;
      }
    }
  }
}

function credentialEnvOf(metadata: Record<string, unknown>): string | undefined {
  return typeof metadata.credentialEnv === 'string' ? metadata.credentialEnv : undefined;
}

function stateRecord(
  ctx: ProvisionContext,
  resourceId: string,
  region: string,
  metadata: Record<string, unknown>,
  changed: boolean,
): ProvisionStateRecord {
  const keep = !changed && ctx.existing?.resourceId === resourceId;
  return {
    provider: PROVIDER,
    resourceId,
    provisionedAt: keep ? ctx.existing!.provisionedAt : new Date().toISOString(),
    region,
    metadata,
  };
}

/** A statement id made of the characters IAM allows. */
function policySid(distributionId: string): string {
  return `StarsystemCloudFrontRead${distributionId.replace(/[^A-Za-z0-9]/g, '')}`;
}

function readStatement(sid: string, bucket: string, distributionArn: string): PolicyStatement {
  const partition = /^arn:([^:]+):/.exec(distributionArn)?.[1] ?? 'aws';
  return {
    Sid: sid,
    Effect: 'Allow',
    Principal: { Service: 'cloudfront.amazonaws.com' },
    Action: 's3:GetObject',
    Resource: `arn:${partition}:s3:::${bucket}/*`,
    Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
  };
}

/** Adds or replaces the statement with this Sid, keeping every other statement; true when the policy changed. */
async function ensurePolicyStatement(s3: S3Api, bucket: string, region: string, sid: string, statement: PolicyStatement): Promise<boolean> {
  const policy: BucketPolicy = (await s3.policy(bucket, region)) ?? { Version: '2012-10-17', Statement: [] };
  const index = policy.Statement.findIndex((s) => s.Sid === sid);
  if (index >= 0 && JSON.stringify(policy.Statement[index]) === JSON.stringify(statement)) return false;
  const statements = [...policy.Statement];
  if (index >= 0) statements[index] = statement;
  else statements.push(statement);
  await s3.putPolicy(bucket, region, { ...policy, Version: policy.Version ?? '2012-10-17', Statement: statements });
  return true;
}

/** Removes the statement with this Sid (the whole policy when it was the last one); true when it was there. */
async function removePolicyStatement(s3: S3Api, bucket: string, region: string, sid: string): Promise<boolean> {
  let policy: BucketPolicy | undefined;
  try {
    policy = await s3.policy(bucket, region);
  } catch (error) {
    if (error instanceof ProviderHttpError && error.isGone) return false;
    throw error;
  }
  if (!policy || !policy.Statement.some((s) => s.Sid === sid)) return false;
  const rest = policy.Statement.filter((s) => s.Sid !== sid);
  if (rest.length === 0) await s3.deletePolicy(bucket, region);
  else await s3.putPolicy(bucket, region, { ...policy, Statement: rest });
  return true;
}
