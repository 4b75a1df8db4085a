import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { destroy } from '../../engine/ops/destroy';
import { drift } from '../../engine/ops/drift';
import { provision } from '../../engine/ops/provision';
import { status } from '../../engine/ops/status';
import { acquireRunLock, LockHeldError } from '../../engine/run/lock';
import { processGroupId, processStartTime } from '../../engine/run/processes';
import { StateStore } from '../../engine/run/state';
import { runSs } from '../helpers/cli';
import { freePorts, httpGet, sandbox, serverCommand, waitFor, type Sandbox } from '../local-process/support';
import { opsFor, testRegistry } from './support';

/** A process service on `port` with a fast health check. */
function processService(id: string, port: number, extra: { depends?: string[]; args?: string; more?: string } = {}): string {
  const lines = [
    `  ${id}:`,
    '    type: process',
    `    command: ${serverCommand(port, `--name=${id}${extra.args ? ` ${extra.args}` : ''}`)}`,
    '    health_check:',
    `      url: http://127.0.0.1:${port}/health`,
    '      interval: 50ms',
    '      retries: 40',
  ];
  if (extra.depends) lines.push(`    depends_on: [${extra.depends.join(', ')}]`);
  if (extra.more) lines.push(extra.more);
  return lines.join('\n');
}

describe('provision (engine)', () => {
  let sb: Sandbox;
  let ctx: ReturnType<typeof opsFor>;
  let reg: ReturnType<typeof testRegistry>;
  beforeEach(async () => {
    sb = await sandbox();
    reg = testRegistry(sb);
    ctx = opsFor(sb, reg.registry);
  });
  afterEach(async () => {
    await destroy({ ...ctx.options }).catch(() => undefined);
    await sb.cleanup();
  });

  it('starts services in dependency order, each as soon as its dependencies are healthy', async () => {
    const [p1, p2, p3, p4] = await freePorts(4);
    await sb.write(
      'starsystem.yaml',
      [
        'name: ordered',
        'services:',
        processService('db', p1, { args: '--ready-after=300' }),
        processService('cache', p2),
        processService('api', p3, { depends: ['db', 'cache'] }),
        processService('web', p4, { depends: ['api'] }),
        '  analytics:',
        '    type: external',
      ].join('\n') + '\n',
    );
    const run = await provision(ctx.options);
    assert.equal(run.status, 'completed');
    assert.deepEqual(run.summary, { created: 4, restarted: 0, updated: 0, verified: 0, failed: 0, skipped: 1, notStarted: 0, removed: 0, orphans: 0 });
    const seq = ctx.serviceEvents().map((e) => `${e.phase} ${e.serviceId}`);
    const at = (s: string) => seq.indexOf(s);
    assert.ok(at('started api') > at('healthy db') && at('started api') > at('healthy cache'));
    assert.ok(at('started web') > at('healthy api'));
    assert.ok(at('started cache') < at('healthy db'), 'cache runs beside db, not after it');
    assert.ok(at('skipped analytics') >= 0);
    // Real processes, each in its own group, answering on their ports.
    for (const port of [p1, p2, p3, p4]) assert.equal((await httpGet(`http://127.0.0.1:${port}/health`)).status, 200);
    const leaders = sb.processes().filter((pid) => processGroupId(pid) === pid);
    assert.equal(leaders.length, 4);
    const healthy = ctx.serviceEvents('healthy');
    assert.ok(healthy.every((e) => typeof e.durationMs === 'number' && e.outcome === 'created'));
  });

  it('runs at most --concurrency services at once', async () => {
    const ports = await freePorts(5);
    await sb.write(
      'starsystem.yaml',
      ['name: wide', 'services:', ...ports.map((p, i) => processService(`s${i}`, p, { args: '--ready-after=250' }))].join('\n') + '\n',
    );
    const run = await provision({ ...ctx.options, concurrency: 2 });
    assert.equal(run.status, 'completed');
    let running = 0;
    let peak = 0;
    for (const e of ctx.serviceEvents()) {
      if (e.phase === 'started') peak = Math.max(peak, ++running);
      if (e.phase === 'healthy' || e.phase === 'failed') running--;
    }
    assert.equal(peak, 2);
  });

  it('a failure stops its dependants, not its siblings, and says why', async () => {
    const [p1, p2, p3, p4] = await freePorts(4);
    await sb.write(
      'starsystem.yaml',
      [
        'name: partial',
        'services:',
        // Failed checks count only after start_period: the last one is the service's own answer.
        processService('db', p1, { args: '--unhealthy' }).replace('retries: 40', 'retries: 3\n      start_period: 1s'),
        processService('api', p2, { depends: ['db'] }),
        processService('web', p3, { depends: ['api'] }),
        processService('docs', p4),
      ].join('\n') + '\n',
    );
    const run = await provision(ctx.options);
    assert.equal(run.status, 'failed');
    const by = Object.fromEntries(run.services.map((s) => [s.serviceId, s]));
    assert.equal(by.db!.outcome, 'failed');
    assert.match(by.db!.message!, /HTTP 500: broken on purpose/);
    assert.equal(by.docs!.outcome, 'created');
    assert.deepEqual([by.api!.outcome, by.api!.message], ['not-started', 'dependency "db" did not succeed']);
    assert.deepEqual([by.web!.outcome, by.web!.message], ['not-started', 'dependency "api" did not succeed']);
    assert.equal(run.summary.failed, 1);
    assert.equal(run.summary.notStarted, 2);
    const state = await new StateStore(sb.home, 'partial', 'local').get('db');
    assert.equal(state?.status, 'failed');
    assert.match(state?.error ?? '', /broken on purpose/);
    // The CLI exits 1 and prints the reasons.
    const cli = await runSs(['status'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(cli.code, 1);
    assert.match(cli.stdout, /db .*failed: /);
  });

  it('a second run creates nothing, restarts nothing, and verifies everything', async () => {
    const [p1, p2] = await freePorts(2);
    await sb.write('starsystem.yaml', ['name: idem', 'services:', processService('db', p1), processService('api', p2, { depends: ['db'] })].join('\n') + '\n');
    await provision(ctx.options);
    const pids = sb.processes().sort();
    const again = await provision(ctx.options);
    assert.equal(again.status, 'completed');
    assert.deepEqual(again.plan.rows.map((r) => r.action), ['verify', 'verify']);
    assert.deepEqual(again.services.map((s) => s.outcome), ['verified', 'verified']);
    assert.deepEqual(again.summary, { created: 0, restarted: 0, updated: 0, verified: 2, failed: 0, skipped: 0, notStarted: 0, removed: 0, orphans: 0 });
    assert.deepEqual(sb.processes().sort(), pids);
  });

  it('a killed service: status dead, drift exit 2, provision restarts it', async () => {
    const [p1, p2] = await freePorts(2);
    await sb.write('starsystem.yaml', ['name: killed', 'services:', processService('db', p1), processService('api', p2, { depends: ['db'] })].join('\n') + '\n');
    const first = await provision(ctx.options);
    const apiPid = (first.services.find((s) => s.serviceId === 'api')!.record!.metadata as { pid: number }).pid;
    process.kill(-apiPid, 'SIGKILL');
    await waitFor(() => processStartTime(apiPid) === undefined, 5000, 'api to die');

    const report = await status(ctx.options);
    assert.equal(report.ok, false);
    const api = report.services.find((s) => s.serviceId === 'api')!;
    assert.equal(api.health, 'dead');
    assert.match(api.message, new RegExp(`not running \\(pid ${apiPid} exited\\)`));
    assert.equal(report.services.find((s) => s.serviceId === 'db')!.health, 'healthy');

    const d = await drift(ctx.options);
    assert.equal(d.exitCode, 2);
    assert.deepEqual(d.services.map((s) => [s.serviceId, s.state]), [['db', 'clean'], ['api', 'drifted']]);
    const cli = await runSs(['drift'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(cli.code, 2);
    assert.match(cli.stdout, /~ api .*not running/);

    const again = await provision(ctx.options);
    const by = Object.fromEntries(again.services.map((s) => [s.serviceId, s]));
    assert.equal(by.db!.outcome, 'verified');
    assert.equal(by.api!.outcome, 'restarted');
    assert.equal((await httpGet(`http://127.0.0.1:${p2}/health`)).status, 200);
    assert.equal((await drift(ctx.options)).exitCode, 0);
  });

  it('a recorded pid now used by another process is never taken for ours nor signalled', async () => {
    const [p1] = await freePorts(1);
    await sb.write('starsystem.yaml', ['name: reuse', 'services:', processService('db', p1)].join('\n') + '\n');
    await provision(ctx.options);
    const store = new StateStore(sb.home, 'reuse', 'local');
    const recorded = (await store.get('db'))!;
    const ourPid = (recorded.record!.metadata as { pid: number }).pid;
    process.kill(-ourPid, 'SIGKILL');
    await waitFor(() => processStartTime(ourPid) === undefined, 5000, 'db to die');
    // Another process now holds the recorded pid (simulated: the record points at it, start time differs).
    const stranger = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(stranger, 'spawn');
    try {
      const forged = { ...recorded.record!, resourceId: String(stranger.pid), metadata: { ...recorded.record!.metadata, pid: stranger.pid, pgid: stranger.pid } };
      await store.put({ ...recorded, record: forged });
      const report = await status(ctx.options);
      assert.equal(report.services[0]!.health, 'dead');
      assert.match(report.services[0]!.message, /now belongs to another process/);
      const run = await provision(ctx.options);
      assert.equal(run.services[0]!.outcome, 'restarted');
      assert.notEqual(processStartTime(stranger.pid!), undefined, 'the stranger was not signalled');
      await destroy(ctx.options);
      assert.notEqual(processStartTime(stranger.pid!), undefined, 'not by destroy either');
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('a held lock refuses a second run and names its holder', async () => {
    const [p1] = await freePorts(1);
    await sb.write('starsystem.yaml', ['name: locked', 'services:', processService('db', p1)].join('\n') + '\n');
    const lock = await acquireRunLock({ home: sb.home, project: 'locked', env: 'local', command: 'ss provision --env=local' });
    try {
      await assert.rejects(provision(ctx.options), (error: unknown) => error instanceof LockHeldError && /"ss provision --env=local" \(pid \d+/.test(error.message));
      const cli = await runSs(['provision'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
      assert.equal(cli.code, 1);
      assert.match(cli.stderr, /Another run holds the lock for project "locked", environment "local"/);
      assert.deepEqual(sb.processes(), [], 'nothing was started');
      // Planning needs no lock.
      assert.equal((await provision({ ...ctx.options, dryRun: true })).status, 'planned');
    } finally {
      await lock.release();
    }
    assert.equal((await provision(ctx.options)).status, 'completed');
  });

  it('inject_from passes a dependency\'s credential from the vault into the process env', async () => {
    const [p1] = await freePorts(1);
    await sb.write(
      'starsystem.yaml',
      [
        'version: "2"',
        'name: injected',
        'services:',
        '  issuer:',
        '    type: external',
        '    provision:',
        '      provider: token-issuer',
        '      plan: one',
        processService('api', p1, { depends: ['issuer'], more: '    inject_from:\n      issuer: [TOKEN]' }),
      ].join('\n') + '\n',
    );
    const run = await provision(ctx.options);
    assert.equal(run.status, 'completed');
    const token = await ctx.vault.get('issuer.TOKEN');
    assert.match(token ?? '', /^tok-one-/);
    assert.deepEqual(run.services.find((s) => s.serviceId === 'issuer')!.credentialKeys, ['issuer.TOKEN']);
    assert.equal((await httpGet(`http://127.0.0.1:${p1}/env/TOKEN`)).body, token);
    assert.ok(ctx.serviceEvents('step').some((e) => e.serviceId === 'issuer' && e.message === 'TOKEN written to vault'));
    assert.doesNotMatch(JSON.stringify(run), new RegExp(token!), 'the credential is not in the result');
  });

  it('a missing injected credential is an error naming the service and key', async () => {
    const [p1] = await freePorts(1);
    await sb.write(
      'starsystem.yaml',
      ['version: "2"', 'name: missing', 'services:', '  db:', '    type: database', processService('api', p1, { depends: ['db'], more: '    inject_from:\n      db: [DATABASE_URL]' })].join('\n') + '\n',
    );
    const run = await provision(ctx.options);
    const api = run.services.find((s) => s.serviceId === 'api')!;
    assert.equal(api.outcome, 'failed');
    assert.match(api.message!, /Service "api" injects "db.DATABASE_URL" \(inject_from\), but the vault has no such key/);
    assert.deepEqual(sb.processes(), []);
  });

  it('secrets in provisioner errors are masked', async () => {
    await ctx.vault.set('secrets.ISSUER_SECRET', 'very-secret-value-42');
    await sb.write('starsystem.yaml', ['name: masked', 'services:', '  issuer:', '    type: external', '    provision:', '      provider: token-issuer', '      region: fail'].join('\n') + '\n');
    const run = await provision(ctx.options);
    assert.equal(run.services[0]!.outcome, 'failed');
    assert.match(run.services[0]!.message!, /region "fail" is not available \(token \*\*\*\)/);
    assert.doesNotMatch(JSON.stringify(ctx.events), /very-secret-value-42/);
  });

  it('deploy leaves local processes to provision; orphans are reported and removed only on request', async () => {
    const [p1] = await freePorts(1);
    await sb.write(
      'starsystem.yaml',
      ['name: both', 'services:', '  issuer:', '    type: external', '    provision:', '      provider: token-issuer', processService('api', p1)].join('\n') + '\n',
    );
    const deployed = await provision({ ...ctx.options, operation: 'deploy' });
    assert.deepEqual(deployed.services.map((s) => [s.serviceId, s.outcome]), [['issuer', 'created'], ['api', 'skipped']]);
    assert.deepEqual(sb.processes(), []);
    await provision(ctx.options);
    assert.equal(sb.processes().length, 1);

    // api leaves the file: it is an orphan, left running until asked.
    await sb.write('starsystem.yaml', ['name: both', 'services:', '  issuer:', '    type: external', '    provision:', '      provider: token-issuer'].join('\n') + '\n');
    const kept = await provision(ctx.options);
    assert.deepEqual(kept.services.map((s) => [s.serviceId, s.outcome]), [['issuer', 'verified'], ['api', 'orphan']]);
    assert.equal(kept.summary.orphans, 1);
    assert.equal(sb.processes().length, 1);
    const removed = await provision({ ...ctx.options, removeOrphans: true });
    assert.deepEqual(removed.services.map((s) => [s.serviceId, s.outcome]), [['issuer', 'verified'], ['api', 'removed']]);
    assert.deepEqual(sb.processes(), []);
  });

  it('cancelling stops the run; what was already started is picked up by the next run', async () => {
    const [p1, p2] = await freePorts(2);
    await sb.write('starsystem.yaml', ['name: cancel', 'services:', processService('slow', p1, { args: '--ready-after=1500' }), processService('after', p2, { depends: ['slow'] })].join('\n') + '\n');
    const controller = new AbortController();
    const run = await provision({
      ...ctx.options,
      signal: controller.signal,
      onEvent: (e) => {
        ctx.events.push(e);
        if (e.type === 'service' && e.phase === 'step' && e.message?.startsWith('Waiting for')) controller.abort();
      },
    });
    assert.equal(run.status, 'cancelled');
    const by = Object.fromEntries(run.services.map((s) => [s.serviceId, s]));
    assert.equal(by.slow!.outcome, 'failed');
    assert.match(by.slow!.message!, /^cancelled: .*keeps running and the next run checks it/);
    assert.deepEqual([by.after!.outcome, by.after!.message], ['not-started', 'cancelled']);
    const pending = await new StateStore(sb.home, 'cancel', 'local').get('slow');
    assert.equal(pending?.status, 'pending', 'a cancelled create stays pending');
    const pid = Number(pending!.partial!.resourceId);

    const next = await provision(ctx.options);
    assert.equal(next.status, 'completed');
    assert.equal((next.services[0]!.record!.metadata as { pid: number }).pid, pid, 'the started process was kept, not started again');
    assert.equal(sb.processes().filter((p) => processGroupId(p) === p).length, 2);
  });

  it('the CLI prints the plan, each service\'s progress and the summary; --json gives the result', async () => {
    const [p1, p2] = await freePorts(2);
    await sb.write('starsystem.yaml', ['name: cli', 'services:', processService('db', p1), processService('api', p2, { depends: ['db'] })].join('\n') + '\n');
    const dry = await runSs(['provision', '--dry-run'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(dry.code, 0);
    assert.match(dry.stdout, /To create:\n {2}\+ db +local-process/);
    assert.match(dry.stdout, /Dry run: nothing was changed/);
    assert.deepEqual(sb.processes(), []);

    const out = await runSs(['provision', '--concurrency=2'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /→ db via local-process\.\.\./);
    assert.match(out.stdout, /✓ Health check passing at http:\/\/127\.0\.0\.1:\d+\/health/);
    assert.match(out.stdout, /✓ api created in [\d.]+m?s: started \(pid \d+, health ok\)/);
    assert.match(out.stdout, /✓ Provision complete: 2 created, 0 verified, 0 failed, 0 skipped/);

    const json = await runSs(['provision', '--json'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    const parsed = JSON.parse(json.stdout);
    assert.equal(parsed.status, 'completed');
    assert.deepEqual(parsed.services.map((s: { outcome: string }) => s.outcome), ['verified', 'verified']);

    const st = await runSs(['provision', '--status', '--json'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(st.code, 0);
    assert.deepEqual(JSON.parse(st.stdout).services.map((s: { health: string }) => s.health), ['healthy', 'healthy']);
    const text = await runSs(['status'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.match(text.stdout, /✓ db +local-process +running \(pid \d+, health ok\)/);

    const bad = await runSs(['provision', '--concurrency=0'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(bad.code, 2);
  });
});
