/** Provider API keys: lookup order, and what `ss catalog` reports from names only. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tempHome } from '../helpers/home';
import { describeProviderCredentials, providerApiKeyCandidates, resolveProviderApiKey, vaultSetHint } from '../../engine/vault/credentials';
import { listVaultKeys, openVault } from '../../engine/vault/store';

describe('provider credentials', () => {
  test('lookup order: credential_env, providers.P.api_key, P.api_token, P.api_key', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      const env: NodeJS.ProcessEnv = {};
      const resolve = () => resolveProviderApiKey({ vault, provider: 'neon', credentialEnv: 'NEON_API_KEY', env });
      assert.equal(await resolve(), undefined);
      await vault.set('neon.api_key', 'from-neon-api-key');
      assert.deepEqual(await resolve(), { value: 'from-neon-api-key', source: { kind: 'vault', key: 'neon.api_key' } });
      await vault.set('neon.api_token', 'from-neon-api-token');
      assert.deepEqual(await resolve(), { value: 'from-neon-api-token', source: { kind: 'vault', key: 'neon.api_token' } });
      await vault.set('providers.neon.api_key', 'from-providers');
      assert.deepEqual(await resolve(), { value: 'from-providers', source: { kind: 'vault', key: 'providers.neon.api_key' } });
      env.NEON_API_KEY = '';
      assert.equal((await resolve())?.source.kind, 'vault', 'an empty variable is not set');
      env.NEON_API_KEY = 'from-env';
      assert.deepEqual(await resolve(), { value: 'from-env', source: { kind: 'env', name: 'NEON_API_KEY' } });
      // Without credential_env the variable is not consulted.
      assert.equal((await resolveProviderApiKey({ vault, provider: 'neon', env }))?.value, 'from-providers');
      // Values handed out are masked afterwards.
      assert.equal(vault.redactor.redact('token from-providers'), 'token ***');
    } finally {
      await h.cleanup();
    }
  });

  test('catalog report: which keys and variables a provisioner needs and which are set', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('fly.api_token', 'fo1_token');
      await vault.set('secrets.CF_ZONE_ID', 'zone');
      const keys = new Set(await listVaultKeys(h.path));
      const adapter = {
        provider: 'fly',
        catalog: {
          title: 'Fly Machines apps',
          vaultKeys: [
            { key: 'secrets.CF_ZONE_ID', description: 'zone' },
            { key: 'secrets.FLY_ORG', description: 'organisation' },
            { key: 'secrets.OPTIONAL_THING', description: 'optional', optional: true },
          ],
          envVars: [{ name: 'FLY_API_TOKEN', description: 'token in CI' }],
          credentials: ['APP_URL'],
        },
      };
      const report = describeProviderCredentials({ adapter, isSet: (k) => keys.has(k), env: { FLY_API_TOKEN: 'x' } });
      assert.deepEqual(report.apiKey?.source, { kind: 'vault', key: 'fly.api_token' });
      assert.deepEqual(report.apiKey?.candidates.map((c) => [c.name, c.set]), [['providers.fly.api_key', false], ['fly.api_token', true], ['fly.api_key', false]]);
      assert.equal(report.apiKey?.setCommand, 'ss vault set-key fly api_key <value>');
      assert.deepEqual(report.vaultKeys.map((k) => [k.key, k.set]), [['secrets.CF_ZONE_ID', true], ['secrets.FLY_ORG', false], ['secrets.OPTIONAL_THING', false]]);
      assert.deepEqual(report.envVars.map((v) => [v.name, v.set]), [['FLY_API_TOKEN', true]]);
      assert.equal(report.ready, false, 'secrets.FLY_ORG is required and missing');
      await vault.set('secrets.FLY_ORG', 'org');
      const keys2 = new Set(await listVaultKeys(h.path));
      assert.equal(describeProviderCredentials({ adapter, isSet: (k) => keys2.has(k), env: {} }).ready, true);

      const local = describeProviderCredentials({ adapter: { provider: 'local-process', requiresApiKey: false }, isSet: () => false, env: {} });
      assert.equal(local.apiKey, undefined);
      assert.equal(local.ready, true);
      assert.deepEqual(providerApiKeyCandidates('supabase-local'), ['providers.supabase-local.api_key', 'supabase-local.api_token', 'supabase-local.api_key']);
      assert.equal(vaultSetHint('secrets.CF_ZONE_ID'), 'ss vault set secrets.CF_ZONE_ID <value>');
    } finally {
      await h.cleanup();
    }
  });
});
