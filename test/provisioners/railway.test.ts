import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ProviderHttpError } from '../../engine/provisioners/http';
import { RailwayGraphQLError, RailwayProvisioner, railwaySettings } from '../../engine/provisioners/railway';
import type { ProvisionContext, ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { FakeRailway, parseOperation } from '../fakes/railway';
import { FakeAws, TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY } from '../fakes/aws';
import { runSs } from '../helpers/cli';
import { tempDir, tempHome } from '../helpers/home';
import { testContext, type TestContext } from '../helpers/provisionContext';

const TOKEN = 'railway-secret-token-8d41e7';
const DATABASE_URL = 'postgresql://app:pw-9f8e7d6c@db.example.net/app';

function service(target: Record<string, unknown> = {}): ResolvedService {
  return {
    id: 'api',
    type: 'process',
    depends_on: ['app-db'],
    target: { type: 'railway', project_name: 'my-app', image: 'ghcr.io/me/api:1.0.0', env: { NODE_ENV: 'production', PORT: 3000 }, ...target },
  } as ResolvedService;
}

function env(fake: FakeRailway, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    STARSYSTEM_RAILWAY_API_URL: fake.endpoint,
    STARSYSTEM_HTTP_BACKOFF_MS: '10',
    STARSYSTEM_HTTP_TIMEOUT_MS: '1000',
    STARSYSTEM_POLL_INTERVAL_MS: '20',
    STARSYSTEM_WAIT_TIMEOUT_MS: '5000',
    ...extra,
  };
}

function ctxFor(fake: FakeRailway, options: Partial<ProvisionContext> = {}): TestContext {
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

async function withFake(fn: (fake: FakeRailway) => Promise<void>, deployMs = 90): Promise<void> {
  const fake = await new FakeRailway({ token: TOKEN, deployMs }).start();
  try {
    await fn(fake);
  } finally {
    await fake.stop();
  }
}

const railway = new RailwayProvisioner();

async function provisioned(fake: FakeRailway): Promise<ProvisionStateRecord> {
  return (await railway.provision(ctxFor(fake), service())).state;
}

describe('railway provisioner', () => {
  test('catalog, plan label, routing and settings', () => {
    assert.ok(railway.catalog.envVars?.some((v) => v.name === 'STARSYSTEM_RAILWAY_API_URL'));
    assert.equal(railway.describePlan(service()), 'Railway project + service (ghcr.io/me/api:1.0.0) + variables + deploy');
    assert.equal(railway.canProvision(service()), true);
    assert.equal(railway.canProvision({ id: 'x', depends_on: [], provision: { provider: 'railway' } } as ResolvedService), true);
    assert.equal(railway.canProvision({ id: 'x', depends_on: [], target: { type: 'fly' } } as ResolvedService), false);
    const settings = railwaySettings({ project: 'p', env: 'prod', injected: { DATABASE_URL, NODE_ENV: 'x' } }, service());
    assert.deepEqual(settings.variables, { DATABASE_URL, NODE_ENV: 'production', PORT: '3000' });
    assert.equal(settings.serviceName, 'api');
    assert.throws(() => railwaySettings({ project: 'p', env: 'prod' }, service({ image: undefined })), /no image/);
  });

  test('the fake parses GraphQL and refuses what the schema lacks', async () => {
    const op = parseOperation('mutation m($input: X!) { a: projectCreate(input: {name: $input, n: 2, ok: true}) { id } }');
    assert.equal(op.type, 'mutation');
    assert.equal(op.selections[0]!.alias, 'a');
    assert.deepEqual(Object.keys(op.selections[0]!.args.input!), ['kind', 'fields']);
    await withFake(async (fake) => {
      const res = await fetch(fake.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({ query: 'query { projects { edges { node { id nope } } } }' }),
      });
      assert.equal(res.status, 400);
      const body = (await res.json()) as { errors: { message: string }[] };
      assert.match(body.errors[0]!.message, /Cannot query field "nope" on type "Project"/);
    });
  });

  test('creates the project and the service with its variables, waits for the deployment', async () => {
    await withFake(async (fake) => {
      const ctx = ctxFor(fake);
      const result = await railway.provision(ctx, service());
      assert.equal(fake.projects.size, 1);
      assert.equal(fake.services.size, 1);
      const project = [...fake.projects.values()][0]!;
      const created = [...fake.services.values()][0]!;
      assert.equal(project.name, 'my-app');
      assert.equal(created.name, 'api');
      const instance = fake.instanceOf(created.id)!;
      assert.equal(instance.image, 'ghcr.io/me/api:1.0.0');
      assert.deepEqual(instance.variables, { DATABASE_URL, NODE_ENV: 'production', PORT: '3000' });
      assert.deepEqual(fake.mutations(), ['projectCreate', 'serviceCreate']);

      assert.equal(result.state.provider, 'railway');
      assert.equal(result.state.resourceId, created.id);
      assert.equal(result.state.metadata?.projectId, project.id);
      assert.equal(result.state.metadata?.environment, 'production');
      assert.equal(result.state.metadata?.deploymentStatus, 'SUCCESS');
      assert.deepEqual(result.state.metadata?.variables, ['DATABASE_URL', 'NODE_ENV', 'PORT']);
      assert.doesNotMatch(JSON.stringify(result.state), /pw-9f8e7d6c/);
      assert.match(result.summary, /^created Railway service api/);
      assert.ok(ctx.steps.some((s) => /Deployment .* SUCCESS/.test(s)));
      // Partial state after each create step, so an interrupted run converges.
      assert.equal(ctx.partials[0]?.metadata?.projectId, project.id);
      assert.equal(ctx.partials[1]?.resourceId, created.id);
      // The token went in the Authorization header of every request.
      assert.ok(fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`));
    });
  });

  test('a re-run with existing state changes nothing', async () => {
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      const mutationsBefore = fake.mutations().length;
      const again = await railway.provision(ctxFor(fake, { existing: state }), service());
      assert.equal(fake.mutations().length, mutationsBefore, `no mutation on re-run: ${fake.mutations().join(', ')}`);
      assert.equal(again.state.resourceId, state.resourceId);
      assert.equal(again.state.provisionedAt, state.provisionedAt);
      assert.match(again.summary, /already up to date/);
      assert.equal(fake.services.size, 1);
    });
  });

  test('lost state: finds the project and the service by name instead of creating them again', async () => {
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      const before = fake.mutations().length;
      const again = await railway.provision(ctxFor(fake), service());
      assert.equal(again.state.resourceId, state.resourceId);
      assert.equal(fake.mutations().length, before);
      assert.equal(fake.projects.size, 1);
      assert.equal(fake.services.size, 1);
    });
  });

  test('a changed image or variable updates the instance and deploys once', async () => {
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      const before = fake.mutations().length;
      const ctx = ctxFor(fake, { existing: state, injected: { DATABASE_URL: `${DATABASE_URL}?sslmode=require` } });
      const result = await railway.provision(ctx, service({ image: 'ghcr.io/me/api:2.0.0' }));
      assert.deepEqual(fake.mutations().slice(before), ['serviceInstanceUpdate', 'variableCollectionUpsert', 'serviceInstanceDeployV2']);
      const upsert = fake.operations.find((o) => o.fields[0] === 'variableCollectionUpsert')!;
      assert.deepEqual(Object.keys((upsert.variables.input as { variables: object }).variables), ['DATABASE_URL']);
      assert.equal((upsert.variables.input as { skipDeploys: boolean }).skipDeploys, true);
      assert.equal(fake.instanceOf(state.resourceId)!.image, 'ghcr.io/me/api:2.0.0');
      assert.equal(result.state.metadata?.image, 'ghcr.io/me/api:2.0.0');
      assert.equal(result.state.metadata?.deploymentStatus, 'SUCCESS');
      assert.match(result.summary, /^updated .*image ghcr.io\/me\/api:1.0.0 -> ghcr.io\/me\/api:2.0.0; variables DATABASE_URL/);
      assert.doesNotMatch(result.summary, /pw-9f8e7d6c/);
    });
  });

  test('a variable no longer declared is removed; one set in the dashboard is left alone', async () => {
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      fake.instanceOf(state.resourceId)!.variables.SET_BY_HAND = 'yes';
      const before = fake.mutations().length;
      const result = await railway.provision(ctxFor(fake, { existing: state }), service({ env: { NODE_ENV: 'production' } }));
      assert.deepEqual(fake.mutations().slice(before), ['variableDelete', 'serviceInstanceDeployV2']);
      assert.deepEqual(fake.instanceOf(state.resourceId)!.variables, { DATABASE_URL, NODE_ENV: 'production', SET_BY_HAND: 'yes' });
      assert.deepEqual(result.state.metadata?.variables, ['DATABASE_URL', 'NODE_ENV']);
      assert.match(result.summary, /variables removed PORT/);
    });
  });

  test('a failed deployment is an error that says so', async () => {
    await withFake(async (fake) => {
      fake.failNextDeployments('FAILED');
      const ctx = ctxFor(fake);
      await assert.rejects(railway.provision(ctx, service()), /Railway deployment .* of api ended FAILED/);
      // The service exists and was recorded as partial state: the next run picks it up.
      assert.equal(ctx.partials.at(-1)?.resourceId, [...fake.services.keys()][0]);
      const before = fake.mutations().length;
      const next = await railway.provision(ctxFor(fake, { partial: ctx.partials.at(-1) }), service());
      assert.deepEqual(fake.mutations().slice(before), ['serviceInstanceDeployV2']);
      assert.equal(next.state.metadata?.deploymentStatus, 'SUCCESS');
      assert.match(next.summary, /^redeployed Railway service api .*\(last deployment FAILED\)/);
      assert.equal(fake.services.size, 1);
    });
  });

  test('status: starting while deploying, healthy after, drift on image, gone when deleted', async () => {
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      const healthy = await railway.status(ctxFor(fake), state);
      assert.equal(healthy.condition, 'healthy');
      assert.equal(healthy.healthy, true);
      assert.deepEqual(healthy.drift, []);
      assert.match(healthy.message, /deployment .* SUCCESS/);

      fake.deployMs = 60_000;
      fake.setImage(state.resourceId, 'ghcr.io/someone/else:latest');
      const instance = fake.instanceOf(state.resourceId)!;
      await fetch(fake.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
        body: JSON.stringify({
          query: 'mutation d($s: String!, $e: String!) { serviceInstanceDeployV2(serviceId: $s, environmentId: $e) }',
          variables: { s: state.resourceId, e: instance.environmentId },
        }),
      });
      const drifted = await railway.status(ctxFor(fake), state);
      assert.equal(drifted.condition, 'starting');
      assert.deepEqual(drifted.drift, [
        { field: 'image', recorded: 'ghcr.io/me/api:1.0.0', live: 'ghcr.io/someone/else:latest', message: 'image is ghcr.io/someone/else:latest, recorded ghcr.io/me/api:1.0.0' },
      ]);

      fake.removeService(state.resourceId);
      const gone = await railway.status(ctxFor(fake), state);
      assert.equal(gone.condition, 'gone');
      assert.equal(gone.healthy, false);
      assert.equal(gone.drift?.[0]?.field, 'service');
    });
  });

  test('destroy deletes the service and the project it created; a second destroy is a no-op', async () => {
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      const ctx = ctxFor(fake);
      await railway.destroy(ctx, state);
      assert.equal(fake.services.size, 0);
      assert.equal(fake.projects.size, 0);
      assert.deepEqual(fake.mutations().slice(-2), ['serviceDelete', 'projectDelete']);
      await railway.destroy(ctxFor(fake), state);
      assert.ok(ctx.steps.some((s) => /Service deleted/.test(s)));
    });
  });

  test('destroy keeps a project it did not create, and one that still has other services', async () => {
    await withFake(async (fake) => {
      const existing = fake.addProject('my-app');
      const state = await provisioned(fake);
      assert.equal(state.metadata?.projectId, existing.id);
      assert.equal(state.metadata?.projectCreated, false);
      await railway.destroy(ctxFor(fake), state);
      assert.equal(fake.projects.size, 1);
      assert.equal(fake.services.size, 0);
    });
    await withFake(async (fake) => {
      const state = await provisioned(fake);
      await railway.provision(ctxFor(fake, { serviceId: 'worker' }), { ...service(), id: 'worker' } as ResolvedService);
      await railway.destroy(ctxFor(fake), state);
      assert.equal(fake.projects.size, 1);
      assert.deepEqual([...fake.services.values()].map((s) => s.name), ['worker']);
    });
  });

  test('two projects with the declared name are refused, not guessed', async () => {
    await withFake(async (fake) => {
      fake.addProject('my-app');
      fake.addProject('my-app');
      await assert.rejects(railway.provision(ctxFor(fake), service()), /Several Railway projects are named "my-app"/);
      assert.deepEqual(fake.mutations(), []);
    });
  });

  describe('faults', () => {
    test('429 with Retry-After, then success', async () => {
      await withFake(async (fake) => {
        fake.inject({ status: 429, retryAfter: '0.2' });
        const state = await provisioned(fake);
        assert.ok(state.resourceId);
        assert.equal(fake.requests[0]!.status, 429);
        assert.ok(fake.requests[1]!.at - fake.requests[0]!.at >= 190, 'waited for Retry-After');
      });
    });

    test('500 on a query, then success', async () => {
      await withFake(async (fake) => {
        fake.inject({ status: 500, times: 2 });
        const state = await provisioned(fake);
        assert.ok(state.resourceId);
        assert.deepEqual(fake.requests.slice(0, 3).map((r) => r.status), [500, 500, 200]);
      });
    });

    test('a slow answer past the timeout is retried for a query', async () => {
      await withFake(async (fake) => {
        fake.inject({ delayMs: 400 });
        const ctx = ctxFor(fake, { processEnv: env(fake, { STARSYSTEM_HTTP_TIMEOUT_MS: '150' }) });
        const result = await railway.provision(ctx, service());
        assert.ok(result.state.resourceId);
        assert.equal(fake.projects.size, 1);
      });
    });

    test('a dropped connection is retried for a query', async () => {
      await withFake(async (fake) => {
        fake.inject({ drop: true });
        const state = await provisioned(fake);
        assert.ok(state.resourceId);
        assert.equal(fake.requests[0]!.status, 0);
      });
    });

    test('a dropped connection on a mutation is not repeated; the next run finds what it made', async () => {
      await withFake(async (fake) => {
        // Railway creates the project, but the answer never arrives.
        fake.loseAnswerTo('projectCreate');
        await assert.rejects(railway.provision(ctxFor(fake), service()), (error: unknown) => {
          assert.ok(error instanceof ProviderHttpError);
          assert.equal(error.kind, 'network');
          assert.match(error.message, /may have applied it/);
          return true;
        });
        assert.equal(fake.projects.size, 1);
        assert.equal(fake.mutations().filter((m) => m === 'projectCreate').length, 1, 'the mutation was not repeated');
        // The next run finds the project by name and creates only the service.
        const state = await provisioned(fake);
        assert.equal(fake.projects.size, 1);
        assert.equal(state.metadata?.projectId, [...fake.projects.keys()][0]);
        assert.equal(fake.mutations().filter((m) => m === 'projectCreate').length, 1);
      });
    });

    test('HTTP 401: a clear error naming railway, without the token, state untouched', async () => {
      await withFake(async (fake) => {
        fake.inject({ status: 401, body: { errors: [{ message: 'Unauthorized: token expired' }] } });
        await assert.rejects(railway.provision(ctxFor(fake), service()), (error: unknown) => {
          assert.ok(error instanceof ProviderHttpError);
          assert.equal(error.isAuth, true);
          assert.match(error.message, /^railway API POST \/graphql\/v2 failed: 401 Unauthorized: token expired/);
          assert.doesNotMatch(error.message, new RegExp(TOKEN));
          return true;
        });
        assert.equal(fake.projects.size, 0);
      });
    });

    test('a wrong token: Railway\'s "Not Authorized" GraphQL error; status says error, never gone', async () => {
      await withFake(async (fake) => {
        const state = await provisioned(fake);
        const wrong = ctxFor(fake, { apiKey: 'not-the-right-token-123' });
        await assert.rejects(railway.provision(wrong, service()), (error: unknown) => {
          assert.ok(error instanceof RailwayGraphQLError);
          assert.equal(error.isAuth, true);
          assert.equal(error.isGone, false);
          assert.match(error.message, /railway API projects failed: Not Authorized/);
          assert.doesNotMatch(error.message, /not-the-right-token-123/);
          return true;
        });
        const status = await railway.status(wrong, state);
        assert.equal(status.condition, 'error');
        assert.match(status.message, /Not Authorized/);
        await assert.rejects(railway.destroy(wrong, state), /Not Authorized/);
        assert.equal(fake.services.size, 1, 'destroy with a wrong token deleted nothing');
      });
    });
  });
});

describe('railway and aws through ss deploy', () => {
  const BASE = `version: "2"
name: shop
services:
  site:
    type: cdn
    description: Static assets behind a CDN.
    depends_on: []
  api:
    type: process
    description: The HTTP API.
    depends_on: [site]
    inject_from:
      site:
        - CDN_URL
`;
  const OVERLAY = (image: string) => `version: "2"
environment: prod
services:
  site:
    # assets live in Ireland
    target:
      type: aws
      resource: s3-cloudfront
      region: eu-west-1
      bucket: shop-prod-assets
  api:
    target:
      type: railway
      project_name: shop
      image: ${image}
      env:
        NODE_ENV: production
`;

  test('vault, plan, deploy (CDN_URL injected into Railway), status, drift exit 2, redeploy, destroy', async () => {
    const railwayFake = await new FakeRailway({ token: TOKEN, deployMs: 60 }).start();
    const awsFake = await new FakeAws({ deployMs: 60 }).start();
    const home = await tempHome();
    const dir = await tempDir();
    try {
      const envVars: NodeJS.ProcessEnv = {
        ...home.env,
        ...awsFake.env(),
        STARSYSTEM_RAILWAY_API_URL: railwayFake.endpoint,
        STARSYSTEM_HTTP_BACKOFF_MS: '10',
        STARSYSTEM_POLL_INTERVAL_MS: '20',
        STARSYSTEM_WAIT_TIMEOUT_MS: '5000',
      };
      await writeFile(join(dir.path, 'starsystem.yaml'), BASE);
      await writeFile(join(dir.path, 'starsystem.prod.yaml'), OVERLAY('ghcr.io/me/shop-api:1.0.0'));
      const ss = (...args: string[]) => runSs(args, { cwd: dir.path, env: envVars });
      const outputs: string[] = [];
      const run = async (...args: string[]) => {
        const result = await ss(...args);
        outputs.push(result.stdout, result.stderr);
        return result;
      };

      for (const args of [
        ['vault', 'set-key', 'aws', 'access_key_id', TEST_ACCESS_KEY_ID],
        ['vault', 'set', 'AWS_SECRET_ACCESS_KEY', TEST_SECRET_ACCESS_KEY],
        ['vault', 'set-key', 'railway', 'api_key', TOKEN],
      ]) {
        const set = await run(...args);
        assert.equal(set.code, 0, set.stderr);
      }

      const plan = await run('plan', '--env=prod');
      assert.equal(plan.code, 0, plan.stderr);
      assert.match(plan.stdout, /site\s+aws .*S3 bucket shop-prod-assets in eu-west-1 \+ CloudFront distribution/);
      assert.match(plan.stdout, /api\s+railway .*Railway project \+ service \(ghcr.io\/me\/shop-api:1.0.0\) \+ variables \+ deploy/);

      const deploy = await run('deploy', '--env=prod');
      assert.equal(deploy.code, 0, deploy.stdout + deploy.stderr);
      const distribution = [...awsFake.cloudfront.distributions.values()][0]!;
      assert.ok(awsFake.s3.buckets.has('shop-prod-assets'));
      const apiService = [...railwayFake.services.values()][0]!;
      const instance = railwayFake.instanceOf(apiService.id)!;
      assert.deepEqual(instance.variables, { CDN_URL: `https://${distribution.domainName}`, NODE_ENV: 'production' });

      // The overlay keeps its comment and gains _state blocks without secrets.
      const overlay = await readFile(join(dir.path, 'starsystem.prod.yaml'), 'utf8');
      assert.match(overlay, /# assets live in Ireland/);
      assert.match(overlay, new RegExp(`resourceId: ${distribution.id}`));
      assert.match(overlay, new RegExp(`resourceId: ${apiService.id}`));

      awsFake.cloudfront.deployAll();
      const status = await run('status', '--env=prod');
      assert.equal(status.code, 0, status.stdout + status.stderr);
      assert.match(status.stdout, /Deployed/);
      assert.match(status.stdout, /SUCCESS/);
      assert.equal((await run('drift', '--env=prod')).code, 0);

      railwayFake.setImage(apiService.id, 'ghcr.io/someone/else:latest');
      const drifted = await run('drift', '--env=prod');
      assert.equal(drifted.code, 2, drifted.stdout + drifted.stderr);
      assert.match(drifted.stdout, /image/);

      const again = await run('deploy', '--env=prod');
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal(railwayFake.instanceOf(apiService.id)!.image, 'ghcr.io/me/shop-api:1.0.0');
      assert.equal(railwayFake.mutations().filter((m) => m === 'serviceCreate').length, 1);
      assert.equal(awsFake.cloudfront.distributions.size, 1);
      awsFake.cloudfront.deployAll();
      assert.equal((await run('drift', '--env=prod')).code, 0);

      const destroyed = await run('destroy', '--env=prod', '--yes');
      assert.equal(destroyed.code, 0, destroyed.stdout + destroyed.stderr);
      assert.equal(railwayFake.services.size, 0);
      assert.equal(railwayFake.projects.size, 0);
      assert.equal(awsFake.cloudfront.distributions.size, 0);
      assert.equal(awsFake.s3.buckets.size, 0);

      // No secret in anything the user sees or the engine wrote outside the vault.
      const written = [overlay, await readFile(join(dir.path, 'starsystem.prod.yaml'), 'utf8'), ...(await filesUnder(join(home.path, 'history')))];
      for (const text of [...outputs, ...written]) {
        assert.doesNotMatch(text, new RegExp(TEST_SECRET_ACCESS_KEY.replace(/[/+]/g, '.')));
        assert.doesNotMatch(text, new RegExp(TOKEN));
      }
    } finally {
      await railwayFake.stop();
      await awsFake.stop();
      await dir.cleanup();
      await home.cleanup();
    }
  });
});

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) out.push(await readFile(join(entry.parentPath, entry.name), 'utf8'));
  }
  return out;
}
