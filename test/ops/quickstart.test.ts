/**
 * examples/quickstart comes up as the README says: provision, status, curl, destroy. The
 * copy used here listens on free ports instead of 4100-4102.
 */
import assert from 'node:assert/strict';
import { cp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runSs } from '../helpers/cli';
import { freePorts, httpGet, sandbox, type Sandbox } from '../local-process/support';

const EXAMPLE = join(import.meta.dirname, '../../examples/quickstart');

describe('examples/quickstart', () => {
  let sb: Sandbox;
  let ports: number[];
  beforeEach(async () => {
    sb = await sandbox();
    await cp(EXAMPLE, sb.dir, { recursive: true, filter: (src) => !src.includes('.generated') });
    ports = await freePorts(3);
    const path = join(sb.dir, 'starsystem.yaml');
    let text = await readFile(path, 'utf8');
    ['4100', '4101', '4102'].forEach((port, i) => (text = text.replaceAll(port, String(ports[i]))));
    await writeFile(path, text);
  });
  afterEach(async () => {
    await runSs(['destroy', '--yes'], { cwd: sb.dir, env: sb.env });
    await sb.cleanup();
  });

  it('is valid, comes up with one command, answers curl, and goes away with destroy', async () => {
    const valid = await runSs(['validate'], { cwd: sb.dir, env: sb.env });
    assert.equal(valid.code, 0, valid.stdout);
    assert.doesNotMatch(valid.stdout, /warning/);

    const up = await runSs(['provision'], { cwd: sb.dir, env: sb.env });
    assert.equal(up.code, 0, up.stdout + up.stderr);
    assert.match(up.stdout, /✓ Provision complete: 3 created, 0 verified, 0 failed, 0 skipped/);
    assert.match(up.stdout, /Config written to .*\.generated\/api\.json/);
    assert.equal((await stat(join(sb.dir, '.generated', 'api.json'))).mode & 0o777, 0o600);

    const status = await runSs(['status'], { cwd: sb.dir, env: sb.env });
    assert.equal(status.code, 0);
    assert.equal(status.stdout.match(/running \(pid \d+, health ok\)/g)?.length, 3);

    const page = await httpGet(`http://127.0.0.1:${ports[2]}/`);
    assert.equal(page.status, 200);
    assert.match(page.body, /<h1>Hello from the quickstart API<\/h1>/);
    assert.match(page.body, /example\.com may get a certificate: yes/);
    const hello = JSON.parse((await httpGet(`http://127.0.0.1:${ports[1]}/api/hello`)).body);
    assert.deepEqual(hello, { message: 'Hello from the quickstart API', env: 'development' });

    const down = await runSs(['destroy', '--yes'], { cwd: sb.dir, env: sb.env });
    assert.equal(down.code, 0);
    assert.deepEqual(sb.processes(), []);
  });
});
