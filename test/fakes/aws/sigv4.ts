/**
 * Signature Version 4 checking for the fake AWS endpoints: the Authorization header is taken
 * apart, the request is signed again with the AWS SDK's signer (@smithy/signature-v4) using
 * the secret the fake knows for that access key, and the two signatures must be equal, as AWS
 * does. The payload hash header is checked against the body (S3), and the request time must
 * be within 15 minutes of the fake's clock.
 */
import { createHash } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { FakeRequest } from '../base';

export const TEST_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
export const TEST_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

export interface SigV4Check {
  /** The signing name the endpoint accepts ("s3", "cloudfront"). */
  service: string;
  /** Secret access keys by access key id. */
  keys: Map<string, string>;
  /** The session token a temporary key must carry, by access key id. */
  sessionTokens?: Map<string, string>;
  /** The fake's clock, for the 15-minute window. */
  now(): number;
}

export type SigV4Result =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; status: number; code: string; message: string };

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export async function verifySigV4(req: FakeRequest, check: SigV4Check): Promise<SigV4Result> {
  const header = headerValue(req, 'authorization');
  if (!header) {
    return check.service === 's3'
      ? { ok: false, status: 403, code: 'AccessDenied', message: 'Access Denied' }
      : { ok: false, status: 403, code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token' };
  }
  const m = AUTH.exec(header);
  if (!m) {
    return { ok: false, status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed.' };
  }
  const [, accessKeyId, scopeDate, region, service, signedList, signature] = m as unknown as string[];
  const secret = check.keys.get(accessKeyId!);
  if (!secret) {
    return check.service === 's3'
      ? { ok: false, status: 403, code: 'InvalidAccessKeyId', message: 'The AWS Access Key Id you provided does not exist in our records.' }
      : { ok: false, status: 403, code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.' };
  }
  if (service !== check.service) {
    return { ok: false, status: 400, code: 'AuthorizationHeaderMalformed', message: `The authorization header is malformed; the service '${service}' is wrong; expecting '${check.service}'.` };
  }
  const signedHeaders = signedList!.split(';');
  if (!signedHeaders.includes('host')) {
    return { ok: false, status: 400, code: 'AuthorizationHeaderMalformed', message: 'The authorization header is malformed; the host header must be signed.' };
  }
  const amzDate = headerValue(req, 'x-amz-date');
  const when = amzDate ? parseAmzDate(amzDate) : undefined;
  if (!amzDate || when === undefined || !signedHeaders.includes('x-amz-date')) {
    return { ok: false, status: 403, code: 'AccessDenied', message: 'AWS authentication requires a valid Date or x-amz-date header' };
  }
  if (amzDate.slice(0, 8) !== scopeDate) {
    return { ok: false, status: 403, code: 'SignatureDoesNotMatch', message: 'The credential date does not match the request date.' };
  }
  if (Math.abs(check.now() - when) > 15 * 60_000) {
    return { ok: false, status: 403, code: 'RequestTimeTooSkewed', message: 'The difference between the request time and the current time is too large.' };
  }
  const token = headerValue(req, 'x-amz-security-token');
  const expectedToken = check.sessionTokens?.get(accessKeyId!);
  if (expectedToken !== undefined && token !== expectedToken) {
    return { ok: false, status: 403, code: 'InvalidToken', message: 'The provided token is malformed or otherwise invalid.' };
  }
  if (check.service === 's3') {
    const declared = headerValue(req, 'x-amz-content-sha256');
    if (!declared) return { ok: false, status: 400, code: 'InvalidRequest', message: 'Missing required header for this request: x-amz-content-sha256' };
    if (declared !== 'UNSIGNED-PAYLOAD' && declared !== createHash('sha256').update(req.body).digest('hex')) {
      return { ok: false, status: 400, code: 'XAmzContentSHA256Mismatch', message: "The provided 'x-amz-content-sha256' header does not match what was computed." };
    }
  }

  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    const value = headerValue(req, name);
    if (value === undefined) {
      return { ok: false, status: 403, code: 'SignatureDoesNotMatch', message: `The request signature we calculated does not match the signature you provided: signed header ${name} is missing.` };
    }
    headers[name] = value;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of req.query) query[k] = v;
  const host = headers.host!;
  const [hostname, port] = host.split(':');
  const signer = new SignatureV4({
    service: service!,
    region: region!,
    credentials: { accessKeyId: accessKeyId!, secretAccessKey: secret },
    sha256: Sha256,
    uriEscapePath: check.service !== 's3',
    applyChecksum: check.service === 's3',
  });
  const resigned = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: hostname!,
      ...(port ? { port: Number(port) } : {}),
      path: req.path,
      query,
      headers,
      body: req.body === '' ? undefined : req.body,
    },
    { signingDate: new Date(when) },
  );
  const expected = AUTH.exec(String(resigned.headers.authorization))?.[6];
  if (expected !== signature) {
    return {
      ok: false,
      status: 403,
      code: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
    };
  }
  return { ok: true, accessKeyId: accessKeyId!, region: region!, service: service! };
}

function headerValue(req: FakeRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** 20240102T030405Z -> epoch ms. */
function parseAmzDate(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
