import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsProvisioner, awsCredentials, awsSettings } from '../../engine/provisioners/aws';
import { awsErrorMessage } from '../../engine/provisioners/aws/client';
import { s3Address } from '../../engine/provisioners/aws/s3';
import { parseXml, textAt, toXml, XmlError } from '../../engine/provisioners/aws/xml';
import { ProviderHttpError } from '../../engine/provisioners/http';
import type { ProvisionContext, ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { FAKE_ACCOUNT_ID, FakeAws, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY } from '../fakes/aws';
import { testContext, type TestContext } from '../helpers/provisionContext';

const CERT = 'arn:aws:acm:us-east-1:123456789012:certificate/0b6d6f2a-1111-2222-3333-444455556666';

function service(target: Record<string, unknown> = {}): ResolvedService {
  return {
    id: 'site',
    type: 'cdn',
    depends_on: [],
    target: { type: 'aws', resource: 's3', region: 'eu-west-1', bucket: 'my-app-prod-site', ...target },
  } as ResolvedService;
}

function env(fake: FakeAws, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...fake.env(),
    STARSYSTEM_HTTP_BACKOFF_MS: '10',
    STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
    STARSYSTEM_POLL_INTERVAL_MS: '20',
    STARSYSTEM_WAIT_TIMEOUT_MS: '5000',
    ...extra,
  };
}

function ctxFor(fake: FakeAws, options: Partial<ProvisionContext> & { vault?: Record<string, string> } = {}): TestContext {
  return testContext({
    project: 'my-app',
    env: 'prod',
    serviceId: 'site',
    apiKey: TEST_ACCESS_KEY_ID,
    vault: { 'secrets.AWS_SECRET_ACCESS_KEY': TEST_SECRET_ACCESS_KEY },
    processEnv: env(fake),
    ...options,
  });
}

async function withFake(fn: (fake: FakeAws) => Promise<void>, deployMs = 120): Promise<void> {
  const fake = await new FakeAws({ deployMs }).start();
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

const aws = new AwsProvisioner();

describe('aws xml', () => {
  test('parses the documented error shapes, entities, CDATA and comments', () => {
    const s3 = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The &quot;bucket&quot; &amp; more &#65;&#x42;</Message><!-- c --><BucketName><![CDATA[a<b]]></BucketName></Error>';
    const root = parseXml(s3);
    assert.equal(textAt(root, 'Message'), 'The "bucket" & more AB');
    assert.equal(textAt(root, 'BucketName'), 'a<b');
    assert.equal(awsErrorMessage(s3), 'NoSuchBucket: The "bucket" & more AB');
    const cf = '<ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error><RequestId>x</RequestId></ErrorResponse>';
    assert.equal(awsErrorMessage(cf), 'NoSuchDistribution: The specified distribution does not exist.');
    assert.equal(awsErrorMessage('not xml'), undefined);
    assert.equal(awsErrorMessage(''), undefined);
  });

  test('refuses what it must not read, and round-trips what it reads', () => {
    assert.throws(() => parseXml('<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), XmlError);
    assert.throws(() => parseXml('<a>fish & chips</a>'), /bare "&"/);
    assert.throws(() => parseXml('<a><b></a></b>'), /closes/);
    assert.throws(() => parseXml('<a>&nope;</a>'), /unknown entity/);
    assert.throws(() => parseXml('<a/><b/>'), /after the root/);
    const doc = parseXml('<A x="1 &amp; 2"><B>t &lt;3</B><C/></A>');
    assert.equal(doc.attributes.x, '1 & 2');
    assert.equal(toXml(doc, false), '<A x="1 &amp; 2"><B>t &lt;3</B><C/></A>');
  });
});

describe('aws provisioner', () => {
  test('catalog: access_key_id, the secret, both endpoints; resources; routing', () => {
    assert.equal(aws.requiresApiKey, false);
    assert.deepEqual(aws.catalog.resources, ['s3', 'cloudfront', 's3-cloudfront']);
    const keys = aws.catalog.vaultKeys!.map((k) => k.key);
    assert.deepEqual(keys.slice(0, 2), ['providers.aws.access_key_id', 'secrets.AWS_SECRET_ACCESS_KEY']);
    const vars = aws.catalog.envVars!.map((v) => v.name);
    assert.ok(vars.includes('STARSYSTEM_AWS_API_URL') && vars.includes('STARSYSTEM_AWS_CLOUDFRONT_API_URL'));
    assert.equal(aws.canProvision(service()), true);
    assert.equal(aws.canProvision({ id: 'x', depends_on: [], provision: { provider: 'aws', resource: 's3' } } as ResolvedService), true);
    assert.equal(aws.describePlan(service({ resource: 's3-cloudfront' })), 'S3 bucket my-app-prod-site in eu-west-1 + CloudFront distribution');
  });

  test('settings: resource, region, bucket names, certificates for domains', () => {
    const ctx = { project: 'My App', env: 'prod', serviceId: 'site' };
    assert.throws(() => awsSettings(ctx, service({ resource: undefined })), /target.resource .* s3, cloudfront, s3-cloudfront/);
    assert.throws(() => awsSettings(ctx, service({ resource: 'ec2' })), /not "ec2"/);
    assert.throws(() => awsSettings(ctx, service({ region: 'iad' })), /not an AWS region/);
    assert.throws(() => awsSettings(ctx, service({ bucket: 'Bad_Name' })), /cannot be an S3 bucket name/);
    assert.throws(() => awsSettings(ctx, service({ resource: 'cloudfront', bucket: undefined })), /existing bucket/);
    assert.throws(() => awsSettings(ctx, service({ resource: 's3-cloudfront', domains: ['cdn.example.com'] })), /certificate_arn/);
    const settings = awsSettings(ctx, service({ bucket: undefined }));
    assert.equal(settings.bucket, 'my-app-prod-site');
    assert.equal(settings.comment, 'starsystem:My App/prod/site');
  });

  test('credentials: the access key id from the api key or providers.aws.access_key_id; a clear error when missing', async () => {
    const fromVault = testContext({ apiKey: '', vault: { 'providers.aws.access_key_id': 'AKIAFROMVAULT', 'providers.aws.secret_access_key': 's3cr3t' } });
    assert.deepEqual(await awsCredentials(fromVault), { accessKeyId: 'AKIAFROMVAULT', secretAccessKey: 's3cr3t' });
    const preferred = testContext({ apiKey: 'AKIAENV', vault: { 'secrets.AWS_SECRET_ACCESS_KEY': 'a', 'providers.aws.secret_access_key': 'b', 'providers.aws.session_token': 'tok' } });
    assert.deepEqual(await awsCredentials(preferred), { accessKeyId: 'AKIAENV', secretAccessKey: 'a', sessionToken: 'tok' });
    const fromEnv = testContext({ apiKey: 'AKIAENGINE', processEnv: { MY_AWS_KEY: 'AKIANAMED', AWS_SECRET_ACCESS_KEY: 'envsecret', AWS_SESSION_TOKEN: 'envtok' } });
    assert.deepEqual(await awsCredentials(fromEnv, 'MY_AWS_KEY'), { accessKeyId: 'AKIANAMED', secretAccessKey: 'envsecret', sessionToken: 'envtok' });
    await assert.rejects(awsCredentials(testContext({ apiKey: '' })), /ss vault set-key aws access_key_id/);
    await assert.rejects(awsCredentials(testContext({ apiKey: 'AKIA' })), /ss vault set AWS_SECRET_ACCESS_KEY/);
  });

  test('S3 addressing: virtual-hosted at AWS, path style for dotted names and custom endpoints', () => {
    assert.deepEqual(s3Address('my-bucket', 'eu-west-1', undefined), { baseUrl: 'https://my-bucket.s3.eu-west-1.amazonaws.com', path: '/' });
    assert.deepEqual(s3Address('my.bucket', 'eu-west-1', undefined), { baseUrl: 'https://s3.eu-west-1.amazonaws.com', path: '/my.bucket' });
    assert.deepEqual(s3Address('my-bucket', 'eu-west-1', 'http://127.0.0.1:9000'), { baseUrl: 'http://127.0.0.1:9000', path: '/my-bucket' });
  });

  describe('signing', () => {
    test('every request carries a SigV4 signature the fake recomputed and accepted', async () => {
      await withFake(async (fake) => {
        await aws.provision(ctxFor(fake), service({ resource: 's3-cloudfront' }));
        const all = fake.requests();
        assert.ok(all.length > 5);
        for (const r of all) {
          assert.match(String(r.headers.authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${TEST_ACCESS_KEY_ID}/\\d{8}/(eu-west-1|us-east-1)/(s3|cloudfront)/aws4_request`));
          // A refused signature is 400 or 403 (404s are expected: no bucket yet, no policy yet).
          assert.ok(r.status !== 400 && r.status !== 403, `${r.method} ${r.path} answered ${r.status}`);
        }
        assert.ok(fake.s3.requests.every((r) => /\/eu-west-1\/s3\//.test(String(r.headers.authorization))));
        assert.ok(fake.cloudfront.requests.every((r) => /\/us-east-1\/cloudfront\//.test(String(r.headers.authorization))));
      });
    });

    test('a wrong secret: SignatureDoesNotMatch, said clearly, without the secret', async () => {
      await withFake(async (fake) => {
        const wrong = 'wrongSecretKeyValue0000000000000000000000';
        const ctx = ctxFor(fake, { vault: { 'secrets.AWS_SECRET_ACCESS_KEY': wrong } });
        await assert.rejects(aws.provision(ctx, service()), (error: unknown) => {
          assert.ok(error instanceof ProviderHttpError);
          assert.equal(error.status, 403);
          assert.equal(error.isGone, false);
          assert.match(error.message, /^aws API GET \/my-app-prod-site\?location= failed: 403 SignatureDoesNotMatch: The request signature we calculated does not match/);
          assert.doesNotMatch(error.message, new RegExp(wrong));
          return true;
        });
        assert.equal(fake.s3.buckets.size, 0);
        assert.deepEqual(ctx.partials, []);
      });
    });

    test('an unknown access key and a skewed clock are refused', async () => {
      await withFake(async (fake) => {
        await assert.rejects(aws.provision(ctxFor(fake, { apiKey: 'AKIANOTKNOWN00000000' }), service()), /InvalidAccessKeyId/);
        fake.s3.clockOffsetMs = 20 * 60_000;
        await assert.rejects(aws.provision(ctxFor(fake), service()), /RequestTimeTooSkewed/);
      });
    });

    test('a tampered request fails the check', async () => {
      await withFake(async (fake) => {
        // Sign a HEAD for one bucket, then send it for another: the path is part of the signature.
        await aws.provision(ctxFor(fake), service());
        const signed = fake.s3.requests[0]!;
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'x-amz-date', 'x-amz-content-sha256']) headers[name] = String(signed.headers[name]);
        const res = await fetch(`${fake.s3.url}/another-bucket?location=`, { headers });
        assert.equal(res.status, 403);
        assert.match(await res.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
      });
    });
  });

  describe('s3', () => {
    test('creates the bucket in its region, tagged, and reports it', async () => {
      await withFake(async (fake) => {
        const ctx = ctxFor(fake);
        const result = await aws.provision(ctx, service());
        const bucket = fake.s3.buckets.get('my-app-prod-site')!;
        assert.equal(bucket.region, 'eu-west-1');
        assert.deepEqual(bucket.tags, { 'starsystem:project': 'my-app', 'starsystem:env': 'prod', 'starsystem:service': 'site' });
        const create = fake.s3.requestsTo('PUT', '/my-app-prod-site').find((r) => r.query.size === 0)!;
        assert.match(create.body, /<CreateBucketConfiguration xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><LocationConstraint>eu-west-1<\/LocationConstraint>/);
        assert.equal(result.state.provider, 'aws');
        assert.equal(result.state.resourceId, 'my-app-prod-site');
        assert.equal(result.state.region, 'eu-west-1');
        assert.equal(result.state.metadata?.bucketCreated, true);
        assert.deepEqual(result.credentials, { S3_BUCKET: 'my-app-prod-site' });
        assert.match(result.summary, /S3 bucket my-app-prod-site in eu-west-1: bucket created in eu-west-1/);
        assert.doesNotMatch(JSON.stringify(result.state), new RegExp(TEST_SECRET_ACCESS_KEY));
      });
    });

    test('us-east-1 is created without a LocationConstraint', async () => {
      await withFake(async (fake) => {
        await aws.provision(ctxFor(fake), service({ region: 'us-east-1' }));
        assert.equal(fake.s3.buckets.get('my-app-prod-site')!.region, 'us-east-1');
        const create = fake.s3.requestsTo('PUT', '/my-app-prod-site').find((r) => r.query.size === 0)!;
        assert.equal(create.body, '');
      });
    });

    test('a re-run with state, and a run with lost state, change nothing', async () => {
      await withFake(async (fake) => {
        const { state } = await aws.provision(ctxFor(fake), service());
        const writes = fake.writes().length;
        const again = await aws.provision(ctxFor(fake, { existing: state }), service());
        assert.equal(fake.writes().length, writes);
        assert.equal(again.state.provisionedAt, state.provisionedAt);
        assert.equal(again.summary, 'S3 bucket my-app-prod-site already exists');
        const lost = await aws.provision(ctxFor(fake), service());
        assert.equal(fake.writes().length, writes);
        assert.equal(lost.state.metadata?.bucketCreated, true, 'its tags say this service made it');
      });
    });

    test('credential_env: the key id comes from the named variable, and status and destroy use it again', async () => {
      await withFake(async (fake) => {
        const processEnv = env(fake, { CI_AWS_KEY: TEST_ACCESS_KEY_ID });
        const { state } = await aws.provision(ctxFor(fake, { apiKey: '', processEnv }), service({ credential_env: 'CI_AWS_KEY' }));
        assert.equal(state.metadata?.credentialEnv, 'CI_AWS_KEY');
        assert.doesNotMatch(JSON.stringify(state), new RegExp(TEST_ACCESS_KEY_ID));
        assert.equal((await aws.status(ctxFor(fake, { apiKey: '', processEnv }), state)).condition, 'healthy');
        await aws.destroy(ctxFor(fake, { apiKey: '', processEnv }), state);
        assert.equal(fake.s3.buckets.size, 0);
      });
    });

    test('a bucket that existed untagged is used, not tagged, and kept on destroy', async () => {
      await withFake(async (fake) => {
        fake.s3.addBucket('my-app-prod-site', 'eu-west-1');
        const ctx = ctxFor(fake);
        const { state } = await aws.provision(ctx, service());
        assert.equal(state.metadata?.bucketCreated, false);
        assert.deepEqual(fake.writes(), []);
        await aws.destroy(ctx, state);
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
        assert.ok(ctx.steps.includes('Bucket s3://my-app-prod-site kept: it existed before Starsystem'));
      });
    });

    test('a bucket of another service, another account or another region is refused', async () => {
      await withFake(async (fake) => {
        fake.s3.addBucket('my-app-prod-site', 'eu-west-1', { 'starsystem:project': 'other', 'starsystem:env': 'prod', 'starsystem:service': 'x' });
        await assert.rejects(aws.provision(ctxFor(fake), service()), /belongs to Starsystem service other\/prod\/x/);
        fake.s3.removeBucket('my-app-prod-site');
        fake.s3.foreignBuckets.set('my-app-prod-site', 'us-east-1');
        await assert.rejects(aws.provision(ctxFor(fake), service()), /exists but these credentials cannot reach it/);
        fake.s3.foreignBuckets.clear();
        fake.s3.addBucket('my-app-prod-site', 'us-west-2');
        await assert.rejects(aws.provision(ctxFor(fake), service()), /is in us-west-2, but the service declares eu-west-1/);
        assert.deepEqual(fake.writes(), []);
      });
    });

    test('status: healthy, then gone when the bucket is deleted out of band', async () => {
      await withFake(async (fake) => {
        const { state } = await aws.provision(ctxFor(fake), service());
        const ok = await aws.status(ctxFor(fake), state);
        assert.equal(ok.condition, 'healthy');
        assert.deepEqual(ok.drift, []);
        fake.s3.removeBucket('my-app-prod-site');
        const gone = await aws.status(ctxFor(fake), state);
        assert.equal(gone.condition, 'gone');
        assert.equal(gone.drift?.[0]?.field, 'bucket');
      });
    });

    test('destroy deletes an empty bucket; refuses a bucket with objects, clearly; a second destroy is a no-op', async () => {
      await withFake(async (fake) => {
        const { state } = await aws.provision(ctxFor(fake), service());
        fake.s3.putObject('my-app-prod-site', 'index.html', '<h1>hi</h1>');
        await assert.rejects(aws.destroy(ctxFor(fake), state), /still holds objects.*aws s3 rm s3:\/\/my-app-prod-site --recursive/);
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
        fake.s3.buckets.get('my-app-prod-site')!.objects.clear();
        await aws.destroy(ctxFor(fake), state);
        assert.equal(fake.s3.buckets.size, 0);
        const ctx = ctxFor(fake);
        await aws.destroy(ctx, state);
        assert.ok(ctx.steps.includes('Bucket s3://my-app-prod-site was already gone'));
      });
    });
  });

  describe('s3-cloudfront', () => {
    const cdn = (extra: Record<string, unknown> = {}) => service({ resource: 's3-cloudfront', ...extra });

    async function provisionCdn(fake: FakeAws, extra: Record<string, unknown> = {}): Promise<ProvisionStateRecord> {
      return (await aws.provision(ctxFor(fake), cdn(extra))).state;
    }

    test('creates the bucket, an origin access control, the distribution and the bucket policy', async () => {
      await withFake(async (fake) => {
        const ctx = ctxFor(fake);
        const result = await aws.provision(ctx, cdn());
        const [d] = [...fake.cloudfront.distributions.values()];
        assert.ok(d);
        const [oac] = [...fake.cloudfront.originAccessControls.values()];
        assert.equal(oac!.name, 'my-app-prod-site');
        assert.equal(oac!.originType, 's3');
        assert.equal(textAt(d.config, 'Comment'), 'starsystem:my-app/prod/site');
        assert.match(toXml(d.config), /<DomainName>my-app-prod-site.s3.eu-west-1.amazonaws.com<\/DomainName>/);
        assert.match(toXml(d.config), new RegExp(`<OriginAccessControlId>${oac!.id}</OriginAccessControlId>`));

        const policy = JSON.parse(fake.s3.buckets.get('my-app-prod-site')!.policy!) as { Statement: Record<string, unknown>[] };
        assert.deepEqual(policy.Statement, [
          {
            Sid: `StarsystemCloudFrontRead${d.id}`,
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: 'arn:aws:s3:::my-app-prod-site/*',
            Condition: { StringEquals: { 'AWS:SourceArn': `arn:aws:cloudfront::${FAKE_ACCOUNT_ID}:distribution/${d.id}` } },
          },
        ]);
        assert.equal(result.state.resourceId, d.id);
        assert.equal(result.state.region, 'eu-west-1');
        assert.equal(result.state.metadata?.distributionStatus, 'InProgress');
        assert.deepEqual(result.credentials, { S3_BUCKET: 'my-app-prod-site', CDN_URL: `https://${d.domainName}` });
        // The caller reference was saved before the create, so an interrupted run reuses it.
        assert.ok(ctx.partials.some((p) => p.metadata?.callerReference === textAt(d.config, 'CallerReference')));
      });
    });

    test('status is starting while CloudFront deploys, healthy once Deployed', async () => {
      await withFake(async (fake) => {
        const state = await provisionCdn(fake);
        const starting = await aws.status(ctxFor(fake), state);
        assert.equal(starting.condition, 'starting');
        assert.equal(starting.healthy, false);
        fake.cloudfront.deployAll();
        const ok = await aws.status(ctxFor(fake), state);
        assert.equal(ok.condition, 'healthy');
        assert.deepEqual(ok.drift, []);
        assert.match(ok.message, /Deployed/);
      });
    });

    test('re-run with state and lost state: nothing is written, the distribution is found by its comment', async () => {
      await withFake(async (fake) => {
        const state = await provisionCdn(fake);
        const writes = fake.writes().length;
        const again = await aws.provision(ctxFor(fake, { existing: state }), cdn());
        assert.equal(again.state.resourceId, state.resourceId);
        const lost = await aws.provision(ctxFor(fake), cdn());
        assert.equal(lost.state.resourceId, state.resourceId);
        assert.equal(fake.writes().length, writes, fake.writes().slice(writes).map((r) => `${r.method} ${r.path}`).join(', '));
        assert.equal(fake.cloudfront.distributions.size, 1);
        assert.equal(fake.cloudfront.originAccessControls.size, 1);
        assert.match(again.summary, /already up to date/);
      });
    });

    test('declared domains: the distribution is updated with If-Match and gets the certificate', async () => {
      await withFake(async (fake) => {
        const state = await provisionCdn(fake);
        const etag = fake.cloudfront.distributions.get(state.resourceId)!.etag;
        const result = await aws.provision(ctxFor(fake, { existing: state }), cdn({ domains: ['cdn.example.com'], certificate_arn: CERT }));
        const update = fake.cloudfront.requestsTo('PUT', `/2020-05-31/distribution/${state.resourceId}/config`);
        assert.equal(update.length, 1);
        assert.equal(update[0]!.headers['if-match'], etag);
        const config = toXml(fake.cloudfront.distributions.get(state.resourceId)!.config);
        assert.match(config, /<Aliases><Quantity>1<\/Quantity><Items><CNAME>cdn.example.com<\/CNAME><\/Items><\/Aliases>/);
        assert.match(config, new RegExp(`<ACMCertificateArn>${CERT}</ACMCertificateArn><SSLSupportMethod>sni-only</SSLSupportMethod>`));
        assert.deepEqual(result.state.metadata?.aliases, ['cdn.example.com']);
        assert.equal(result.credentials?.CDN_URL, 'https://cdn.example.com');
        assert.match(result.summary, /updated: aliases \(none\) -> cdn.example.com; certificate default -> arn:aws:acm/);
      });
    });

    test('drift: aliases changed, distribution disabled, distribution deleted', async () => {
      await withFake(async (fake) => {
        const state = await provisionCdn(fake);
        fake.cloudfront.setAliases(state.resourceId, ['cdn.example.com']);
        fake.cloudfront.setEnabled(state.resourceId, false);
        fake.cloudfront.deployAll();
        const drifted = await aws.status(ctxFor(fake), state);
        assert.equal(drifted.condition, 'unhealthy');
        assert.deepEqual(drifted.drift?.map((d) => d.field), ['aliases', 'enabled']);
        assert.deepEqual(drifted.drift?.[0]?.live, ['cdn.example.com']);

        fake.cloudfront.removeDistribution(state.resourceId);
        const gone = await aws.status(ctxFor(fake), state);
        assert.equal(gone.condition, 'gone');
        assert.equal(gone.drift?.at(-1)?.field, 'distribution');
      });
    });

    test('a distribution deleted out of band is replaced, with a new caller reference', async () => {
      await withFake(async (fake) => {
        const state = await provisionCdn(fake);
        const oldReference = state.metadata?.callerReference;
        fake.cloudfront.removeDistribution(state.resourceId);
        const result = await aws.provision(ctxFor(fake, { existing: state }), cdn());
        assert.notEqual(result.state.resourceId, state.resourceId);
        assert.notEqual(result.state.metadata?.callerReference, oldReference);
        assert.equal(fake.cloudfront.distributions.size, 1);
        assert.equal(fake.cloudfront.originAccessControls.size, 1);
        const statements = (JSON.parse(fake.s3.buckets.get('my-app-prod-site')!.policy!) as { Statement: { Sid: string }[] }).Statement;
        assert.deepEqual(statements.map((s) => s.Sid), [`StarsystemCloudFrontRead${result.state.resourceId}`], 'the replaced distribution\'s grant is gone');
      });
    });

    test('destroy: disable, wait for Deployed, delete with the new ETag; then the access control and the bucket', async () => {
      await withFake(async (fake) => {
        const state = await provisionCdn(fake);
        const ctx = ctxFor(fake);
        await aws.destroy(ctx, state);
        assert.equal(fake.cloudfront.distributions.size, 0);
        assert.equal(fake.cloudfront.originAccessControls.size, 0);
        assert.equal(fake.s3.buckets.size, 0);
        const cf = fake.cloudfront.requests.filter((r) => r.method !== 'GET');
        assert.deepEqual(
          cf.slice(-3).map((r) => `${r.method} ${r.path.replace(/E[0-9A-F]+/g, 'ID')} ${r.status}`),
          ['PUT /2020-05-31/distribution/ID/config 200', 'DELETE /2020-05-31/distribution/ID 204', 'DELETE /2020-05-31/origin-access-control/ID 204'],
        );
        const disable = cf.find((r) => r.method === 'PUT')!;
        assert.match(disable.body, /<Enabled>false<\/Enabled>/);
        assert.ok(ctx.steps.some((s) => /disabled; waiting/.test(s)));
        assert.ok(ctx.steps.includes(`Distribution deleted: ${state.resourceId}`));
        // Again: everything is already gone.
        await aws.destroy(ctxFor(fake), state);
      });
    });

    test('destroy that outlasts the wait says so, leaves it disabled, and finishes on the next run', async () => {
      await withFake(
        async (fake) => {
          const state = await provisionCdn(fake);
          const slow = ctxFor(fake, { processEnv: env(fake, { STARSYSTEM_WAIT_TIMEOUT_MS: '150' }) });
          await assert.rejects(aws.destroy(slow, state), /Timed out .* The distribution is disabled; run destroy again once CloudFront shows it Deployed/);
          const d = fake.cloudfront.distributions.get(state.resourceId)!;
          assert.equal(textAt(d.config, 'Enabled'), 'false');
          assert.ok(fake.s3.buckets.has('my-app-prod-site'), 'nothing after the distribution was touched');
          fake.cloudfront.deployAll();
          await aws.destroy(ctxFor(fake), state);
          assert.equal(fake.cloudfront.distributions.size, 0);
          assert.equal(fake.s3.buckets.size, 0);
        },
        60_000,
      );
    });

    test('a lost answer to CreateDistribution: the retry reuses the caller reference, and one distribution exists', async () => {
      await withFake(async (fake) => {
        fake.cloudfront.loseAnswerTo('POST', /\/distribution$/);
        const result = await aws.provision(ctxFor(fake), cdn());
        assert.equal(fake.cloudfront.distributions.size, 1);
        const posts = fake.cloudfront.requestsTo('POST', '/2020-05-31/distribution');
        assert.deepEqual(posts.map((p) => p.status), [0, 409]);
        assert.equal(textAt(parseXml(posts[0]!.body), 'CallerReference'), textAt(parseXml(posts[1]!.body), 'CallerReference'));
        assert.equal(result.state.resourceId, [...fake.cloudfront.distributions.keys()][0]);
      });
    });
  });

  describe('cloudfront in front of an existing bucket', () => {
    test('adds its policy statement beside the owner\'s, and removes only its own on destroy', async () => {
      await withFake(async (fake) => {
        const bucket = fake.s3.addBucket('assets-bucket', 'eu-west-1');
        const theirs = { Sid: 'OwnerRead', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::assets-bucket/*' };
        bucket.policy = JSON.stringify({ Version: '2012-10-17', Statement: [theirs] });
        const s = service({ resource: 'cloudfront', bucket: 'assets-bucket' });
        const { state } = await aws.provision(ctxFor(fake), s);
        const statements = (JSON.parse(bucket.policy) as { Statement: { Sid: string }[] }).Statement;
        assert.deepEqual(statements.map((st) => st.Sid), ['OwnerRead', `StarsystemCloudFrontRead${state.resourceId}`]);
        assert.equal(bucket.tags, undefined, 'an existing bucket is not tagged');
        await aws.destroy(ctxFor(fake), state);
        assert.deepEqual(JSON.parse(bucket.policy!), { Version: '2012-10-17', Statement: [theirs] });
        assert.ok(fake.s3.buckets.has('assets-bucket'));
        assert.equal(fake.cloudfront.distributions.size, 0);
      });
    });

    test('the bucket may be another Starsystem service\'s: fronting it is not owning it', async () => {
      await withFake(async (fake) => {
        await aws.provision(ctxFor(fake, { serviceId: 'assets' }), service({ bucket: 'assets-bucket' }));
        const { state } = await aws.provision(ctxFor(fake), service({ resource: 'cloudfront', bucket: 'assets-bucket' }));
        assert.equal(state.metadata?.bucketCreated, false);
        assert.equal(fake.s3.buckets.get('assets-bucket')!.tags?.['starsystem:service'], 'assets');
        await aws.destroy(ctxFor(fake), state);
        assert.ok(fake.s3.buckets.has('assets-bucket'));
      });
    });

    test('a missing origin bucket is a clear error', async () => {
      await withFake(async (fake) => {
        await assert.rejects(aws.provision(ctxFor(fake), service({ resource: 'cloudfront', bucket: 'nope-bucket' })), /origin bucket s3:\/\/nope-bucket does not exist/);
      });
    });
  });

  describe('faults', () => {
    test('429 with Retry-After, then success', async () => {
      await withFake(async (fake) => {
        fake.s3.inject({ status: 429, retryAfter: '0.2' });
        await aws.provision(ctxFor(fake), service());
        assert.equal(fake.s3.requests[0]!.status, 429);
        assert.ok(fake.s3.requests[1]!.at - fake.s3.requests[0]!.at >= 190, 'waited for Retry-After');
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
      });
    });

    test('500 and 503 SlowDown, then success', async () => {
      await withFake(async (fake) => {
        fake.s3.inject({ status: 500 });
        fake.s3.inject({ status: 503 });
        await aws.provision(ctxFor(fake), service());
        assert.deepEqual(fake.s3.requests.slice(0, 3).map((r) => `${r.method} ${r.status}`), ['HEAD 500', 'HEAD 503', 'HEAD 404']);
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
      });
    });

    test('CloudFront 400 Throttling is retried (a code, not a status, says so)', async () => {
      await withFake(async (fake) => {
        fake.cloudfront.inject({ status: 400, times: 2 });
        await aws.provision(ctxFor(fake), service({ resource: 's3-cloudfront' }));
        assert.deepEqual(fake.cloudfront.requests.slice(0, 3).map((r) => r.status), [400, 400, 200]);
        assert.equal(fake.cloudfront.distributions.size, 1);
      });
    });

    test('a slow answer past the timeout, then success', async () => {
      await withFake(async (fake) => {
        fake.s3.inject({ delayMs: 400 });
        const ctx = ctxFor(fake, { processEnv: env(fake, { STARSYSTEM_HTTP_TIMEOUT_MS: '150' }) });
        await aws.provision(ctx, service());
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
      });
    });

    test('a dropped connection, then success', async () => {
      await withFake(async (fake) => {
        fake.s3.inject({ drop: true });
        await aws.provision(ctxFor(fake), service());
        assert.equal(fake.s3.requests[0]!.status, 0);
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
      });
    });

    test('401 and 403 AccessDenied: clear errors naming aws and what it said, never "gone", state untouched', async () => {
      await withFake(async (fake) => {
        const state = await (async () => (await aws.provision(ctxFor(fake), service({ resource: 's3-cloudfront' }))).state)();
        const before = JSON.stringify(state);
        fake.cloudfront.inject({
          status: 401,
          body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>',
        });
        const status = await aws.status(ctxFor(fake), state);
        assert.equal(status.condition, 'error');
        assert.match(status.message, /^aws API GET \/2020-05-31\/distribution\/E[0-9A-F]+ failed: 401 InvalidClientTokenId: The security token included in the request is invalid\./);
        assert.doesNotMatch(status.message, new RegExp(TEST_SECRET_ACCESS_KEY.slice(0, 12)));

        fake.cloudfront.inject({
          status: 403,
          body: '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: cloudfront:UpdateDistribution</Message></Error></ErrorResponse>',
          match: (r) => r.method === 'PUT',
        });
        await assert.rejects(aws.destroy(ctxFor(fake), state), (error: unknown) => {
          assert.ok(error instanceof ProviderHttpError);
          assert.equal(error.isAuth, true);
          assert.equal(error.isGone, false);
          assert.match(error.message, /failed: 403 AccessDenied: User is not authorized to perform: cloudfront:UpdateDistribution/);
          return true;
        });
        assert.equal(fake.cloudfront.distributions.size, 1);
        assert.ok(fake.s3.buckets.has('my-app-prod-site'));
        assert.equal(JSON.stringify(state), before);
      });
    });
  });
});
