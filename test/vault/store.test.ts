/** The age-encrypted store: round trips, names, permissions, snapshots, errors. */
import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tempDir, tempHome, type TempHome } from '../helpers/home';
import { listVaultKeys, openVault, vaultKeyLookup, VaultReadError } from '../../engine/vault/store';
import { VaultKeyError } from '../../engine/vault/names';
import { VaultIdentityError } from '../../engine/vault/identity';

let home: TempHome;
before(async () => {
  home = await tempHome();
});
after(async () => home.cleanup());

/** Every file under a folder, relative, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string, rel: string) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(d, e.name), `${rel}${e.name}/`);
      else out.push(`${rel}${e.name}`);
    }
  };
  await walk(dir, '');
  return out.sort();
}

describe('vault store', () => {
  test('values round-trip, including unicode, newlines and large values', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      const values: Record<string, string> = {
        'providers.neon.api_key': 'nk_live_0123456789',
        'secrets.CF_ZONE_ID': 'zone-ünïcødé-✓',
        'app-db.DATABASE_URL': 'postgresql://user:p%40ss@host/db?sslmode=require',
        'certs.PEM': '-----BEGIN KEY-----\nAAAABBBBCCCC\nDDDDEEEE\n-----END KEY-----\n',
        'big.blob': 'x'.repeat(300_000),
      };
      for (const [k, v] of Object.entries(values)) await vault.set(k, v);
      // A fresh instance reads what another wrote.
      const again = openVault({ home: h.path, env: h.env });
      for (const [k, v] of Object.entries(values)) assert.equal(await again.get(k), v, k);
      assert.deepEqual(await again.list(), Object.keys(values).sort());
      await vault.set('secrets.CF_ZONE_ID', 'updated');
      assert.equal(await again.get('secrets.CF_ZONE_ID'), 'updated');
    } finally {
      await h.cleanup();
    }
  });

  test('files sit at vault/<namespace>/<name>.age, armored, with nothing else beside them', async () => {
    const vault = openVault({ home: home.path, env: home.env });
    await vault.set('providers.neon.api_key', 'layout-secret-1');
    await vault.set('secrets.CF_DOMAIN', 'example.com');
    const files = await filesUnder(vault.dir);
    assert.deepEqual(files.filter((f) => f.endsWith('.age')).sort(), ['providers.neon/api_key.age', 'secrets/CF_DOMAIN.age']);
    assert.ok(files.includes('identity.txt'));
    assert.ok(!files.some((f) => f.endsWith('.tmp')), files.join(','));
    const text = await readFile(join(vault.dir, 'providers.neon', 'api_key.age'), 'utf8');
    assert.match(text, /^-----BEGIN AGE ENCRYPTED FILE-----\n/);
    assert.ok(!text.includes('layout-secret-1'));
  });

  test('list filters by prefix and reads names only; has and delete', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      for (const k of ['providers.neon.api_key', 'providers.neon.region', 'providers.fly.api_key', 'secrets.A1', 'neon.api_token']) await vault.set(k, `value-of-${k}`);
      assert.deepEqual(await vault.list('providers.neon'), ['providers.neon.api_key', 'providers.neon.region']);
      assert.deepEqual(await vault.list('providers.'), ['providers.fly.api_key', 'providers.neon.api_key', 'providers.neon.region']);
      assert.deepEqual(await vault.list('neon'), ['neon.api_token']);
      assert.deepEqual(await vault.list('providers.neon.api'), ['providers.neon.api_key']);
      assert.deepEqual(await vault.list('zzz'), []);
      assert.equal(await vault.has('secrets.A1'), true);
      assert.equal(await vault.has('secrets.A2'), false);
      assert.equal(await vault.delete('secrets.A1'), true);
      assert.equal(await vault.delete('secrets.A1'), false);
      assert.equal(await vault.get('secrets.A1'), null);
      assert.equal(await vault.has('secrets.A1'), false);

      // Names only: with the identity gone, listing still works and nothing is read.
      await writeFile(join(vault.dir, 'identity.txt'), 'garbage');
      assert.deepEqual(await listVaultKeys(h.path, 'providers.fly'), ['providers.fly.api_key']);
      const has = await vaultKeyLookup(h.path);
      assert.equal(has?.('neon.api_token'), true);
      assert.equal(has?.('neon.nope'), false);
    } finally {
      await h.cleanup();
    }
  });

  test('listing an absent vault creates nothing and finds nothing', async () => {
    const h = await tempHome();
    try {
      assert.deepEqual(await listVaultKeys(h.path), []);
      const vault = openVault({ home: h.path, env: h.env });
      assert.deepEqual(await vault.list(), []);
      assert.equal(await vault.get('a.b'), null);
      assert.equal(await vault.has('a.b'), false);
      assert.deepEqual(await vault.problems(), []);
      assert.deepEqual(await readdir(h.path), [], 'reading created files');
    } finally {
      await h.cleanup();
    }
  });

  test('refused names throw a clear error and write nothing', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('ok.key', 'value-ok');
      const before = await filesUnder(h.path);
      const bad = ['../x', 'a/b', 'a\\b', '..', 'a..b', 'x.\u0000y', 'a.b\u0000', 'a.\u0007bell', 'a.b\nc', 'nodot', '', '.a', 'a.', 'a.b c', '/etc.passwd', 'a.' + 'x'.repeat(300)];
      for (const key of bad) {
        for (const op of [() => vault.set(key, 'value-bad'), () => vault.get(key), () => vault.delete(key), () => vault.has(key)]) {
          await assert.rejects(op, (e: unknown) => {
            assert.ok(e instanceof VaultKeyError, `${JSON.stringify(key)}: ${String(e)}`);
            assert.match((e as Error).message, /^Invalid vault key name /);
            assert.ok(!(e as Error).message.includes('value-bad'));
            return true;
          });
        }
      }
      assert.deepEqual(await filesUnder(h.path), before);
    } finally {
      await h.cleanup();
    }
  });

  test('modes: folders 0700, files 0600; a wider mode is reported, not silently kept', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('secrets.MODE_TEST', 'mode-value');
      const mode = async (p: string) => (await stat(p)).mode & 0o777;
      assert.equal(await mode(vault.dir), 0o700);
      assert.equal(await mode(join(vault.dir, 'secrets')), 0o700);
      assert.equal(await mode(join(vault.dir, 'secrets', 'MODE_TEST.age')), 0o600);
      assert.equal(await mode(join(vault.dir, 'identity.txt')), 0o600);
      assert.deepEqual(await vault.problems(), []);

      await chmod(vault.dir, 0o755);
      await chmod(join(vault.dir, 'identity.txt'), 0o644);
      await chmod(join(vault.dir, 'secrets', 'MODE_TEST.age'), 0o640);
      const problems = await vault.problems();
      assert.deepEqual(problems.map((p) => p.path).sort(), [vault.dir, join(vault.dir, 'identity.txt'), join(vault.dir, 'secrets', 'MODE_TEST.age')].sort());
      assert.ok(problems.every((p) => p.code === 'permissions'));
      assert.match(problems.find((p) => p.path === vault.dir)!.message, /mode 755.*chmod 700/);
      // The vault still works; the user decides.
      assert.equal(await vault.get('secrets.MODE_TEST'), 'mode-value');
    } finally {
      await h.cleanup();
    }
  });

  test('snapshot and restore put keys back as they were, absent keys included', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('app-db.DATABASE_URL', 'postgres://one');
      await vault.set('app-db.PASSWORD', 'pw-one-1234');
      const snap = await vault.snapshot(['app-db.DATABASE_URL', 'app-db.PASSWORD', 'app-db.NEW_KEY']);
      assert.equal(snap.version, 1);
      assert.match(snap.recipient, /^age1/);
      assert.equal(snap.entries['app-db.NEW_KEY'], null);
      assert.ok(!JSON.stringify(snap).includes('postgres://one'), 'a snapshot holds ciphertext only');

      await vault.set('app-db.DATABASE_URL', 'postgres://two');
      await vault.delete('app-db.PASSWORD');
      await vault.set('app-db.NEW_KEY', 'new-value');
      await vault.restore(JSON.parse(JSON.stringify(snap)));
      assert.equal(await vault.get('app-db.DATABASE_URL'), 'postgres://one');
      assert.equal(await vault.get('app-db.PASSWORD'), 'pw-one-1234');
      assert.equal(await vault.get('app-db.NEW_KEY'), null);
    } finally {
      await h.cleanup();
    }
  });

  test('a bad snapshot or one for another identity changes nothing', async () => {
    const a = await tempHome();
    const b = await tempHome();
    try {
      const va = openVault({ home: a.path, env: a.env });
      const vb = openVault({ home: b.path, env: b.env });
      await va.set('k.one', 'value-a-one');
      await vb.set('k.one', 'value-b-one');
      await vb.set('k.two', 'value-b-two');
      const foreign = await va.snapshot(['k.one']);
      await assert.rejects(vb.restore(foreign), (e: unknown) => e instanceof VaultIdentityError && /nothing was restored/.test((e as Error).message));
      await assert.rejects(vb.restore({ version: 1, recipient: foreign.recipient, entries: { 'k.two': null, 'k.one': 'not an age file' } }), /not an age file; nothing was restored/);
      await assert.rejects(vb.restore({ version: 1, recipient: '', entries: { 'k.two': null, '../evil': null } }), VaultKeyError);
      assert.equal(await vb.get('k.one'), 'value-b-one');
      assert.equal(await vb.get('k.two'), 'value-b-two');
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });

  test('a corrupt file, a wrong identity and a missing identity each give a clear error without the value', async () => {
    const h = await tempHome();
    const other = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('secrets.GOOD', 'good-secret-value');
      await vault.set('secrets.TRUNC', 'truncated-secret-value');
      await vault.set('secrets.FLIP', 'flipped-secret-value');

      const truncPath = join(vault.dir, 'secrets', 'TRUNC.age');
      const truncated = await readFile(truncPath, 'utf8');
      await writeFile(truncPath, truncated.slice(0, truncated.length / 2));
      await assert.rejects(openVault({ home: h.path, env: h.env }).get('secrets.TRUNC'), (e: unknown) => {
        assert.ok(e instanceof VaultReadError);
        assert.equal((e as VaultReadError).reason, 'corrupt');
        assert.match((e as Error).message, /Vault key "secrets.TRUNC" .* is corrupt.*ss vault set secrets.TRUNC/);
        return true;
      });

      // Flip one byte of the payload: authentication fails.
      const flipPath = join(vault.dir, 'secrets', 'FLIP.age');
      const bytes = Buffer.from(await readFile(flipPath, 'utf8'), 'utf8');
      const lines = bytes.toString('utf8').split('\n');
      const mid = lines.length - 3;
      lines[mid] = lines[mid]!.slice(0, 5) + (lines[mid]![5] === 'A' ? 'B' : 'A') + lines[mid]!.slice(6);
      await writeFile(flipPath, lines.join('\n'));
      await assert.rejects(openVault({ home: h.path, env: h.env }).get('secrets.FLIP'), (e: unknown) => e instanceof VaultReadError && !/flipped-secret/.test((e as Error).message));

      await writeFile(join(vault.dir, 'secrets', 'JUNK.age'), 'hello, not age');
      await assert.rejects(openVault({ home: h.path, env: h.env }).get('secrets.JUNK'), /is corrupt/);

      // A file from another vault: encrypted to a different identity.
      const foreign = openVault({ home: other.path, env: other.env });
      await foreign.set('secrets.FOREIGN', 'foreign-secret-value');
      await writeFile(join(vault.dir, 'secrets', 'FOREIGN.age'), await readFile(join(foreign.dir, 'secrets', 'FOREIGN.age')));
      await assert.rejects(openVault({ home: h.path, env: h.env }).get('secrets.FOREIGN'), (e: unknown) => {
        assert.ok(e instanceof VaultReadError);
        assert.equal((e as VaultReadError).reason, 'wrong-identity');
        assert.match((e as Error).message, /encrypted to a different identity than .*identity\.txt \(recipient age1/);
        assert.ok(!(e as Error).message.includes('foreign-secret-value'));
        return true;
      });

      // The good key still reads.
      assert.equal(await openVault({ home: h.path, env: h.env }).get('secrets.GOOD'), 'good-secret-value');

      // Identity removed: a clear error, and no silent new identity on read.
      const { rm } = await import('node:fs/promises');
      await rm(join(vault.dir, 'identity.txt'));
      await assert.rejects(openVault({ home: h.path, env: h.env }).get('secrets.GOOD'), (e: unknown) => e instanceof VaultIdentityError && /no identity yet/.test((e as Error).message));
      assert.ok(!(await readdir(vault.dir)).includes('identity.txt'));
    } finally {
      await h.cleanup();
      await other.cleanup();
    }
  });

  test('STARSYSTEM_AGE_IDENTITY: another identity file is used and never written', async () => {
    const h = await tempHome();
    const dir = await tempDir();
    try {
      const idPath = join(dir.path, 'my-key.txt');
      const env = { ...h.env, STARSYSTEM_AGE_IDENTITY: idPath };
      await assert.rejects(openVault({ home: h.path, env }).set('a.b', 'value-1234'), /STARSYSTEM_AGE_IDENTITY points at .*my-key\.txt, which does not exist/);
      assert.deepEqual(await readdir(dir.path), []);
      const { generateX25519Identity, identityToRecipient } = await import('age-encryption');
      const key = await generateX25519Identity();
      await writeFile(idPath, `# my own key\n${key}\n`, { mode: 0o600 });
      const vault = openVault({ home: h.path, env });
      await vault.set('a.b', 'value-1234');
      assert.equal(await openVault({ home: h.path, env }).get('a.b'), 'value-1234');
      assert.equal((await vault.snapshot(['a.b'])).recipient, await identityToRecipient(key));
      assert.ok(!(await readdir(vault.dir)).includes('identity.txt'), 'no identity of its own is created');
      const where = await vault.where();
      assert.equal(where.identity.mode, 'external');
      assert.equal(where.identity.path, idPath);

      await writeFile(idPath, 'AGE-SECRET-KEY-PQ-1ABCDEF\n');
      await assert.rejects(openVault({ home: h.path, env }).get('a.b'), /post-quantum identities, which age 1\.1 cannot read/);
      await writeFile(idPath, '# nothing here\n');
      await assert.rejects(openVault({ home: h.path, env }).get('a.b'), /holds no age X25519 identity/);
    } finally {
      await h.cleanup();
      await dir.cleanup();
    }
  });

  test('a namespace folder that is a symlink is refused, so nothing is written outside the vault', async () => {
    const h = await tempHome();
    const outside = await tempDir();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('inside.key', 'inside-value');
      await symlink(outside.path, join(vault.dir, 'escape'));
      await assert.rejects(vault.set('escape.key', 'escaped-value'), (e: unknown) => e instanceof VaultKeyError && /symbolic link/.test((e as Error).message));
      assert.deepEqual(await readdir(outside.path), []);
      assert.deepEqual(await vault.list(), ['inside.key']);
    } finally {
      await h.cleanup();
      await outside.cleanup();
    }
  });

  test('temp files left by a killed writer are not keys, and the next write clears them', async () => {
    const h = await tempHome();
    try {
      const vault = openVault({ home: h.path, env: h.env });
      await vault.set('ns.key', 'value-one');
      // A pid that cannot be alive (above pid_max), in fsAtomic's temp naming.
      const stale = join(vault.dir, 'ns', '.key.age.4194399.a1b2c3d4e5f6.tmp');
      const live = join(vault.dir, 'ns', `.other.age.${process.pid}.a1b2c3d4e5f6.tmp`);
      await writeFile(stale, 'partial');
      await writeFile(live, 'in flight');
      await mkdir(join(vault.dir, 'empty-ns'), { recursive: true });
      assert.deepEqual(await vault.list(), ['ns.key']);
      await vault.set('ns.key', 'value-two');
      const names = await readdir(join(vault.dir, 'ns'));
      assert.ok(!names.includes('.key.age.4194399.a1b2c3d4e5f6.tmp'), names.join(','));
      assert.ok(names.includes(`.other.age.${process.pid}.a1b2c3d4e5f6.tmp`), 'a live writer’s temp file is left alone');
      assert.equal(await vault.get('ns.key'), 'value-two');
    } finally {
      await h.cleanup();
    }
  });
});
