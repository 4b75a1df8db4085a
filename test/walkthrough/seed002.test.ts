/**
 * Seed 002's walkthrough (Postgres on Neon + an API server on Fly), end to end through the
 * real `ss` command line against the fake Neon and Fly APIs: validate, plan, deploy with
 * Neon's DATABASE_URL injected into the Fly machine, inspect, status, an image bump deployed
 * as a rolling update, rollback --list and --to, drift after an out-of-band change, destroy.
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { FakeFly } from '../fakes/fly';
import { FakeNeon } from '../fakes/neon';
import { runSs, type CliResult } from '../helpers/cli';
import { tempDir, tempHome } from '../helpers/home';

const fixtures = fileURLToPath(new URL('../fixtures/seeds/002-walkthrough/', import.meta.url));
const NEON_TOKEN = 'nk_walkthrough_4e1f0b9a';
const FLY_TOKEN = 'fo1_walkthrough_77c2d5e3';

test('seed 002 walkthrough: Neon + Fly from validate to destroy', async () => {
  const neon = await new FakeNeon({ token: NEON_TOKEN }).start();
  const fly = await new FakeFly({ token: FLY_TOKEN }).start();
  const home = await tempHome();
  const work = await tempDir();
  try {
    await cp(fixtures, work.path, { recursive: true });
    const overlay = join(work.path, 'starsystem.prod.yaml');
    const env: NodeJS.ProcessEnv = {
      ...home.env,
      STARSYSTEM_NEON_API_URL: neon.url,
      STARSYSTEM_FLY_API_URL: fly.url,
      STARSYSTEM_FLY_APP_URL: fly.appUrlTemplate,
      STARSYSTEM_HTTP_BACKOFF_MS: '10',
      STARSYSTEM_POLL_INTERVAL_MS: '20',
      STARSYSTEM_WAIT_TIMEOUT_MS: '10000',
    };
    // The tokens come from the vault (step 2 of the walkthrough), not from the environment.
    delete env.NEON_API_KEY;
    delete env.FLY_API_TOKEN;
    const ss = async (...args: string[]): Promise<CliResult> => {
      const r = await runSs(args, { cwd: work.path, env });
      // `ss vault get` is the one command whose job is to print a secret.
      if (args[0] === 'vault' && args[1] === 'get') return r;
      for (const secret of [NEON_TOKEN, FLY_TOKEN, ...neon.rolesOfAll().map((r) => r.password)]) {
        assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret), `ss ${args.join(' ')} printed a secret`);
      }
      return r;
    };
    const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);

    // 2. Credentials in the vault.
    ok(await ss('vault', 'set', 'neon.api_token', NEON_TOKEN), 'vault set neon');
    ok(await ss('vault', 'set', 'fly.api_token', FLY_TOKEN), 'vault set fly');

    // 3. Validate.
    const validate = await ss('validate', '--env=prod');
    ok(validate, 'validate');
    assert.match(validate.stdout, /✓ starsystem\.yaml \(2 services\)\n✓ starsystem\.prod\.yaml \(2 services\)\nConfiguration is valid\./);

    // 4. Plan.
    const plan = await ss('plan', '--env=prod');
    ok(plan, 'plan');
    assert.match(plan.stdout, /\+ app-db\s+neon\s.*will create.*Neon project \+ branch \+ role \+ db/);
    assert.match(plan.stdout, /\+ api\s+fly\s.*will create.*Fly app \+ machine, region=iad/);
    assert.match(plan.stdout, /Plan: 2 to create, 0 to update, 0 unchanged\b/);

    // 5. Deploy: Neon first, then Fly with DATABASE_URL injected.
    const deploy = await ss('deploy', '--env=prod');
    ok(deploy, 'deploy');
    assert.match(deploy.stdout, /Project created: my-app \(/);
    assert.match(deploy.stdout, /DATABASE_URL written to vault/);
    assert.match(deploy.stdout, /App created: my-app-api/);
    assert.match(deploy.stdout, /Machine launched in iad/);
    assert.match(deploy.stdout, /Health check passing at .*\/_apps\/my-app-api\/health/);

    const [project] = neon.projectsNamed('my-app');
    assert.ok(project, 'the Neon project exists');
    assert.equal(project.region_id, 'aws-us-east-2', 'region us-east-2 became Neon\'s aws-us-east-2');
    const databaseUrl = (await ss('vault', 'get', 'app-db.DATABASE_URL')).stdout.trim();
    assert.match(databaseUrl, /^postgresql:\/\/neondb_owner:npg_[^@]+@ep-[^/]+\.us-east-2\.aws\.neon\.tech\/neondb\?sslmode=require$/);
    const launches = fly.server.requestsTo('POST', '/v1/apps/my-app-api/machines');
    assert.equal(launches.length, 1);
    const launched = launches[0]!.json as { region: string; config: { image: string; env: Record<string, string> } };
    assert.deepEqual(launched.config.env, { NODE_ENV: 'production', DATABASE_URL: databaseUrl }, 'Neon\'s DATABASE_URL reached the machine');
    assert.equal(launched.region, 'iad');
    assert.ok(
      neon.server.requestsTo('POST', '/projects')[0]!.at <= fly.server.requestsTo('POST', '/v1/apps')[0]!.at,
      'Neon was provisioned before Fly (depends_on)',
    );

    // The overlay records both services; no secret in it.
    const overlayText = await readFile(overlay, 'utf8');
    assert.ok(!overlayText.includes(databaseUrl.split(':')[2]!.split('@')[0]!), 'no password in the overlay');
    const recorded = parse(overlayText).services;
    assert.equal(recorded['app-db'].provision._state.resourceId, project.id);
    assert.equal(recorded.api.provision._state.metadata.image, 'ghcr.io/me/my-app-api:latest');
    assert.match(overlayText, /credential_env: NEON_API_KEY/, 'the user\'s lines are kept');

    // 6. Inspect.
    const inspect = await ss('inspect', '--env=prod');
    ok(inspect, 'inspect');
    assert.match(inspect.stdout, /status: ✓ completed/);
    assert.match(inspect.stdout, /✓ ss\.deploy\.service\.app-db/);
    assert.match(inspect.stdout, /✓ ss\.deploy\.service\.api/);
    const inspectState = await ss('inspect', '--env=prod', '--state');
    ok(inspectState, 'inspect --state');
    assert.match(inspectState.stdout, /url: postgresql:\/\/neondb_owner@ep-.*neon\.tech\/neondb/);
    assert.match(inspectState.stdout, /url: http:\/\/127\.0\.0\.1:\d+\/_apps\/my-app-api/);

    // Status.
    const status = await ss('status', '--env=prod');
    ok(status, 'status');
    assert.match(status.stdout, /✓ app-db\s+neon\s+Neon project my-app/);
    assert.match(status.stdout, /✓ api\s+fly\s+Fly app my-app-api: machine \w+ started in iad, health check passing/);

    const list1 = JSON.parse((await ss('rollback', '--list', '--env=prod', '--json')).stdout) as { receipts: { id: string; operation: string }[] };
    const firstDeploy = list1.receipts.find((r) => r.operation === 'deploy')!;
    const machineId = fly.machinesOf('my-app-api')[0]!.id;

    // 8. Bump the image and deploy again: a rolling update of the same machine.
    await writeFile(overlay, overlayText.replace('image: ghcr.io/me/my-app-api:latest', 'image: ghcr.io/me/my-app-api:v2'));
    const plan2 = await ss('plan', '--env=prod');
    ok(plan2, 'plan after the bump');
    assert.match(plan2.stdout, /~ api\s+fly\s/);
    const deploy2 = await ss('deploy', '--env=prod');
    ok(deploy2, 'second deploy');
    assert.match(deploy2.stdout, /Rolling update: image ghcr\.io\/me\/my-app-api:latest -> ghcr\.io\/me\/my-app-api:v2/);
    assert.equal(fly.server.requestsTo('POST', '/v1/apps/my-app-api/machines').length, 1, 'no new machine');
    assert.equal(fly.server.requestsTo('POST', '/v1/apps').length, 1, 'no new app');
    const updates = fly.server.requestsTo('POST', `/v1/apps/my-app-api/machines/${machineId}`);
    assert.equal(updates.length, 1);
    assert.equal((updates[0]!.json as { config: { image: string; env: Record<string, string> } }).config.image, 'ghcr.io/me/my-app-api:v2');
    assert.equal((updates[0]!.json as { config: { env: Record<string, string> } }).config.env.DATABASE_URL, databaseUrl);
    assert.equal(neon.server.requestsTo('POST', '/projects').length, 1, 'no second Neon project');
    assert.equal(fly.machinesOf('my-app-api')[0]!.config.image, 'ghcr.io/me/my-app-api:v2');

    // Rollback: list, then back to the first deploy. Nothing is re-provisioned.
    const list = await ss('rollback', '--env=prod', '--list');
    ok(list, 'rollback --list');
    assert.equal(list.stdout.match(/ deploy /g)?.length, 2);
    const rolled = await ss('rollback', '--env=prod', `--to=${firstDeploy.id.slice(0, 8)}`);
    ok(rolled, 'rollback --to');
    assert.match(rolled.stdout, new RegExp(`Rolled back to deploy ${firstDeploy.id.slice(0, 8)} — credentials and overlay state restored`));
    const afterRollback = parse(await readFile(overlay, 'utf8')).services;
    assert.equal(afterRollback.api.provision._state.metadata.image, 'ghcr.io/me/my-app-api:latest', '_state is the first deploy\'s');
    assert.equal(afterRollback.api.target.image, 'ghcr.io/me/my-app-api:v2', 'the declaration is the user\'s');
    assert.equal(fly.machinesOf('my-app-api')[0]!.config.image, 'ghcr.io/me/my-app-api:v2', 'v2 still runs on Fly');

    // Deploy again to converge, then drift is clean until something changes out of band.
    ok(await ss('deploy', '--env=prod'), 'deploy after rollback');
    const clean = await ss('drift', '--env=prod');
    assert.equal(clean.code, 0, `drift before the change:\n${clean.stdout}`);
    fly.stopMachine('my-app-api');
    const drifted = await ss('drift', '--env=prod');
    assert.equal(drifted.code, 2, `drift after the change:\n${drifted.stdout}\n${drifted.stderr}`);
    assert.match(drifted.stdout, /~ api\s+machine is stopped/);
    assert.match(drifted.stdout, /✓ app-db\s+no drift/);

    // Destroy.
    const destroy = await ss('destroy', '--env=prod', '--yes');
    ok(destroy, 'destroy');
    assert.equal(neon.projects.size, 0, 'the Neon project is deleted');
    assert.equal(fly.apps.size, 0, 'the Fly app is deleted');
    const overlayAfter = parse(await readFile(overlay, 'utf8')).services;
    assert.equal(overlayAfter['app-db'].provision?._state, undefined);
    assert.equal(overlayAfter.api.provision?._state, undefined);
  } finally {
    await work.cleanup();
    await home.cleanup();
    await fly.stop();
    await neon.stop();
  }
});
