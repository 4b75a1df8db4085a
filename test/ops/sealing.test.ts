/**
 * A record that contains a vault value (a zone id kept under secrets.*) never reaches the
 * state store, the overlay, a receipt or the output in clear; the provisioner still gets
 * the real value back for status and destroy.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { destroy, provision, status } from '../../engine/ops/index';
import { createDefaultRegistry } from '../../engine/provisioners/index';
import { namesProvider } from '../../engine/provisioners/registry';
import type { ProvisionContext, ProvisionerAdapter, ProvisionStateRecord, ResolvedService } from '../../engine/provisioners/types';
import { openVault } from '../../engine/vault/store';
import { sandbox, type Sandbox } from '../local-process/support';

const ZONE = 'zone-7f3a9c2e51d04b8e';

/** Keeps the zone it was given in its record, as a DNS provisioner does. */
class ZoneKeeper implements ProvisionerAdapter {
  readonly provider = 'zone-keeper';
  readonly requiresApiKey = false;
  seen: string[] = [];
  canProvision(service: ResolvedService) {
    return namesProvider(service, this.provider);
  }
  async provision(_ctx: ProvisionContext, service: ResolvedService) {
    const zone = String((service.provision as { project_name?: string }).project_name);
    this.seen.push(`provision ${zone}`);
    return {
      state: { provider: this.provider, resourceId: `${zone}/records/1`, provisionedAt: new Date().toISOString(), metadata: { zone } },
      summary: `record 1 on ${zone}`,
    };
  }
  async status(_ctx: ProvisionContext, state: ProvisionStateRecord) {
    this.seen.push(`status ${(state.metadata as { zone: string }).zone}`);
    return { healthy: true, message: `record on ${(state.metadata as { zone: string }).zone} is active`, condition: 'healthy' as const };
  }
  async destroy(_ctx: ProvisionContext, state: ProvisionStateRecord) {
    this.seen.push(`destroy ${state.resourceId}`);
  }
}

let sb: Sandbox;
before(async () => {
  sb = await sandbox();
});
after(async () => {
  await sb.cleanup();
});

test('vault values in a record are sealed wherever the record is kept or shown', async () => {
  await sb.write('starsystem.yaml', `name: sealed\nservices:\n  dns:\n    type: dns\n    provision:\n      provider: zone-keeper\n      project_name: "{{ vault('secrets.CF_ZONE_ID') }}"\n`);
  await sb.write('starsystem.prod.yaml', `# kept by hand\nenvironment: prod\nservices:\n  dns:\n    provision:\n      plan: free\n`);
  await openVault({ home: sb.home, env: sb.env }).set('secrets.CF_ZONE_ID', ZONE);
  const keeper = new ZoneKeeper();
  const options = { cwd: sb.dir, env: 'prod', registry: createDefaultRegistry().register(keeper), processEnv: sb.env, home: sb.home };

  const run = await provision(options);
  assert.equal(run.status, 'completed');
  assert.deepEqual(keeper.seen, [`provision ${ZONE}`]);

  const template = "{{ vault('secrets.CF_ZONE_ID') }}";
  const overlay = await readFile(join(sb.dir, 'starsystem.prod.yaml'), 'utf8');
  assert.ok(overlay.includes(`resourceId: "${template}/records/1"`), overlay);
  assert.ok(overlay.startsWith('# kept by hand\n'));
  const stateFile = await readFile(join(sb.home, 'state', 'sealed', 'prod', 'dns.json'), 'utf8');
  assert.ok(stateFile.includes(template));
  assert.ok(JSON.stringify(run).includes(template));

  const report = await status(options);
  assert.equal(report.services[0]!.health, 'healthy');
  assert.equal(keeper.seen[1], `status ${ZONE}`, 'the provisioner gets the real value back');
  assert.equal(report.services[0]!.message, 'record on *** is active', 'and its message is masked');

  const gone = await destroy(options);
  assert.equal(gone.status, 'completed');
  assert.equal(keeper.seen[2], `destroy ${ZONE}/records/1`);

  // Nothing under the home (state, history receipts) or in the overlay holds the value in clear.
  const leaks: string[] = [];
  const walk = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (!path.includes(`${join(sb.home, 'vault')}`) && (await readFile(path, 'utf8')).includes(ZONE)) leaks.push(path);
    }
  };
  await walk(sb.home);
  await walk(sb.dir);
  assert.deepEqual(leaks, []);
});
