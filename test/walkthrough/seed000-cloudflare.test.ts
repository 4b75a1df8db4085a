/**
 * Seed 000's Cloudflare examples end to end through the `ss` command line against the fake
 * Cloudflare API: vault values set with the seed's commands, validate, plan, provision,
 * status (a pending custom hostname is ✗, as the seed shows), provision again (nothing new
 * on Cloudflare), drift after an out-of-band record change (exit 2), destroy.
 */
import assert from 'node:assert/strict';
import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CloudflareFake } from '../fakes/cloudflare';
import { runSs, type CliResult } from '../helpers/cli';
import { tempDir, tempHome, type TempHome } from '../helpers/home';

const TOKEN = 'cf-walkthrough-token-7d1e0c55';
const fixture = fileURLToPath(new URL('../fixtures/seeds/000-cloudflare', import.meta.url));

describe('seed 000: Cloudflare for SaaS + DNS through ss', () => {
  let home: TempHome;
  let work: { path: string; cleanup(): Promise<void> };
  let fake: CloudflareFake;
  let zone: string;
  let cwd: string;
  const outputs: string[] = [];

  const ss = async (...args: string[]): Promise<CliResult> => {
    const env = { ...home.env, STARSYSTEM_CLOUDFLARE_API_URL: fake.url, STARSYSTEM_HTTP_BACKOFF_MS: '10', STARSYSTEM_HTTP_TIMEOUT_MS: '5000' };
    const result = await runSs(args, { cwd, env });
    outputs.push(result.stdout, result.stderr);
    return result;
  };
  const writes = () => fake.requests.filter((r) => r.method !== 'GET').length;

  before(async () => {
    home = await tempHome();
    work = await tempDir();
    cwd = join(work.path, 'hosting');
    await cp(fixture, cwd, { recursive: true });
    // A fallback origin turns active at its first read after being set.
    fake = await new CloudflareFake({ tokens: [TOKEN], fallbackPendingReads: 0 }).start();
    zone = fake.addZone('myapp.com');
  });
  after(async () => {
    await fake.stop();
    await work.cleanup();
    await home.cleanup();
  });

  test('the vault gets the token and the zone with the seed commands', async () => {
    for (const args of [
      ['vault', 'set', 'providers:cloudflare', 'api_key', TOKEN],
      ['vault', 'set', 'secrets', 'CF_ZONE_ID', zone],
      ['vault', 'set', 'secrets', 'CF_DOMAIN', 'myapp.com'],
      ['vault', 'set', 'secrets', 'CF_PAGES_FALLBACK', 'myapp.pages.dev'],
    ]) {
      const r = await ss(...args);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  test('validate and plan', async () => {
    const valid = await ss('validate');
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /✓ starsystem\.yaml \(2 services\)\nConfiguration is valid\./);

    const plan = await ss('plan');
    assert.equal(plan.code, 0, plan.stderr);
    assert.match(plan.stdout, /\+ cloudflare-for-saas\s+cloudflare\s+will create \(Cloudflare for SaaS: fallback origin\)/);
    assert.match(plan.stdout, /\+ cloudflare-dns\s+cloudflare\s+will create \(1 DNS record on the zone\)/);
    assert.match(plan.stdout, /Plan: 2 to create, 0 to update, 0 unchanged/);
    assert.equal(fake.requests.length, 0, 'planning calls no API');
  });

  test('provision sets the fallback origin and the apex CNAME through the Cloudflare API', async () => {
    const r = await ss('provision');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /✓ Provision complete: 2 created/);
    assert.deepEqual(fake.fallbackOrigin(zone), { origin: 'myapp.pages.dev', status: 'pending_deployment' });
    const records = fake.records(zone);
    assert.deepEqual(records.map((x) => [x.type, x.name, x.content, x.proxied]), [['CNAME', 'myapp.com', 'myapp.pages.dev', true]]);
    assert.ok(fake.requests.every((req) => req.headers.authorization === `Bearer ${TOKEN}`));
    // The fixture is left as written (no overlay: state goes to the state store only).
    assert.equal(await readFile(join(cwd, 'starsystem.yaml'), 'utf8'), await readFile(join(fixture, 'starsystem.yaml'), 'utf8'));
  });

  test('status: a custom hostname the app created is pending, so the service is ✗ as in the seed', async () => {
    fake.addCustomHostname(zone, 'shop.customer.com');
    const r = await ss('provision', '--status');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /✗ cloudflare-for-saas\s+cloudflare\s+custom hostname status: pending \(shop\.customer\.com\)/);
    assert.match(r.stdout, /✓ cloudflare-dns\s+cloudflare\s+1 DNS record in place/);

    fake.activateHostname(zone, 'shop.customer.com');
    const healthy = await ss('status');
    assert.equal(healthy.code, 0, healthy.stdout);
    assert.match(healthy.stdout, /✓ cloudflare-for-saas\s+cloudflare\s+1 custom hostname active; fallback origin \S+ active/);
  });

  test('provision again: everything verified, nothing created or changed on Cloudflare', async () => {
    const before = writes();
    const r = await ss('provision');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /~ cloudflare-for-saas\s+cloudflare\s+exists, will verify/);
    assert.match(r.stdout, /✓ Provision complete: 0 created, 2 verified/);
    assert.equal(writes(), before, 'no POST, PUT, PATCH or DELETE');
    assert.equal(fake.records(zone).length, 1);
  });

  test('drift: clean, then exit 2 after the record is changed out of band; provision converges', async () => {
    const clean = await ss('drift');
    assert.equal(clean.code, 0, clean.stdout);
    assert.match(clean.stdout, /No drift/);

    const record = fake.records(zone)[0]!;
    fake.editRecord(zone, record.id, { content: 'elsewhere.example.net' });
    const drifted = await ss('drift');
    assert.equal(drifted.code, 2, drifted.stdout);
    assert.match(drifted.stdout, /~ cloudflare-dns\s+CNAME \S+ content changed from \S+ to elsewhere\.example\.net/);
    assert.match(drifted.stdout, /✓ cloudflare-for-saas\s+no drift/);

    const fixed = await ss('provision');
    assert.equal(fixed.code, 0, fixed.stdout + fixed.stderr);
    assert.equal(fake.records(zone)[0]!.content, 'myapp.pages.dev');
    assert.equal(fake.records(zone)[0]!.id, record.id, 'updated in place');
    assert.equal((await ss('drift')).code, 0);
  });

  test('destroy removes what was provisioned, and only that', async () => {
    const r = await ss('destroy', '--yes');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Destroy complete: 2 destroyed/);
    assert.deepEqual(fake.records(zone), []);
    assert.equal(fake.fallbackOrigin(zone), undefined);
    assert.deepEqual(fake.hostnames(zone).map((h) => h.hostname), ['shop.customer.com'], "the app's hostname stays");
    const after = await ss('status');
    assert.match(after.stdout, /cloudflare-for-saas\s+cloudflare\s+not provisioned/);
  });

  test('the API token never appears in any output', () => {
    for (const text of outputs) assert.ok(!text.includes(TOKEN));
  });
});
