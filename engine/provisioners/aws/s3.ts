/**
 * The S3 bucket operations the aws provisioner uses: HeadBucket, CreateBucket (with the
 * region's LocationConstraint), bucket tagging, the bucket policy, DeleteBucket.
 *
 * Addressing: against AWS, virtual-hosted style (`https://<bucket>.s3.<region>.amazonaws.com`),
 * or path style on the regional endpoint for bucket names with dots (TLS certificates do not
 * cover them); against a custom endpoint (STARSYSTEM_AWS_API_URL), path style.
 */
import { AwsClient, errorCode, type AwsCredentials } from './client';
import { at, children, el, textAt, toXml, withAttributes } from './xml';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface S3Options {
  credentials: AwsCredentials;
  /** A custom endpoint (path-style addressing), or undefined for AWS itself. */
  endpoint?: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface BucketProbe {
  /** 200 ours and reachable; 301 in another region; 403 exists but not ours to read; 404 no such bucket. */
  status: number;
  /** The bucket's region, when S3 said it (x-amz-bucket-region). */
  region?: string;
}

export interface BucketPolicy {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement[];
}

export interface PolicyStatement {
  Sid?: string;
  [key: string]: unknown;
}

/** Why a bucket name is refused, or undefined when S3 accepts it (general purpose buckets). */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'a bucket name is 3 to 63 characters long';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'a bucket name uses lowercase letters, digits, dots and hyphens, and starts and ends with a letter or digit';
  }
  if (name.includes('..')) return 'a bucket name cannot contain two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'a bucket name cannot look like an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name)) return 'a bucket name cannot start with "xn--", "sthree-" or "amzn-s3-demo-"';
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) return 'a bucket name cannot end with a suffix S3 reserves';
  return undefined;
}

/** The bucket's regional REST endpoint host, what CloudFront uses as the origin domain. */
export function bucketRegionalDomain(bucket: string, region: string): string {
  return `${bucket}.s3.${region}.amazonaws.com`;
}

/** Where a bucket's requests go: the base URL and the bucket's path under it. */
export function s3Address(bucket: string, region: string, endpoint: string | undefined): { baseUrl: string; path: string } {
  if (endpoint) return { baseUrl: endpoint, path: `/${bucket}` };
  if (bucket.includes('.')) return { baseUrl: `https://s3.${region}.amazonaws.com`, path: `/${bucket}` };
  return { baseUrl: `https://${bucket}.s3.${region}.amazonaws.com`, path: '/' };
}

export class S3Api {
  constructor(private readonly options: S3Options) {}

  private client(bucket: string, region: string): { client: AwsClient; path: string } {
    const { baseUrl, path } = s3Address(bucket, region, this.options.endpoint);
    const client = new AwsClient({
      service: 's3',
      region,
      baseUrl,
      credentials: this.options.credentials,
      signal: this.options.signal,
      env: this.options.env,
    });
    return { client, path };
  }

  async headBucket(bucket: string, region: string): Promise<BucketProbe> {
    const { client, path } = this.client(bucket, region);
    const res = await client.request('HEAD', path, { allow: [301, 400, 403, 404] });
    const header = res.headers['x-amz-bucket-region'];
    const found = Array.isArray(header) ? header[0] : header;
    if (res.status === 403) {
      // A HEAD answer has no body to say why; GetBucketLocation does. A bad key or signature
      // becomes that error here, and a bucket this account may not read stays a plain 403.
      await client.request('GET', path, { query: { location: '' }, allowCodes: ['AccessDenied'] });
    }
    // A 400 on HEAD is S3 refusing a signature for the wrong region; the header still names the right one.
    const status = res.status === 400 && found ? 301 : res.status;
    if (res.status === 400 && !found) {
      throw new Error(`aws API HEAD ${path} failed: 400 (S3 gave no reason; a HEAD answer has no body)`);
    }
    return { status, ...(found ? { region: found } : {}) };
  }

  /** Creates the bucket; "exists" when it already belonged to this account. */
  async createBucket(bucket: string, region: string): Promise<'created' | 'exists'> {
    const { client, path } = this.client(bucket, region);
    // us-east-1 is S3's default location and is named by leaving the configuration out.
    const body =
      region === 'us-east-1'
        ? undefined
        : toXml(withAttributes(el('CreateBucketConfiguration', el('LocationConstraint', region)), { xmlns: S3_NS }));
    try {
      await client.request('PUT', path, { body });
      return 'created';
    } catch (error) {
      const code = errorCode(error);
      if (code === 'BucketAlreadyOwnedByYou') return 'exists';
      if (code === 'BucketAlreadyExists') {
        throw new Error(
          `The S3 bucket name "${bucket}" is taken by another AWS account (bucket names are global); set target.bucket to another name.`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  /** The bucket's tags ({} when it has none). */
  async tags(bucket: string, region: string): Promise<Record<string, string>> {
    const { client, path } = this.client(bucket, region);
    const res = await client.request('GET', path, { query: { tagging: '' }, allowCodes: ['NoSuchTagSet'] });
    if (res.code) return {};
    const out: Record<string, string> = {};
    for (const tag of children(at(res.xml, 'TagSet'), 'Tag')) out[textAt(tag, 'Key') ?? ''] = textAt(tag, 'Value') ?? '';
    return out;
  }

  async putTags(bucket: string, region: string, tags: Record<string, string>): Promise<void> {
    const { client, path } = this.client(bucket, region);
    const tagSet = Object.entries(tags).map(([key, value]) => el('Tag', el('Key', key), el('Value', value)));
    const body = toXml(withAttributes(el('Tagging', el('TagSet', tagSet)), { xmlns: S3_NS }));
    await client.request('PUT', path, { query: { tagging: '' }, body, contentMd5: true });
  }

  /** The bucket policy, or undefined when the bucket has none. */
  async policy(bucket: string, region: string): Promise<BucketPolicy | undefined> {
    const { client, path } = this.client(bucket, region);
    const res = await client.request('GET', path, { query: { policy: '' }, allowCodes: ['NoSuchBucketPolicy'] });
    if (res.code) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.text);
    } catch {
      throw new Error(`The policy of S3 bucket ${bucket} is not JSON.`);
    }
    const policy = parsed as BucketPolicy;
    if (!policy || typeof policy !== 'object') throw new Error(`The policy of S3 bucket ${bucket} is not a JSON object.`);
    // A policy may hold one statement as an object instead of a list.
    const statement = (policy as { Statement?: unknown }).Statement;
    return { ...policy, Statement: Array.isArray(statement) ? statement : statement ? [statement as PolicyStatement] : [] };
  }

  async putPolicy(bucket: string, region: string, policy: BucketPolicy): Promise<void> {
    const { client, path } = this.client(bucket, region);
    await client.request('PUT', path, {
      query: { policy: '' },
      body: JSON.stringify(policy),
      headers: { 'content-type': 'application/json' },
      contentMd5: true,
    });
  }

  async deletePolicy(bucket: string, region: string): Promise<void> {
    const { client, path } = this.client(bucket, region);
    await client.request('DELETE', path, { query: { policy: '' }, allowCodes: ['NoSuchBucketPolicy'] });
  }

  /** Deletes the bucket; false when it was already gone. A bucket that still holds objects is refused, clearly. */
  async deleteBucket(bucket: string, region: string): Promise<boolean> {
    const { client, path } = this.client(bucket, region);
    try {
      const res = await client.request('DELETE', path, { allow: [404] });
      return res.status !== 404;
    } catch (error) {
      if (errorCode(error) === 'BucketNotEmpty') {
        throw new Error(
          `S3 bucket ${bucket} still holds objects, and S3 deletes only empty buckets. Empty it (aws s3 rm s3://${bucket} --recursive), then run destroy again.`,
          { cause: error },
        );
      }
      throw error;
    }
  }
}
