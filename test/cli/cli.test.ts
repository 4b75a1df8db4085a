/** The `ss` command line: validate, plan, graph, help and usage errors. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { COMMANDS } from '../../engine/cli/commands/index';
import { runSs } from '../helpers/cli';
import { tempDir, tempHome, type TempHome } from '../helpers/home';
import { routingRegistry } from '../helpers/registry';

const root = fileURLToPath(new URL('../../', import.meta.url));
const seeds = join(root, 'test/fixtures/seeds');
const services = { registry: routingRegistry() };

let home: TempHome;
let work: { path: string; cleanup(): Promise<void> };
before(async () => {
  home = await tempHome();
  work = await tempDir();
  await cp(join(seeds, '002-walkthrough'), join(work.path, 'walkthrough'), { recursive: true });
  await cp(join(seeds, '000-system'), join(work.path, 'system'), { recursive: true });
  await writeFile(
    join(work.path, 'broken.yaml'),
    `services:\n  api:\n    type: process\n    command: node api.js\n    depends_on: [databse]\n  database:\n    type: process\n    command: postgres\n`,
  );
});
after(async () => {
  await work.cleanup();
  await home.cleanup();
});

describe('ss validate', () => {
  test('a valid file exits 0 and says so per file', async () => {
    const r = await runSs(['validate', '--env=prod'], { cwd: join(work.path, 'walkthrough'), env: home.env, services });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /✓ starsystem\.yaml \(2 services\)\n✓ starsystem\.prod\.yaml \(2 services\)\nConfiguration is valid\.\n$/);
  });

  test('errors print file:line:col severity code message and exit 1', async () => {
    const r = await runSs(['validate', 'broken.yaml'], { cwd: work.path, env: home.env, services });
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^broken\.yaml:5:18 error unknown-service Unknown service "databse" in depends_on of "api"; did you mean "database"\?$/m);
    assert.match(r.stdout, /1 error, 0 warnings in broken\.yaml\./);
  });

  test('--json prints the diagnostics as data', async () => {
    const r = await runSs(['validate', 'broken.yaml', '--json'], { cwd: work.path, env: home.env, services });
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout);
    assert.equal(out.valid, false);
    assert.deepEqual(out.diagnostics[0].range, { start: { line: 4, character: 17 }, end: { line: 4, character: 24 } });
    assert.equal(out.diagnostics[0].code, 'unknown-service');
    assert.equal(out.diagnostics[0].fixes[0].edits[0].newText, 'database');
  });

  test('an overlay given as the file means its base with that environment', async () => {
    const r = await runSs(['validate', 'starsystem.prod.yaml'], { cwd: join(work.path, 'walkthrough'), env: home.env, services });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /starsystem\.prod\.yaml \(2 services\)/);
  });

  test('a missing file or overlay is a clear error', async () => {
    const none = await runSs(['validate'], { cwd: work.path, env: home.env, services });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No starsystem\.yaml in /);
    const noOverlay = await runSs(['validate', '--env=staging'], { cwd: join(work.path, 'walkthrough'), env: home.env, services });
    assert.equal(noOverlay.code, 1);
    assert.match(noOverlay.stderr, /No overlay for environment "staging": .*starsystem\.staging\.yaml does not exist/);
  });
});

describe('ss plan', () => {
  test('prints the plan of seed 000 with its summary', async () => {
    const r = await runSs(['plan'], { cwd: join(work.path, 'system'), env: home.env, services });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Starsystem — starsystem\.yaml\nTo create:\n  \+ caddy-check-server +local-process .*\n  \+ caddy +local-process .*\n  \+ cloudflare-for-saas +cloudflare .*\nSkipping 4 services \(no provisioner\):/);
    assert.match(r.stdout, /Plan: 3 to create, 0 to update, 0 unchanged, 4 skipped\.\n$/);
  });

  test('--json gives rows and summary', async () => {
    const r = await runSs(['plan', '--env=prod', '--json'], { cwd: join(work.path, 'walkthrough'), env: home.env, services });
    const plan = JSON.parse(r.stdout);
    assert.deepEqual(plan.rows.map((row: { serviceId: string; action: string; provider: string }) => [row.serviceId, row.action, row.provider]), [
      ['app-db', 'create', 'neon'],
      ['api', 'create', 'fly'],
    ]);
    assert.deepEqual(plan.summary, { create: 2, update: 0, unchanged: 0, remove: 0, skip: 0 });
  });

  test('--service with an unknown id, and a configuration with errors, exit 1', async () => {
    const unknown = await runSs(['plan', '--service=nope'], { cwd: join(work.path, 'system'), env: home.env, services });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /Unknown service "nope"\. Services: caddy-check-server, caddy, /);
    const broken = await runSs(['plan', 'broken.yaml'], { cwd: work.path, env: home.env, services });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /unknown-service/);
  });
});

describe('ss graph render', () => {
  test('draws the services and their edges as mermaid', async () => {
    const r = await runSs(['graph', 'render', '--services', '--env=prod'], { cwd: join(work.path, 'walkthrough'), env: home.env, services });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'flowchart LR\n  s0["app-db<br/><small>neon</small>"]\n  s1["api<br/><small>fly</small>"]\n  s1 -->|depends on| s0\n');
  });
});

describe('help and usage errors', () => {
  test('every command has --help', async () => {
    for (const command of COMMANDS) {
      const r = await runSs([...command.path, '--help'], { env: home.env, services });
      assert.equal(r.code, 0, command.path.join(' '));
      assert.ok(r.stdout.startsWith(`Usage: ${command.usage}`), command.path.join(' '));
    }
  });

  test('an unknown command, an unknown flag, a missing flag value: exit 2', async () => {
    const unknown = await runSs(['provison'], { env: home.env, services });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "provison"/);
    const flag = await runSs(['validate', '--bogus'], { env: home.env, services });
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /Unknown option --bogus\.\nUsage: ss validate/);
    const value = await runSs(['plan', '--env'], { env: home.env, services });
    assert.equal(value.code, 2);
    assert.match(value.stderr, /Option --env needs a value/);
    const extra = await runSs(['validate', 'a.yaml', 'b.yaml'], { env: home.env, services });
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /Unexpected argument "b\.yaml"/);
  });
});

describe('the built dist/cli.js', () => {
  test('runs as a program with a shebang and exit codes', async () => {
    const run = promisify(execFile);
    const ok = await run(join(root, 'dist/cli.js'), ['validate', '--env=prod'], { cwd: join(work.path, 'walkthrough'), env: home.env });
    assert.match(ok.stdout, /Configuration is valid/);
    await assert.rejects(run(join(root, 'dist/cli.js'), ['validate', 'broken.yaml'], { cwd: work.path, env: home.env }), (e: { code: number; stdout: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stdout, /unknown-service/);
      return true;
    });
  });
});
