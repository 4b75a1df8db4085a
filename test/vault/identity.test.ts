/** The vault identity: created on first write, passphrase protection, errors. */
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { tempHome } from '../helpers/home';
import { openVault } from '../../engine/vault/store';
import { protectIdentity, scryptWorkFactor, VaultIdentityError } from '../../engine/vault/identity';

const FAST = { STARSYSTEM_SCRYPT_WORK_FACTOR: '10' };

describe('vault identity', () => {
  test('created on the first write only, 0600, in age-keygen format', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      assert.equal((await vault.where()).identity.mode, 'none');
      await vault.get('a.b');
      await vault.list();
      assert.deepEqual(await readdir(h.path), [], 'reads create nothing');
      await vault.set('a.b', 'first-value');
      const text = await readFile(join(vault.dir, 'identity.txt'), 'utf8');
      assert.match(text, /^# created: .*\n# public key: age1[0-9a-z]+\nAGE-SECRET-KEY-1[0-9A-Z]+\n$/);
      assert.equal((await stat(join(vault.dir, 'identity.txt'))).mode & 0o777, 0o600);
      const where = await vault.where();
      assert.equal(where.identity.mode, 'x25519');
      assert.equal(where.recipient, /# public key: (age1\S+)/.exec(text)![1]);
    } finally {
      await h.cleanup();
    }
  });

  test('passphrase mode: writes need no passphrase, reads do; wrong or missing passphrase is a clear error', async () => {
    const h = await tempHome();
    try {
      const env = { ...h.env, ...FAST };
      const plain = openVault({ home: h.path, env });
      await plain.set('pp.one', 'value-one-secret');
      const result = await protectIdentity({ vaultDir: plain.dir, env }, 'a long passphrase');
      assert.equal(result.alreadyProtected, false);
      assert.deepEqual((await readdir(plain.dir)).sort(), ['identity.age', 'pp', 'recipient.txt']);
      assert.equal((await stat(join(plain.dir, 'identity.age'))).mode & 0o777, 0o600);
      assert.ok(!(await readFile(join(plain.dir, 'identity.age'), 'utf8')).includes('AGE-SECRET-KEY'));

      const noPass = openVault({ home: h.path, env });
      await noPass.set('pp.two', 'value-two-secret');
      assert.equal((await noPass.where()).recipient, result.recipient);
      await assert.rejects(noPass.get('pp.one'), (e: unknown) => e instanceof VaultIdentityError && /protected by a passphrase: set STARSYSTEM_VAULT_PASSPHRASE or run the command in a terminal/.test((e as Error).message));

      const wrong = openVault({ home: h.path, env: { ...env, STARSYSTEM_VAULT_PASSPHRASE: 'not the passphrase' } });
      await assert.rejects(wrong.get('pp.one'), (e: unknown) => {
        assert.ok(e instanceof VaultIdentityError);
        assert.match((e as Error).message, /^Wrong passphrase for the vault identity .*identity\.age\.$/);
        assert.ok(!(e as Error).message.includes('not the passphrase'));
        return true;
      });

      const right = openVault({ home: h.path, env: { ...env, STARSYSTEM_VAULT_PASSPHRASE: 'a long passphrase' } });
      assert.equal(await right.get('pp.one'), 'value-one-secret');
      assert.equal(await right.get('pp.two'), 'value-two-secret');

      // The prompt callback is asked once per vault, and only when reading.
      const asked: string[] = [];
      const prompted = openVault({ home: h.path, env, passphrase: async ({ path }) => (asked.push(path), 'a long passphrase') });
      await prompted.set('pp.three', 'value-three-secret');
      assert.equal(asked.length, 0);
      assert.equal(await prompted.get('pp.one'), 'value-one-secret');
      assert.equal(await prompted.get('pp.three'), 'value-three-secret');
      assert.deepEqual(asked, [join(plain.dir, 'identity.age')]);

      // Protecting again: reported, not redone; a wrong passphrase is refused.
      assert.equal((await protectIdentity({ vaultDir: plain.dir, env }, 'a long passphrase')).alreadyProtected, true);
      await assert.rejects(protectIdentity({ vaultDir: plain.dir, env }, 'another passphrase'), /Wrong passphrase/);
      await assert.rejects(protectIdentity({ vaultDir: plain.dir, env }, 'short'), /at least 8 characters/);
    } finally {
      await h.cleanup();
    }
  });

  test('an interrupted protect (plain identity left beside the protected one) is reported and finished by running it again', async () => {
    const h = await tempHome();
    try {
      const env = { ...h.env, ...FAST };
      const vault = openVault({ home: h.path, env });
      await vault.set('x.y', 'interrupted-value');
      const plainText = await readFile(join(vault.dir, 'identity.txt'), 'utf8');
      await protectIdentity({ vaultDir: vault.dir, env }, 'a long passphrase');
      // Simulate a stop before the plain file was removed and before recipient.txt was written.
      await writeFile(join(vault.dir, 'identity.txt'), plainText, { mode: 0o600 });
      await rm(join(vault.dir, 'recipient.txt'));
      const problems = await vault.problems();
      assert.deepEqual(problems.map((p) => p.code), ['plain-identity']);
      await protectIdentity({ vaultDir: vault.dir, env }, 'a long passphrase');
      assert.deepEqual((await readdir(vault.dir)).sort(), ['identity.age', 'recipient.txt', 'x']);
      assert.deepEqual(await vault.problems(), []);
      const reader = openVault({ home: h.path, env: { ...env, STARSYSTEM_VAULT_PASSPHRASE: 'a long passphrase' } });
      assert.equal(await reader.get('x.y'), 'interrupted-value');
    } finally {
      await h.cleanup();
    }
  });

  test('a new vault can start out protected', async () => {
    const h = await tempHome();
    try {
      const env = { ...h.env, ...FAST, STARSYSTEM_VAULT_PASSPHRASE: 'fresh passphrase' };
      const result = await protectIdentity({ vaultDir: join(h.path, 'vault'), env }, 'fresh passphrase');
      assert.equal(result.created, true);
      const vault = openVault({ home: h.path, env });
      await vault.set('fresh.key', 'fresh-value');
      assert.equal(await openVault({ home: h.path, env }).get('fresh.key'), 'fresh-value');
      assert.ok(!(await readdir(vault.dir)).includes('identity.txt'));
    } finally {
      await h.cleanup();
    }
  });

  test('the scrypt work factor comes from the environment, within bounds', () => {
    assert.equal(scryptWorkFactor({}), 18);
    assert.equal(scryptWorkFactor({ STARSYSTEM_SCRYPT_WORK_FACTOR: '12' }), 12);
    assert.throws(() => scryptWorkFactor({ STARSYSTEM_SCRYPT_WORK_FACTOR: '25' }), /from 1 to 20/);
    assert.throws(() => scryptWorkFactor({ STARSYSTEM_SCRYPT_WORK_FACTOR: 'fast' }), /from 1 to 20/);
  });
});
