/** Interop with Debian's `age` command-line tool, both ways, and the passphrase-protected identity. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { tempDir, tempHome, type TempHome } from '../helpers/home';
import { openVault } from '../../engine/vault/store';
import { protectIdentity } from '../../engine/vault/identity';

const run = promisify(execFile);

let home: TempHome;
before(async () => {
  home = await tempHome();
});
after(async () => home.cleanup());

/** Runs a command under a pseudo-terminal (`script`), typing `input` once it asks; age reads passphrases from the terminal only. */
function runInTerminal(command: string, input: string, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let typed = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far: ${out}`));
    }, timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!typed && /passphrase/i.test(out)) {
        typed = true;
        child.stdin.write(`${input}\n`);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`exit ${code}: ${out}`));
    });
  });
}

describe('age CLI interop', () => {
  test('age -d -i identity.txt decrypts every file the vault writes', async () => {
    const vault = openVault({ home: home.path, env: home.env });
    const values = { 'providers.neon.api_key': 'nk_interop_123', 'secrets.MULTI': 'line one\nline two\n', 'u.ni': 'ünï ✓ 🔑' };
    for (const [k, v] of Object.entries(values)) await vault.set(k, v);
    const identity = join(vault.dir, 'identity.txt');
    for (const [k, v] of Object.entries(values)) {
      const { stdout } = await run('age', ['-d', '-i', identity, vault.pathOf(k)]);
      assert.equal(stdout, v, k);
    }
    // The identity file is age-keygen's format: age-keygen derives the same recipient.
    const { stdout: recipient } = await run('age-keygen', ['-y', identity]);
    assert.equal(recipient.trim(), (await vault.snapshot([])).recipient);
  });

  test('files the age CLI encrypts to the vault recipient read back, binary and armored', async () => {
    const vault = openVault({ home: home.path, env: home.env });
    await vault.set('seed.key', 'seed-value');
    const recipient = (await vault.where()).recipient!;
    const plain = join(home.path, 'plain.txt');
    await writeFile(plain, 'from the age cli');
    await run('age', ['-r', recipient, '-o', join(vault.dir, 'seed', 'BINARY.age'), plain]);
    await run('age', ['-a', '-r', recipient, '-o', join(vault.dir, 'seed', 'ARMORED.age'), plain]);
    const fresh = openVault({ home: home.path, env: home.env });
    assert.deepEqual(await fresh.list('seed.'), ['seed.ARMORED', 'seed.BINARY', 'seed.key']);
    assert.equal(await fresh.get('seed.BINARY'), 'from the age cli');
    assert.equal(await fresh.get('seed.ARMORED'), 'from the age cli');
    // A snapshot of a binary file is its armor; restoring it still decrypts with age.
    const snap = await fresh.snapshot(['seed.BINARY']);
    await fresh.delete('seed.BINARY');
    await fresh.restore(snap);
    const { stdout } = await run('age', ['-d', '-i', join(vault.dir, 'identity.txt'), fresh.pathOf('seed.BINARY')]);
    assert.equal(stdout, 'from the age cli');
  });

  test('an age-keygen identity works through STARSYSTEM_AGE_IDENTITY', async () => {
    const h = await tempHome();
    const dir = await tempDir();
    try {
      const idPath = join(dir.path, 'key.txt');
      await run('age-keygen', ['-o', idPath]);
      const env = { ...h.env, STARSYSTEM_AGE_IDENTITY: idPath };
      const vault = openVault({ home: h.path, env });
      await vault.set('ext.secret', 'external-identity-value');
      const { stdout } = await run('age', ['-d', '-i', idPath, vault.pathOf('ext.secret')]);
      assert.equal(stdout, 'external-identity-value');
    } finally {
      await h.cleanup();
      await dir.cleanup();
    }
  });

  test('passphrase mode: keys set before and after protecting decrypt with age -d -i identity.age', async () => {
    const h = await tempHome();
    try {
      const env = { ...h.env, STARSYSTEM_SCRYPT_WORK_FACTOR: '10' };
      const vault = openVault({ home: h.path, env });
      await vault.set('pp.before', 'set-before-protecting');
      const result = await protectIdentity({ vaultDir: vault.dir, env }, 'correct horse battery');
      assert.equal(result.created, false);
      const writer = openVault({ home: h.path, env }); // no passphrase available: writing still works
      await writer.set('pp.after', 'set-after-protecting');
      const armored = await readFile(join(vault.dir, 'identity.age'), 'utf8');
      assert.match(armored, /^-----BEGIN AGE ENCRYPTED FILE-----/);
      for (const [key, value] of [['pp.before', 'set-before-protecting'], ['pp.after', 'set-after-protecting']] as const) {
        const out = await runInTerminal(`age -d -i '${join(vault.dir, 'identity.age')}' '${vault.pathOf(key)}'`, 'correct horse battery');
        assert.ok(out.includes(value), out);
      }
    } finally {
      await h.cleanup();
    }
  });
});
