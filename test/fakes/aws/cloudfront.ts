/**
 * A fake Amazon CloudFront API (2020-05-31) on 127.0.0.1: distributions and origin access
 * controls in memory, SigV4-signed requests (service "cloudfront", region us-east-1), the XML
 * bodies and `<ErrorResponse><Error><Type/><Code/><Message/></Error>` errors the API documents,
 * ETags with If-Match on every change, and the asynchronous part: a change leaves the
 * distribution "InProgress" for `deployMs` before it is "Deployed", and only a disabled,
 * deployed distribution can be deleted. The DistributionConfig is checked the way CloudFront
 * checks it (element order, quantities, origin references, certificates for aliases, caller
 * references that can be used once).
 */
import { randomBytes } from 'node:crypto';
import { at, child, children, escapeXml, parseXml, text, textAt, toXml, type XmlElement } from '../../../engine/provisioners/aws/xml';
import { FakeServer, type FakeRequest, type FakeResponse } from '../base';
import { TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, verifySigV4 } from './sigv4';

const CF_NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const API = '/2020-05-31';
export const FAKE_ACCOUNT_ID = '123456789012';

const CONFIG_ORDER = [
  'CallerReference', 'Aliases', 'DefaultRootObject', 'Origins', 'OriginGroups', 'DefaultCacheBehavior', 'CacheBehaviors',
  'CustomErrorResponses', 'Comment', 'Logging', 'PriceClass', 'Enabled', 'ViewerCertificate', 'Restrictions', 'WebACLId',
  'HttpVersion', 'IsIPV6Enabled', 'ContinuousDeploymentPolicyId', 'Staging', 'AnycastIpListId', 'TenantConfig', 'ConnectionMode',
  'ViewerMtlsConfig', 'ConnectionFunctionAssociation', 'CacheTagConfig',
];
const ORIGIN_ORDER = [
  'Id', 'DomainName', 'OriginPath', 'CustomHeaders', 'S3OriginConfig', 'CustomOriginConfig', 'VpcOriginConfig',
  'ConnectionAttempts', 'ConnectionTimeout', 'ResponseCompletionTimeout', 'OriginShield', 'OriginAccessControlId',
];

export interface FakeDistribution {
  id: string;
  arn: string;
  domainName: string;
  etag: string;
  config: XmlElement;
  lastModified: string;
  /** When the latest change has propagated (ms since epoch). */
  deployedAt: number;
}

export interface FakeOriginAccessControl {
  id: string;
  etag: string;
  name: string;
  description: string;
  signingProtocol: string;
  signingBehavior: string;
  originType: string;
}

class CfError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class FakeCloudFront extends FakeServer {
  readonly distributions = new Map<string, FakeDistribution>();
  readonly originAccessControls = new Map<string, FakeOriginAccessControl>();
  readonly usedCallerReferences = new Set<string>();
  readonly keys = new Map<string, string>([[TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY]]);
  /** How long a change stays InProgress, in ms. */
  deployMs: number;
  /** Items per page of the list calls when the request asks for more. */
  pageSize = 100;

  constructor(options: { deployMs?: number; accessKeyId?: string; secretAccessKey?: string } = {}) {
    super();
    if (options.accessKeyId) {
      this.keys.clear();
      this.keys.set(options.accessKeyId, options.secretAccessKey ?? TEST_SECRET_ACCESS_KEY);
    }
    this.deployMs = options.deployMs ?? 200;
    this.errorContentType = 'text/xml';
    this.errorBody = (status, message) => cfError(status === 400 ? 'Throttling' : status >= 500 ? 'ServiceUnavailable' : 'InvalidArgument', message, status < 500);
    this.authorize = async (req) => {
      const result = await verifySigV4(req, { service: 'cloudfront', keys: this.keys, now: () => Date.now() });
      if (!result.ok) return errorResponse(new CfError(result.status, result.code, result.message));
      if (result.region !== 'us-east-1') {
        return errorResponse(new CfError(403, 'SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${result.region}'.`));
      }
      return undefined;
    };
    const wrap = (fn: (req: FakeRequest) => FakeResponse) => (req: FakeRequest) => {
      try {
        return fn(req);
      } catch (error) {
        if (error instanceof CfError) return errorResponse(error);
        throw error;
      }
    };
    this.route('POST', `${API}/distribution`, wrap((req) => this.createDistribution(req)));
    this.route('GET', `${API}/distribution`, wrap((req) => this.listDistributions(req)));
    this.route('GET', `${API}/distribution/:id`, wrap((req) => this.getDistribution(req)));
    this.route('GET', `${API}/distribution/:id/config`, wrap((req) => this.getConfig(req)));
    this.route('PUT', `${API}/distribution/:id/config`, wrap((req) => this.updateConfig(req)));
    this.route('DELETE', `${API}/distribution/:id`, wrap((req) => this.deleteDistribution(req)));
    this.route('POST', `${API}/origin-access-control`, wrap((req) => this.createOac(req)));
    this.route('GET', `${API}/origin-access-control`, wrap((req) => this.listOacs(req)));
    this.route('GET', `${API}/origin-access-control/:id`, wrap((req) => this.getOac(req)));
    this.route('DELETE', `${API}/origin-access-control/:id`, wrap((req) => this.deleteOac(req)));
  }

  // --- out-of-band changes for tests -----------------------------------------------------------

  status(d: FakeDistribution): 'InProgress' | 'Deployed' {
    return Date.now() >= d.deployedAt ? 'Deployed' : 'InProgress';
  }

  /** Changes a distribution the way the console would: a new ETag, InProgress for a while. */
  change(id: string, edit: (config: XmlElement) => void): void {
    const d = this.distributions.get(id)!;
    edit(d.config);
    this.touch(d);
  }

  setAliases(id: string, aliases: string[]): void {
    this.change(id, (config) => replaceChild(config, aliasesXml(aliases)));
  }

  setEnabled(id: string, enabled: boolean): void {
    this.change(id, (config) => replaceChild(config, parseXml(`<Enabled>${enabled}</Enabled>`)));
  }

  /** The next matching request is carried out, but its answer is lost (the connection drops). */
  loseAnswerTo(method: string, path: RegExp): void {
    this.loseAnswer((req) => req.method === method && path.test(req.path));
  }

  removeDistribution(id: string): void {
    this.distributions.delete(id);
  }

  /** Lets every pending change finish now. */
  deployAll(): void {
    for (const d of this.distributions.values()) d.deployedAt = Date.now();
  }

  // --- distributions -----------------------------------------------------------------------------

  private createDistribution(req: FakeRequest): FakeResponse {
    const config = this.readConfig(req);
    const callerReference = textAt(config, 'CallerReference')!;
    if (this.usedCallerReferences.has(callerReference)) {
      throw new CfError(409, 'DistributionAlreadyExists', 'The caller reference that you are using to create a distribution is associated with another distribution.');
    }
    this.checkAliasesFree(config, undefined);
    this.usedCallerReferences.add(callerReference);
    const id = `E${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`;
    const d: FakeDistribution = {
      id,
      arn: `arn:aws:cloudfront::${FAKE_ACCOUNT_ID}:distribution/${id}`,
      domainName: `d${randomBytes(8).toString('hex').slice(0, 13)}.cloudfront.net`,
      etag: '',
      config,
      lastModified: '',
      deployedAt: 0,
    };
    this.touch(d);
    this.distributions.set(id, d);
    return xml(201, this.distributionXml(d), { etag: d.etag, location: `https://cloudfront.amazonaws.com${API}/distribution/${id}` });
  }

  private getDistribution(req: FakeRequest): FakeResponse {
    const d = this.distribution(req.params.id!);
    return xml(200, this.distributionXml(d), { etag: d.etag });
  }

  private getConfig(req: FakeRequest): FakeResponse {
    const d = this.distribution(req.params.id!);
    return xml(200, toXml({ ...d.config, attributes: { xmlns: CF_NS } }, false), { etag: d.etag });
  }

  private updateConfig(req: FakeRequest): FakeResponse {
    const d = this.distribution(req.params.id!);
    this.checkIfMatch(req, d.etag);
    const config = this.readConfig(req);
    if (textAt(config, 'CallerReference') !== textAt(d.config, 'CallerReference')) {
      throw new CfError(400, 'IllegalUpdate', 'The CallerReference of a distribution cannot be changed.');
    }
    this.checkAliasesFree(config, d.id);
    d.config = config;
    this.touch(d);
    return xml(200, this.distributionXml(d), { etag: d.etag });
  }

  private deleteDistribution(req: FakeRequest): FakeResponse {
    const d = this.distribution(req.params.id!);
    this.checkIfMatch(req, d.etag);
    if (textAt(d.config, 'Enabled') !== 'false' || this.status(d) !== 'Deployed') {
      throw new CfError(409, 'DistributionNotDisabled', 'The distribution you are trying to delete has not been disabled.');
    }
    this.distributions.delete(d.id);
    return { status: 204 };
  }

  private listDistributions(req: FakeRequest): FakeResponse {
    const all = [...this.distributions.values()];
    const { page, marker, next, max } = paginate(all.map((d) => d.id), req, this.pageSize);
    const items = page.map((id) => this.summaryXml(this.distributions.get(id)!)).join('');
    return xml(
      200,
      `<DistributionList xmlns="${CF_NS}"><Marker>${escapeXml(marker)}</Marker>${next ? `<NextMarker>${next}</NextMarker>` : ''}<MaxItems>${max}</MaxItems><IsTruncated>${next ? 'true' : 'false'}</IsTruncated><Quantity>${page.length}</Quantity>${page.length ? `<Items>${items}</Items>` : ''}</DistributionList>`,
    );
  }

  // --- origin access controls --------------------------------------------------------------------

  private createOac(req: FakeRequest): FakeResponse {
    const config = this.parseBody(req, 'OriginAccessControlConfig');
    const name = textAt(config, 'Name');
    const protocol = textAt(config, 'SigningProtocol');
    const behavior = textAt(config, 'SigningBehavior');
    const originType = textAt(config, 'OriginAccessControlOriginType');
    if (!name || name.length > 64) throw new CfError(400, 'InvalidArgument', 'The Name must be 1 to 64 characters.');
    if (protocol !== 'sigv4') throw new CfError(400, 'InvalidArgument', 'SigningProtocol must be sigv4.');
    if (!behavior || !['never', 'always', 'no-override'].includes(behavior)) throw new CfError(400, 'InvalidArgument', 'SigningBehavior is not valid.');
    if (!originType || !['s3', 'mediastore', 'mediapackagev2', 'lambda'].includes(originType)) throw new CfError(400, 'InvalidArgument', 'OriginAccessControlOriginType is not valid.');
    if ([...this.originAccessControls.values()].some((o) => o.name === name)) {
      throw new CfError(409, 'OriginAccessControlAlreadyExists', 'An origin access control with the specified parameters already exists.');
    }
    const oac: FakeOriginAccessControl = {
      id: `E${randomBytes(10).toString('hex').toUpperCase().slice(0, 13)}`,
      etag: newEtag(),
      name,
      description: textAt(config, 'Description') ?? '',
      signingProtocol: protocol,
      signingBehavior: behavior,
      originType,
    };
    this.originAccessControls.set(oac.id, oac);
    return xml(201, this.oacXml(oac), { etag: oac.etag, location: `https://cloudfront.amazonaws.com${API}/origin-access-control/${oac.id}` });
  }

  private listOacs(req: FakeRequest): FakeResponse {
    const all = [...this.originAccessControls.values()];
    const { page, marker, next, max } = paginate(all.map((o) => o.id), req, this.pageSize);
    const items = page
      .map((id) => {
        const o = this.originAccessControls.get(id)!;
        return `<OriginAccessControlSummary><Id>${o.id}</Id><Description>${escapeXml(o.description)}</Description><Name>${escapeXml(o.name)}</Name><SigningProtocol>${o.signingProtocol}</SigningProtocol><SigningBehavior>${o.signingBehavior}</SigningBehavior><OriginAccessControlOriginType>${o.originType}</OriginAccessControlOriginType></OriginAccessControlSummary>`;
      })
      .join('');
    return xml(
      200,
      `<OriginAccessControlList xmlns="${CF_NS}"><Marker>${escapeXml(marker)}</Marker>${next ? `<NextMarker>${next}</NextMarker>` : ''}<MaxItems>${max}</MaxItems><IsTruncated>${next ? 'true' : 'false'}</IsTruncated><Quantity>${page.length}</Quantity>${page.length ? `<Items>${items}</Items>` : ''}</OriginAccessControlList>`,
    );
  }

  private getOac(req: FakeRequest): FakeResponse {
    const oac = this.oac(req.params.id!);
    return xml(200, this.oacXml(oac), { etag: oac.etag });
  }

  private deleteOac(req: FakeRequest): FakeResponse {
    const oac = this.oac(req.params.id!);
    this.checkIfMatch(req, oac.etag);
    const inUse = [...this.distributions.values()].some((d) =>
      children(at(d.config, 'Origins', 'Items'), 'Origin').some((o) => textAt(o, 'OriginAccessControlId') === oac.id),
    );
    if (inUse) throw new CfError(409, 'OriginAccessControlInUse', "Cannot delete the origin access control because it's in use by one or more distributions.");
    this.originAccessControls.delete(oac.id);
    return { status: 204 };
  }

  // --- checks --------------------------------------------------------------------------------------

  private parseBody(req: FakeRequest, rootName: string): XmlElement {
    if (req.body.trim() === '') throw new CfError(400, 'MissingBody', 'This operation requires a body. Ensure that the body is present and the Content-Type header is set.');
    let doc: XmlElement;
    try {
      doc = parseXml(req.body);
    } catch (error) {
      throw new CfError(400, 'MalformedInput', `Could not parse the XML: ${(error as Error).message}`);
    }
    if (doc.name !== rootName || doc.attributes.xmlns !== CF_NS) {
      throw new CfError(400, 'MalformedInput', `Expected <${rootName} xmlns="${CF_NS}">.`);
    }
    return doc;
  }

  /** Reads and checks a DistributionConfig the way CloudFront does. */
  private readConfig(req: FakeRequest): XmlElement {
    const config = this.parseBody(req, 'DistributionConfig');
    checkOrder(config, CONFIG_ORDER, 'DistributionConfig');
    for (const required of ['CallerReference', 'Origins', 'DefaultCacheBehavior', 'Comment', 'Enabled']) {
      if (!child(config, required)) throw new CfError(400, 'MalformedInput', `DistributionConfig is missing ${required}.`);
    }
    if ((textAt(config, 'Comment') ?? '').length > 128) throw new CfError(400, 'InvalidArgument', 'The Comment is longer than 128 characters.');
    checkQuantity(config, 'Aliases', 'CNAME');
    checkQuantity(config, 'Origins', 'Origin');
    const origins = children(at(config, 'Origins', 'Items'), 'Origin');
    if (origins.length === 0) throw new CfError(400, 'InvalidArgument', 'A distribution needs at least one origin.');
    for (const origin of origins) {
      checkOrder(origin, ORIGIN_ORDER, 'Origin');
      const oacId = textAt(origin, 'OriginAccessControlId');
      if (oacId && !this.originAccessControls.has(oacId)) throw new CfError(400, 'InvalidOriginAccessControl', `The origin access control ${oacId} does not exist.`);
      if (oacId && textAt(origin, 'S3OriginConfig', 'OriginAccessIdentity')) {
        throw new CfError(400, 'IllegalOriginAccessConfiguration', 'An origin cannot use both an origin access control and an origin access identity.');
      }
    }
    const target = textAt(config, 'DefaultCacheBehavior', 'TargetOriginId');
    if (!origins.some((o) => textAt(o, 'Id') === target)) throw new CfError(404, 'NoSuchOrigin', `No origin has the id ${target}.`);
    const behavior = child(config, 'DefaultCacheBehavior');
    if (!child(behavior, 'CachePolicyId') && !child(behavior, 'ForwardedValues')) {
      throw new CfError(400, 'InvalidArgument', 'The parameter ForwardedValues is required when a cache policy is not associated to a cache behavior.');
    }
    const aliases = children(at(config, 'Aliases', 'Items'), 'CNAME');
    const certificate = child(config, 'ViewerCertificate');
    if (aliases.length > 0 && !textAt(certificate, 'ACMCertificateArn') && !textAt(certificate, 'IAMCertificateId')) {
      throw new CfError(
        400,
        'InvalidViewerCertificate',
        'To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted certificate that validates your authorization to use the domain name.',
      );
    }
    if (textAt(config, 'Enabled') !== 'true' && textAt(config, 'Enabled') !== 'false') throw new CfError(400, 'MalformedInput', 'Enabled must be true or false.');
    return config;
  }

  private checkAliasesFree(config: XmlElement, self: string | undefined): void {
    for (const alias of children(at(config, 'Aliases', 'Items'), 'CNAME').map((c) => text(c))) {
      for (const d of this.distributions.values()) {
        if (d.id === self) continue;
        if (children(at(d.config, 'Aliases', 'Items'), 'CNAME').some((c) => text(c) === alias)) {
          throw new CfError(409, 'CNAMEAlreadyExists', `One or more of the CNAMEs you provided are already associated with a different resource: ${alias}.`);
        }
      }
    }
  }

  private checkIfMatch(req: FakeRequest, etag: string): void {
    const ifMatch = req.headers['if-match'];
    if (!ifMatch) throw new CfError(400, 'InvalidIfMatchVersion', 'The If-Match version is missing or not valid.');
    if (ifMatch !== etag) throw new CfError(412, 'PreconditionFailed', 'The precondition given in one or more of the request-header fields evaluated to false.');
  }

  private distribution(id: string): FakeDistribution {
    const d = this.distributions.get(id);
    if (!d) throw new CfError(404, 'NoSuchDistribution', 'The specified distribution does not exist.');
    return d;
  }

  private oac(id: string): FakeOriginAccessControl {
    const oac = this.originAccessControls.get(id);
    if (!oac) throw new CfError(404, 'NoSuchOriginAccessControl', 'The origin access control does not exist.');
    return oac;
  }

  private touch(d: FakeDistribution): void {
    d.etag = newEtag();
    d.lastModified = new Date().toISOString();
    d.deployedAt = Date.now() + this.deployMs;
  }

  // --- bodies ----------------------------------------------------------------------------------

  private distributionXml(d: FakeDistribution): string {
    return (
      `<Distribution xmlns="${CF_NS}"><Id>${d.id}</Id><ARN>${d.arn}</ARN><Status>${this.status(d)}</Status>` +
      `<LastModifiedTime>${d.lastModified}</LastModifiedTime><InProgressInvalidationBatches>0</InProgressInvalidationBatches>` +
      `<DomainName>${d.domainName}</DomainName>` +
      `<ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>` +
      `<ActiveTrustedKeyGroups><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedKeyGroups>` +
      toXml({ ...d.config, attributes: {} }, false) +
      `</Distribution>`
    );
  }

  private summaryXml(d: FakeDistribution): string {
    const pick = (name: string, fallback: string) => {
      const found = child(d.config, name);
      return found ? toXml({ ...found, attributes: {} }, false) : fallback;
    };
    return (
      `<DistributionSummary><Id>${d.id}</Id><ARN>${d.arn}</ARN><ETag>${d.etag}</ETag><Status>${this.status(d)}</Status>` +
      `<LastModifiedTime>${d.lastModified}</LastModifiedTime><DomainName>${d.domainName}</DomainName>` +
      pick('Aliases', '<Aliases><Quantity>0</Quantity></Aliases>') +
      pick('Origins', '') +
      pick('DefaultCacheBehavior', '') +
      pick('CacheBehaviors', '<CacheBehaviors><Quantity>0</Quantity></CacheBehaviors>') +
      pick('CustomErrorResponses', '<CustomErrorResponses><Quantity>0</Quantity></CustomErrorResponses>') +
      pick('Comment', '<Comment></Comment>') +
      pick('PriceClass', '<PriceClass>PriceClass_All</PriceClass>') +
      pick('Enabled', '') +
      pick('ViewerCertificate', '<ViewerCertificate><CloudFrontDefaultCertificate>true</CloudFrontDefaultCertificate></ViewerCertificate>') +
      pick('Restrictions', '<Restrictions><GeoRestriction><RestrictionType>none</RestrictionType><Quantity>0</Quantity></GeoRestriction></Restrictions>') +
      pick('WebACLId', '<WebACLId></WebACLId>') +
      pick('HttpVersion', '<HttpVersion>http2</HttpVersion>') +
      pick('IsIPV6Enabled', '<IsIPV6Enabled>true</IsIPV6Enabled>') +
      `<Staging>false</Staging></DistributionSummary>`
    );
  }

  private oacXml(o: FakeOriginAccessControl): string {
    return (
      `<OriginAccessControl xmlns="${CF_NS}"><Id>${o.id}</Id><OriginAccessControlConfig>` +
      `<Name>${escapeXml(o.name)}</Name><Description>${escapeXml(o.description)}</Description>` +
      `<SigningProtocol>${o.signingProtocol}</SigningProtocol><SigningBehavior>${o.signingBehavior}</SigningBehavior>` +
      `<OriginAccessControlOriginType>${o.originType}</OriginAccessControlOriginType></OriginAccessControlConfig></OriginAccessControl>`
    );
  }
}

/** The children of an element must follow the schema's sequence. */
function checkOrder(element: XmlElement, order: string[], what: string): void {
  let last = -1;
  for (const c of element.children) {
    if (typeof c === 'string') {
      if (c.trim() !== '') throw new CfError(400, 'MalformedInput', `Unexpected text in ${what}.`);
      continue;
    }
    const rank = order.indexOf(c.name);
    if (rank < 0) throw new CfError(400, 'MalformedInput', `Unexpected element <${c.name}> in ${what}.`);
    if (rank < last) throw new CfError(400, 'MalformedInput', `Unexpected element <${c.name}> in ${what}: elements are out of order.`);
    last = rank;
  }
}

function checkQuantity(config: XmlElement, list: string, item: string): void {
  const element = child(config, list);
  if (!element) return;
  const quantity = Number(textAt(element, 'Quantity'));
  const items = children(child(element, 'Items'), item).length;
  if (!Number.isInteger(quantity) || quantity !== items) {
    throw new CfError(400, 'InconsistentQuantities', `The value of Quantity and the size of Items don't match (${list}).`);
  }
}

function replaceChild(parent: XmlElement, replacement: XmlElement): void {
  const index = parent.children.findIndex((c) => typeof c !== 'string' && c.name === replacement.name);
  parent.children[index] = replacement;
}

function aliasesXml(aliases: string[]): XmlElement {
  return parseXml(
    aliases.length === 0
      ? '<Aliases><Quantity>0</Quantity></Aliases>'
      : `<Aliases><Quantity>${aliases.length}</Quantity><Items>${aliases.map((a) => `<CNAME>${escapeXml(a)}</CNAME>`).join('')}</Items></Aliases>`,
  );
}

function paginate(ids: string[], req: FakeRequest, pageSize: number) {
  const marker = req.query.get('Marker') ?? '';
  const max = Math.min(Number(req.query.get('MaxItems') ?? '100') || 100, pageSize);
  const start = marker ? Math.max(0, ids.indexOf(marker)) : 0;
  const page = ids.slice(start, start + max);
  const next = ids[start + max];
  return { page, marker, next, max };
}

function newEtag(): string {
  return `E${randomBytes(7).toString('hex').toUpperCase()}`;
}

function cfError(code: string, message: string, sender = true): string {
  return `<?xml version="1.0"?>\n<ErrorResponse xmlns="${CF_NS}"><Error><Type>${sender ? 'Sender' : 'Receiver'}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomBytes(16).toString('hex')}</RequestId></ErrorResponse>`;
}

function errorResponse(error: CfError): FakeResponse {
  return { status: error.status, body: cfError(error.code, error.message, error.status < 500), raw: true, headers: { 'content-type': 'text/xml' } };
}

function xml(status: number, body: string, headers: Record<string, string> = {}): FakeResponse {
  return { status, body: `<?xml version="1.0"?>\n${body}`, raw: true, headers: { 'content-type': 'text/xml', ...headers } };
}
