import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runCli } from '../../engine/cli/run';
import { destroy } from '../../engine/ops/destroy';
import { provision } from '../../engine/ops/provision';
import { createDefaultRegistry } from '../../engine/provisioners/index';
import { StateStore } from '../../engine/run/state';
import { runSs } from '../helpers/cli';
import { freePorts, sandbox, serverCommand, type Sandbox } from '../local-process/support';
import { opsFor, testRegistry } from './support';

function system(ports: number[]): string {
  const [p1, p2, p3, p4] = ports;
  return [
    'version: "2"',
    'name: teardown',
    'services:',
    '  issuer:',
    '    type: external',
    '    provision:',
    '      provider: token-issuer',
    '  db:',
    '    type: process',
    `    command: ${serverCommand(p1!, '--child')}`,
    `    health_check: http://127.0.0.1:${p1}/health`,
    '  api:',
    '    type: process',
    `    command: ${serverCommand(p2!)}`,
    `    health_check: http://127.0.0.1:${p2}/health`,
    '    depends_on: [db, issuer]',
    '    inject_from:',
    '      issuer: [TOKEN]',
    '  web:',
    '    type: process',
    `    command: ${serverCommand(p3!, '--ignore-term')}`,
    '    stop_grace_period: 200ms',
    `    health_check: http://127.0.0.1:${p3}/health`,
    '    depends_on: [api]',
    '  docs:',
    '    type: process',
    `    command: ${serverCommand(p4!)}`,
    `    health_check: http://127.0.0.1:${p4}/health`,
    '',
  ].join('\n');
}

/** A terminal on stdin that answers `answer`. */
function terminalAnswering(answer: string) {
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = true;
  stdin.end(answer);
  return stdin;
}

describe('destroy', () => {
  let sb: Sandbox;
  let reg: ReturnType<typeof testRegistry>;
  let ctx: ReturnType<typeof opsFor>;
  beforeEach(async () => {
    sb = await sandbox();
    reg = testRegistry(sb);
    ctx = opsFor(sb, reg.registry);
    await sb.write('starsystem.yaml', system(await freePorts(4)));
    assert.equal((await provision(ctx.options)).status, 'completed');
  });
  afterEach(async () => {
    await destroy(ctx.options).catch(() => undefined);
    await sb.cleanup();
  });

  it('tears everything down, dependants first, and leaves no process, record or credential behind', async () => {
    assert.ok(sb.processes().length >= 5, 'four services and a child');
    const out = await runSs(['destroy', '--yes'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /Will destroy 5 services, in this order:/);
    assert.match(out.stdout, /✓ Destroy complete: 5 destroyed, 0 failed/);
    assert.match(out.stdout, /Killed pid \d+ \(it ignored SIGTERM\)/);
    const order = [...out.stdout.matchAll(/✓ (\w+) destroyed/g)].map((m) => m[1]);
    assert.ok(order.indexOf('web') < order.indexOf('api'));
    assert.ok(order.indexOf('api') < order.indexOf('db') && order.indexOf('api') < order.indexOf('issuer'));
    assert.deepEqual(sb.processes(), [], 'no process left, children included');
    assert.equal((await new StateStore(sb.home, 'teardown', 'local').all()).size, 0);
    assert.deepEqual(await ctx.vault.list('issuer.'), []);
    assert.deepEqual(reg.issuer.calls.filter((c) => c.startsWith('destroy')), ['destroy issuer']);
    const again = await runSs(['destroy', '--yes'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.match(again.stdout, /Nothing is provisioned; nothing to destroy/);
  });

  it('--service destroys that service and what depends on it, nothing else', async () => {
    const run = await destroy({ ...ctx.options, services: ['db'] });
    assert.deepEqual(run.plan.targets.map((t) => [t.serviceId, t.reason]), [['web', 'dependant'], ['api', 'dependant'], ['db', 'selected']]);
    assert.equal(run.status, 'completed');
    const left = await new StateStore(sb.home, 'teardown', 'local').all();
    assert.deepEqual([...left.keys()].sort(), ['docs', 'issuer']);
  });

  it('asks on a terminal, refuses without one unless --yes', async () => {
    const before = sb.processes().sort();
    const refused = await runSs(['destroy'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /no terminal to ask on; pass --yes/);
    assert.deepEqual(sb.processes().sort(), before);

    const ask = async (answer: string) => {
      let stdout = '';
      const code = await runCli(['destroy', '--service=docs'], {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: () => true },
        stdin: terminalAnswering(answer),
        env: sb.env,
        cwd: sb.dir,
        isTTY: true,
      }, { registry: reg.registry });
      return { code, stdout };
    };
    const no = await ask('n\n');
    assert.match(no.stdout, /Destroy 1 service in teardown\? This cannot be undone\. \[y\/N\]/);
    assert.match(no.stdout, /Nothing was destroyed/);
    assert.equal(no.code, 1);
    assert.ok((await new StateStore(sb.home, 'teardown', 'local').get('docs')) !== undefined);
    const yes = await ask('y\n');
    assert.equal(yes.code, 0);
    assert.equal(await new StateStore(sb.home, 'teardown', 'local').get('docs'), undefined);
  });

  it('a service that cannot be torn down keeps what it depends on', async () => {
    // Without the local-process provisioner, web cannot be stopped: api, db and issuer, which
    // web depends on directly or not, stay; nothing unrelated is held back.
    const partial = createDefaultRegistry().register(reg.issuer);
    partial.unregister('local-process');
    const run = await destroy({ ...ctx.options, registry: partial });
    const by = Object.fromEntries(run.services.map((s) => [s.serviceId, s]));
    assert.equal(by.web!.outcome, 'failed');
    assert.match(by.web!.message!, /No provisioner named "local-process" is registered/);
    assert.deepEqual([by.api!.outcome, by.api!.message], ['not-started', 'dependency "web" could not be destroyed']);
    assert.equal(by.db!.outcome, 'not-started');
    assert.equal(by.issuer!.outcome, 'not-started');
    assert.equal(run.status, 'failed');
    assert.equal((await new StateStore(sb.home, 'teardown', 'local').all()).size, 5, 'everything is still recorded');
    assert.equal(await ctx.vault.has('issuer.TOKEN'), true);
  });
});
