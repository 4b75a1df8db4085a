import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { configChanges, flyAppUrl, flyGuest, FlyProvisioner, machineConfig, flySettings } from '../../engine/provisioners/fly';
import type { ProvisionContext, ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { FakeFly } from '../fakes/fly';
import { testContext, type TestContext } from '../helpers/provisionContext';

const TOKEN = 'fly-secret-token-b81c44';
const DATABASE_URL = 'postgresql://neondb_owner:npg_Secr3tPassw0rd@ep-x.us-east-2.aws.neon.tech/neondb?sslmode=require';

function service(target: Record<string, unknown> = {}): ResolvedService {
  return {
    id: 'api',
    type: 'process',
    depends_on: ['app-db'],
    inject_from: { 'app-db': ['DATABASE_URL'] },
    target: {
      type: 'fly',
      app: 'my-app-api',
      region: 'iad',
      image: 'ghcr.io/me/my-app-api:latest',
      port: 3000,
      health_check_path: '/health',
      env: { NODE_ENV: 'production' },
      ...target,
    },
  } as ResolvedService;
}

function env(fake: FakeFly, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    STARSYSTEM_FLY_API_URL: fake.url,
    STARSYSTEM_FLY_APP_URL: fake.appUrlTemplate,
    STARSYSTEM_HTTP_BACKOFF_MS: '10',
    STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
    STARSYSTEM_POLL_INTERVAL_MS: '20',
    STARSYSTEM_WAIT_TIMEOUT_MS: '4000',
    ...extra,
  };
}

function ctxFor(fake: FakeFly, options: Partial<ProvisionContext> = {}): TestContext {
  return testContext({
    project: 'my-app',
    env: 'prod',
    serviceId: 'api',
    apiKey: TOKEN,
    injected: { DATABASE_URL },
    processEnv: env(fake),
    ...options,
  });
}

async function withFake(fn: (fake: FakeFly) => Promise<void>): Promise<void> {
  const fake = await new FakeFly({ token: TOKEN }).start();
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

const fly = new FlyProvisioner();
const creates = (fake: FakeFly) => fake.server.requestsTo('POST', '/v1/apps/my-app-api/machines');
const updates = (fake: FakeFly) => fake.server.requestsTo('POST', /^\/v1\/apps\/my-app-api\/machines\/[0-9a-f]+$/);

describe('fly provisioner', () => {
  test('settings: validation before any request', () => {
    assert.throws(() => flySettings(service({ app: undefined })), /fly needs target.app/);
    assert.throws(() => flySettings(service({ app: 'My_App' })), /not a valid Fly app name/);
    assert.throws(() => flySettings(service({ image: undefined })), /fly needs target.image/);
    assert.throws(() => flySettings(service({ health_check_path: 'health' })), /must start with "\/"/);
    assert.throws(() => flyGuest('api', 'huge', undefined), /unknown Fly vm_size "huge"/);
    assert.deepEqual(flyGuest('api', 'performance-2x', undefined), { cpu_kind: 'performance', cpus: 2, memory_mb: 4096 });
    assert.deepEqual(flyGuest('api', undefined, 512), { cpu_kind: 'shared', cpus: 1, memory_mb: 512 });
    assert.equal(flyAppUrl('my-app-api', {}), 'https://my-app-api.fly.dev');
    assert.equal(flyAppUrl('a-b', { STARSYSTEM_FLY_APP_URL: 'http://127.0.0.1:9/_apps/{app}/' }), 'http://127.0.0.1:9/_apps/a-b');
    assert.equal(fly.describePlan(service()), 'Fly app + machine, region=iad');
  });

  test('machine config: injected credentials join the declared env; changes are detected per part', () => {
    const ctx = { project: 'p', env: 'prod', serviceId: 'api', injected: { DATABASE_URL } };
    const config = machineConfig(ctx, flySettings(service()));
    assert.deepEqual(config.env, { NODE_ENV: 'production', DATABASE_URL });
    assert.equal(config.services?.[0]?.internal_port, 3000);
    assert.equal(config.services?.[0]?.checks?.[0]?.path, '/health');
    assert.deepEqual(configChanges(config, config), []);
    assert.deepEqual(configChanges(config, { ...config, image: 'x:2' }), ['image']);
    assert.deepEqual(configChanges(config, { ...config, env: { NODE_ENV: 'production' } }), ['env']);
    assert.deepEqual(configChanges(config, machineConfig(ctx, flySettings(service({ port: 8080 })))), ['services']);
  });

  test('creates the app, its IPs and a machine with the injected env, waits for started and the health check', async () => {
    await withFake(async (fake) => {
      const ctx = ctxFor(fake);
      const result = await fly.provision(ctx, service());

      const appCreate = fake.server.requestsTo('POST', '/v1/apps');
      assert.equal(appCreate.length, 1);
      assert.deepEqual(appCreate[0]!.json, { app_name: 'my-app-api', org_slug: 'personal' });
      assert.equal(appCreate[0]!.headers.authorization, `Bearer ${TOKEN}`);
      assert.deepEqual(
        fake.server.requestsTo('POST', '/v1/apps/my-app-api/ip_assignments').map((r) => (r.json as { type: string }).type),
        ['shared_v4', 'v6'],
      );

      assert.equal(creates(fake).length, 1);
      const launch = creates(fake)[0]!.json as { region: string; config: { image: string; env: Record<string, string>; services: { internal_port: number }[] } };
      assert.equal(launch.region, 'iad');
      assert.equal(launch.config.image, 'ghcr.io/me/my-app-api:latest');
      assert.deepEqual(launch.config.env, { NODE_ENV: 'production', DATABASE_URL });
      assert.equal(launch.config.services[0]!.internal_port, 3000);

      const [machine] = fake.machinesOf('my-app-api');
      const waits = fake.server.requestsTo('GET', `/v1/apps/my-app-api/machines/${machine!.id}/wait`);
      assert.equal(waits.at(-1)!.query.get('state'), 'started');
      assert.equal(waits.at(-1)!.query.get('instance_id'), machine!.instance_id);
      assert.equal(waits.at(-1)!.status, 200);
      const health = fake.server.requestsTo('GET', '/_apps/my-app-api/health');
      assert.equal(health.at(-1)!.status, 200);
      assert.equal(health[0]!.headers.authorization, undefined, 'the token is never sent to the app');

      assert.equal(result.state.resourceId, 'my-app-api');
      assert.equal(result.state.region, 'iad');
      assert.equal(result.state.metadata!.machineId, machine!.id);
      assert.equal(result.state.metadata!.image, 'ghcr.io/me/my-app-api:latest');
      assert.deepEqual(result.state.metadata!.envKeys, ['DATABASE_URL', 'NODE_ENV']);
      assert.ok(!JSON.stringify(result.state).includes('npg_Secr3tPassw0rd'), 'no injected secret in state');
      assert.equal(result.credentials!.APP_URL, flyAppUrl('my-app-api', ctx.processEnv!));

      // Partial state after the app, then after the machine.
      assert.deepEqual(ctx.partials.map((p) => p.metadata?.machineId ?? null), [null, machine!.id]);
      assert.deepEqual(
        ctx.steps.map((s) => s.replace(/: [0-9a-f]{14}$/, '').replace(/at .*$/, 'at URL')),
        ['App created: my-app-api', 'Allocated shared IPv4 and IPv6 for my-app-api', 'Machine launched in iad', 'Health check passing at URL'],
      );
    });
  });

  test('re-run with existing state: nothing created or updated', async () => {
    await withFake(async (fake) => {
      const first = await fly.provision(ctxFor(fake), service());
      const requestsBefore = fake.requests.length;
      const second = await fly.provision(ctxFor(fake, { existing: first.state }), service());
      const after = fake.requests.slice(requestsBefore);
      assert.deepEqual(after.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`), []);
      assert.equal(second.state.metadata!.machineId, first.state.metadata!.machineId);
      assert.equal(second.state.provisionedAt, first.state.provisionedAt);
      assert.match(second.summary, /already runs ghcr.io\/me\/my-app-api:latest/);
      assert.equal(fake.machinesOf('my-app-api').length, 1);
    });
  });

  test('lost state: adopts the app and the machine tagged with the service', async () => {
    await withFake(async (fake) => {
      const first = await fly.provision(ctxFor(fake), service());
      const second = await fly.provision(ctxFor(fake), service());
      assert.equal(fake.server.requestsTo('POST', '/v1/apps').length, 1);
      assert.equal(creates(fake).length, 1);
      assert.equal(second.state.metadata!.machineId, first.state.metadata!.machineId);
    });
  });

  test('a failing health check fails the run; the next run resumes from the partial state', async () => {
    await withFake(async (fake) => {
      fake.setAppHealth('my-app-api', 503);
      const ctx = ctxFor(fake, { processEnv: env(fake, { STARSYSTEM_WAIT_TIMEOUT_MS: '400' }) });
      await assert.rejects(fly.provision(ctx, service()), /health check at .*\/_apps\/my-app-api\/health .*answered 503/);
      const partial = ctx.partials.at(-1)!;
      assert.equal(typeof partial.metadata?.machineId, 'string');

      fake.setAppHealth('my-app-api', undefined);
      const resumed = await fly.provision(ctxFor(fake, { partial }), service());
      assert.equal(resumed.state.metadata!.machineId, partial.metadata!.machineId);
      assert.equal(fake.server.requestsTo('POST', '/v1/apps').length, 1);
      assert.equal(creates(fake).length, 1);
    });
  });

  test('a changed image is a rolling update of the same machine', async () => {
    await withFake(async (fake) => {
      const first = await fly.provision(ctxFor(fake), service());
      const machineId = first.state.metadata!.machineId as string;
      const ctx = ctxFor(fake, { existing: first.state });
      const second = await fly.provision(ctx, service({ image: 'ghcr.io/me/my-app-api:v2' }));

      assert.equal(creates(fake).length, 1, 'no new machine');
      assert.equal(fake.server.requestsTo('POST', '/v1/apps').length, 1, 'no new app');
      const update = updates(fake);
      assert.equal(update.length, 1);
      assert.equal(update[0]!.path, `/v1/apps/my-app-api/machines/${machineId}`);
      const config = (update[0]!.json as { config: { image: string; env: Record<string, string> } }).config;
      assert.equal(config.image, 'ghcr.io/me/my-app-api:v2');
      assert.equal(config.env.DATABASE_URL, DATABASE_URL);

      const machine = fake.machinesOf('my-app-api')[0]!;
      assert.equal(machine.id, machineId);
      assert.equal(machine.config.image, 'ghcr.io/me/my-app-api:v2');
      const lastWait = fake.server.requestsTo('GET', `/v1/apps/my-app-api/machines/${machineId}/wait`).at(-1)!;
      assert.equal(lastWait.query.get('instance_id'), machine.instance_id, 'waited for the new instance');
      assert.equal(second.state.metadata!.image, 'ghcr.io/me/my-app-api:v2');
      assert.equal(second.state.metadata!.machineId, machineId);
      assert.ok(ctx.steps.includes('Rolling update: image ghcr.io/me/my-app-api:latest -> ghcr.io/me/my-app-api:v2'));
      assert.match(second.summary, /rolling update of my-app-api \(image\)/);
    });
  });

  test('a rotated injected credential updates the machine env', async () => {
    await withFake(async (fake) => {
      const first = await fly.provision(ctxFor(fake), service());
      const rotated = DATABASE_URL.replace('npg_Secr3tPassw0rd', 'npg_N3wPassw0rd');
      await fly.provision(ctxFor(fake, { existing: first.state, injected: { DATABASE_URL: rotated } }), service());
      assert.equal(updates(fake).length, 1);
      assert.equal(fake.machinesOf('my-app-api')[0]!.config.env!.DATABASE_URL, rotated);
    });
  });

  test('a changed region starts a machine there, then destroys the old one', async () => {
    await withFake(async (fake) => {
      const first = await fly.provision(ctxFor(fake), service());
      const second = await fly.provision(ctxFor(fake, { existing: first.state }), service({ region: 'lhr' }));
      const machines = fake.machinesOf('my-app-api');
      assert.equal(machines.length, 1);
      assert.equal(machines[0]!.region, 'lhr');
      assert.notEqual(machines[0]!.id, first.state.metadata!.machineId);
      assert.equal(second.state.region, 'lhr');
      const destroy = fake.server.requestsTo('DELETE', `/v1/apps/my-app-api/machines/${first.state.metadata!.machineId}`);
      assert.equal(destroy[0]!.query.get('force'), 'true');
    });
  });

  test('a stopped machine with an unchanged config is started again', async () => {
    await withFake(async (fake) => {
      const first = await fly.provision(ctxFor(fake), service());
      fake.stopMachine('my-app-api');
      const ctx = ctxFor(fake, { existing: first.state });
      const second = await fly.provision(ctx, service());
      assert.equal(fake.server.requestsTo('POST', /\/start$/).length, 1);
      assert.equal(updates(fake).length, 0);
      assert.equal(fake.machinesOf('my-app-api')[0]!.state, 'started');
      assert.match(second.summary, /started the machine/);
    });
  });

  test('status: healthy; drift on image, region and a stopped machine; gone when the app is gone', async () => {
    await withFake(async (fake) => {
      const { state } = await fly.provision(ctxFor(fake), service());
      const healthy = await fly.status(ctxFor(fake), state);
      assert.equal(healthy.healthy, true, healthy.message);
      assert.equal(healthy.condition, 'healthy');
      assert.deepEqual(healthy.drift, []);
      assert.match(healthy.message, /started in iad, health check passing/);

      fake.setImage('my-app-api', 'ghcr.io/me/my-app-api:hotfix');
      fake.setRegion('my-app-api', 'ord');
      const drifted = await fly.status(ctxFor(fake), state);
      assert.deepEqual(drifted.drift?.map((d) => [d.field, d.live]), [['image', 'ghcr.io/me/my-app-api:hotfix'], ['region', 'ord']]);

      fake.stopMachine('my-app-api');
      const stopped = await fly.status(ctxFor(fake), state);
      assert.equal(stopped.healthy, false);
      assert.equal(stopped.condition, 'unhealthy');
      assert.ok(stopped.drift?.some((d) => d.field === 'state' && d.live === 'stopped'));

      fake.deleteApp('my-app-api');
      const gone = await fly.status(ctxFor(fake), state);
      assert.equal(gone.condition, 'gone');
    });
  });

  test('status: an unhealthy app answer and a rejected token', async () => {
    await withFake(async (fake) => {
      const { state } = await fly.provision(ctxFor(fake), service());
      fake.setAppHealth('my-app-api', 500);
      const failing = await fly.status(ctxFor(fake), state);
      assert.equal(failing.condition, 'unhealthy');
      assert.match(failing.message, /health check answered 500/);

      const denied = await fly.status(ctxFor(fake, { apiKey: 'fly-wrong-token-1234' }), state);
      assert.equal(denied.condition, 'error');
      assert.match(denied.message, /fly API GET \/apps\/my-app-api failed: 401 unauthorized/);
      assert.ok(!denied.message.includes('fly-wrong-token-1234'));
    });
  });

  test('destroy removes machines then the app; again is fine', async () => {
    await withFake(async (fake) => {
      const { state } = await fly.provision(ctxFor(fake), service());
      const ctx = ctxFor(fake);
      await fly.destroy(ctx, state);
      assert.equal(fake.apps.size, 0);
      assert.equal(fake.server.requestsTo('DELETE', /\/machines\//)[0]!.query.get('force'), 'true');
      await fly.destroy(ctx, state);
      assert.equal(ctx.steps.at(-1), 'App my-app-api was already gone');
    });
  });

  test('an app name taken elsewhere: the error says so', async () => {
    await withFake(async (fake) => {
      fake.server.inject({
        status: 422,
        body: { error: 'Validation failed: Name has already been taken', status: 'name_taken' },
        match: (r) => r.method === 'POST' && r.path === '/v1/apps',
      });
      await assert.rejects(fly.provision(ctxFor(fake), service()), /422 Validation failed: Name has already been taken\. Fly app names are unique across all of Fly\.io/);
    });
  });

  describe('faults', () => {
    test('429 with Retry-After on machine create: waits, then one machine', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ status: 429, retryAfter: '1', match: (r) => r.method === 'POST' && r.path === '/v1/apps/my-app-api/machines' });
        await fly.provision(ctxFor(fake), service());
        const attempts = creates(fake);
        assert.deepEqual(attempts.map((r) => r.status), [429, 200]);
        assert.ok(attempts[1]!.at - attempts[0]!.at >= 900);
        assert.equal(fake.machinesOf('my-app-api').length, 1);
      });
    });

    test('500 on a read, then success', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ status: 500, match: (r) => r.method === 'GET' && r.path === '/v1/apps/my-app-api' });
        await fly.provision(ctxFor(fake), service());
        assert.deepEqual(fake.server.requestsTo('GET', '/v1/apps/my-app-api').map((r) => r.status).slice(0, 2), [500, 404]);
        assert.equal(fake.apps.size, 1);
      });
    });

    test('a slow answer past the timeout is retried', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ delayMs: 1500, status: 404, body: { error: 'app not found' }, match: (r) => r.method === 'GET' && r.path === '/v1/apps/my-app-api' });
        await fly.provision(ctxFor(fake), service());
        assert.equal(fake.server.requestsTo('GET', '/v1/apps/my-app-api').length, 2);
        assert.equal(fake.apps.size, 1);
      });
    });

    test('a dropped connection on a read is retried', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ drop: true, match: (r) => r.method === 'GET' && r.path === '/v1/apps/my-app-api/ip_assignments' });
        await fly.provision(ctxFor(fake), service());
        assert.equal(fake.server.requestsTo('GET', '/v1/apps/my-app-api/ip_assignments').length, 2);
        assert.equal(fake.machinesOf('my-app-api').length, 1);
      });
    });

    test('401: a clear error naming Fly and what it said, without the token; nothing saved', async () => {
      await withFake(async (fake) => {
        const ctx = ctxFor(fake, { apiKey: 'fly-bad-token-9a7b' });
        const error = await fly.provision(ctx, service()).then(
          () => assert.fail('expected an error'),
          (e: Error) => e,
        );
        assert.equal(error.message, 'fly API GET /apps/my-app-api failed: 401 unauthorized');
        assert.ok(!error.message.includes('fly-bad-token-9a7b'));
        assert.equal(ctx.partials.length, 0);
        assert.equal(fake.apps.size, 0);
      });
    });
  });

  test('a v1 provision block routes and provisions the same way', async () => {
    await withFake(async (fake) => {
      const v1 = {
        id: 'api',
        depends_on: [],
        provision: { provider: 'fly', app: 'v1-app', image: 'nginx:1.27', region: 'ams' },
      } as ResolvedService;
      assert.equal(fly.canProvision(v1), true);
      const result = await fly.provision(ctxFor(fake), v1);
      assert.equal(result.state.region, 'ams');
      assert.equal((result.state as ProvisionStateRecord).metadata!.app, 'v1-app');
      // No port: no public IPs and no health check.
      assert.equal(fake.server.requestsTo('POST', '/v1/apps/v1-app/ip_assignments').length, 0);
    });
  });
});
