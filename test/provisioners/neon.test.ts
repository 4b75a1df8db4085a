import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { NeonProvisioner, neonRegionId, withoutPassword } from '../../engine/provisioners/neon';
import type { ProvisionContext, ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { FakeNeon } from '../fakes/neon';
import { testContext, type TestContext } from '../helpers/provisionContext';

const TOKEN = 'neon-secret-token-5f2a9c';

function service(target: Record<string, unknown> = {}): ResolvedService {
  return {
    id: 'app-db',
    type: 'database',
    depends_on: [],
    target: { type: 'neon', region: 'us-east-2', project_name: 'my-app', ...target },
  } as ResolvedService;
}

function env(fake: FakeNeon, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    STARSYSTEM_NEON_API_URL: fake.url,
    STARSYSTEM_HTTP_BACKOFF_MS: '10',
    STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
    STARSYSTEM_POLL_INTERVAL_MS: '15',
    STARSYSTEM_WAIT_TIMEOUT_MS: '5000',
    ...extra,
  };
}

function ctxFor(fake: FakeNeon, options: Partial<ProvisionContext> = {}): TestContext {
  return testContext({ project: 'my-app', env: 'prod', serviceId: 'app-db', apiKey: TOKEN, processEnv: env(fake), ...options });
}

async function withFake(fn: (fake: FakeNeon) => Promise<void>, operationMs = 60): Promise<void> {
  const fake = await new FakeNeon({ token: TOKEN, operationMs }).start();
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

const neon = new NeonProvisioner();

describe('neon provisioner', () => {
  test('region names: a bare AWS region maps to the Neon id; Neon ids pass; nonsense is refused', () => {
    assert.equal(neonRegionId('us-east-2'), 'aws-us-east-2');
    assert.equal(neonRegionId('aws-eu-central-1'), 'aws-eu-central-1');
    assert.equal(neonRegionId('azure-eastus2'), 'azure-eastus2');
    assert.equal(neonRegionId(undefined), undefined);
    assert.throws(() => neonRegionId('iad'), /Unknown Neon region "iad"/);
  });

  test('catalog, plan label and routing', () => {
    assert.deepEqual(neon.catalog.credentials, ['DATABASE_URL']);
    assert.equal(neon.describePlan(), 'Neon project + branch + role + db');
    assert.equal(neon.canProvision(service()), true);
    assert.equal(neon.canProvision({ id: 'x', depends_on: [], provision: { provider: 'neon' } } as ResolvedService), true);
    assert.equal(neon.canProvision({ id: 'x', depends_on: [], target: { type: 'fly' } } as ResolvedService), false);
  });

  test('creates a project in the mapped region, waits for its operations and returns DATABASE_URL', async () => {
    await withFake(async (fake) => {
      const ctx = ctxFor(fake);
      const result = await neon.provision(ctx, service());

      const creates = fake.server.requestsTo('POST', '/projects');
      assert.equal(creates.length, 1);
      const body = creates[0]!.json as { project: Record<string, unknown> };
      assert.equal(body.project.name, 'my-app');
      assert.equal(body.project.region_id, 'aws-us-east-2');
      assert.deepEqual(body.project.branch, { role_name: 'neondb_owner', database_name: 'neondb' });
      assert.equal(creates[0]!.headers.authorization, `Bearer ${TOKEN}`);

      const project = fake.projectsNamed('my-app')[0]!;
      assert.equal(result.state.resourceId, project.id);
      assert.equal(result.state.region, 'aws-us-east-2');
      assert.equal(result.state.provider, 'neon');
      const role = fake.rolesOf(project.id).find((r) => r.name === 'neondb_owner')!;
      const url = result.credentials!.DATABASE_URL!;
      assert.match(url, /^postgresql:\/\/neondb_owner:/);
      assert.ok(url.includes(role.password), 'the URI carries the role password');
      assert.match(url, /\.us-east-2\.aws\.neon\.tech\/neondb\?sslmode=require$/);

      // State carries no secret: the URL in metadata has no password.
      const stateText = JSON.stringify(result.state);
      assert.ok(!stateText.includes(role.password));
      assert.equal(result.state.metadata!.url, withoutPassword(url));
      assert.equal(result.state.metadata!.database, 'neondb');
      assert.equal(result.state.metadata!.role, 'neondb_owner');

      // The project's operations were polled until finished before going on.
      assert.ok(fake.server.requestsTo('GET', new RegExp(`^/projects/${project.id}/operations/`)).length >= 2);
      // Partial state was saved right after the project existed.
      assert.equal(ctx.partials.length, 1);
      assert.equal(ctx.partials[0]!.resourceId, project.id);
      assert.ok(ctx.steps.some((s) => s.startsWith('Project created: my-app')));
      assert.match(result.summary, /created Neon project my-app/);
    });
  });

  test('re-run with existing state refreshes: no second project, same id, same provisionedAt', async () => {
    await withFake(async (fake) => {
      const first = await neon.provision(ctxFor(fake), service());
      const before = fake.server.requestsTo('POST', '/projects').length;
      const second = await neon.provision(ctxFor(fake, { existing: first.state }), service());
      assert.equal(fake.server.requestsTo('POST', '/projects').length, before);
      assert.equal(fake.server.requestsTo('POST', /\/roles$|\/databases$/).length, 0);
      assert.equal(second.state.resourceId, first.state.resourceId);
      assert.equal(second.state.provisionedAt, first.state.provisionedAt);
      assert.equal(second.credentials!.DATABASE_URL, first.credentials!.DATABASE_URL);
      assert.match(second.summary, /already exists/);
      assert.equal(fake.projects.size, 1);
    });
  });

  test('lost state: finds the project by name instead of creating a duplicate', async () => {
    await withFake(async (fake) => {
      const first = await neon.provision(ctxFor(fake), service());
      const second = await neon.provision(ctxFor(fake), service());
      assert.equal(fake.server.requestsTo('POST', '/projects').length, 1);
      assert.equal(second.state.resourceId, first.state.resourceId);
      assert.equal(fake.projects.size, 1);
      const search = fake.server.requestsTo('GET', '/projects');
      assert.equal(search.at(-1)!.query.get('search'), 'my-app');
    });
  });

  test('partial state from an interrupted run is picked up', async () => {
    await withFake(async (fake) => {
      const seeded = fake.seedProject('other-name');
      const result = await neon.provision(ctxFor(fake, { partial: { resourceId: seeded.id } }), service({ project_name: 'other-name' }));
      assert.equal(result.state.resourceId, seeded.id);
      assert.equal(fake.server.requestsTo('POST', '/projects').length, 0);
    });
  });

  test('an adopted project still running operations: waits for them, then creates the role and database', async () => {
    await withFake(async (fake) => {
      const seeded = fake.seedProject('my-app');
      const result = await neon.provision(ctxFor(fake), service({ role: 'app_user', database: 'appdb' }));
      assert.equal(result.state.resourceId, seeded.id);
      const rolePosts = fake.server.requestsTo('POST', new RegExp(`/projects/${seeded.id}/branches/[^/]+/roles$`));
      assert.deepEqual(rolePosts.map((r) => r.status), [201], 'no request met a locked project');
      assert.ok(fake.server.requestsTo('GET', `/projects/${seeded.id}/operations`).length >= 1);
      assert.deepEqual(fake.databasesOf(seeded.id).find((d) => d.name === 'appdb'), { name: 'appdb', owner_name: 'app_user' });
      assert.match(result.credentials!.DATABASE_URL!, /^postgresql:\/\/app_user:.+\/appdb\?sslmode=require$/);
    }, 300);
  });

  test('423 Locked (an operation started meanwhile) is retried', async () => {
    await withFake(async (fake) => {
      fake.seedProject('my-app');
      fake.server.inject({
        status: 423,
        body: { code: '', message: 'project already has running operations, scheduling of new ones is prohibited' },
        match: (r) => r.method === 'POST' && r.path.endsWith('/roles'),
      });
      const result = await neon.provision(ctxFor(fake), service({ role: 'app_user' }));
      assert.deepEqual(fake.server.requestsTo('POST', /\/roles$/).map((r) => r.status), [423, 201]);
      assert.match(result.credentials!.DATABASE_URL!, /^postgresql:\/\/app_user:/);
    });
  });

  test('two projects with the same name: a clear error, nothing created', async () => {
    await withFake(async (fake) => {
      fake.seedProject('my-app');
      fake.seedProject('my-app');
      await assert.rejects(neon.provision(ctxFor(fake), service()), /Several Neon projects are named "my-app"/);
      assert.equal(fake.server.requestsTo('POST', '/projects').length, 0);
    });
  });

  test('an existing project in another region is refused, not replaced', async () => {
    await withFake(async (fake) => {
      fake.seedProject('my-app', 'aws-eu-central-1');
      await assert.rejects(neon.provision(ctxFor(fake), service()), /is in aws-eu-central-1, but the service declares us-east-2 \(aws-us-east-2\)/);
      assert.equal(fake.projects.size, 1);
    });
  });

  test('an unknown region is refused before any request', async () => {
    await withFake(async (fake) => {
      await assert.rejects(neon.provision(ctxFor(fake), service({ region: 'moon-1' })), /Unknown Neon region "moon-1"/);
      assert.equal(fake.requests.length, 0);
    });
  });

  test('status: healthy, then region drift, branch gone, project gone', async () => {
    await withFake(async (fake) => {
      const { state } = await neon.provision(ctxFor(fake), service());
      const healthy = await neon.status(ctxFor(fake), state);
      assert.equal(healthy.healthy, true);
      assert.equal(healthy.condition, 'healthy');
      assert.deepEqual(healthy.drift, []);
      assert.match(healthy.message, /my-app .* in aws-us-east-2, compute (idle|active)/);

      fake.setRegion(state.resourceId, 'aws-us-west-2');
      const drifted = await neon.status(ctxFor(fake), state);
      assert.deepEqual(
        drifted.drift?.map((d) => [d.field, d.recorded, d.live]),
        [['region', 'aws-us-east-2', 'aws-us-west-2']],
      );

      fake.deleteBranch(state.resourceId);
      const noBranch = await neon.status(ctxFor(fake), state);
      assert.equal(noBranch.healthy, false);
      assert.equal(noBranch.condition, 'unhealthy');
      assert.ok(noBranch.drift?.some((d) => d.field === 'branch'));

      fake.deleteProject(state.resourceId);
      const gone = await neon.status(ctxFor(fake), state);
      assert.equal(gone.condition, 'gone');
      assert.equal(gone.healthy, false);
      assert.equal(gone.drift?.[0]?.field, 'project');
    });
  });

  test('status with a rejected token is an error, never "gone"', async () => {
    await withFake(async (fake) => {
      const { state } = await neon.provision(ctxFor(fake), service());
      const status = await neon.status(ctxFor(fake, { apiKey: 'wrong-token-value' }), state);
      assert.equal(status.condition, 'error');
      assert.match(status.message, /neon API GET .* 401 authentication required/);
      assert.ok(!status.message.includes('wrong-token-value'));
    });
  });

  test('destroy deletes the project; destroying again is fine', async () => {
    await withFake(async (fake) => {
      const { state } = await neon.provision(ctxFor(fake), service());
      const ctx = ctxFor(fake);
      await neon.destroy(ctx, state);
      assert.equal(fake.projects.size, 0);
      await neon.destroy(ctx, state);
      assert.deepEqual(ctx.steps, [`Project deleted: ${state.resourceId}`, `Project ${state.resourceId} was already gone`]);
    });
  });

  describe('faults', () => {
    test('429 with Retry-After on create: waits as told, then succeeds with one project', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ status: 429, retryAfter: '1', match: (r) => r.method === 'POST' && r.path === '/projects' });
        const result = await neon.provision(ctxFor(fake), service());
        const creates = fake.server.requestsTo('POST', '/projects');
        assert.deepEqual(creates.map((r) => r.status), [429, 201]);
        assert.ok(creates[1]!.at - creates[0]!.at >= 900, 'Retry-After: 1 was honoured');
        assert.equal(fake.projects.size, 1);
        assert.equal(result.state.resourceId, [...fake.projects.keys()][0]);
      });
    });

    test('500 on a read, then success', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ status: 500, times: 2, match: (r) => r.method === 'GET' && r.path === '/projects' });
        const result = await neon.provision(ctxFor(fake), service());
        assert.deepEqual(fake.server.requestsTo('GET', '/projects').map((r) => r.status), [500, 500, 200]);
        assert.ok(result.credentials!.DATABASE_URL);
      });
    });

    test('a slow answer past the timeout is retried', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ delayMs: 1500, status: 200, body: { projects: [] }, match: (r) => r.method === 'GET' && r.path === '/projects' });
        const result = await neon.provision(ctxFor(fake), service());
        assert.equal(fake.server.requestsTo('GET', '/projects').length, 2);
        assert.equal(fake.projects.size, 1);
        assert.ok(result.state.resourceId);
      });
    });

    test('a dropped connection on a read is retried', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ drop: true, match: (r) => r.method === 'GET' && r.path.endsWith('/connection_uri') });
        const result = await neon.provision(ctxFor(fake), service());
        assert.equal(fake.server.requestsTo('GET', /\/connection_uri$/).length, 2);
        assert.ok(result.credentials!.DATABASE_URL);
      });
    });

    test('a dropped connection on create is not repeated blindly; the next run converges without a duplicate', async () => {
      await withFake(async (fake) => {
        fake.server.inject({ drop: true, match: (r) => r.method === 'POST' && r.path === '/projects' });
        const ctx = ctxFor(fake);
        await assert.rejects(neon.provision(ctx, service()), /neon API POST \/projects failed: .*may have applied it/);
        assert.equal(fake.server.requestsTo('POST', '/projects').length, 1);
        await neon.provision(ctxFor(fake), service());
        await neon.provision(ctxFor(fake), service());
        assert.equal(fake.projects.size, 1);
      });
    });

    test('401: a clear error naming Neon and what it said, without the token; nothing saved', async () => {
      await withFake(async (fake) => {
        const badToken = 'neon-bad-token-77f1e0';
        const ctx = ctxFor(fake, { apiKey: badToken });
        const error = await neon.provision(ctx, service()).then(
          () => assert.fail('expected an error'),
          (e: Error) => e,
        );
        assert.match(error.message, /^neon API GET \/projects failed: 401 authentication required$/);
        assert.ok(!error.message.includes(badToken));
        assert.equal(ctx.partials.length, 0);
        assert.equal(fake.projects.size, 0);
      });
    });
  });

  test('withoutPassword strips only the password', () => {
    assert.equal(withoutPassword('postgresql://u:p4ss@h.neon.tech/db?sslmode=require'), 'postgresql://u@h.neon.tech/db?sslmode=require');
  });

  test('a recorded project that disappeared is recreated on the next provision, with a step saying so', async () => {
    await withFake(async (fake) => {
      const first = await neon.provision(ctxFor(fake), service());
      fake.deleteProject(first.state.resourceId);
      const ctx = ctxFor(fake, { existing: first.state as ProvisionStateRecord });
      const second = await neon.provision(ctx, service());
      assert.notEqual(second.state.resourceId, first.state.resourceId);
      assert.ok(ctx.steps[0]!.includes('no longer exists'));
      assert.equal(fake.projects.size, 1);
    });
  });
});
