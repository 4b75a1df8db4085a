/**
 * Requests to AWS REST-XML services (S3, CloudFront), signed with Signature Version 4 by the
 * AWS SDK's own signer (@smithy/signature-v4 with @aws-crypto/sha256-js), sent through the
 * shared HttpClient (timeouts, retries, redacted errors). AWS error bodies
 * (`<Error><Code/><Message/></Error>`, CloudFront's inside `<ErrorResponse>`) become the
 * error's message as "Code: Message".
 */
import { createHash } from 'node:crypto';
import type { SignatureV4 } from '@smithy/signature-v4';
import { HttpClient, ProviderHttpError, type HttpMethod, type HttpResponse } from '../http';
import { child, parseXml, textAt, type XmlElement } from './xml';

export const PROVIDER = 'aws';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsClientOptions {
  /** The signing name: "s3" or "cloudfront". */
  service: string;
  /** The signing region (CloudFront always signs for us-east-1). */
  region: string;
  /** Scheme, host and optional path prefix, without a trailing slash. */
  baseUrl: string;
  credentials: AwsCredentials;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface AwsRequest {
  /** Query parameters; "" sends a bare subresource such as `?tagging=`. */
  query?: Record<string, string | undefined>;
  body?: string;
  headers?: Record<string, string>;
  /** Statuses answered as results instead of errors. */
  allow?: number[];
  /** AWS error codes answered as results instead of errors (`NoSuchTagSet`); `status` and `code` say which. */
  allowCodes?: string[];
  idempotent?: boolean;
  /** Adds Content-MD5, which S3 requires on some configuration writes. */
  contentMd5?: boolean;
}

export interface AwsResponse extends HttpResponse<unknown> {
  /** The parsed XML body, when there is one. */
  xml?: XmlElement;
  /** The AWS error code, for an answer let through by `allowCodes`. */
  code?: string;
}

/** Error codes AWS documents as throttling: worth a retry whatever the HTTP status. */
const THROTTLING = new Set(['Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'SlowDown', 'RequestThrottled', 'TooManyRequestsException']);

export class AwsClient {
  private readonly http: HttpClient;
  /** The AWS SDK's signer, loaded on first use: commands that call no AWS API never load it. */
  private signer?: Promise<SignatureV4>;

  constructor(private readonly options: AwsClientOptions) {
    const { credentials } = options;
    this.http = new HttpClient({
      provider: PROVIDER,
      baseUrl: options.baseUrl,
      secrets: [credentials.secretAccessKey, ...(credentials.sessionToken ? [credentials.sessionToken] : [])],
      errorMessage: (_body, text) => awsErrorMessage(text),
      retryWhen: (_status, _body, text) => THROTTLING.has(awsErrorCode(text) ?? ''),
      signal: options.signal,
      env: options.env,
    });
  }

  private loadSigner(): Promise<SignatureV4> {
    const { options } = this;
    this.signer ??= Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')]).then(
      ([{ SignatureV4 }, { Sha256 }]) =>
        new SignatureV4({
          service: options.service,
          region: options.region,
          credentials: options.credentials,
          sha256: Sha256,
          // S3 takes the path as sent; every other service wants it escaped once more.
          uriEscapePath: options.service !== 's3',
          applyChecksum: options.service === 's3',
        }),
    );
    return this.signer;
  }

  /** `path` is already URI-encoded and starts with "/". */
  async request(method: HttpMethod, path: string, request: AwsRequest = {}): Promise<AwsResponse> {
    const queryString = Object.entries(request.query ?? {})
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([k, v]) => `${uriEncode(k)}=${uriEncode(v)}`)
      .join('&');
    const target = new URL(this.options.baseUrl + path + (queryString ? `?${queryString}` : ''));
    const headers: Record<string, string> = { host: target.host, ...lowerCaseKeys(request.headers ?? {}) };
    if (request.body !== undefined) {
      headers['content-type'] ??= 'application/xml';
      if (request.contentMd5) headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
    }
    const query: Record<string, string> = {};
    for (const [k, v] of target.searchParams) query[k] = v;
    const signer = await this.loadSigner();
    const signed = await signer.sign({
      method,
      protocol: target.protocol,
      hostname: target.hostname,
      ...(target.port ? { port: Number(target.port) } : {}),
      path: target.pathname,
      query,
      headers,
      body: request.body,
    });
    // undici sets Host from the URL itself: the same value that was signed.
    const { host: _host, ...sendHeaders } = signed.headers as Record<string, string>;
    let response: HttpResponse<unknown>;
    try {
      response = await this.http.request(method, target.pathname + target.search, {
        body: request.body,
        headers: { accept: 'application/xml', ...sendHeaders },
        allow: request.allow,
        idempotent: request.idempotent,
      });
    } catch (error) {
      const code = errorCode(error);
      if (!code || !request.allowCodes?.includes(code)) throw error;
      const failed = error as ProviderHttpError;
      const text = typeof failed.body === 'string' ? failed.body : '';
      return { status: failed.status ?? 0, headers: {}, body: text, text, code };
    }
    const xml = looksLikeXml(response.text) ? parseXml(response.text) : undefined;
    return { ...response, ...(xml ? { xml } : {}) };
  }
}

/** "Code: Message" from an S3 or CloudFront error body, or undefined when it is not one. */
export function awsErrorMessage(text: string): string | undefined {
  const error = errorElement(text);
  if (!error) return undefined;
  const code = textAt(error, 'Code');
  const message = textAt(error, 'Message');
  if (!code && !message) return undefined;
  return code && message ? `${code}: ${message}` : (code ?? message);
}

/** The AWS error code in an error body (`NoSuchBucket`, `DistributionNotDisabled`...). */
export function awsErrorCode(text: string | undefined): string | undefined {
  return text ? textAt(errorElement(text), 'Code') : undefined;
}

/** The AWS error code of a failed request, when the provider sent one. */
export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof ProviderHttpError)) return undefined;
  return typeof error.body === 'string' ? awsErrorCode(error.body) : undefined;
}

function errorElement(text: string): XmlElement | undefined {
  if (!looksLikeXml(text)) return undefined;
  try {
    const root = parseXml(text);
    if (root.name === 'Error') return root;
    if (root.name === 'ErrorResponse') return child(root, 'Error');
    return undefined;
  } catch {
    return undefined;
  }
}

function looksLikeXml(text: string): boolean {
  return /^\s*</.test(text);
}

/** RFC 3986 encoding, as SigV4 canonicalizes query strings. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
