/** Every YAML example in the product pages validates with no errors. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadSystem } from '../../engine/config/load';
import { ProvisionerRegistry, namesProvider } from '../../engine/provisioners/registry';
import type { ProvisionerAdapter } from '../../engine/provisioners/types';
import { routingAdapter, routingRegistry } from '../helpers/registry';

const seeds = fileURLToPath(new URL('../fixtures/seeds/', import.meta.url));

/** The custom provisioner of the "Writing a custom provisioner" page, registered at run time. */
function registryWithMyProvider(): ProvisionerRegistry {
  const registry = routingRegistry();
  const mine: ProvisionerAdapter = { ...routingAdapter('my-provider'), canProvision: (s) => s.target?.type === 'my-provider' || namesProvider(s, 'my-provider') };
  registry.register(mine);
  return registry;
}

describe('seed examples', () => {
  for (const dir of readdirSync(seeds).sort()) {
    const envs = [undefined, ...readdirSync(join(seeds, dir)).map((f) => /^starsystem\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((e): e is string => !!e)];
    for (const env of envs) {
      test(`${dir}${env ? ` --env=${env}` : ''} has no errors`, async () => {
        const model = await loadSystem({ file: join(seeds, dir, 'starsystem.yaml'), env, registry: registryWithMyProvider() });
        assert.deepEqual(model.diagnostics.filter((d) => d.severity === 'error'), []);
        assert.ok(model.services.length > 0);
      });
    }
  }

  test('the seed 002 overlay routes app-db to neon and api to fly, and keeps inject_from', async () => {
    const model = await loadSystem({ file: join(seeds, '002-walkthrough', 'starsystem.yaml'), env: 'prod', registry: routingRegistry() });
    assert.deepEqual(model.order, ['app-db', 'api']);
    assert.equal(model.byId.get('app-db')!.provider, 'neon');
    assert.equal(model.byId.get('api')!.provider, 'fly');
    assert.deepEqual(model.byId.get('api')!.injectFrom, { 'app-db': ['DATABASE_URL'] });
    assert.equal(model.byId.get('api')!.declaration.target?.image, 'ghcr.io/me/my-app-api:latest');
    assert.equal(model.byId.get('api')!.declaration.description, 'HTTP API server.');
    assert.deepEqual(model.diagnostics, []);
  });

  test('the seed 000 system: three provisioned services, four skipped', async () => {
    const model = await loadSystem({ file: join(seeds, '000-system', 'starsystem.yaml'), registry: routingRegistry() });
    const routed = model.services.filter((s) => s.provider).map((s) => `${s.id}:${s.provider}`);
    assert.deepEqual(routed, ['caddy-check-server:local-process', 'caddy:local-process', 'cloudflare-for-saas:cloudflare']);
    assert.equal(model.diagnostics.filter((d) => d.code === 'no-provisioner').length, 4);
    assert.deepEqual(
      model.vaultReferences.map((r) => r.key),
      ['hosting.acme_email', 'secrets.CF_ZONE_ID', 'secrets.CF_PAGES_FALLBACK'],
    );
  });
});
