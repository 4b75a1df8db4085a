/**
 * The vault: `list` over 1,000 keys (goal < 20 ms) and `get` of one key (goal < 10 ms).
 * Anchors measured in the same run: the same folder walk with bare `readdir` calls, and a
 * bare age decryption of the same file with age-encryption (identity already parsed).
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decrypter, armor } from 'age-encryption';
import { listVaultKeys, openVault } from '../engine/vault/store';
import { ms, stats, table, time } from './util';

const KEYS = 1000;
const NAMESPACES = 50;
const RUNS = 200;

const home = await mkdtemp(join(tmpdir(), 'starsystem-bench-vault-'));
try {
  const vault = openVault({ home, env: { ...process.env, STARSYSTEM_HOME: home } });
  const keys = Array.from({ length: KEYS }, (_, i) => `bench-ns-${i % NAMESPACES}.KEY_${i}`);
  const setupStart = performance.now();
  for (let i = 0; i < keys.length; i += 25) {
    await Promise.all(keys.slice(i, i + 25).map((key) => vault.set(key, `secret-value-${key}-${'x'.repeat(40)}`)));
  }
  process.stdout.write(`setup: ${KEYS} keys in ${NAMESPACES} namespaces written in ${ms(performance.now() - setupStart)}\n\n`);
  const target = keys[KEYS / 2]!;
  const targetPath = vault.pathOf(target);
  if ((await vault.list()).length !== KEYS) throw new Error('setup did not write every key');

  // Anchor 1: the same two-level walk with nothing but readdir.
  const bareReaddir = async () => {
    const namespaces = await readdir(vault.dir, { withFileTypes: true });
    let n = 0;
    await Promise.all(namespaces.filter((d) => d.isDirectory()).map(async (d) => (n += (await readdir(join(vault.dir, d.name))).length)));
    return n;
  };
  // Anchor 2: read the file and decrypt it with age-encryption directly.
  const identity = (await readFile(join(vault.dir, 'identity.txt'), 'utf8')).split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity);
  const bareDecrypt = async () => decrypter.decrypt(armor.decode(await readFile(targetPath, 'utf8')), 'text');

  if (global.gc) global.gc();
  const anchorList = stats(await time(bareReaddir, RUNS, 10));
  const list = stats(await time(() => vault.list(), RUNS, 10));
  const listPrefix = stats(await time(() => listVaultKeys(home, 'bench-ns-7.'), RUNS, 10));
  if (global.gc) global.gc();
  const anchorGet = stats(await time(bareDecrypt, RUNS, 10));
  const get = stats(await time(() => vault.get(target), RUNS, 10));
  // Cold: a new vault each time (what one `ss vault get` does): reads and parses the identity too.
  const coldGet = stats(await time(() => openVault({ home, env: { ...process.env, STARSYSTEM_HOME: home } }).get(target), RUNS, 10));

  const row = (name: string, s: ReturnType<typeof stats>, anchor: ReturnType<typeof stats>, goal?: number) => [
    name,
    ms(s.p50),
    ms(s.p95),
    `${(s.p50 / anchor.p50).toFixed(2)}x`,
    goal === undefined ? '' : s.p95 < goal ? `< ${goal} ms: met` : `< ${goal} ms: MISSED`,
  ];
  process.stdout.write(
    table([
      ['measure', 'p50', 'p95', 'p50 / anchor', 'goal (p95)'],
      row('anchor: bare readdir walk (1,000 files)', anchorList, anchorList),
      row('vault.list() over 1,000 keys', list, anchorList, 20),
      row('listVaultKeys(prefix) 20 of 1,000', listPrefix, anchorList),
      row('anchor: bare age decrypt of one file', anchorGet, anchorGet),
      row('vault.get() one key (warm)', get, anchorGet, 10),
      row('openVault() + get() one key (cold)', coldGet, anchorGet, 10),
    ]),
  );
} finally {
  await rm(home, { recursive: true, force: true });
}
