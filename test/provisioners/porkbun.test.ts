/** The Porkbun provisioner against the fake Porkbun API v3 (test/fakes/porkbun.ts). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { PorkbunProvisioner } from '../../engine/provisioners/porkbun';
import type { ProvisionContext, ResolvedService } from '../../engine/provisioners/types';
import { PorkbunFake } from '../fakes/porkbun';
import { testContext, type TestContext } from '../helpers/provisionContext';

const API_KEY = 'pk1_live_5f2a9c0123456789';
const SECRET = 'sk1_live_9c2f5a9876543210';
const porkbun = new PorkbunProvisioner();
const svc = (declaration: Record<string, unknown>) => declaration as unknown as ResolvedService;

function ctxFor(fake: PorkbunFake, options: Partial<ProvisionContext> & { vault?: Record<string, string> } = {}): TestContext {
  return testContext({
    project: 'hosting',
    env: 'prod',
    serviceId: 'dns',
    apiKey: API_KEY,
    vault: { 'secrets.PORKBUN_SECRET_KEY': SECRET },
    processEnv: {
      STARSYSTEM_PORKBUN_API_URL: fake.url,
      STARSYSTEM_HTTP_BACKOFF_MS: '10',
      STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
      STARSYSTEM_HTTP_RETRIES: '3',
    },
    ...options,
  });
}

async function withFake(fn: (fake: PorkbunFake) => Promise<void>): Promise<void> {
  const fake = await new PorkbunFake({ apiKey: API_KEY, secretKey: SECRET }).start();
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

const records = [
  { type: 'A', name: '@', content: '192.0.2.10' },
  { type: 'CNAME', name: 'www', content: 'example.com' },
  { type: 'MX', name: '@', content: 'mx.mail.example', priority: 10 },
];

function dns(extra: Record<string, unknown> = {}, recs: Record<string, unknown>[] = records): ResolvedService {
  return svc({ id: 'dns', type: 'dns', depends_on: [], provision: { provider: 'porkbun', domain: 'example.com', records: recs, ...extra } });
}

const writes = (fake: PorkbunFake) => fake.calls('/dns/create/') + fake.calls('/dns/edit/') + fake.calls('/dns/delete/') + fake.calls('/domain/create/');

describe('porkbun: routing, plan and input', () => {
  test('chosen by provision.provider or target.type porkbun only', () => {
    assert.equal(porkbun.canProvision(dns()), true);
    assert.equal(porkbun.canProvision(svc({ id: 'x', depends_on: [], target: { type: 'porkbun', domain: 'a.com' } })), true);
    assert.equal(porkbun.canProvision(svc({ id: 'x', depends_on: [], type: 'dns' })), false);
    assert.equal(porkbun.describePlan(dns()), 'Porkbun 3 DNS records');
    assert.equal(porkbun.describePlan(dns({ register: true })), 'Porkbun domain registration (if not registered) + 3 DNS records');
    assert.deepEqual(porkbun.catalog.vaultKeys!.map((k) => k.key), ['secrets.PORKBUN_SECRET_KEY', 'providers.porkbun.secret_key']);
  });

  test('bad input is refused before any request', async () => {
    await withFake(async (fake) => {
      await assert.rejects(porkbun.provision(ctxFor(fake), dns({ domain: undefined })), /Service "dns" \(porkbun\): domain is required/);
      await assert.rejects(porkbun.provision(ctxFor(fake), dns({ domain: 'not a domain' })), /is not a domain name/);
      await assert.rejects(porkbun.provision(ctxFor(fake), dns({}, [{ type: 'A', name: '@', content: '192.0.2.1', proxied: true }])), /proxied is a Cloudflare setting/);
      await assert.rejects(porkbun.provision(ctxFor(fake, { vault: {} }), dns()), /ss vault set PORKBUN_SECRET_KEY <sk1_\.\.\.>/);
      await assert.rejects(porkbun.provision(ctxFor(fake, { apiKey: '' }), dns()), /ss vault set-key porkbun api_key/);
      assert.equal(fake.requests.length, 0);
    });
  });
});

describe('porkbun DNS records', () => {
  test('creates the records with the keys in the body; "@" is the apex; records ids', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      const ctx = ctxFor(fake);
      const result = await porkbun.provision(ctx, dns());
      const creates = fake.requestsTo('POST', '/dns/create/example.com');
      assert.equal(creates.length, 3);
      assert.deepEqual(creates[0]!.json, { name: '', type: 'A', content: '192.0.2.10', ttl: '600', apikey: API_KEY, secretapikey: SECRET });
      assert.deepEqual(creates[2]!.json, { name: '', type: 'MX', content: 'mx.mail.example', ttl: '600', prio: '10', apikey: API_KEY, secretapikey: SECRET });
      assert.deepEqual(fake.records('example.com').map((r) => [r.type, r.name, r.content]), [
        ['A', 'example.com', '192.0.2.10'],
        ['CNAME', 'www.example.com', 'example.com'],
        ['MX', 'example.com', 'mx.mail.example'],
      ]);
      assert.equal(result.state.provider, 'porkbun');
      assert.equal(result.state.resourceId, 'example.com');
      const meta = result.state.metadata as { records: { id: string; ttl: number }[]; registered?: boolean };
      assert.deepEqual(meta.records.map((r) => r.id), fake.records('example.com').map((r) => r.id));
      assert.equal(meta.records[0]!.ttl, 600);
      assert.equal(meta.registered, undefined);
      assert.equal(result.summary, '3 DNS records on example.com: 3 created');
      assert.ok(!JSON.stringify(result.state).includes(SECRET) && !JSON.stringify(result.state).includes(API_KEY));
      assert.equal(ctx.partials.length, 3, 'progress saved after each create');
      assert.equal(fake.calls('/domain/'), 0, 'no registration without register: true');
    });
  });

  test('re-run with state, and lost state: nothing written, nothing duplicated', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      const first = await porkbun.provision(ctxFor(fake), dns());
      const before = writes(fake);
      const again = await porkbun.provision(ctxFor(fake, { existing: first.state }), dns());
      const lost = await porkbun.provision(ctxFor(fake), dns());
      assert.equal(writes(fake), before);
      assert.equal(fake.records('example.com').length, 3);
      assert.deepEqual(again.state.metadata, first.state.metadata);
      assert.deepEqual(lost.state.metadata, first.state.metadata);
      assert.equal(again.summary, '3 DNS records on example.com: 3 unchanged');
    });
  });

  test('content changed: edited in place (same id), not created again; a TTL under 600 does not cause endless edits', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      const first = await porkbun.provision(ctxFor(fake), dns());
      const changed = [{ ...records[0]!, content: '192.0.2.77', ttl: 300 }, records[1]!, records[2]!];
      const second = await porkbun.provision(ctxFor(fake, { existing: first.state }), dns({}, changed));
      const aId = (first.state.metadata as { records: { id: string }[] }).records[0]!.id;
      const edits = fake.requestsTo('POST', `/dns/edit/example.com/${aId}`);
      assert.equal(edits.length, 1);
      assert.deepEqual(edits[0]!.json, { name: '', type: 'A', content: '192.0.2.77', ttl: '600', apikey: API_KEY, secretapikey: SECRET });
      assert.equal(fake.calls('/dns/create/'), 3);
      assert.equal(fake.records('example.com').find((r) => r.id === aId)!.content, '192.0.2.77');
      assert.equal(second.summary, '3 DNS records on example.com: 1 updated, 2 unchanged');
      await porkbun.provision(ctxFor(fake, { existing: second.state }), dns({}, changed));
      assert.equal(fake.calls('/dns/edit/'), 1, 'ttl 300 is kept by Porkbun as 600: no second edit');
    });
  });

  test('a parked record at the same name is taken over; records never declared are left alone; dropped records are deleted', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      const parked = fake.addRecord('example.com', { name: '', type: 'A', content: '203.0.113.1' });
      const txt = fake.addRecord('example.com', { name: '', type: 'TXT', content: 'google-site-verification=abc' });
      const first = await porkbun.provision(ctxFor(fake), dns());
      assert.equal(fake.records('example.com').find((r) => r.id === parked.id)!.content, '192.0.2.10');
      assert.equal(fake.calls('/dns/create/'), 2);
      await porkbun.provision(ctxFor(fake, { existing: first.state }), dns({}, [records[0]!]));
      assert.deepEqual(fake.records('example.com').map((r) => r.id).sort(), [parked.id, txt.id].sort());
    });
  });

  test('target shape and the secret from providers.porkbun.secret_key', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.org');
      const service = svc({ id: 'dns', depends_on: [], target: { type: 'porkbun', domain: 'Example.org', records: [{ type: 'TXT', name: '_dmarc', content: 'v=DMARC1; p=none' }] } });
      const result = await porkbun.provision(ctxFor(fake, { vault: { 'providers.porkbun.secret_key': SECRET } }), service);
      assert.equal(result.state.resourceId, 'example.org');
      assert.equal(fake.records('example.org')[0]!.name, '_dmarc.example.org');
    });
  });

  test('a changed domain: the new one gets the records, the old one is left and the step says so', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com').addDomain('example.org');
      const first = await porkbun.provision(ctxFor(fake), dns());
      const ctx = ctxFor(fake, { existing: first.state });
      const moved = await porkbun.provision(ctx, dns({ domain: 'example.org' }));
      assert.equal(moved.state.resourceId, 'example.org');
      assert.equal(fake.records('example.org').length, 3);
      assert.equal(fake.records('example.com').length, 3);
      assert.ok(ctx.steps.includes('The recorded domain example.com is not the declared example.org; its records are left as they are'));
    });
  });

  test("a domain outside the account: Porkbun's message plus what to check", async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.net', { apiAccess: false });
      await assert.rejects(
        porkbun.provision(ctxFor(fake), dns()),
        /porkbun API POST \/dns\/retrieve\/example\.com failed: 400 Invalid domain\. \(is example\.com in this Porkbun account with API access turned on\? register: true registers it, which costs money\)/,
      );
      await assert.rejects(porkbun.provision(ctxFor(fake), dns({ domain: 'example.net' })), /400 Domain is not opted in to API access\./);
    });
  });

  test('status, drift after an out-of-band change or removal, repair, destroy', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      const { state } = await porkbun.provision(ctxFor(fake), dns());
      const ok = await porkbun.status(ctxFor(fake), state);
      assert.equal(ok.healthy, true);
      assert.equal(ok.message, '3 DNS records in place on example.com');

      const ids = (state.metadata as { records: { id: string }[] }).records.map((r) => r.id);
      fake.editRecord('example.com', ids[0]!, { content: '198.51.100.5' });
      const changed = await porkbun.status(ctxFor(fake), state);
      assert.equal(changed.healthy, false);
      assert.equal(changed.condition, 'unhealthy');
      assert.deepEqual(changed.drift, [
        { field: 'records[0].content', recorded: '192.0.2.10', live: '198.51.100.5', message: 'A example.com content changed from 192.0.2.10 to 198.51.100.5' },
      ]);
      fake.deleteRecord('example.com', ids[1]!);
      const removed = await porkbun.status(ctxFor(fake), state);
      assert.deepEqual(removed.drift!.map((d) => d.field), ['records[0].content', 'records[1]']);
      assert.match(removed.message, /^1 DNS record missing on example\.com/);

      const repaired = await porkbun.provision(ctxFor(fake, { existing: state }), dns());
      assert.equal((await porkbun.status(ctxFor(fake), repaired.state)).healthy, true);
      assert.equal(fake.records('example.com').length, 3);

      const ctx = ctxFor(fake);
      fake.deleteRecord('example.com', (repaired.state.metadata as { records: { id: string }[] }).records[2]!.id);
      await porkbun.destroy(ctx, repaired.state);
      assert.deepEqual(fake.records('example.com'), []);
      assert.ok(ctx.steps.some((s) => s.endsWith('was already gone')));
    });
  });
});

describe('porkbun domain registration (register: true)', () => {
  test('checks availability, says it costs money, registers with the quoted cost, then creates the records', async () => {
    await withFake(async (fake) => {
      fake.offerDomain('example.com', '9.73');
      const ctx = ctxFor(fake);
      const result = await porkbun.provision(ctx, dns({ register: true }));
      const creates = fake.requestsTo('POST', '/domain/create/example.com');
      assert.equal(creates.length, 1);
      assert.equal((creates[0]!.json as { cost: number }).cost, 973);
      assert.equal((creates[0]!.json as { agreeToTerms: string }).agreeToTerms, 'yes');
      assert.ok(fake.requests.findIndex((r) => r.path.startsWith('/domain/checkDomain/')) < fake.requests.findIndex((r) => r.path.startsWith('/domain/create/')));
      assert.ok(ctx.steps.includes('Registering example.com for 9.73 USD: this charges the Porkbun account (register: true)'), ctx.steps.join('\n'));
      assert.deepEqual(fake.ownedDomains(), ['example.com']);
      assert.equal(fake.records('example.com').length, 3);
      assert.equal((result.state.metadata as { registered: boolean }).registered, true);
      assert.deepEqual(ctx.partials[0], { provider: 'porkbun', resourceId: 'example.com', metadata: { domain: 'example.com', registered: true, records: [] } });

      // Again, with state or without: never a second registration.
      await porkbun.provision(ctxFor(fake, { existing: result.state }), dns({ register: true }));
      await porkbun.provision(ctxFor(fake), dns({ register: true }));
      assert.equal(fake.calls('/domain/create/'), 1);
      assert.equal(fake.calls('/domain/checkDomain/'), 1);

      const destroyCtx = ctxFor(fake);
      await porkbun.destroy(destroyCtx, result.state);
      assert.ok(destroyCtx.steps.some((s) => s.startsWith('The registration of example.com stays')));
      assert.deepEqual(fake.ownedDomains(), ['example.com']);
    });
  });

  test('never registers without the flag, nor a domain that is taken or premium', async () => {
    await withFake(async (fake) => {
      fake.offerDomain('example.com', '9.73');
      await assert.rejects(porkbun.provision(ctxFor(fake), dns()), /Invalid domain/);
      assert.equal(fake.calls('/domain/'), 0);

      await assert.rejects(porkbun.provision(ctxFor(fake), dns({ domain: 'taken.com', register: true })), /taken\.com is not available for registration at Porkbun/);
      fake.offerDomain('gold.com', '2500.00', { premium: true });
      await assert.rejects(porkbun.provision(ctxFor(fake), dns({ domain: 'gold.com', register: true })), /gold\.com is a premium domain \(2500\.00 USD\)/);
      assert.equal(fake.calls('/domain/create/'), 0);
    });
  });

  test('a registration whose answer was lost is not repeated: the next run finds the domain in the account', async () => {
    await withFake(async (fake) => {
      fake.offerDomain('example.com', '9.73');
      fake.loseAnswer((r) => r.path === '/domain/create/example.com');
      await assert.rejects(porkbun.provision(ctxFor(fake), dns({ register: true })), /may have applied it; run again to reconcile/);
      assert.equal(fake.calls('/domain/create/'), 1, 'not retried');
      assert.deepEqual(fake.ownedDomains(), ['example.com'], 'Porkbun did register it');
      const result = await porkbun.provision(ctxFor(fake), dns({ register: true }));
      assert.equal(fake.calls('/domain/create/'), 1);
      assert.equal((result.state.metadata as { registered: boolean }).registered, true);
    });
  });
});

describe('porkbun faults', () => {
  const retrieve = (r: { path: string }) => r.path === '/dns/retrieve/example.com';

  test('429 with Retry-After: waits as told, then succeeds', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      fake.inject({ status: 429, retryAfter: '1', match: retrieve });
      await porkbun.provision(ctxFor(fake), dns());
      const calls = fake.requestsTo('POST', '/dns/retrieve/example.com');
      assert.deepEqual(calls.map((c) => c.status), [429, 200]);
      assert.ok(calls[1]!.at - calls[0]!.at >= 900);
      assert.equal(fake.records('example.com').length, 3);
    });
  });

  test('500 on a read, then success; a 500 on a create is not repeated and a re-run converges', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      fake.inject({ status: 500, match: retrieve });
      fake.inject({ status: 500, match: (r) => r.path.startsWith('/dns/create/') });
      await assert.rejects(porkbun.provision(ctxFor(fake), dns()), /porkbun API POST \/dns\/create\/example\.com failed: 500 injected 500/);
      assert.deepEqual(fake.requestsTo('POST', '/dns/retrieve/example.com').map((c) => c.status), [500, 200]);
      assert.equal(fake.calls('/dns/create/'), 1);
      await porkbun.provision(ctxFor(fake), dns());
      assert.equal(fake.records('example.com').length, 3);
    });
  });

  test('a slow answer past the timeout is retried for a read', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      fake.inject({ delayMs: 1500, status: 200, body: { status: 'SUCCESS', records: [] }, match: retrieve });
      const ctx = ctxFor(fake);
      ctx.processEnv = { ...ctx.processEnv, STARSYSTEM_HTTP_TIMEOUT_MS: '300' };
      await porkbun.provision(ctx, dns());
      assert.equal(fake.requestsTo('POST', '/dns/retrieve/example.com').length, 2);
      assert.equal(fake.records('example.com').length, 3);
    });
  });

  test('a dropped connection: a read is retried; a create is not, and a re-run does not duplicate', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      fake.inject({ drop: true, match: retrieve });
      fake.loseAnswer((r) => r.path.startsWith('/dns/create/'));
      await assert.rejects(porkbun.provision(ctxFor(fake), dns()), /porkbun API POST \/dns\/create\/example\.com failed: .*may have applied it/);
      assert.equal(fake.requestsTo('POST', '/dns/retrieve/example.com').length, 2);
      assert.equal(fake.records('example.com').length, 1, 'the first record was created; its answer was lost');
      await porkbun.provision(ctxFor(fake), dns());
      assert.equal(fake.records('example.com').length, 3);
      assert.equal(fake.calls('/dns/create/'), 3, 'the lost one is found, not created again');
    });
  });

  test('wrong keys: the error names Porkbun and quotes it, never a key; status is an error, never gone; state untouched', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      const { state } = await porkbun.provision(ctxFor(fake), dns());
      const snapshot = structuredClone(state);
      const wrongSecret = 'sk1_revoked_00000000000';
      const ctx = ctxFor(fake, { vault: { 'secrets.PORKBUN_SECRET_KEY': wrongSecret }, existing: state });
      await assert.rejects(porkbun.provision(ctx, dns()), (error: Error) => {
        assert.equal(error.message, 'porkbun API POST /dns/retrieve/example.com failed: 400 Invalid API key. (002)');
        return true;
      });
      assert.deepEqual(ctx.partials, []);
      assert.deepEqual(state, snapshot);
      const status = await porkbun.status(ctxFor(fake, { vault: { 'secrets.PORKBUN_SECRET_KEY': wrongSecret } }), state);
      assert.equal(status.condition, 'error');
      assert.equal(status.healthy, false);
      await assert.rejects(porkbun.destroy(ctxFor(fake, { vault: { 'secrets.PORKBUN_SECRET_KEY': wrongSecret } }), state), /Invalid API key/);
      assert.equal(fake.records('example.com').length, 3);

      fake.inject({ status: 401, body: { status: 'ERROR', message: `Unauthorized key ${API_KEY}` } });
      const unauthorized = await porkbun.status(ctxFor(fake), state);
      assert.equal(unauthorized.condition, 'error');
      assert.match(unauthorized.message, /401 Unauthorized key \*\*\*/);
      assert.ok(!unauthorized.message.includes(API_KEY));
    });
  });

  test('a 200 whose status is ERROR is an error too', async () => {
    await withFake(async (fake) => {
      fake.addDomain('example.com');
      fake.inject({ status: 200, body: { status: 'ERROR', message: 'Something went wrong on our side.' }, match: retrieve });
      await assert.rejects(porkbun.provision(ctxFor(fake), dns()), /porkbun API POST \/dns\/retrieve\/example\.com failed: 200 Something went wrong on our side\./);
    });
  });
});
