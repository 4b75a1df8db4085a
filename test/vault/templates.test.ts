/** `{{ vault('ns.key') }}` resolved from the real vault: values in, and a missing key's error names key, command and file:line. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempHome } from '../helpers/home';
import { loadSystem } from '../../engine/config/load';
import { MissingVaultKeyError, resolveTemplates } from '../../engine/config/templates';
import { ProvisionerRegistry } from '../../engine/provisioners/registry';
import { openVault } from '../../engine/vault/store';

const fixture = fileURLToPath(new URL('../fixtures/seeds/000-cloudflare/starsystem.yaml', import.meta.url));

describe('templates from the vault', () => {
  test('a missing key names the key, the command that sets it and where it was used', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('secrets.CF_ZONE_ID', 'zone-1234');
      const model = await loadSystem({ file: fixture, registry: new ProvisionerRegistry() });
      const service = model.byId.get('cloudflare-for-saas')!;
      await assert.rejects(
        resolveTemplates(service.declaration, (key) => vault.get(key), service.vaultReferences),
        (e: unknown) => {
          assert.ok(e instanceof MissingVaultKeyError);
          assert.equal(e.key, 'secrets.CF_PAGES_FALLBACK');
          assert.equal(
            e.message,
            `Vault key "secrets.CF_PAGES_FALLBACK" is not set (used at ${join(fixture)}:8). Set it with: ss vault set secrets.CF_PAGES_FALLBACK`,
          );
          assert.ok(!e.message.includes('zone-1234'));
          return true;
        },
      );

      await vault.set('secrets.CF_PAGES_FALLBACK', 'fallback.example.net');
      const resolved = await resolveTemplates(service.declaration, (key) => vault.get(key), service.vaultReferences);
      assert.deepEqual(resolved._cloudflare, { resource: 'custom-hostnames', zone: 'zone-1234', fallback_origin: 'fallback.example.net' });
      // Resolution returns a copy: the declaration keeps its templates.
      assert.equal((service.declaration._cloudflare as Record<string, unknown>).zone, "{{ vault('secrets.CF_ZONE_ID') }}");
    } finally {
      await h.cleanup();
    }
  });
});
