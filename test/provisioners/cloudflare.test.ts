/** The Cloudflare provisioner against the fake Cloudflare API v4 (test/fakes/cloudflare.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CloudflareProvisioner } from '../../engine/provisioners/cloudflare';
import type { ProvisionContext, ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { CloudflareFake } from '../fakes/cloudflare';
import { testContext, type TestContext } from '../helpers/provisionContext';

const TOKEN = 'cf-test-token-0123456789';
const ACCOUNT = 'acc-5f2a9c';
const cloudflare = new CloudflareProvisioner();
/** Test declarations are built loosely; the provisioner sees what the engine would hand it. */
const svc = (declaration: Record<string, unknown>) => declaration as unknown as ResolvedService;

function ctxFor(fake: CloudflareFake, options: Partial<ProvisionContext> & { vault?: Record<string, string> } = {}): TestContext {
  return testContext({
    project: 'hosting',
    env: 'prod',
    serviceId: 'cloudflare-dns',
    apiKey: TOKEN,
    processEnv: {
      STARSYSTEM_CLOUDFLARE_API_URL: fake.url,
      STARSYSTEM_HTTP_BACKOFF_MS: '10',
      STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
      STARSYSTEM_HTTP_RETRIES: '3',
    },
    ...options,
  });
}

async function withFake(fn: (fake: CloudflareFake) => Promise<void>, fallbackPendingReads = 1): Promise<void> {
  const fake = await new CloudflareFake({ tokens: [TOKEN], fallbackPendingReads }).start();
  fake.addAccount(ACCOUNT);
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

function dnsService(zone: string, records: Record<string, unknown>[]): ResolvedService {
  return svc({ id: 'cloudflare-dns', type: 'cdn', depends_on: [], _cloudflare: { resource: 'dns-zone', zone, domain: 'example.com', records } });
}

function saasService(zone: string, extra: Record<string, unknown> = {}): ResolvedService {
  return svc({
    id: 'cloudflare-for-saas',
    type: 'cdn',
    name: 'Cloudflare for SaaS',
    depends_on: [],
    _cloudflare: { resource: 'custom-hostnames', zone, fallback_origin: 'fallback.example.com', ...extra },
  });
}

function targetService(target: Record<string, unknown>): ResolvedService {
  return svc({ id: 'storage', type: 'external', depends_on: [], target: { type: 'cloudflare', account_id: ACCOUNT, ...target } });
}

const writes = (fake: CloudflareFake) => fake.requests.filter((r) => r.method !== 'GET');

describe('cloudflare: routing and plan labels', () => {
  test('type: cdn with _cloudflare, provision.provider or target.type cloudflare; nothing else', () => {
    assert.equal(cloudflare.canProvision(dnsService('z', [])), true);
    assert.equal(cloudflare.canProvision(svc({ id: 'x', depends_on: [], provision: { provider: 'cloudflare' } })), true);
    assert.equal(cloudflare.canProvision(targetService({ resource: 'r2-bucket' })), true);
    assert.equal(cloudflare.canProvision(svc({ id: 'x', depends_on: [], type: 'cdn' })), false);
    assert.equal(cloudflare.canProvision(svc({ id: 'x', depends_on: [], type: 'dns', provision: { provider: 'porkbun' } })), false);
  });

  test('plan labels say what will be made', () => {
    assert.equal(cloudflare.describePlan(saasService('z')), 'Cloudflare for SaaS: fallback origin');
    assert.equal(cloudflare.describePlan(dnsService('z', [{ type: 'CNAME', name: '@', content: 'x.pages.dev' }])), '1 DNS record on the zone');
    assert.equal(cloudflare.describePlan(targetService({ resource: 'pages-project', domains: ['a.com', 'b.com'] })), 'Pages project + 2 custom domains');
    assert.equal(cloudflare.describePlan(targetService({ resource: 'd1-database' })), 'D1 database');
    assert.deepEqual(cloudflare.catalog.resources, ['custom-hostnames', 'dns-zone', 'pages-project', 'r2-bucket', 'kv-namespace', 'd1-database']);
  });

  test('a declaration that does not say what to create is a clear error, before any request', async () => {
    await withFake(async (fake) => {
      await assert.rejects(cloudflare.provision(ctxFor(fake), targetService({})), /Service "storage" \(cloudflare\): say which resource to create/);
      await assert.rejects(cloudflare.provision(ctxFor(fake), targetService({ resource: 'workers-script' })), /unknown resource "workers-script"/);
      await assert.rejects(
        cloudflare.provision(ctxFor(fake), targetService({ resource: 'r2-bucket', account_id: undefined })),
        /account_id is required/,
      );
      assert.equal(fake.requests.length, 0);
    });
  });
});

describe('cloudflare dns-zone', () => {
  const records = [
    { type: 'CNAME', name: '@', content: 'fallback.example.net', proxied: true },
    { type: 'A', name: 'www', content: '192.0.2.10' },
  ];

  test('creates the declared records ("@" is the apex) and records their ids', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const ctx = ctxFor(fake);
      const result = await cloudflare.provision(ctx, dnsService(zone, records));

      const creates = fake.requestsTo('POST', `/zones/${zone}/dns_records`);
      assert.equal(creates.length, 2);
      assert.equal(creates[0]!.headers.authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(creates[0]!.json, { type: 'CNAME', name: 'example.com', content: 'fallback.example.net', ttl: 1, proxied: true });
      const live = fake.records(zone);
      assert.deepEqual(live.map((r) => [r.type, r.name, r.content, r.proxied]).sort(), [
        ['A', 'www.example.com', '192.0.2.10', false],
        ['CNAME', 'example.com', 'fallback.example.net', true],
      ]);
      assert.equal(result.state.provider, 'cloudflare');
      assert.equal(result.state.resourceId, zone);
      const meta = result.state.metadata as { resource: string; domain: string; records: { id: string; name: string }[] };
      assert.equal(meta.resource, 'dns-zone');
      assert.equal(meta.domain, 'example.com');
      assert.deepEqual(meta.records.map((r) => r.id).sort(), live.map((r) => r.id).sort());
      assert.match(result.summary, /2 DNS records on example\.com: 2 created/);
      assert.ok(ctx.steps.some((s) => s === 'Record CNAME example.com -> fallback.example.net created'));
      assert.equal(result.credentials, undefined);
    });
  });

  test('re-run with the recorded state: nothing written, nothing duplicated', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const first = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      const before = writes(fake).length;
      const again = await cloudflare.provision(ctxFor(fake, { existing: first.state }), dnsService(zone, records));
      assert.equal(writes(fake).length, before, 'no POST, PATCH or DELETE on a re-run');
      assert.equal(fake.records(zone).length, 2);
      assert.deepEqual(again.state.metadata, first.state.metadata);
      assert.match(again.summary, /2 unchanged/);
    });
  });

  test('a changed content is one PATCH of the same record (its id stays), never a second record', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const first = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      const changed = [{ ...records[0]!, content: 'new-origin.example.net' }, records[1]!];
      const second = await cloudflare.provision(ctxFor(fake, { existing: first.state }), dnsService(zone, changed));
      assert.equal(fake.requestsTo('POST', `/zones/${zone}/dns_records`).length, 2, 'only the two first creates');
      const patches = fake.requestsTo('PATCH', new RegExp(`^/zones/${zone}/dns_records/`));
      assert.equal(patches.length, 1);
      assert.deepEqual(patches[0]!.json, { content: 'new-origin.example.net', proxied: true });
      const cname = fake.records(zone).filter((r) => r.type === 'CNAME');
      assert.equal(cname.length, 1);
      assert.equal(cname[0]!.content, 'new-origin.example.net');
      const recorded = (first.state.metadata as { records: { id: string; type: string }[] }).records.find((r) => r.type === 'CNAME')!;
      assert.equal(cname[0]!.id, recorded.id);
      assert.match(second.summary, /1 updated, 1 unchanged/);
    });
  });

  test('a changed ttl or proxied flag alone is an update too', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const first = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      await cloudflare.provision(ctxFor(fake, { existing: first.state }), dnsService(zone, [{ ...records[0]!, proxied: false }, { ...records[1]!, ttl: 300 }]));
      const patches = fake.requestsTo('PATCH', new RegExp(`^/zones/${zone}/dns_records/`));
      assert.deepEqual(patches.map((p) => p.json).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
        { content: '192.0.2.10', ttl: 300 },
        { content: 'fallback.example.net', proxied: false },
      ]);
    });
  });

  test('lost state: records already in place are found by type and name, a different content is updated in place', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      fake.addRecord(zone, { type: 'CNAME', name: '@', content: 'fallback.example.net', proxied: true });
      const parked = fake.addRecord(zone, { type: 'A', name: 'www', content: '203.0.113.99' });
      const other = fake.addRecord(zone, { type: 'TXT', name: '@', content: 'v=spf1 -all' });
      const result = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      assert.equal(fake.requestsTo('POST', `/zones/${zone}/dns_records`).length, 0, 'no record created');
      assert.equal(fake.requestsTo('PATCH', `/zones/${zone}/dns_records/${parked.id}`).length, 1);
      assert.equal(fake.records(zone).length, 3);
      assert.equal(fake.records(zone).find((r) => r.id === parked.id)!.content, '192.0.2.10');
      assert.equal(fake.records(zone).find((r) => r.id === other.id)!.content, 'v=spf1 -all', 'a record never declared is left alone');
      assert.match(result.summary, /1 updated, 1 unchanged/);
    });
  });

  test('a record no longer declared is deleted when this provisioner created it; others stay', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const theirs = fake.addRecord(zone, { type: 'MX', name: '@', content: 'mx.mail.example' });
      const first = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      const second = await cloudflare.provision(ctxFor(fake, { existing: first.state }), dnsService(zone, [records[0]!]));
      assert.deepEqual(fake.records(zone).map((r) => r.type).sort(), ['CNAME', 'MX']);
      assert.ok(fake.records(zone).some((r) => r.id === theirs.id));
      assert.equal((second.state.metadata as { records: unknown[] }).records.length, 1);
    });
  });

  test('without domain, the zone name comes from the zone', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.org');
      const service = dnsService(zone, [{ type: 'TXT', name: '_verify', content: 'token-1' }]);
      delete (service._cloudflare as { domain?: string }).domain;
      const result = await cloudflare.provision(ctxFor(fake), service);
      assert.equal(fake.requestsTo('GET', `/zones/${zone}`).length, 1);
      assert.equal(fake.records(zone)[0]!.name, '_verify.example.org');
      assert.equal((result.state.metadata as { domain: string }).domain, 'example.org');
    });
  });

  test('status, drift after an out-of-band change or deletion, repair by provisioning again, destroy', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const { state } = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      const healthy = await cloudflare.status(ctxFor(fake), state);
      assert.equal(healthy.healthy, true);
      assert.equal(healthy.message, '2 DNS records in place on example.com');
      assert.deepEqual(healthy.drift, []);

      const cname = fake.records(zone).find((r) => r.type === 'CNAME')!;
      fake.editRecord(zone, cname.id, { content: 'attacker.example.net' });
      const drifted = await cloudflare.status(ctxFor(fake), state);
      assert.equal(drifted.healthy, false);
      assert.equal(drifted.condition, 'unhealthy');
      assert.deepEqual(drifted.drift, [
        {
          field: 'records[0].content',
          recorded: 'fallback.example.net',
          live: 'attacker.example.net',
          message: 'CNAME example.com content changed from fallback.example.net to attacker.example.net',
        },
      ]);

      const a = fake.records(zone).find((r) => r.type === 'A')!;
      fake.deleteRecord(zone, a.id);
      const missing = await cloudflare.status(ctxFor(fake), state);
      assert.equal(missing.drift!.length, 2);
      assert.equal(missing.drift![1]!.message, 'A www.example.com was deleted out of band');
      assert.match(missing.message, /1 DNS record missing on example\.com/);

      const repaired = await cloudflare.provision(ctxFor(fake, { existing: state }), dnsService(zone, records));
      assert.equal(fake.records(zone).length, 2);
      const after = await cloudflare.status(ctxFor(fake), repaired.state);
      assert.equal(after.healthy, true);

      await cloudflare.destroy(ctxFor(fake), repaired.state);
      assert.equal(fake.records(zone).length, 0);
      await cloudflare.destroy(ctxFor(fake), repaired.state); // already gone: no error
    });
  });

  test("Cloudflare's own refusal is quoted (errors[].message and code)", async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      await assert.rejects(
        cloudflare.provision(ctxFor(fake), dnsService(zone, [{ type: 'A', name: 'www', content: 'not-an-ip' }])),
        (error: Error) => /cloudflare API POST \/zones\/\w+\/dns_records failed: 400 Content for A record must be a valid IPv4 address\. \(code 9005\)/.test(error.message),
      );
      await assert.rejects(
        cloudflare.provision(ctxFor(fake), dnsService('0123456789abcdef0123456789abcdef', records)),
        /400 Could not route to .*perhaps your object identifier is invalid\? \(code 7003\)/,
      );
    });
  });
});

describe('cloudflare custom-hostnames', () => {
  test("seed 000's shape: sets the fallback origin; a re-run leaves it alone", async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('saas.example.com');
      const ctx = ctxFor(fake, { serviceId: 'cloudflare-for-saas' });
      const first = await cloudflare.provision(ctx, saasService(zone));
      const puts = fake.requestsTo('PUT', `/zones/${zone}/custom_hostnames/fallback_origin`);
      assert.equal(puts.length, 1);
      assert.deepEqual(puts[0]!.json, { origin: 'fallback.example.com' });
      assert.equal(fake.fallbackOrigin(zone)!.origin, 'fallback.example.com');
      assert.deepEqual(first.state.metadata, { resource: 'custom-hostnames', zone, fallbackOrigin: 'fallback.example.com', hostnames: [] });
      assert.ok(ctx.steps.some((s) => s.startsWith('Fallback origin set to fallback.example.com')));

      await cloudflare.provision(ctxFor(fake, { existing: first.state }), saasService(zone));
      assert.equal(fake.requestsTo('PUT', `/zones/${zone}/custom_hostnames/fallback_origin`).length, 1, 'no second PUT');
    });
  });

  test('the fallback origin is "starting" until Cloudflare deploys it, then healthy', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('saas.example.com');
      const { state } = await cloudflare.provision(ctxFor(fake), saasService(zone));
      const pending = await cloudflare.status(ctxFor(fake), state);
      assert.equal(pending.healthy, false);
      assert.equal(pending.condition, 'starting');
      assert.equal(pending.message, 'fallback origin status: pending_deployment');
      const active = await cloudflare.status(ctxFor(fake), state);
      assert.equal(active.healthy, true);
      assert.equal(active.message, '0 custom hostnames active; fallback origin fallback.example.com active');
    });
  });

  test('declared hostnames are created pending; status says so until they are active', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('saas.example.com');
      const service = saasService(zone, { hostnames: ['shop.customer.com', 'Blog.Customer.com'] });
      const { state } = await cloudflare.provision(ctxFor(fake), service);
      const posts = fake.requestsTo('POST', `/zones/${zone}/custom_hostnames`);
      assert.deepEqual(posts.map((p) => p.json), [
        { hostname: 'shop.customer.com', ssl: { method: 'http', type: 'dv' } },
        { hostname: 'blog.customer.com', ssl: { method: 'http', type: 'dv' } },
      ]);
      const status = await cloudflare.status(ctxFor(fake), state);
      assert.equal(status.healthy, false);
      assert.equal(status.condition, 'unhealthy');
      assert.match(status.message, /^custom hostname status: pending \(shop\.customer\.com, blog\.customer\.com\)/);

      fake.activateHostname(zone, 'shop.customer.com');
      fake.activateHostname(zone, 'blog.customer.com');
      await cloudflare.status(ctxFor(fake), state); // the fallback origin's pending read
      const ok = await cloudflare.status(ctxFor(fake), state);
      assert.equal(ok.healthy, true, ok.message);
      assert.equal(ok.message, '2 custom hostnames active; fallback origin fallback.example.com active');
    });
  });

  test('lost state: existing hostnames are found by hostname, never created twice', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('saas.example.com');
      const service = saasService(zone, { hostnames: ['shop.customer.com'] });
      const first = await cloudflare.provision(ctxFor(fake), service);
      const again = await cloudflare.provision(ctxFor(fake), service);
      assert.equal(fake.requestsTo('POST', `/zones/${zone}/custom_hostnames`).length, 1);
      assert.equal(fake.hostnames(zone).length, 1);
      assert.deepEqual(again.state.metadata, first.state.metadata);
    });
  });

  test('hostnames created by the app (none declared) count in status', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('saas.example.com');
      const { state } = await cloudflare.provision(ctxFor(fake), saasService(zone));
      fake.addCustomHostname(zone, 'tenant1.example.net');
      await cloudflare.status(ctxFor(fake), state);
      const status = await cloudflare.status(ctxFor(fake), state);
      assert.equal(status.healthy, false);
      assert.equal(status.message, 'custom hostname status: pending (tenant1.example.net)');
    });
  });

  test('drift: fallback origin changed and a hostname deleted out of band; destroy removes only what was declared', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('saas.example.com');
      const { state } = await cloudflare.provision(ctxFor(fake), saasService(zone, { hostnames: ['shop.customer.com'] }));
      const appMade = fake.addCustomHostname(zone, 'tenant1.example.net');
      fake.setFallbackOrigin(zone, 'other-origin.example.com');
      fake.deleteHostname(zone, 'shop.customer.com');
      const status = await cloudflare.status(ctxFor(fake), state);
      assert.equal(status.healthy, false);
      assert.deepEqual(
        status.drift!.map((d) => d.message),
        ['fallback origin changed from fallback.example.com to other-origin.example.com', 'custom hostname shop.customer.com was deleted out of band'],
      );

      await cloudflare.destroy(ctxFor(fake), state);
      assert.equal(fake.fallbackOrigin(zone), undefined);
      assert.deepEqual(fake.hostnames(zone).map((h) => h.id), [appMade.id]);
      const gone = await cloudflare.status(ctxFor(fake), state);
      assert.equal(gone.condition, 'gone');
    });
  });
});

describe('cloudflare pages-project', () => {
  const pages = (extra: Record<string, unknown> = {}) =>
    svc({
      id: 'site',
      type: 'cdn',
      depends_on: [],
      _cloudflare: { resource: 'pages-project', account_id: ACCOUNT, project_name: 'my-site', domains: ['www.example.com'], ...extra },
    });

  test('creates the project and binds the custom domains; writes PAGES_URL; a re-run creates nothing', async () => {
    await withFake(async (fake) => {
      const first = await cloudflare.provision(ctxFor(fake), pages());
      const creates = fake.requestsTo('POST', `/accounts/${ACCOUNT}/pages/projects`);
      assert.deepEqual(creates.map((c) => c.json), [{ name: 'my-site', production_branch: 'main' }]);
      assert.deepEqual(fake.requestsTo('POST', `/accounts/${ACCOUNT}/pages/projects/my-site/domains`).map((c) => c.json), [{ name: 'www.example.com' }]);
      assert.deepEqual(first.credentials, { PAGES_URL: 'https://my-site.pages.dev' });
      assert.equal(first.state.resourceId, 'my-site');
      assert.match(first.summary, /^created Pages project my-site at https:\/\/my-site\.pages\.dev, 1 custom domain \(1 added\)$/);

      const before = writes(fake).length;
      await cloudflare.provision(ctxFor(fake, { existing: first.state }), pages());
      await cloudflare.provision(ctxFor(fake), pages()); // lost state: found by name
      assert.equal(writes(fake).length, before);
    });
  });

  test('production branch and domains follow the declaration', async () => {
    await withFake(async (fake) => {
      const first = await cloudflare.provision(ctxFor(fake), pages());
      const second = await cloudflare.provision(ctxFor(fake, { existing: first.state }), pages({ production_branch: 'release', domains: ['app.example.com'] }));
      assert.equal(fake.pagesProject(ACCOUNT, 'my-site')!.production_branch, 'release');
      assert.deepEqual(fake.pagesProject(ACCOUNT, 'my-site')!.domains.map((d) => d.name), ['app.example.com']);
      assert.deepEqual((second.state.metadata as { domains: string[] }).domains, ['app.example.com']);
    });
  });

  test('status: pending domain, then healthy; drift on branch and removed domain; destroy; gone', async () => {
    await withFake(async (fake) => {
      const { state } = await cloudflare.provision(ctxFor(fake), pages());
      const pending = await cloudflare.status(ctxFor(fake), state);
      assert.equal(pending.healthy, false);
      assert.equal(pending.message, 'custom domain status: www.example.com initializing');
      fake.activatePagesDomain(ACCOUNT, 'my-site', 'www.example.com');
      const ok = await cloudflare.status(ctxFor(fake), state);
      assert.equal(ok.healthy, true);
      assert.equal(ok.message, 'Pages project my-site at my-site.pages.dev; 1 custom domain active');

      fake.setProductionBranch(ACCOUNT, 'my-site', 'hotfix');
      fake.removePagesDomain(ACCOUNT, 'my-site', 'www.example.com');
      const drifted = await cloudflare.status(ctxFor(fake), state);
      assert.deepEqual(drifted.drift!.map((d) => d.field), ['production_branch', 'domains[0]']);

      await cloudflare.destroy(ctxFor(fake), state);
      assert.deepEqual(fake.pagesProjects(ACCOUNT), []);
      const gone = await cloudflare.status(ctxFor(fake), state);
      assert.equal(gone.condition, 'gone');
      assert.match(gone.message, /Project not found/);
      await cloudflare.destroy(ctxFor(fake), state);
    });
  });

  test('target shape, with the account id from the vault', async () => {
    await withFake(async (fake) => {
      const service = svc({ id: 'docs', depends_on: [], target: { type: 'cloudflare', resource: 'pages-project', project_name: 'docs-site' } });
      const result = await cloudflare.provision(ctxFor(fake, { vault: { 'providers.cloudflare.account_id': ACCOUNT } }), service);
      assert.equal(result.state.resourceId, 'docs-site');
      assert.deepEqual(fake.pagesProjects(ACCOUNT), ['docs-site']);
    });
  });
});

describe('cloudflare r2-bucket, kv-namespace, d1-database', () => {
  test('R2: create, re-run, lost state, status, gone after an out-of-band delete, recreate, destroy', async () => {
    await withFake(async (fake) => {
      const service = targetService({ resource: 'r2-bucket', bucket: 'assets-prod', region: 'weur' });
      const first = await cloudflare.provision(ctxFor(fake), service);
      assert.deepEqual(fake.requestsTo('POST', `/accounts/${ACCOUNT}/r2/buckets`).map((r) => r.json), [{ name: 'assets-prod', locationHint: 'weur' }]);
      assert.equal(first.state.resourceId, 'assets-prod');
      assert.equal(first.state.region, 'WEUR');
      assert.deepEqual(first.credentials, { R2_BUCKET: 'assets-prod' });
      await cloudflare.provision(ctxFor(fake, { existing: first.state }), service);
      await cloudflare.provision(ctxFor(fake), service);
      assert.equal(fake.requestsTo('POST', `/accounts/${ACCOUNT}/r2/buckets`).length, 1);
      assert.equal((await cloudflare.status(ctxFor(fake), first.state)).message, 'R2 bucket assets-prod (WEUR)');

      fake.deleteR2Bucket(ACCOUNT, 'assets-prod');
      const gone = await cloudflare.status(ctxFor(fake), first.state);
      assert.equal(gone.condition, 'gone');
      await cloudflare.provision(ctxFor(fake, { existing: first.state }), service);
      assert.deepEqual(fake.r2Buckets(ACCOUNT), ['assets-prod']);

      fake.putR2Object(ACCOUNT, 'assets-prod');
      await assert.rejects(cloudflare.destroy(ctxFor(fake), first.state), /409 The bucket you tried to delete is not empty\. \(code 10008\)/);
      assert.deepEqual(fake.r2Buckets(ACCOUNT), ['assets-prod']);
    });
  });

  test('R2 default name: <project>-<env>-<service>', async () => {
    await withFake(async (fake) => {
      const result = await cloudflare.provision(ctxFor(fake, { serviceId: 'Media_Store' }), targetService({ resource: 'r2-bucket' }));
      assert.equal(result.state.resourceId, 'hosting-prod-media-store');
    });
  });

  test('KV: found by title on lost state; a rename out of band is drift and is renamed back', async () => {
    await withFake(async (fake) => {
      const service = targetService({ resource: 'kv-namespace', project_name: 'sessions' });
      const first = await cloudflare.provision(ctxFor(fake), service);
      assert.equal(fake.kvNamespaces(ACCOUNT).length, 1);
      assert.deepEqual(first.credentials, { KV_NAMESPACE_ID: first.state.resourceId });
      const lost = await cloudflare.provision(ctxFor(fake), service);
      assert.equal(lost.state.resourceId, first.state.resourceId);
      assert.equal(fake.requestsTo('POST', `/accounts/${ACCOUNT}/storage/kv/namespaces`).length, 1);

      fake.renameKvNamespace(ACCOUNT, first.state.resourceId, 'sessions-old');
      const drifted = await cloudflare.status(ctxFor(fake), first.state);
      assert.deepEqual(drifted.drift!.map((d) => [d.field, d.recorded, d.live]), [['title', 'sessions', 'sessions-old']]);
      await cloudflare.provision(ctxFor(fake, { existing: first.state }), service);
      assert.equal(fake.kvNamespaces(ACCOUNT)[0]!.title, 'sessions');

      await cloudflare.destroy(ctxFor(fake), first.state);
      assert.equal(fake.kvNamespaces(ACCOUNT).length, 0);
      assert.equal((await cloudflare.status(ctxFor(fake), first.state)).condition, 'gone');
    });
  });

  test('D1: the name filter narrows, the match is exact; recreated when deleted out of band', async () => {
    await withFake(async (fake) => {
      const other = await cloudflare.provision(ctxFor(fake), targetService({ resource: 'd1-database', database: 'app-db-archive' }));
      const service = targetService({ resource: 'd1-database', database: 'app-db', region: 'wnam' });
      const first = await cloudflare.provision(ctxFor(fake), service);
      assert.notEqual(first.state.resourceId, other.state.resourceId);
      assert.equal(first.state.region, 'WNAM');
      assert.deepEqual(first.credentials, { D1_DATABASE_ID: first.state.resourceId });
      await cloudflare.provision(ctxFor(fake), service);
      assert.equal(fake.d1Databases(ACCOUNT).length, 2);

      fake.deleteD1Database(ACCOUNT, first.state.resourceId);
      assert.equal((await cloudflare.status(ctxFor(fake), first.state)).condition, 'gone');
      const again = await cloudflare.provision(ctxFor(fake, { existing: first.state }), service);
      assert.notEqual(again.state.resourceId, first.state.resourceId);
      assert.equal(fake.d1Databases(ACCOUNT).length, 2);
      await cloudflare.destroy(ctxFor(fake), again.state);
      assert.deepEqual(fake.d1Databases(ACCOUNT).map((d) => d.name), ['app-db-archive']);
    });
  });
});

describe('cloudflare faults', () => {
  const records = [{ type: 'CNAME', name: '@', content: 'fallback.example.net', proxied: true }];
  const listing = (zone: string) => (r: { method: string; path: string }) => r.method === 'GET' && r.path === `/zones/${zone}/dns_records`;

  test('429 with Retry-After: waits as told, then succeeds', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      fake.inject({ status: 429, retryAfter: '1', match: listing(zone) });
      await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      const gets = fake.requestsTo('GET', `/zones/${zone}/dns_records`);
      assert.deepEqual(gets.map((g) => g.status), [429, 200]);
      assert.ok(gets[1]!.at - gets[0]!.at >= 900, 'the retry came after Retry-After, not after the 10 ms backoff');
      assert.equal(fake.records(zone).length, 1);
    });
  });

  test('500 on a read, then success', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      fake.inject({ status: 500, times: 2, match: listing(zone) });
      await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      assert.deepEqual(fake.requestsTo('GET', `/zones/${zone}/dns_records`).map((g) => g.status), [500, 500, 200]);
    });
  });

  test('a 500 on a create is not repeated blindly; the error quotes Cloudflare and a re-run converges', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      fake.inject({ status: 500, match: (r) => r.method === 'POST' });
      await assert.rejects(cloudflare.provision(ctxFor(fake), dnsService(zone, records)), /cloudflare API POST .* failed: 500 injected 500 \(code 10000\)/);
      assert.equal(fake.requestsTo('POST', `/zones/${zone}/dns_records`).length, 1);
      await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      assert.equal(fake.records(zone).length, 1);
    });
  });

  test('a slow answer past the timeout is retried for a read', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      fake.inject({ delayMs: 1500, status: 200, body: { success: true, errors: [], messages: [], result: [] }, match: listing(zone) });
      const ctx = ctxFor(fake);
      ctx.processEnv = { ...ctx.processEnv, STARSYSTEM_HTTP_TIMEOUT_MS: '300' };
      await cloudflare.provision(ctx, dnsService(zone, records));
      assert.equal(fake.requestsTo('GET', `/zones/${zone}/dns_records`).length, 2);
      assert.equal(fake.records(zone).length, 1);
    });
  });

  test('a dropped connection: a read is retried; a create is not, and a re-run does not duplicate', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      fake.inject({ drop: true, match: listing(zone) });
      await cloudflare.provision(ctxFor(fake), dnsService(zone, [{ type: 'A', name: 'www', content: '192.0.2.1' }]));
      assert.equal(fake.requestsTo('GET', `/zones/${zone}/dns_records`).length, 2);

      fake.loseAnswer((r) => r.method === 'POST');
      await assert.rejects(cloudflare.provision(ctxFor(fake), dnsService(zone, records)), /may have applied it; run again to reconcile/);
      assert.equal(fake.records(zone).filter((r) => r.type === 'CNAME').length, 1, 'created; the answer was lost');
      await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      assert.equal(fake.records(zone).filter((r) => r.type === 'CNAME').length, 1);
      assert.equal(fake.requestsTo('POST', `/zones/${zone}/dns_records`).length, 2, 'the A record and the lost CNAME; nothing after');
    });
  });

  test('401: a clear error naming Cloudflare and what it said, never the token; status is an error, not gone; state untouched', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      const { state } = await cloudflare.provision(ctxFor(fake), dnsService(zone, records));
      const snapshot = structuredClone(state);
      const badToken = 'cf-revoked-token-987654321';
      const ctx = ctxFor(fake, { apiKey: badToken, existing: state });
      await assert.rejects(cloudflare.provision(ctx, dnsService(zone, records)), (error: Error) => {
        assert.match(error.message, /^cloudflare API GET \/zones\/\w+\/dns_records failed: 401 Invalid access token \(code 9109\)$/);
        assert.ok(!error.message.includes(badToken));
        return true;
      });
      assert.deepEqual(ctx.partials, []);
      assert.deepEqual(state, snapshot);
      const status = await cloudflare.status(ctxFor(fake, { apiKey: badToken }), state);
      assert.equal(status.healthy, false);
      assert.equal(status.condition, 'error');
      assert.match(status.message, /401 Invalid access token/);
      await assert.rejects(cloudflare.destroy(ctxFor(fake, { apiKey: badToken }), state), /401/);
      assert.equal(fake.records(zone).length, 1, 'nothing deleted');

      fake.inject({ status: 403, body: { success: false, errors: [{ code: 10000, message: 'Authentication error' }], messages: [], result: null } });
      const forbidden = await cloudflare.status(ctxFor(fake), state);
      assert.equal(forbidden.condition, 'error');
      assert.match(forbidden.message, /403 Authentication error \(code 10000\)/);
    });
  });

  test('no token at all: says how to set it, before any request', async () => {
    await withFake(async (fake) => {
      const zone = fake.addZone('example.com');
      await assert.rejects(cloudflare.provision(ctxFor(fake, { apiKey: '' }), dnsService(zone, records)), /ss vault set providers:cloudflare api_key <token>/);
      assert.equal(fake.requests.length, 0);
    });
  });
});

// The record shape status() is given comes from the overlay too; a record without metadata is refused clearly.
test('cloudflare status of a state without a resource kind is an error, not a guess', async () => {
  await withFake(async (fake) => {
    const state: ProvisionStateRecord = { provider: 'cloudflare', resourceId: 'x', provisionedAt: new Date().toISOString() };
    const status = await cloudflare.status(ctxFor(fake), state);
    assert.equal(status.condition, 'error');
    assert.match(status.message, /does not say which Cloudflare resource/);
  });
});
