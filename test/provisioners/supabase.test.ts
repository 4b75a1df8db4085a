import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SupabaseProvisioner, supabaseProjectUrl } from '../../engine/provisioners/supabase';
import type { ProvisionContext, ResolvedService } from '../../engine/provisioners/types';
import { FakeSupabase } from '../fakes/supabase';
import { testContext, type TestContext } from '../helpers/provisionContext';

const TOKEN = 'sbp_secret_token_4c1d9e';

function service(target: Record<string, unknown> = {}): ResolvedService {
  return {
    id: 'db',
    type: 'database',
    depends_on: [],
    target: { type: 'supabase', project_name: 'my-app-db', org: 'my-org-id', region: 'us-east-1', plan: 'free', ...target },
  } as ResolvedService;
}

function env(fake: FakeSupabase, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    STARSYSTEM_SUPABASE_API_URL: fake.url,
    STARSYSTEM_HTTP_BACKOFF_MS: '10',
    STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
    STARSYSTEM_POLL_INTERVAL_MS: '20',
    STARSYSTEM_WAIT_TIMEOUT_MS: '4000',
    ...extra,
  };
}

function ctxFor(fake: FakeSupabase, options: Partial<ProvisionContext> & { vault?: Record<string, string> } = {}): TestContext {
  return testContext({ project: 'my-app', env: 'prod', serviceId: 'db', apiKey: TOKEN, processEnv: env(fake), ...options });
}

async function withFake(fn: (fake: FakeSupabase) => Promise<void>): Promise<void> {
  const fake = await new FakeSupabase({ token: TOKEN }).start();
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

const supabase = new SupabaseProvisioner();
const createRequests = (fake: FakeSupabase) => fake.server.requestsTo('POST', '/v1/projects');

describe('supabase provisioner', () => {
  test('creates the project with a generated password, waits for ACTIVE_HEALTHY, returns URL, keys and DATABASE_URL', async () => {
    await withFake(async (fake) => {
      const ctx = ctxFor(fake);
      const result = await supabase.provision(ctx, service());

      assert.equal(createRequests(fake).length, 1);
      const body = createRequests(fake)[0]!.json as Record<string, string>;
      assert.equal(body.name, 'my-app-db');
      assert.equal(body.organization_id, 'my-org-id');
      assert.equal(body.region, 'us-east-1');
      assert.equal(body.plan, 'free');
      assert.ok(body.db_pass!.length >= 32);

      const project = fake.projectsNamed('my-app-db')[0]!;
      assert.equal(result.state.resourceId, project.ref);
      assert.equal(result.state.region, 'us-east-1');
      // It polled while the project was COMING_UP.
      assert.ok(fake.server.requestsTo('GET', `/v1/projects/${project.ref}`).length >= 2);

      const creds = result.credentials!;
      assert.equal(creds.SUPABASE_URL, supabaseProjectUrl(project.ref));
      assert.equal(creds.SUPABASE_ANON_KEY, project.keys.anon);
      assert.equal(creds.SUPABASE_SERVICE_ROLE_KEY, project.keys.service_role);
      assert.equal(creds.SUPABASE_DB_PASSWORD, body.db_pass);
      assert.equal(creds.DATABASE_URL, `postgresql://postgres:${body.db_pass}@db.${project.ref}.supabase.co:5432/postgres`);

      const stateText = JSON.stringify(result.state);
      for (const secret of [body.db_pass!, project.keys.anon, project.keys.service_role]) assert.ok(!stateText.includes(secret));
      assert.equal(ctx.partials.length, 1);
      assert.ok(!JSON.stringify(ctx.partials).includes(body.db_pass!));
      assert.ok(ctx.steps.some((s) => s === `Project ${project.name} is ACTIVE_HEALTHY`));
    });
  });

  test('re-run with existing state: no second project, same password from the vault', async () => {
    await withFake(async (fake) => {
      const first = await supabase.provision(ctxFor(fake), service());
      const vault = { 'db.SUPABASE_DB_PASSWORD': first.credentials!.SUPABASE_DB_PASSWORD! };
      const second = await supabase.provision(ctxFor(fake, { existing: first.state, vault }), service());
      assert.equal(createRequests(fake).length, 1);
      assert.equal(second.state.resourceId, first.state.resourceId);
      assert.equal(second.state.provisionedAt, first.state.provisionedAt);
      assert.equal(second.credentials!.DATABASE_URL, first.credentials!.DATABASE_URL);
      assert.match(second.summary, /already exists/);
    });
  });

  test('lost state: finds the project by name and org; without the password it says so and writes no DATABASE_URL', async () => {
    await withFake(async (fake) => {
      const first = await supabase.provision(ctxFor(fake), service());
      const ctx = ctxFor(fake);
      const second = await supabase.provision(ctx, service());
      assert.equal(createRequests(fake).length, 1);
      assert.equal(second.state.resourceId, first.state.resourceId);
      assert.equal(second.credentials!.DATABASE_URL, undefined);
      assert.equal(second.credentials!.SUPABASE_ANON_KEY, first.credentials!.SUPABASE_ANON_KEY);
      assert.ok(ctx.steps.some((s) => s.includes('ss vault set db.SUPABASE_DB_PASSWORD <password>')));
    });
  });

  test('a password already in the vault is used for a new project', async () => {
    await withFake(async (fake) => {
      const stored = 'stored-password-8b2f7a61c3';
      const result = await supabase.provision(ctxFor(fake, { vault: { 'db.SUPABASE_DB_PASSWORD': stored } }), service());
      assert.equal((createRequests(fake)[0]!.json as { db_pass: string }).db_pass, stored);
      assert.equal(result.credentials!.SUPABASE_DB_PASSWORD, stored);
    });
  });

  test('a paused project is restored and waited for', async () => {
    await withFake(async (fake) => {
      const first = await supabase.provision(ctxFor(fake), service());
      fake.pauseProject(first.state.resourceId);
      const ctx = ctxFor(fake, { existing: first.state });
      await supabase.provision(ctx, service());
      assert.equal(fake.server.requestsTo('POST', `/v1/projects/${first.state.resourceId}/restore`).length, 1);
      assert.equal(fake.projects.get(first.state.resourceId)!.status, 'ACTIVE_HEALTHY');
      assert.ok(ctx.steps.some((s) => s.includes('was paused (INACTIVE); restoring it')));
    });
  });

  test('bad input: missing org or region, another region, two projects of one name', async () => {
    await withFake(async (fake) => {
      await assert.rejects(supabase.provision(ctxFor(fake), service({ org: undefined })), /supabase needs target.org/);
      await assert.rejects(supabase.provision(ctxFor(fake), service({ region: undefined })), /supabase needs target.region/);
      assert.equal(createRequests(fake).length, 0);

      fake.seedProject('my-app-db', 'my-org-id', 'eu-west-1');
      await assert.rejects(supabase.provision(ctxFor(fake), service()), /is in eu-west-1, but the service declares us-east-1/);
      fake.seedProject('my-app-db', 'my-org-id', 'eu-west-1');
      await assert.rejects(supabase.provision(ctxFor(fake), service({ region: 'eu-west-1' })), /Several Supabase projects are named "my-app-db"/);
      assert.equal(createRequests(fake).length, 0);
    });
  });

  test('the API refusing the request: its message, no password in it', async () => {
    await withFake(async (fake) => {
      const stored = 'stored-password-8b2f7a61c3';
      fake.server.inject({
        status: 400,
        body: { message: `db_pass ${stored} is too weak` },
        match: (r) => r.method === 'POST' && r.path === '/v1/projects',
      });
      const error = await supabase.provision(ctxFor(fake, { vault: { 'db.SUPABASE_DB_PASSWORD': stored } }), service()).then(
        () => assert.fail('expected an error'),
        (e: Error) => e,
      );
      assert.equal(error.message, 'supabase API POST /projects failed: 400 db_pass *** is too weak');
    });
  });

  test('status: healthy, region drift, paused, unhealthy, starting, gone; 401 is an error', async () => {
    await withFake(async (fake) => {
      const { state } = await supabase.provision(ctxFor(fake), service());
      const healthy = await supabase.status(ctxFor(fake), state);
      assert.equal(healthy.condition, 'healthy');
      assert.deepEqual(healthy.drift, []);

      fake.setRegion(state.resourceId, 'us-west-2');
      assert.deepEqual((await supabase.status(ctxFor(fake), state)).drift?.map((d) => [d.field, d.live]), [['region', 'us-west-2']]);
      fake.setRegion(state.resourceId, 'us-east-1');

      fake.pauseProject(state.resourceId);
      const paused = await supabase.status(ctxFor(fake), state);
      assert.equal(paused.healthy, false);
      assert.equal(paused.condition, 'unhealthy');
      assert.match(paused.message, /INACTIVE \(paused\)/);
      assert.deepEqual(paused.drift?.map((d) => [d.field, d.live]), [['status', 'INACTIVE']]);

      fake.setStatus(state.resourceId, 'ACTIVE_UNHEALTHY');
      assert.equal((await supabase.status(ctxFor(fake), state)).condition, 'unhealthy');
      fake.setStatus(state.resourceId, 'RESTARTING');
      assert.equal((await supabase.status(ctxFor(fake), state)).condition, 'starting');

      const denied = await supabase.status(ctxFor(fake, { apiKey: 'sbp_wrong_token_0000' }), state);
      assert.equal(denied.condition, 'error');
      assert.ok(!denied.message.includes('sbp_wrong_token_0000'));

      fake.deleteProject(state.resourceId);
      assert.equal((await supabase.status(ctxFor(fake), state)).condition, 'gone');
    });
  });

  test('a project that fails to start is an error', async () => {
    await withFake(async (fake) => {
      const seeded = fake.seedProject('my-app-db');
      fake.setStatus(seeded.ref, 'INIT_FAILED');
      await assert.rejects(supabase.provision(ctxFor(fake), service()), new RegExp(`Supabase project ${seeded.ref} is INIT_FAILED`));
    });
  });

  test('destroy deletes the project; again is fine', async () => {
    await withFake(async (fake) => {
      const { state } = await supabase.provision(ctxFor(fake), service());
      const ctx = ctxFor(fake);
      await supabase.destroy(ctx, state);
      assert.equal(fake.projects.size, 0);
      await supabase.destroy(ctx, state);
      assert.deepEqual(ctx.steps, [`Project deleted: ${state.resourceId}`, `Project ${state.resourceId} was already gone`]);
    });
  });

  describe('faults', () => {
    test('429 with Retry-After on create, then one project', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ status: 429, retryAfter: '1', match: (r) => r.method === 'POST' && r.path === '/v1/projects' });
        await supabase.provision(ctxFor(fake), service());
        assert.deepEqual(createRequests(fake).map((r) => r.status), [429, 201]);
        assert.ok(createRequests(fake)[1]!.at - createRequests(fake)[0]!.at >= 900);
        assert.equal(fake.projects.size, 1);
      });
    });

    test('500 on a read, then success', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ status: 500, match: (r) => r.method === 'GET' && r.path.endsWith('/api-keys') });
        const result = await supabase.provision(ctxFor(fake), service());
        assert.deepEqual(fake.server.requestsTo('GET', /\/api-keys$/).map((r) => r.status), [500, 200]);
        assert.ok(result.credentials!.SUPABASE_ANON_KEY);
      });
    });

    test('a slow answer past the timeout is retried', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ delayMs: 1500, status: 200, body: [], match: (r) => r.method === 'GET' && r.path === '/v1/projects' });
        await supabase.provision(ctxFor(fake), service());
        assert.equal(fake.server.requestsTo('GET', '/v1/projects').length, 2);
        assert.equal(fake.projects.size, 1);
      });
    });

    test('a dropped connection on a read is retried', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ drop: true, match: (r) => r.method === 'GET' && r.path === '/v1/projects' });
        await supabase.provision(ctxFor(fake), service());
        assert.equal(fake.server.requestsTo('GET', '/v1/projects').length, 2);
        assert.equal(fake.projects.size, 1);
      });
    });

    test('401: a clear error naming Supabase and what it said, without the token; nothing saved', async () => {
      await withFake(async (fake) => {
        const ctx = ctxFor(fake, { apiKey: 'sbp_bad_token_51e2' });
        const error = await supabase.provision(ctx, service()).then(
          () => assert.fail('expected an error'),
          (e: Error) => e,
        );
        assert.equal(error.message, 'supabase API GET /projects failed: 401 Unauthorized');
        assert.equal(ctx.partials.length, 0);
        assert.equal(fake.projects.size, 0);
      });
    });
  });
});
