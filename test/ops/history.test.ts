import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readOverlayState } from '../../engine/config/overlayState';
import { destroy } from '../../engine/ops/destroy';
import { inspect, listReceipts } from '../../engine/ops/inspect';
import { provision } from '../../engine/ops/provision';
import { rollback } from '../../engine/ops/rollback';
import { History } from '../../engine/run/history';
import { runSs } from '../helpers/cli';
import { freePorts, httpGet, sandbox, serverCommand, type Sandbox } from '../local-process/support';
import { opsFor, testRegistry } from './support';

function base(plan: string, port: number): string {
  return [
    'version: "2"',
    'name: shop',
    'services:',
    '  issuer:',
    '    type: external',
    '    provision:',
    '      provider: token-issuer',
    `      plan: ${plan}`,
    '  api:',
    '    type: process',
    `    command: ${serverCommand(port)}`,
    `    health_check: http://127.0.0.1:${port}/health`,
    '    depends_on: [issuer]',
    '    inject_from:',
    '      issuer: [TOKEN]',
    '',
  ].join('\n');
}

const OVERLAY = '# Staging. Written by hand; _state blocks by ss.\nversion: "2"\nenvironment: staging\nservices:\n  api:\n    env:\n      LOG_LEVEL: debug   # noisy on purpose\n';

describe('receipts, inspect and rollback', () => {
  let sb: Sandbox;
  let reg: ReturnType<typeof testRegistry>;
  let ctx: ReturnType<typeof opsFor>;
  let options: ReturnType<typeof opsFor>['options'] & { env: string };
  beforeEach(async () => {
    sb = await sandbox();
    reg = testRegistry(sb);
    ctx = opsFor(sb, reg.registry);
    options = { ...ctx.options, env: 'staging' };
  });
  afterEach(async () => {
    await destroy(options).catch(() => undefined);
    await sb.cleanup();
  });

  it('every run leaves a receipt: plan, timeline with durations, result, state and encrypted credentials', async () => {
    const [port] = await freePorts(1);
    await sb.write('starsystem.yaml', base('one', port));
    await sb.write('starsystem.staging.yaml', OVERLAY);
    const run = await provision({ ...options, command: 'ss provision --env=staging' });
    const dir = join(sb.home, 'history', 'shop', 'staging', run.runId!);
    assert.deepEqual((await readdir(dir)).sort(), ['credentials.json', 'plan.json', 'receipt.json', 'result.json', 'state.json', 'timeline.json']);
    const receipt = JSON.parse(await readFile(join(dir, 'receipt.json'), 'utf8'));
    assert.equal(receipt.status, 'completed');
    assert.equal(receipt.command, 'ss provision --env=staging');
    assert.ok(receipt.durationMs >= 0);
    const timeline = JSON.parse(await readFile(join(dir, 'timeline.json'), 'utf8'));
    assert.deepEqual(timeline.map((t: { name: string }) => t.name), ['ss.provision.service.issuer', 'ss.provision.service.api']);
    assert.ok(timeline.every((t: { durationMs: number }) => t.durationMs >= 0));
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8'));
    assert.deepEqual(Object.keys(state.overlayState).sort(), ['api', 'issuer']);
    const token = (await ctx.vault.get('issuer.TOKEN'))!;
    const credentials = await readFile(join(dir, 'credentials.json'), 'utf8');
    assert.match(credentials, /BEGIN AGE ENCRYPTED FILE/);
    for (const name of await readdir(dir)) {
      assert.doesNotMatch(await readFile(join(dir, name), 'utf8'), new RegExp(token), `${name} holds no secret in clear`);
    }

    const inspected = await inspect({ ...options, id: run.runId!.slice(0, 8) });
    assert.equal(inspected.receipt.id, run.runId);
    assert.equal(inspected.state.issuer!.provider, 'token-issuer');
    assert.deepEqual(inspected.credentialKeys, ['issuer.TOKEN']);

    const text = await runSs(['inspect', '--env=staging'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`ss inspect ${run.runId}`));
    assert.match(text.stdout, /status: ✓ completed {3}duration: /);
    assert.match(text.stdout, /── Timeline ──\n {2}✓ ss\.provision\.service\.issuer \([\d.]+m?s\) created\n {2}✓ ss\.provision\.service\.api /);
    assert.match(text.stdout, /Check drift +ss drift --env=staging/);
    assert.match(text.stdout, /List runs +ss inspect --list --env=staging/);
    const withState = await runSs(['inspect', run.runId!.slice(0, 6), '--env=staging', '--state'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.match(withState.stdout, /── State ──\n {2}api:\n {4}provider: local-process/);
    assert.match(withState.stdout, /credentials \(in the vault, encrypted\): issuer\.TOKEN/);
    const json = JSON.parse((await runSs(['inspect', '--env=staging', '--json'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } })).stdout);
    assert.equal(json.receipt.id, run.runId);
    const missing = await runSs(['inspect', 'ffffffff', '--env=staging'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No receipt "ffffffff"/);
  });

  it('a run that was killed shows as interrupted', async () => {
    const [port] = await freePorts(1);
    await sb.write('starsystem.yaml', base('one', port));
    await sb.write('starsystem.staging.yaml', OVERLAY);
    const run = await provision(options);
    const path = join(sb.home, 'history', 'shop', 'staging', run.runId!, 'receipt.json');
    const receipt = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...receipt, status: 'running', pidStartTime: '1' }));
    const [latest] = await new History(sb.home, 'shop', 'staging').list();
    assert.equal(latest!.status, 'interrupted');
  });

  it('rollback restores the credentials and the overlay _state of a receipt, and names what to re-deploy', async () => {
    const [port] = await freePorts(1);
    await sb.write('starsystem.yaml', base('one', port));
    const overlay = await sb.write('starsystem.staging.yaml', OVERLAY);
    const first = await provision(options);
    const tokenOne = (await ctx.vault.get('issuer.TOKEN'))!;
    const stateOne = await readOverlayState(overlay);

    await sb.write('starsystem.yaml', base('two', port));
    const second = await provision(options);
    assert.deepEqual(second.services.map((s) => s.outcome), ['updated', 'restarted']);
    const tokenTwo = (await ctx.vault.get('issuer.TOKEN'))!;
    assert.notEqual(tokenTwo, tokenOne);
    assert.equal((await httpGet(`http://127.0.0.1:${port}/env/TOKEN`)).body, tokenTwo);
    const overlayBefore = await readFile(overlay, 'utf8');

    const list = await listReceipts(options);
    assert.deepEqual(list.receipts.map((r) => r.id), [second.runId, first.runId]);

    const result = await rollback({ ...options, to: first.runId!.slice(0, 8) });
    assert.equal(result.restoredFrom.id, first.runId);
    assert.deepEqual(result.credentials.restored, ['issuer.TOKEN']);
    assert.equal(await ctx.vault.get('issuer.TOKEN'), tokenOne);
    assert.deepEqual((await readOverlayState(overlay)).issuer, stateOne.issuer);
    assert.deepEqual(result.overlay.services.sort(), ['api', 'issuer']);
    assert.deepEqual(result.redeploy, ['issuer', 'api']);
    // Nothing was re-provisioned: the running API still has the newer token.
    assert.equal((await httpGet(`http://127.0.0.1:${port}/env/TOKEN`)).body, tokenTwo);
    // The user's part of the overlay is untouched.
    const after = await readFile(overlay, 'utf8');
    assert.ok(after.startsWith(OVERLAY.trimEnd()), after);
    assert.notEqual(after, overlayBefore);

    // The rollback is a receipt too, and rolling it back returns to the second run.
    const runs = (await listReceipts(options)).receipts;
    assert.equal(runs[0]!.operation, 'rollback');
    assert.equal(runs[0]!.restoredFrom, first.runId);
    await rollback({ ...options, to: second.runId! });
    assert.equal(await ctx.vault.get('issuer.TOKEN'), tokenTwo);

    const cli = await runSs(['rollback', '--env=staging', `--to=${first.runId!.slice(0, 8)}`], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`✓ Rolled back to provision ${first.runId!.slice(0, 8)} — credentials and overlay state restored\\.`));
    assert.match(cli.stdout, /ss provision --env=staging --service=issuer --service=api/);
    assert.doesNotMatch(cli.stdout, new RegExp(`${tokenOne}|${tokenTwo}`));
    const listed = await runSs(['rollback', '--list', '--env=staging'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } });
    assert.match(listed.stdout, new RegExp(`${first.runId!.slice(0, 8)} {2}provision +✓ completed`));
    assert.equal((await runSs(['rollback', '--env=staging'], { cwd: sb.dir, env: sb.env, services: { registry: reg.registry } })).code, 2);
  });
});
