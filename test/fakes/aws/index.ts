/**
 * The fake AWS endpoints a test needs together: S3 and CloudFront, each its own loopback
 * server (as each is its own service at AWS), with the environment that points the aws
 * provisioner at them.
 */
import { FakeCloudFront } from './cloudfront';
import { FakeS3 } from './s3';

export { FakeCloudFront, FAKE_ACCOUNT_ID } from './cloudfront';
export { FakeS3 } from './s3';
export { TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY } from './sigv4';

export class FakeAws {
  readonly s3: FakeS3;
  readonly cloudfront: FakeCloudFront;

  constructor(options: { deployMs?: number; sessionToken?: string } = {}) {
    this.s3 = new FakeS3(options.sessionToken ? { sessionToken: options.sessionToken } : {});
    this.cloudfront = new FakeCloudFront({ deployMs: options.deployMs ?? 200 });
  }

  async start(): Promise<this> {
    await Promise.all([this.s3.start(), this.cloudfront.start()]);
    return this;
  }

  async stop(): Promise<void> {
    await Promise.all([this.s3.stop(), this.cloudfront.stop()]);
  }

  /** STARSYSTEM_AWS_API_URL and STARSYSTEM_AWS_CLOUDFRONT_API_URL for these servers. */
  env(): NodeJS.ProcessEnv {
    return { STARSYSTEM_AWS_API_URL: this.s3.url, STARSYSTEM_AWS_CLOUDFRONT_API_URL: this.cloudfront.url };
  }

  /** Every request both servers answered, in the order they arrived. */
  requests() {
    return [...this.s3.requests.map((r) => ({ ...r, service: 's3' as const })), ...this.cloudfront.requests.map((r) => ({ ...r, service: 'cloudfront' as const }))].sort(
      (a, b) => a.at - b.at,
    );
  }

  /** Requests that change something (anything but GET and HEAD). */
  writes() {
    return this.requests().filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
  }
}
