import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readOverlayState, restoreOverlayState, updateOverlayState, OverlayStateError } from '../../engine/config/overlayState';
import { destroy } from '../../engine/ops/destroy';
import { provision } from '../../engine/ops/provision';
import { freePorts, sandbox, serverCommand, type Sandbox } from '../local-process/support';
import { opsFor, testRegistry } from './support';

const OVERLAY = `# Production settings. Keep secrets out of this file.
version: "2"
environment: prod

services:
  app-db:
    # Neon, in the region closest to the API.
    target:
      type: neon
      region: us-east-2   # Ohio
      credential_env: NEON_API_KEY
      project_name: my-app

  api:
    target:
      type: fly
      app: my-app-api
      env: { NODE_ENV: production }
      regions: [iad, ord]
    # trailing comment of api
`;

const record = (resourceId: string) => ({ provider: 'neon', resourceId, provisionedAt: '2026-04-27T12:00:00Z', region: 'us-east-2', metadata: { name: 'my-app', branch: 'main' } });

describe('overlay _state blocks', () => {
  let sb: Sandbox;
  beforeEach(async () => {
    sb = await sandbox();
  });
  afterEach(async () => {
    await sb.cleanup();
  });

  it('writes the block inside the service and keeps every comment, blank line, quote and key order', async () => {
    const path = await sb.write('starsystem.prod.yaml', OVERLAY);
    await updateOverlayState(path, { 'app-db': record('proj_1') });
    const text = await readFile(path, 'utf8');
    const expected = OVERLAY.replace(
      '      project_name: my-app\n',
      '      project_name: my-app\n    provision:\n      _state:\n        provider: neon\n        resourceId: proj_1\n        provisionedAt: "2026-04-27T12:00:00Z"\n        region: us-east-2\n        metadata:\n          name: my-app\n          branch: main\n',
    );
    assert.equal(text, expected);
    assert.deepEqual(await readOverlayState(path), { 'app-db': record('proj_1') });

    // Rewriting replaces the block; removing it gives back the file as the user wrote it.
    await updateOverlayState(path, { 'app-db': record('proj_2') });
    assert.equal((await readOverlayState(path))['app-db']!.resourceId, 'proj_2');
    await updateOverlayState(path, { 'app-db': null });
    assert.equal(await readFile(path, 'utf8'), OVERLAY);
  });

  it('adds an entry for a service the overlay does not mention, and restores snapshots', async () => {
    const path = await sb.write('starsystem.prod.yaml', 'environment: prod\n# nothing else yet\n');
    await updateOverlayState(path, { worker: record('w1') });
    assert.equal(
      await readFile(path, 'utf8'),
      'environment: prod\n# nothing else yet\nservices:\n  worker:\n    provision:\n      _state:\n        provider: neon\n        resourceId: w1\n        provisionedAt: "2026-04-27T12:00:00Z"\n        region: us-east-2\n        metadata:\n          name: my-app\n          branch: main\n',
    );
    await updateOverlayState(path, { other: record('o1') });
    assert.deepEqual(await restoreOverlayState(path, { worker: record('w0') }), ['other', 'worker']);
    assert.deepEqual(await readOverlayState(path), { worker: record('w0') });
  });

  it('refuses to touch a file it cannot parse, and leaves it as it was', async () => {
    const broken = 'environment: prod\nservices:\n  api: [unclosed\n';
    const path = await sb.write('starsystem.prod.yaml', broken);
    await assert.rejects(updateOverlayState(path, { api: record('x') }), OverlayStateError);
    assert.equal(await readFile(path, 'utf8'), broken);
  });

  it('provision writes each service\'s record into the environment\'s overlay; destroy removes it', async () => {
    const reg = testRegistry(sb);
    const ctx = opsFor(sb, reg.registry);
    const [port] = await freePorts(1);
    await sb.write(
      'starsystem.yaml',
      `name: overlaid\nservices:\n  web:\n    type: process\n    command: ${serverCommand(port)}\n    health_check: http://127.0.0.1:${port}/health\n  issuer:\n    type: external\n    provision:\n      provider: token-issuer\n`,
    );
    const overlayText = `# Development overrides (hand-written).\nenvironment: dev\nservices:\n  web:\n    env:\n      MODE: dev   # verbose logs\n`;
    const overlay = await sb.write('starsystem.dev.yaml', overlayText);
    try {
      const run = await provision({ ...ctx.options, env: 'dev' });
      assert.equal(run.status, 'completed');
      const text = await readFile(overlay, 'utf8');
      assert.ok(text.startsWith('# Development overrides (hand-written).\nenvironment: dev\nservices:\n  web:\n    env:\n      MODE: dev   # verbose logs\n'), text);
      const blocks = await readOverlayState(overlay);
      assert.equal(blocks.web!.provider, 'local-process');
      assert.equal(blocks.web!.resourceId, run.services.find((s) => s.serviceId === 'web')!.record!.resourceId);
      assert.equal(blocks.issuer!.provider, 'token-issuer');
      assert.doesNotMatch(text, /tok-/, 'credentials never reach the YAML');
      // The engine's own block does not count as a change of the declaration.
      const again = await provision({ ...ctx.options, env: 'dev' });
      assert.deepEqual(again.services.map((s) => s.outcome), ['verified', 'verified']);

      await destroy({ ...ctx.options, env: 'dev' });
      assert.equal(await readFile(overlay, 'utf8'), overlayText);
      assert.equal(await readFile(join(sb.dir, 'starsystem.yaml'), 'utf8').then((t) => t.includes('_state')), false);
    } finally {
      await destroy({ ...ctx.options, env: 'dev' }).catch(() => undefined);
    }
  });

  it('with no overlay for the environment, nothing is written to YAML', async () => {
    const reg = testRegistry(sb);
    const ctx = opsFor(sb, reg.registry);
    const base = `name: plain\nservices:\n  issuer:\n    type: external\n    provision:\n      provider: token-issuer\n`;
    await sb.write('starsystem.yaml', base);
    await provision(ctx.options);
    assert.equal(await readFile(join(sb.dir, 'starsystem.yaml'), 'utf8'), base);
    await writeFile(join(sb.dir, 'unused'), '');
  });
});
