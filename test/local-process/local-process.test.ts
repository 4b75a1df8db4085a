import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LocalProcessProvisioner, type LocalProcessMetadata } from '../../engine/provisioners/local-process';
import type { ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { processGroupAlive, processGroupId, processStartTime } from '../../engine/run/processes';
import { testContext } from '../helpers/provisionContext';
import { freePort, httpGet, sandbox, serverCommand, waitFor, type Sandbox } from './support';

const provisioner = new LocalProcessProvisioner();

function service(fields: Partial<ResolvedService>): ResolvedService {
  return { id: 'svc', depends_on: [], type: 'process', ...fields } as ResolvedService;
}

const meta = (record: Partial<ProvisionStateRecord> | undefined) => record!.metadata as unknown as LocalProcessMetadata;

describe('local-process provisioner', () => {
  let sb: Sandbox;
  let ctxBase: Parameters<typeof testContext>[0];
  beforeEach(async () => {
    sb = await sandbox();
    await mkdir(join(sb.dir, 'userhome'));
    ctxBase = { home: sb.home, configDir: sb.dir, project: 'proj', env: 'local', processEnv: { ...process.env, HOME: join(sb.dir, 'userhome') } };
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('handles type: process with a command, nothing else', () => {
    assert.equal(provisioner.canProvision(service({ command: 'node x.js' })), true);
    assert.equal(provisioner.canProvision(service({ command: '  ' })), false);
    assert.equal(provisioner.canProvision(service({ type: 'database', command: 'node x.js' })), false);
    assert.equal(provisioner.requiresApiKey, false);
  });

  it('spawns the command detached in its own group, without a shell, with env, cwd and a log', async () => {
    const port = await freePort();
    await mkdir(join(sb.dir, 'sub'));
    const ctx = testContext({ ...ctxBase, serviceId: 'api', injected: { DATABASE_URL: 'postgres://injected' } });
    const result = await provisioner.provision(
      ctx,
      service({
        command: `${serverCommand(port)} '--name=a b'`,
        cwd: 'sub',
        env: { GREETING: 'hello', COUNT: 3 },
        health_check: `http://127.0.0.1:${port}/health`,
      }),
    );
    const m = meta(result.state);
    assert.equal(result.state.provider, 'local-process');
    assert.equal(result.state.resourceId, String(m.pid));
    assert.equal(m.startTime, processStartTime(m.pid));
    assert.equal(processGroupId(m.pid), m.pid, 'the service leads its own process group');
    assert.match(m.commandHash, /^[0-9a-f]{64}$/);
    assert.equal(m.logPath, join(sb.home, 'logs', 'proj', 'local', 'api.log'));
    // argv exactly as split, no shell in between.
    const cmdline = (await readFile(`/proc/${m.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    assert.deepEqual(cmdline.slice(1), [serverCommand(port).split(' ')[1], `--port=${port}`, '--name=a b']);
    assert.equal(await readlink(`/proc/${m.pid}/cwd`), join(sb.dir, 'sub'));
    assert.equal((await httpGet(`http://127.0.0.1:${port}/env/GREETING`)).body, 'hello');
    assert.equal((await httpGet(`http://127.0.0.1:${port}/env/COUNT`)).body, '3');
    assert.equal((await httpGet(`http://127.0.0.1:${port}/env/DATABASE_URL`)).body, 'postgres://injected');
    await waitFor(async () => (await readFile(m.logPath, 'utf8')).includes('a b listening'), 5000, 'the log');
    assert.deepEqual(ctx.partials.map((p) => p.resourceId), [String(m.pid)], 'the pid is saved before the health check');
    assert.ok(ctx.steps.some((s) => s.startsWith('Health check passing')));
    assert.equal(result.summary, `started (pid ${m.pid}, health ok)`);
  });

  it('renders generate_config before start: vars, vault templates in the template, ~ as home', async () => {
    const port = await freePort();
    await writeFile(join(sb.dir, 'app.conf.template'), 'port {{ PORT }}\nsites {{SITES}}\ntoken {{ vault(\'hosting.token\') }}\n');
    const ctx = testContext({ ...ctxBase, vault: { 'hosting.token': 'tok-123456' } });
    const output = '~/conf/app.conf';
    const result = await provisioner.provision(
      ctx,
      service({
        command: serverCommand(port),
        health_check: `http://127.0.0.1:${port}/health`,
        provision: { generate_config: { template: 'app.conf.template', output, vars: { PORT: String(port), SITES: '~/sites' } } },
      }),
    );
    const written = join(sb.dir, 'userhome', 'conf', 'app.conf');
    assert.equal(await readFile(written, 'utf8'), `port ${port}\nsites ${join(sb.dir, 'userhome')}/sites\ntoken tok-123456\n`);
    assert.equal((await stat(written)).mode & 0o777, 0o600);
    assert.equal(meta(result.state).configOutput, written);
    assert.doesNotMatch(JSON.stringify(result.state), /tok-123456/, 'no secret in the record');

    await assert.rejects(
      provisioner.provision(ctx, service({ command: serverCommand(port), provision: { generate_config: { template: 'app.conf.template', output, vars: { PORT: '1' } } } })),
      /uses \{\{ SITES \}\}, which generate_config.vars does not set/,
    );
  });

  it('shows install_hint when the program is not installed', async () => {
    const ctx = testContext(ctxBase);
    await assert.rejects(
      provisioner.provision(ctx, service({ command: 'caddy-not-installed-anywhere run', install_hint: 'Install with: brew install caddy' })),
      /"caddy-not-installed-anywhere" is not installed \(not found on PATH\)\. Install with: brew install caddy/,
    );
    await assert.rejects(provisioner.provision(ctx, service({ command: './missing.sh' })), /missing.sh does not exist or is not executable/);
    await assert.rejects(provisioner.provision(ctx, service({ command: 'node a.js | tee x' })), /only a shell understands/);
    await assert.rejects(provisioner.provision(ctx, service({ command: 'node a.js', cwd: 'nowhere' })), /working directory .*nowhere does not exist/);
  });

  it('an unhealthy service fails with the last response and the log tail, and is stopped', async () => {
    const port = await freePort();
    const ctx = testContext(ctxBase);
    let error: Error | undefined;
    try {
      await provisioner.provision(
        ctx,
        service({ command: serverCommand(port, '--unhealthy --name=sick'), health_check: { url: `http://127.0.0.1:${port}/health`, interval: '50ms', retries: 3, start_period: '1s' } }),
      );
    } catch (e) {
      error = e as Error;
    }
    assert.ok(error);
    assert.match(error.message, /last: HTTP 500: broken on purpose/);
    assert.match(error.message, /sick listening on/);
    assert.match(error.message, /the process was stopped/);
    const pid = Number(ctx.partials[0]!.resourceId);
    assert.equal(processStartTime(pid), undefined, 'the unhealthy process is gone');
  });

  it('a process that exits before it is healthy fails at once with its exit code', async () => {
    const port = await freePort();
    const ctx = testContext(ctxBase);
    const started = Date.now();
    await assert.rejects(
      provisioner.provision(ctx, service({ command: serverCommand(port, '--exit-after=100 --listen-after=60000'), health_check: `http://127.0.0.1:${port}/health` })),
      /exited before it was healthy \(exit code 3\)/,
    );
    assert.ok(Date.now() - started < 20_000, 'it does not wait for all the retries');
  });

  it('status: running with health, then dead after kill -9; a reused pid is never ours', async () => {
    const port = await freePort();
    const ctx = testContext(ctxBase);
    const { state } = await provisioner.provision(ctx, service({ command: serverCommand(port), health_check: `http://127.0.0.1:${port}/health` }));
    const m = meta(state);
    const up = await provisioner.status(ctx, state);
    assert.deepEqual([up.healthy, up.condition, up.message], [true, 'healthy', `running (pid ${m.pid}, health ok)`]);

    // Another live process with the recorded pid but another start time.
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(other, 'spawn');
    try {
      const forged: ProvisionStateRecord = { ...state, resourceId: String(other.pid), metadata: { ...state.metadata, pid: other.pid, pgid: other.pid } };
      const reused = await provisioner.status(ctx, forged);
      assert.equal(reused.condition, 'dead');
      assert.match(reused.message, /now belongs to another process/);
      await provisioner.destroy(ctx, forged);
      assert.notEqual(processStartTime(other.pid!), undefined, 'a reused pid is never signalled');
    } finally {
      other.kill('SIGKILL');
    }

    process.kill(m.pid, 'SIGKILL');
    await waitFor(() => processStartTime(m.pid) === undefined, 5000, 'the process to die');
    const down = await provisioner.status(ctx, state);
    assert.equal(down.condition, 'dead');
    assert.equal(down.healthy, false);
    assert.equal(down.drift?.[0]?.field, 'process');
  });

  it('verifies a running service without restarting it, restarts it when its launch changed', async () => {
    const port = await freePort();
    const ctx = testContext(ctxBase);
    const declared = service({ command: serverCommand(port), env: { MODE: 'one' }, health_check: `http://127.0.0.1:${port}/health` });
    const first = await provisioner.provision(ctx, declared);
    const again = await provisioner.provision(testContext({ ...ctxBase, existing: first.state }), declared);
    assert.deepEqual(again.state, first.state, 'verified: the same record');
    assert.equal(meta(again.state).pid, meta(first.state).pid);

    const changed = await provisioner.provision(testContext({ ...ctxBase, existing: first.state }), { ...declared, env: { MODE: 'two' } });
    assert.notEqual(meta(changed.state).pid, meta(first.state).pid);
    assert.equal(processStartTime(meta(first.state).pid), undefined, 'the old process was stopped');
    assert.equal((await httpGet(`http://127.0.0.1:${port}/env/MODE`)).body, 'two');
  });

  it('finds the process an interrupted run started instead of starting a second one', async () => {
    const port = await freePort();
    const declared = service({ command: serverCommand(port), health_check: `http://127.0.0.1:${port}/health` });
    const first = await provisioner.provision(testContext(ctxBase), declared);
    // The run died before saving anything: the next one only knows that it did not finish.
    const ctx = testContext({ ...ctxBase, partial: {} });
    const next = await provisioner.provision(ctx, declared);
    assert.equal(meta(next.state).pid, meta(first.state).pid);
    assert.ok(ctx.steps.some((s) => s.includes('interrupted run')));
    assert.equal(sb.processes().filter((pid) => processGroupId(pid) === pid).length, 1);
  });

  it('destroy: SIGTERM to the whole group, SIGKILL after the grace period', async () => {
    const port = await freePort();
    const ctx = testContext(ctxBase);
    const withChild = await provisioner.provision(ctx, service({ command: serverCommand(port, '--child'), health_check: `http://127.0.0.1:${port}/health` }));
    const pgid = meta(withChild.state).pid;
    await waitFor(() => sb.processes().length >= 2, 5000, 'the child');
    await provisioner.destroy(ctx, withChild.state);
    assert.equal(processGroupAlive(pgid), false, 'the child went with its parent');

    const port2 = await freePort();
    const stubborn = await provisioner.provision(
      ctx,
      service({ command: serverCommand(port2, '--ignore-term'), stop_grace_period: '300ms', health_check: `http://127.0.0.1:${port2}/health` }),
    );
    ctx.steps.length = 0;
    const started = Date.now();
    await provisioner.destroy(ctx, stubborn.state);
    assert.ok(Date.now() - started >= 250, 'it waited for the grace period');
    assert.equal(processGroupAlive(meta(stubborn.state).pid), false);
    assert.match(ctx.steps.join('\n'), /Killed pid \d+ \(it ignored SIGTERM\)/);
    assert.deepEqual(sb.processes(), []);
  });
});
