/**
 * The CloudFront (API 2020-05-31) operations the aws provisioner uses: distributions
 * (create, get, get/update config with the ETag + If-Match dance, list, delete) and origin
 * access controls (the modern way for a distribution to read a private S3 bucket).
 */
import { AwsClient, errorCode, type AwsCredentials } from './client';
import { at, child, children, el, setChild, text, textAt, toXml, withAttributes, type XmlElement } from './xml';

export const CLOUDFRONT_API_URL = 'https://cloudfront.amazonaws.com';
const CF_NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const API = '/2020-05-31';

/** AWS's managed "CachingOptimized" cache policy, the recommended default for S3 origins. */
export const CACHING_OPTIMIZED_POLICY = '658327ea-f89d-4fab-a63d-7e88639e58f6';

/** The order of DistributionConfig's children (the API reads them in sequence). */
const DISTRIBUTION_CONFIG_ORDER = [
  'CallerReference', 'Aliases', 'DefaultRootObject', 'Origins', 'OriginGroups', 'DefaultCacheBehavior', 'CacheBehaviors',
  'CustomErrorResponses', 'Comment', 'Logging', 'PriceClass', 'Enabled', 'ViewerCertificate', 'Restrictions', 'WebACLId',
  'HttpVersion', 'IsIPV6Enabled', 'ContinuousDeploymentPolicyId', 'Staging', 'AnycastIpListId', 'TenantConfig', 'ConnectionMode',
  'ViewerMtlsConfig', 'ConnectionFunctionAssociation', 'CacheTagConfig',
] as const;

const ORIGIN_ORDER = [
  'Id', 'DomainName', 'OriginPath', 'CustomHeaders', 'S3OriginConfig', 'CustomOriginConfig', 'VpcOriginConfig',
  'ConnectionAttempts', 'ConnectionTimeout', 'ResponseCompletionTimeout', 'OriginShield', 'OriginAccessControlId',
] as const;

export interface DistributionOrigin {
  id: string;
  domainName: string;
  originAccessControlId?: string;
}

export interface Distribution {
  id: string;
  arn: string;
  /** "InProgress" while a change propagates, "Deployed" once it has. */
  status: string;
  domainName: string;
  enabled: boolean;
  aliases: string[];
  origins: DistributionOrigin[];
  comment: string;
  certificateArn?: string;
  callerReference?: string;
}

export interface DesiredDistribution {
  callerReference: string;
  comment: string;
  aliases: string[];
  certificateArn?: string;
  originId: string;
  originDomain: string;
  originAccessControlId: string;
  defaultRootObject: string;
}

export interface CloudFrontOptions {
  credentials: AwsCredentials;
  baseUrl: string;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export class DistributionAlreadyExistsError extends Error {}

export class CloudFrontApi {
  private readonly client: AwsClient;

  constructor(options: CloudFrontOptions) {
    // CloudFront is a global service whose requests are signed for us-east-1.
    this.client = new AwsClient({ service: 'cloudfront', region: 'us-east-1', ...options });
  }

  async createDistribution(desired: DesiredDistribution): Promise<{ distribution: Distribution; etag: string }> {
    const body = toXml(distributionConfig(desired));
    try {
      // A repeat of the same CallerReference can never make a second distribution, so a retry is safe.
      const res = await this.client.request('POST', `${API}/distribution`, { body, idempotent: true });
      return { distribution: parseDistribution(requireXml(res.xml, 'Distribution')), etag: etagOf(res.headers) };
    } catch (error) {
      if (errorCode(error) === 'DistributionAlreadyExists') {
        throw new DistributionAlreadyExistsError(`CloudFront already has a distribution made with caller reference ${desired.callerReference}.`, {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The distribution and its ETag, or undefined when CloudFront says it does not exist. */
  async distribution(id: string): Promise<{ distribution: Distribution; etag: string } | undefined> {
    const res = await this.client.request('GET', `${API}/distribution/${encodeURIComponent(id)}`, { allowCodes: ['NoSuchDistribution'] });
    if (res.code) return undefined;
    return { distribution: parseDistribution(requireXml(res.xml, 'Distribution')), etag: etagOf(res.headers) };
  }

  async config(id: string): Promise<{ config: XmlElement; etag: string } | undefined> {
    const res = await this.client.request('GET', `${API}/distribution/${encodeURIComponent(id)}/config`, { allowCodes: ['NoSuchDistribution'] });
    if (res.code) return undefined;
    return { config: requireXml(res.xml, 'DistributionConfig'), etag: etagOf(res.headers) };
  }

  async updateConfig(id: string, config: XmlElement, etag: string): Promise<{ distribution: Distribution; etag: string }> {
    const body = toXml(withAttributes(config, { xmlns: CF_NS }));
    const res = await this.client.request('PUT', `${API}/distribution/${encodeURIComponent(id)}/config`, {
      body,
      headers: { 'if-match': etag },
    });
    return { distribution: parseDistribution(requireXml(res.xml, 'Distribution')), etag: etagOf(res.headers) };
  }

  /** Deletes a disabled, deployed distribution; false when it was already gone. */
  async deleteDistribution(id: string, etag: string): Promise<boolean> {
    const res = await this.client.request('DELETE', `${API}/distribution/${encodeURIComponent(id)}`, {
      headers: { 'if-match': etag },
      allowCodes: ['NoSuchDistribution'],
    });
    return !res.code;
  }

  /** The first distribution whose comment is `comment` (how a lost state finds its distribution). */
  async findDistributionByComment(comment: string): Promise<Distribution | undefined> {
    let marker: string | undefined;
    for (let page = 0; page < 200; page++) {
      const res = await this.client.request('GET', `${API}/distribution`, { query: { Marker: marker, MaxItems: '100' } });
      const list = requireXml(res.xml, 'DistributionList');
      for (const summary of children(child(list, 'Items'), 'DistributionSummary')) {
        if (textAt(summary, 'Comment') === comment) return parseDistribution(summary);
      }
      const next = textAt(list, 'NextMarker');
      if (textAt(list, 'IsTruncated') !== 'true' || !next) return undefined;
      marker = next;
    }
    return undefined;
  }

  async originAccessControlNamed(name: string): Promise<{ id: string; originType: string } | undefined> {
    let marker: string | undefined;
    for (let page = 0; page < 200; page++) {
      const res = await this.client.request('GET', `${API}/origin-access-control`, { query: { Marker: marker, MaxItems: '100' } });
      const list = requireXml(res.xml, 'OriginAccessControlList');
      for (const summary of children(child(list, 'Items'), 'OriginAccessControlSummary')) {
        if (textAt(summary, 'Name') === name) {
          return { id: textAt(summary, 'Id') ?? '', originType: textAt(summary, 'OriginAccessControlOriginType') ?? '' };
        }
      }
      const next = textAt(list, 'NextMarker');
      if (textAt(list, 'IsTruncated') !== 'true' || !next) return undefined;
      marker = next;
    }
    return undefined;
  }

  async createOriginAccessControl(name: string, description: string): Promise<string> {
    const body = toXml(
      withAttributes(
        el(
          'OriginAccessControlConfig',
          el('Name', name),
          el('Description', description),
          el('SigningProtocol', 'sigv4'),
          el('SigningBehavior', 'always'),
          el('OriginAccessControlOriginType', 's3'),
        ),
        { xmlns: CF_NS },
      ),
    );
    const res = await this.client.request('POST', `${API}/origin-access-control`, { body, idempotent: false });
    return textAt(requireXml(res.xml, 'OriginAccessControl'), 'Id') ?? '';
  }

  /** Deletes the origin access control; false when it was gone, "in-use" when a distribution still uses it. */
  async deleteOriginAccessControl(id: string): Promise<boolean | 'in-use'> {
    const path = `${API}/origin-access-control/${encodeURIComponent(id)}`;
    const got = await this.client.request('GET', path, { allowCodes: ['NoSuchOriginAccessControl'] });
    if (got.code) return false;
    const res = await this.client.request('DELETE', path, {
      headers: { 'if-match': etagOf(got.headers) },
      allowCodes: ['NoSuchOriginAccessControl', 'OriginAccessControlInUse'],
    });
    if (res.code === 'OriginAccessControlInUse') return 'in-use';
    return !res.code;
  }
}

/** A new distribution's configuration: one S3 origin read through an origin access control. */
export function distributionConfig(desired: DesiredDistribution): XmlElement {
  const methods = el('Items', el('Method', 'GET'), el('Method', 'HEAD'));
  return withAttributes(
    el(
      'DistributionConfig',
      el('CallerReference', desired.callerReference),
      aliasesElement(desired.aliases),
      el('DefaultRootObject', desired.defaultRootObject),
      el('Origins', el('Quantity', 1), el('Items', originElement(desired))),
      el(
        'DefaultCacheBehavior',
        el('TargetOriginId', desired.originId),
        el('ViewerProtocolPolicy', 'redirect-to-https'),
        el('AllowedMethods', el('Quantity', 2), methods, el('CachedMethods', el('Quantity', 2), methods)),
        el('Compress', true),
        el('CachePolicyId', CACHING_OPTIMIZED_POLICY),
      ),
      el('Comment', desired.comment),
      el('PriceClass', 'PriceClass_All'),
      el('Enabled', true),
      viewerCertificateElement(desired.certificateArn),
      el('HttpVersion', 'http2and3'),
      el('IsIPV6Enabled', true),
    ),
    { xmlns: CF_NS },
  );
}

/**
 * Brings a live configuration to what is declared (aliases, certificate, origin, enabled),
 * keeping everything else as it is. Returns the changes made, empty when none were needed.
 */
export function reconcileConfig(config: XmlElement, desired: DesiredDistribution): string[] {
  const changes: string[] = [];
  const live = parseConfig(config);
  if (!sameSet(live.aliases, desired.aliases)) {
    setChild(config, aliasesElement(desired.aliases), DISTRIBUTION_CONFIG_ORDER);
    changes.push(`aliases ${list(live.aliases)} -> ${list(desired.aliases)}`);
  }
  if ((live.certificateArn ?? '') !== (desired.certificateArn ?? '')) {
    setChild(config, viewerCertificateElement(desired.certificateArn), DISTRIBUTION_CONFIG_ORDER);
    changes.push(`certificate ${live.certificateArn ?? 'default'} -> ${desired.certificateArn ?? 'default'}`);
  }
  if (!live.enabled) {
    setChild(config, el('Enabled', true), DISTRIBUTION_CONFIG_ORDER);
    changes.push('enabled');
  }
  const origin = children(at(config, 'Origins', 'Items'), 'Origin').find((o) => textAt(o, 'Id') === desired.originId);
  if (!origin) {
    throw new Error(
      `The distribution has no origin "${desired.originId}" any more; it was changed outside Starsystem. Destroy and provision it again, or restore the origin.`,
    );
  }
  if (textAt(origin, 'DomainName') !== desired.originDomain) {
    changes.push(`origin ${textAt(origin, 'DomainName')} -> ${desired.originDomain}`);
    setChild(origin, el('DomainName', desired.originDomain), ORIGIN_ORDER);
  }
  if (textAt(origin, 'OriginAccessControlId') !== desired.originAccessControlId) {
    changes.push('origin access control');
    setChild(origin, el('OriginAccessControlId', desired.originAccessControlId), ORIGIN_ORDER);
  }
  return changes;
}

/** Sets Enabled to false; true when it was enabled. */
export function disableConfig(config: XmlElement): boolean {
  if (textAt(config, 'Enabled') !== 'true') return false;
  setChild(config, el('Enabled', false), DISTRIBUTION_CONFIG_ORDER);
  return true;
}

function aliasesElement(aliases: string[]): XmlElement {
  return aliases.length === 0
    ? el('Aliases', el('Quantity', 0))
    : el('Aliases', el('Quantity', aliases.length), el('Items', aliases.map((a) => el('CNAME', a))));
}

function originElement(desired: DesiredDistribution): XmlElement {
  return el(
    'Origin',
    el('Id', desired.originId),
    el('DomainName', desired.originDomain),
    el('OriginPath', ''),
    el('CustomHeaders', el('Quantity', 0)),
    // With an origin access control, the legacy origin access identity stays empty.
    el('S3OriginConfig', el('OriginAccessIdentity', '')),
    el('OriginAccessControlId', desired.originAccessControlId),
  );
}

function viewerCertificateElement(certificateArn: string | undefined): XmlElement {
  return certificateArn
    ? el(
        'ViewerCertificate',
        el('ACMCertificateArn', certificateArn),
        el('SSLSupportMethod', 'sni-only'),
        el('MinimumProtocolVersion', 'TLSv1.2_2021'),
      )
    : el('ViewerCertificate', el('CloudFrontDefaultCertificate', true));
}

interface ParsedConfig {
  aliases: string[];
  origins: DistributionOrigin[];
  enabled: boolean;
  comment: string;
  certificateArn?: string;
  callerReference?: string;
}

function parseConfig(config: XmlElement | undefined): ParsedConfig {
  const certificateArn = textAt(config, 'ViewerCertificate', 'ACMCertificateArn');
  const callerReference = textAt(config, 'CallerReference');
  return {
    aliases: children(at(config, 'Aliases', 'Items'), 'CNAME').map((c) => text(c) ?? ''),
    origins: children(at(config, 'Origins', 'Items'), 'Origin').map((o) => {
      const oac = textAt(o, 'OriginAccessControlId');
      return { id: textAt(o, 'Id') ?? '', domainName: textAt(o, 'DomainName') ?? '', ...(oac ? { originAccessControlId: oac } : {}) };
    }),
    enabled: textAt(config, 'Enabled') === 'true',
    comment: textAt(config, 'Comment') ?? '',
    ...(certificateArn ? { certificateArn } : {}),
    ...(callerReference ? { callerReference } : {}),
  };
}

/** A Distribution (with its DistributionConfig) or a DistributionSummary (fields at its top level). */
function parseDistribution(element: XmlElement): Distribution {
  const config = child(element, 'DistributionConfig') ?? element;
  return {
    id: textAt(element, 'Id') ?? '',
    arn: textAt(element, 'ARN') ?? '',
    status: textAt(element, 'Status') ?? '',
    domainName: textAt(element, 'DomainName') ?? '',
    ...parseConfig(config),
  };
}

function requireXml(xml: XmlElement | undefined, name: string): XmlElement {
  if (!xml || xml.name !== name) throw new Error(`aws API answered ${xml ? `<${xml.name}>` : 'no XML'} where CloudFront documents <${name}>.`);
  return xml;
}

function etagOf(headers: Record<string, string | string[] | undefined>): string {
  const etag = headers.etag;
  const value = Array.isArray(etag) ? etag[0] : etag;
  if (!value) throw new Error('CloudFront answered without the ETag that a later change must quote in If-Match.');
  return value;
}

function sameSet(a: string[], b: string[]): boolean {
  const left = [...new Set(a.map((s) => s.toLowerCase()))].sort();
  const right = [...new Set(b.map((s) => s.toLowerCase()))].sort();
  return left.length === right.length && left.every((v, i) => v === right[i]);
}

function list(values: string[]): string {
  return values.length === 0 ? '(none)' : values.join(', ');
}
