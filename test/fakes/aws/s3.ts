/**
 * A fake Amazon S3 (path-style addressing) on 127.0.0.1: buckets with a region, tags, a
 * policy and objects, kept in memory. Requests must carry a valid SigV4 signature for the
 * bucket's region; errors are S3's XML (`<Error><Code/><Message/>...`), HEAD errors have no
 * body, and the documented quirks are kept: CreateBucket's LocationConstraint must match the
 * endpoint's region and is left out for us-east-1, a second CreateBucket of your own bucket is
 * BucketAlreadyOwnedByYou (except in us-east-1), a bucket of another account is
 * BucketAlreadyExists and 403 on HEAD, a bucket with objects is BucketNotEmpty.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseXml, children, textAt, at, escapeXml, type XmlElement } from '../../../engine/provisioners/aws/xml';
import { FakeServer, type FakeRequest, type FakeResponse } from '../base';
import { TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, verifySigV4 } from './sigv4';

const S3_NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export interface FakeBucket {
  name: string;
  region: string;
  createdAt: string;
  tags?: Record<string, string>;
  policy?: string;
  objects: Map<string, string>;
}

export interface FakeS3Options {
  accessKeyId?: string;
  secretAccessKey?: string;
  sessionToken?: string;
}

export class FakeS3 extends FakeServer {
  readonly buckets = new Map<string, FakeBucket>();
  /** Bucket names owned by another AWS account. */
  readonly foreignBuckets = new Map<string, string>();
  readonly keys = new Map<string, string>();
  readonly sessionTokens = new Map<string, string>();
  /** Added to the real clock when checking request times (clock skew tests). */
  clockOffsetMs = 0;

  constructor(options: FakeS3Options = {}) {
    super();
    const accessKeyId = options.accessKeyId ?? TEST_ACCESS_KEY_ID;
    this.keys.set(accessKeyId, options.secretAccessKey ?? TEST_SECRET_ACCESS_KEY);
    if (options.sessionToken) this.sessionTokens.set(accessKeyId, options.sessionToken);
    this.errorContentType = 'application/xml';
    this.errorBody = (status, message) => s3Error(faultCode(status), message);
    this.authorize = (req) => this.checkSignature(req);
    this.route('HEAD', '/:bucket', (req) => this.headBucket(req));
    this.route('PUT', '/:bucket', (req) => this.put(req));
    this.route('GET', '/:bucket', (req) => this.get(req));
    this.route('DELETE', '/:bucket', (req) => this.delete(req));
  }

  // --- out-of-band changes for tests -----------------------------------------------------------

  addBucket(name: string, region = 'us-east-1', tags?: Record<string, string>): FakeBucket {
    const bucket: FakeBucket = { name, region, createdAt: new Date().toISOString(), objects: new Map(), ...(tags ? { tags } : {}) };
    this.buckets.set(name, bucket);
    return bucket;
  }

  putObject(bucket: string, key: string, body = ''): void {
    this.buckets.get(bucket)!.objects.set(key, body);
  }

  removeBucket(name: string): void {
    this.buckets.delete(name);
  }

  // --- the API -----------------------------------------------------------------------------------

  private signingRegion = new WeakMap<FakeRequest, string>();

  private async checkSignature(req: FakeRequest): Promise<FakeResponse | undefined> {
    const result = await verifySigV4(req, {
      service: 's3',
      keys: this.keys,
      sessionTokens: this.sessionTokens,
      now: () => Date.now() + this.clockOffsetMs,
    });
    if (!result.ok) return this.error(req, result.status, result.code, result.message);
    this.signingRegion.set(req, result.region);
    return undefined;
  }

  /** A request signed for another region than the bucket's is refused the way S3 does. */
  private wrongRegion(req: FakeRequest, bucket: FakeBucket): FakeResponse | undefined {
    const signed = this.signingRegion.get(req);
    if (!signed || signed === bucket.region) return undefined;
    if (req.method === 'HEAD') return { status: 301, headers: { 'x-amz-bucket-region': bucket.region } };
    return this.error(
      req,
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; the region '${signed}' is wrong; expecting '${bucket.region}'`,
      `<Region>${bucket.region}</Region>`,
    );
  }

  private headBucket(req: FakeRequest): FakeResponse {
    const name = req.params.bucket!;
    const foreign = this.foreignBuckets.get(name);
    if (foreign) return { status: 403, headers: { 'x-amz-bucket-region': foreign } };
    const bucket = this.buckets.get(name);
    if (!bucket) return { status: 404 };
    return this.wrongRegion(req, bucket) ?? { status: 200, headers: { 'x-amz-bucket-region': bucket.region } };
  }

  private put(req: FakeRequest): FakeResponse {
    const name = req.params.bucket!;
    if (req.query.has('tagging')) return this.withBucket(req, (bucket) => this.putTagging(req, bucket));
    if (req.query.has('policy')) return this.withBucket(req, (bucket) => this.putPolicy(req, bucket));
    if ([...req.query.keys()].length > 0) return this.error(req, 501, 'NotImplemented', 'A header or query you provided implies functionality that is not implemented.');
    return this.createBucket(req, name);
  }

  private get(req: FakeRequest): FakeResponse {
    if (req.query.has('tagging')) {
      return this.withBucket(req, (bucket) => {
        if (!bucket.tags) return this.error(req, 404, 'NoSuchTagSet', 'The TagSet does not exist', `<BucketName>${bucket.name}</BucketName>`);
        const tags = Object.entries(bucket.tags)
          .map(([k, v]) => `<Tag><Key>${escapeXml(k)}</Key><Value>${escapeXml(v)}</Value></Tag>`)
          .join('');
        return xml(200, `<Tagging xmlns="${S3_NS}"><TagSet>${tags}</TagSet></Tagging>`);
      });
    }
    if (req.query.has('location')) {
      // GetBucketLocation answers from any region's endpoint; us-east-1 is the empty constraint.
      const name = req.params.bucket!;
      if (this.foreignBuckets.has(name)) return this.error(req, 403, 'AccessDenied', 'Access Denied');
      const bucket = this.buckets.get(name);
      if (!bucket) return this.error(req, 404, 'NoSuchBucket', 'The specified bucket does not exist', `<BucketName>${escapeXml(name)}</BucketName>`);
      const constraint = bucket.region === 'us-east-1' ? '' : bucket.region;
      return xml(200, `<LocationConstraint xmlns="${S3_NS}">${constraint}</LocationConstraint>`);
    }
    if (req.query.has('policy')) {
      return this.withBucket(req, (bucket) => {
        if (!bucket.policy) return this.error(req, 404, 'NoSuchBucketPolicy', 'The bucket policy does not exist', `<BucketName>${bucket.name}</BucketName>`);
        return { status: 200, body: bucket.policy, raw: true, headers: { 'content-type': 'application/json' } };
      });
    }
    if (req.query.get('list-type') === '2') {
      return this.withBucket(req, (bucket) => {
        const contents = [...bucket.objects.keys()].map((k) => `<Contents><Key>${escapeXml(k)}</Key></Contents>`).join('');
        return xml(200, `<ListBucketResult xmlns="${S3_NS}"><Name>${bucket.name}</Name><KeyCount>${bucket.objects.size}</KeyCount><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`);
      });
    }
    return this.error(req, 501, 'NotImplemented', 'The fake serves tagging, policy and list-type=2 on a bucket.');
  }

  private delete(req: FakeRequest): FakeResponse {
    if (req.query.has('policy')) {
      return this.withBucket(req, (bucket) => {
        delete bucket.policy;
        return { status: 204 };
      });
    }
    if (req.query.has('tagging')) {
      return this.withBucket(req, (bucket) => {
        delete bucket.tags;
        return { status: 204 };
      });
    }
    return this.withBucket(req, (bucket) => {
      if (bucket.objects.size > 0) {
        return this.error(req, 409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', `<BucketName>${bucket.name}</BucketName>`);
      }
      this.buckets.delete(bucket.name);
      return { status: 204 };
    });
  }

  private createBucket(req: FakeRequest, name: string): FakeResponse {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) || name.includes('..')) {
      return this.error(req, 400, 'InvalidBucketName', 'The specified bucket is not valid.', `<BucketName>${escapeXml(name)}</BucketName>`);
    }
    let constraint = '';
    if (req.body.trim() !== '') {
      let doc: XmlElement;
      try {
        doc = parseXml(req.body);
      } catch {
        return this.error(req, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
      }
      if (doc.name !== 'CreateBucketConfiguration') {
        return this.error(req, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
      }
      constraint = textAt(doc, 'LocationConstraint') ?? '';
    }
    const signed = this.signingRegion.get(req) ?? 'us-east-1';
    if (constraint === 'us-east-1') {
      return this.error(req, 400, 'InvalidLocationConstraint', 'The specified location-constraint is not valid');
    }
    const region = constraint === '' ? 'us-east-1' : constraint;
    if (region !== signed) {
      return this.error(
        req,
        400,
        'IllegalLocationConstraintException',
        constraint === ''
          ? 'The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.'
          : `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
      );
    }
    if (this.foreignBuckets.has(name)) {
      return this.error(req, 409, 'BucketAlreadyExists', 'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.', `<BucketName>${name}</BucketName>`);
    }
    const existing = this.buckets.get(name);
    if (existing) {
      // us-east-1 keeps its legacy answer: success for a bucket you already own there.
      if (existing.region === 'us-east-1' && region === 'us-east-1') return { status: 200, headers: { location: `/${name}` } };
      return this.error(req, 409, 'BucketAlreadyOwnedByYou', 'Your previous request to create the named bucket succeeded and you already own it.', `<BucketName>${name}</BucketName>`);
    }
    this.addBucket(name, region);
    return { status: 200, headers: { location: `/${name}` } };
  }

  private putTagging(req: FakeRequest, bucket: FakeBucket): FakeResponse {
    const md5 = req.headers['content-md5'];
    if (!md5) return this.error(req, 400, 'InvalidRequest', 'Missing required header for this request: Content-MD5');
    if (md5 !== createHash('md5').update(req.body).digest('base64')) {
      return this.error(req, 400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    let doc: XmlElement;
    try {
      doc = parseXml(req.body);
    } catch {
      return this.error(req, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    }
    if (doc.name !== 'Tagging' || !at(doc, 'TagSet')) {
      return this.error(req, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    }
    const tags: Record<string, string> = {};
    for (const tag of children(at(doc, 'TagSet'), 'Tag')) {
      const key = textAt(tag, 'Key');
      if (!key) return this.error(req, 400, 'InvalidTag', 'The TagKey you have provided is invalid');
      if (key in tags) return this.error(req, 400, 'InvalidTag', 'Cannot provide multiple Tags with the same key');
      tags[key] = textAt(tag, 'Value') ?? '';
    }
    bucket.tags = tags;
    return { status: 204 };
  }

  private putPolicy(req: FakeRequest, bucket: FakeBucket): FakeResponse {
    try {
      const policy = JSON.parse(req.body) as { Statement?: unknown };
      if (!policy || typeof policy !== 'object' || !policy.Statement) throw new Error('no statement');
    } catch {
      return this.error(req, 400, 'MalformedPolicy', 'Policies must be valid JSON and the first byte must be \'{\'');
    }
    bucket.policy = req.body;
    return { status: 204 };
  }

  private withBucket(req: FakeRequest, fn: (bucket: FakeBucket) => FakeResponse): FakeResponse {
    const name = req.params.bucket!;
    if (this.foreignBuckets.has(name)) return this.error(req, 403, 'AccessDenied', 'Access Denied');
    const bucket = this.buckets.get(name);
    if (!bucket) return this.error(req, 404, 'NoSuchBucket', 'The specified bucket does not exist', `<BucketName>${escapeXml(name)}</BucketName>`);
    return this.wrongRegion(req, bucket) ?? fn(bucket);
  }

  private error(req: FakeRequest, status: number, code: string, message: string, extra = ''): FakeResponse {
    // A HEAD answer carries no body.
    if (req.method === 'HEAD') return { status };
    return { status, body: s3Error(code, message, extra), raw: true, headers: { 'content-type': 'application/xml' } };
  }
}

function s3Error(code: string, message: string, extra = ''): string {
  const requestId = randomBytes(8).toString('hex').toUpperCase();
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>${randomBytes(24).toString('base64')}</HostId></Error>`;
}

function faultCode(status: number): string {
  if (status === 503) return 'SlowDown';
  if (status === 500) return 'InternalError';
  if (status === 429) return 'TooManyRequests';
  if (status === 404) return 'NoSuchKey';
  return 'InvalidRequest';
}

function xml(status: number, body: string): FakeResponse {
  return { status, body: `<?xml version="1.0" encoding="UTF-8"?>\n${body}`, raw: true, headers: { 'content-type': 'application/xml' } };
}
