/** `ss vault` in every form the docs show, `ss catalog`, and validate's unset-key warnings. */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmod, cp, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runSs } from '../helpers/cli';
import { tempDir, tempHome } from '../helpers/home';
import { ProvisionerRegistry } from '../../engine/provisioners/registry';
import type { ProvisionContext, ProvisionerAdapter, ProvisionResult, ProvisionStateRecord, ProvisionStatus, ResolvedService } from '../../engine/provisioners/types';
import { openVault } from '../../engine/vault/store';

const root = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/** dist/cli.js, rebuilt first when it is missing or older than any engine source file. */
async function builtCli(): Promise<string> {
  const cli = join(root, 'dist', 'cli.js');
  const built = await stat(cli).then((s) => s.mtimeMs, () => 0);
  const sources = (await readdir(join(root, 'engine'), { recursive: true })).filter((f) => f.endsWith('.ts'));
  const newest = Math.max(...(await Promise.all(sources.map((f) => stat(join(root, 'engine', f)).then((s) => s.mtimeMs, () => 0)))));
  if (built < newest) await run(process.execPath, ['esbuild.mjs'], { cwd: root });
  return cli;
}

/** Runs several `ss` commands against one fresh home. */
async function withHome(fn: (ss: (args: string[], stdin?: string, env?: NodeJS.ProcessEnv) => ReturnType<typeof runSs>, home: string, env: NodeJS.ProcessEnv) => Promise<void>) {
  const h = await tempHome();
  try {
    await fn((args, stdin, env) => runSs(args, { env: env ?? h.env, stdin, cwd: h.path }), h.path, h.env);
  } finally {
    await h.cleanup();
  }
}

describe('ss vault set: every documented form', () => {
  test('the forms from the provisioning page and the walkthrough store the keys they name', async () => {
    await withHome(async (ss, home, env) => {
      const lines: [string[], string, string][] = [
        [['vault', 'set-key', 'neon', 'api_key', 'neon-token-1'], 'providers.neon.api_key', 'neon-token-1'],
        [['vault', 'set-key', 'supabase', 'api_key', 'supa-token-1'], 'providers.supabase.api_key', 'supa-token-1'],
        [['vault', 'set-key', 'fly', 'api_key', 'fly-token-1'], 'providers.fly.api_key', 'fly-token-1'],
        [['vault', 'set-key', 'railway', 'api_key', 'rail-token-1'], 'providers.railway.api_key', 'rail-token-1'],
        [['vault', 'set-key', 'cloudflare', 'api_key', 'cf-token-1'], 'providers.cloudflare.api_key', 'cf-token-1'],
        [['vault', 'set', 'secrets', 'CF_ZONE_ID', 'zone-id-1'], 'secrets.CF_ZONE_ID', 'zone-id-1'],
        [['vault', 'set', 'secrets', 'CF_DOMAIN', 'myapp.com'], 'secrets.CF_DOMAIN', 'myapp.com'],
        [['vault', 'set-key', 'aws', 'access_key_id', 'AKIAIOSFODNN7EXAMPLE'], 'providers.aws.access_key_id', 'AKIAIOSFODNN7EXAMPLE'],
        [['vault', 'set', 'AWS_SECRET_ACCESS_KEY', 'aws-secret-1'], 'secrets.AWS_SECRET_ACCESS_KEY', 'aws-secret-1'],
        [['vault', 'set-key', 'porkbun', 'api_key', 'pk1_abc'], 'providers.porkbun.api_key', 'pk1_abc'],
        [['vault', 'set', 'PORKBUN_SECRET_KEY', 'sk1_abc'], 'secrets.PORKBUN_SECRET_KEY', 'sk1_abc'],
        [['vault', 'set', 'hosting', 'acme_email', 'a@b.c'], 'hosting.acme_email', 'a@b.c'],
        [['vault', 'set', 'providers:cloudflare', 'api_key', 'cf-token-2'], 'providers.cloudflare.api_key', 'cf-token-2'],
        [['vault', 'set', 'neon.api_token', 'nk_walkthrough'], 'neon.api_token', 'nk_walkthrough'],
        [['vault', 'set', 'fly.api_token', 'fo1_walkthrough'], 'fly.api_token', 'fo1_walkthrough'],
      ];
      for (const [args, key, value] of lines) {
        const r = await ss(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^✓ (Set|Updated) ${key.replace(/\./g, '\\.')}\\n$`));
        assert.ok(!r.stdout.includes(value) && !r.stderr.includes(value), 'the value is never printed');
        assert.equal(await openVault({ home, env }).get(key), value, args.join(' '));
      }
      const get = await ss(['vault', 'get', 'neon.api_token']);
      assert.deepEqual([get.code, get.stdout], [0, 'nk_walkthrough\n']);
    });
  });

  test('the value comes from stdin when left out or given as "-", with one trailing newline dropped', async () => {
    await withHome(async (ss, home, env) => {
      const cases: [string[], string, string][] = [
        [['vault', 'set', 'ns.key'], 'ns.key', 'stdin-one'],
        [['vault', 'set', 'ns.dash', '-'], 'ns.dash', 'stdin-two'],
        [['vault', 'set', 'hosting', 'acme_email'], 'hosting.acme_email', 'me@example.com'],
        [['vault', 'set', 'secrets', 'CF_ZONE_ID', '-'], 'secrets.CF_ZONE_ID', 'zone-from-stdin'],
        [['vault', 'set', 'providers:neon', 'api_key'], 'providers.neon.api_key', 'neon-from-stdin'],
        [['vault', 'set', 'UPPER_ONLY'], 'secrets.UPPER_ONLY', 'upper-from-stdin'],
        [['vault', 'set-key', 'fly', 'api_key'], 'providers.fly.api_key', 'fly-from-stdin'],
        [['vault', 'set-key', 'fly', 'org', '-'], 'providers.fly.org', 'org-from-stdin'],
      ];
      for (const [args, key, value] of cases) {
        const r = await ss(args, `${value}\n`);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.equal(await openVault({ home, env }).get(key), value, args.join(' '));
      }
      // A multi-line value keeps its inner newlines; CRLF is dropped once.
      assert.equal((await ss(['vault', 'set', 'certs.pem'], 'line1\nline2\n')).code, 0);
      assert.equal(await openVault({ home, env }).get('certs.pem'), 'line1\nline2');
      assert.equal((await ss(['vault', 'set', 'win.value'], 'crlf-value\r\n')).code, 0);
      assert.equal(await openVault({ home, env }).get('win.value'), 'crlf-value');
      // Nothing on stdin: a usage error, nothing stored.
      const empty = await ss(['vault', 'set', 'ns.empty'], '');
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /No value given for ns\.empty/);
      assert.equal(await openVault({ home, env }).has('ns.empty'), false);
    });
  });

  test('refused names exit 2 with a clear message and write nothing', async () => {
    await withHome(async (ss, home) => {
      for (const args of [
        ['vault', 'set', '../x', 'v1234'],
        ['vault', 'set', 'a/b.c', 'v1234'],
        ['vault', 'set', 'a..b', 'v1234'],
        ['vault', 'set', 'x.y\u0001', 'v1234'],
        ['vault', 'set', 'ns', 'key', 'v1234', 'extra'],
        ['vault', 'set', 'lowercase'],
        ['vault', 'set-key', '../neon', 'api_key', 'v1234'],
        ['vault', 'set', 'providers:neon'],
        ['vault', 'get', 'a/b'],
        ['vault', 'rm', '..'],
        ['vault', 'get', 'nodots'],
      ]) {
        const r = await ss(args, 'stdin-value');
        assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stdout}${r.stderr}`);
        assert.match(r.stderr, /^error: /);
        assert.ok(!r.stderr.includes('v1234') && !r.stderr.includes('stdin-value'));
      }
      assert.deepEqual(await readdir(home), []);
    });
  });
});

describe('ss vault get, list, rm, where, init', () => {
  test('get in its forms; a missing key exits 1 and says how to set it', async () => {
    await withHome(async (ss) => {
      await ss(['vault', 'set', 'secrets', 'CF_ZONE_ID', 'zone-abc']);
      await ss(['vault', 'set-key', 'neon', 'api_key', 'neon-abc']);
      for (const args of [['secrets.CF_ZONE_ID'], ['secrets', 'CF_ZONE_ID'], ['CF_ZONE_ID']]) {
        const r = await ss(['vault', 'get', ...args]);
        assert.deepEqual([r.code, r.stdout], [0, 'zone-abc\n'], args.join(' '));
      }
      assert.equal((await ss(['vault', 'get', 'providers:neon', 'api_key'])).stdout, 'neon-abc\n');
      assert.deepEqual(JSON.parse((await ss(['vault', 'get', 'providers.neon.api_key', '--json'])).stdout), { key: 'providers.neon.api_key', value: 'neon-abc' });
      const missing = await ss(['vault', 'get', 'neon.api_token']);
      assert.equal(missing.code, 1);
      assert.equal(missing.stdout, '');
      assert.match(missing.stderr, /Vault key "neon\.api_token" is not set\. Set it with: ss vault set neon\.api_token/);
    });
  });

  test('list prints names only, filtered by prefix; rm removes; where shows paths and recipient', async () => {
    await withHome(async (ss, home) => {
      await ss(['vault', 'set-key', 'neon', 'api_key', 'list-secret-1']);
      await ss(['vault', 'set-key', 'neon', 'region', 'list-secret-2']);
      await ss(['vault', 'set', 'secrets.X1', 'list-secret-3']);
      const all = await ss(['vault', 'list']);
      assert.deepEqual([all.code, all.stdout], [0, 'providers.neon.api_key\nproviders.neon.region\nsecrets.X1\n']);
      assert.equal((await ss(['vault', 'list', 'providers.neon'])).stdout, 'providers.neon.api_key\nproviders.neon.region\n');
      assert.equal((await ss(['vault', 'list', 'providers:neon'])).stdout, 'providers.neon.api_key\nproviders.neon.region\n');
      assert.deepEqual(JSON.parse((await ss(['vault', 'list', 'secrets', '--json'])).stdout), ['secrets.X1']);
      assert.equal((await ss(['vault', 'list', 'nothing'])).stdout, '');

      const rm = await ss(['vault', 'rm', 'providers:neon', 'region']);
      assert.deepEqual([rm.code, rm.stdout], [0, '✓ Removed providers.neon.region\n']);
      const again = await ss(['vault', 'rm', 'providers.neon.region']);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /not set/);
      assert.deepEqual(JSON.parse((await ss(['vault', 'rm', 'secrets.X1', '--json'])).stdout), { key: 'secrets.X1', removed: true });

      const where = await ss(['vault', 'where']);
      assert.equal(where.code, 0);
      assert.match(where.stdout, new RegExp(`^home +${home}\\nvault +${join(home, 'vault')}\\nidentity +${join(home, 'vault', 'identity.txt')} \\(X25519 key, plain file\\)\\nrecipient +age1[0-9a-z]+\\nkeys +1\\n$`));
      const whereJson = JSON.parse((await ss(['vault', 'where', '--json'])).stdout);
      assert.equal(whereJson.identity.mode, 'x25519');
      assert.equal(whereJson.keyCount, 1);
      assert.deepEqual(whereJson.problems, []);
      for (const out of [all.stdout, where.stdout, JSON.stringify(whereJson)]) assert.ok(!/list-secret/.test(out));
    });
  });

  test('a vault with a wider mode is reported on every command', async () => {
    await withHome(async (ss, home) => {
      await ss(['vault', 'set', 'a.b', 'mode-secret']);
      await chmod(join(home, 'vault'), 0o755);
      for (const args of [['vault', 'list'], ['vault', 'get', 'a.b'], ['vault', 'where'], ['vault', 'set', 'a.c', 'x1234']]) {
        const r = await ss(args);
        assert.equal(r.code, 0);
        assert.match(r.stderr, /^warning: .*vault has mode 755: other users may read the vault folder\. Fix it with: chmod 700 /m, args.join(' '));
      }
      // Key files are checked by `where` (one stat per key), not on every command.
      await chmod(join(home, 'vault'), 0o700);
      await chmod(join(home, 'vault', 'a', 'b.age'), 0o644);
      assert.equal((await ss(['vault', 'get', 'a.b'])).stderr, '');
      assert.match((await ss(['vault', 'where'])).stderr, /b\.age has mode 644: .*chmod 600 /);
    });
  });

  test('where before any key, then init creates the identity; init --passphrase protects it', async () => {
    await withHome(async (ss, home, env) => {
      const before = await ss(['vault', 'where']);
      assert.match(before.stdout, /identity +.*identity\.txt \(not created yet.*\)\nrecipient +\(none yet\)\nkeys +0\n/);
      assert.deepEqual(await readdir(home), [], 'where creates nothing');

      const init = await ss(['vault', 'init']);
      assert.equal(init.code, 0, init.stderr);
      assert.match(init.stdout, /^✓ Created the vault identity: .*identity\.txt\nrecipient age1[0-9a-z]+\n$/);
      assert.equal((await stat(join(home, 'vault', 'identity.txt'))).mode & 0o777, 0o600);
      const recipient = /recipient (age1\S+)/.exec(init.stdout)![1];
      assert.match((await ss(['vault', 'init'])).stdout, /already has an identity/);
      await ss(['vault', 'set', 'pp.key', 'kept-across-protect']);

      const noPass = await ss(['vault', 'init', '--passphrase']);
      assert.equal(noPass.code, 2);
      assert.match(noPass.stderr, /No passphrase: set STARSYSTEM_VAULT_PASSPHRASE or run the command in a terminal/);

      const ppEnv = { ...env, STARSYSTEM_VAULT_PASSPHRASE: 'init passphrase 1', STARSYSTEM_SCRYPT_WORK_FACTOR: '10' };
      const protect = await ss(['vault', 'init', '--passphrase', '--json'], undefined, ppEnv);
      assert.equal(protect.code, 0, protect.stderr);
      assert.deepEqual(JSON.parse(protect.stdout), { mode: 'passphrase', identity: join(home, 'vault', 'identity.age'), recipient, created: false, alreadyProtected: false });
      assert.equal((await ss(['vault', 'get', 'pp.key'], undefined, ppEnv)).stdout, 'kept-across-protect\n');
      const locked = await ss(['vault', 'get', 'pp.key']);
      assert.equal(locked.code, 1);
      assert.match(locked.stderr, /protected by a passphrase/);
      assert.equal((await ss(['vault', 'set', 'pp.other', 'no-pass-needed'])).code, 0, 'writing needs no passphrase');
      assert.match((await ss(['vault', 'where'])).stdout, /identity\.age \(X25519 key, encrypted with a passphrase\)\nrecipient +age1/);
    });
  });

  test('a value typed by the user never reaches an error message', async () => {
    await withHome(async (ss, home, env) => {
      await ss(['vault', 'set', 'k.v', 'typed-secret-123']);
      // The file is replaced by something corrupt: the error names the key, not the value.
      const { writeFile } = await import('node:fs/promises');
      await writeFile(join(home, 'vault', 'k', 'v.age'), '-----BEGIN AGE ENCRYPTED FILE-----\nnot base64 !!\n-----END AGE ENCRYPTED FILE-----\n');
      const r = await ss(['vault', 'get', 'k.v'], undefined, env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Vault key "k\.v" .* is corrupt/);
      assert.ok(!r.stderr.includes('typed-secret-123'));
    });
  });

  test('the built dist/cli.js stores a value piped on stdin', async () => {
    const cli = await builtCli();
    await withHome(async (_ss, home, env) => {
      const piped = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, 'vault', 'set', 'neon.api_token'], { env, cwd: home });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
        child.stdin.end('nk_from_pipe\n');
      });
      assert.equal(piped.code, 0, piped.stderr);
      assert.equal(piped.stdout, '✓ Set neon.api_token\n');
      const { stdout } = await run(process.execPath, [cli, 'vault', 'get', 'neon.api_token'], { env });
      assert.equal(stdout, 'nk_from_pipe\n');
      const { stdout: decrypted } = await run('age', ['-d', '-i', join(home, 'vault', 'identity.txt'), join(home, 'vault', 'neon', 'api_token.age')]);
      assert.equal(decrypted, 'nk_from_pipe');
    });
  });
});

describe('prompts in a terminal', () => {
  /** Runs the built `ss` under a pseudo-terminal (`script`), answering each prompt in turn; returns everything the terminal showed. */
  function inTerminal(args: string[], env: NodeJS.ProcessEnv, answers: string[]): Promise<{ code: number | null; screen: string }> {
    const quoted = [process.execPath, join(root, 'dist', 'cli.js'), ...args].map((a) => `'${a}'`).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', quoted, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      let screen = '';
      let answered = 0;
      const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`timed out: ${screen}`))), 20_000);
      child.stdout.on('data', (d: Buffer) => {
        screen += d.toString();
        const prompts = screen.match(/Value for |Passphrase for |New vault passphrase: |Repeat the passphrase: /g)?.length ?? 0;
        if (prompts > answered && answered < answers.length) child.stdin.write(`${answers[answered++]}\r`);
      });
      child.on('exit', (code) => (clearTimeout(timer), resolve({ code, screen })));
    });
  }

  test('a value left out is asked for without echo, and so is the passphrase of a protected identity', async () => {
    await builtCli();
    await withHome(async (ss, home, env) => {
      const typed = await inTerminal(['vault', 'set', 'secrets', 'TYPED_TOKEN'], env, ['typed-in-terminal-42']);
      assert.equal(typed.code, 0, typed.screen);
      assert.match(typed.screen, /Value for secrets\.TYPED_TOKEN: /);
      assert.ok(!typed.screen.includes('typed-in-terminal-42'), `echoed: ${typed.screen}`);
      assert.equal(await openVault({ home, env }).get('secrets.TYPED_TOKEN'), 'typed-in-terminal-42');

      const fast = { ...env, STARSYSTEM_SCRYPT_WORK_FACTOR: '10' };
      const init = await inTerminal(['vault', 'init', '--passphrase'], fast, ['terminal passphrase', 'terminal passphrase']);
      assert.equal(init.code, 0, init.screen);
      assert.ok(!init.screen.includes('terminal passphrase'), `echoed: ${init.screen}`);
      const locked = await ss(['vault', 'get', 'secrets.TYPED_TOKEN'], undefined, fast);
      assert.equal(locked.code, 1);
      const get = await inTerminal(['vault', 'get', 'secrets.TYPED_TOKEN'], fast, ['terminal passphrase']);
      assert.equal(get.code, 0, get.screen);
      assert.match(get.screen, /Passphrase for the vault identity .*identity\.age: /);
      assert.match(get.screen, /typed-in-terminal-42/);
      assert.ok(!get.screen.includes('terminal passphrase'));
      const wrong = await inTerminal(['vault', 'get', 'secrets.TYPED_TOKEN'], fast, ['not it at all']);
      assert.equal(wrong.code, 1);
      assert.match(wrong.screen, /Wrong passphrase/);
    });
  });
});

describe('validate and catalog see which keys are set', () => {
  test('ss validate warns about each referenced key that is not set, and stops once it is', async () => {
    const work = await tempDir();
    try {
      await cp(join(root, 'test/fixtures/seeds/000-cloudflare'), work.path, { recursive: true });
      await withHome(async (ss, _home, env) => {
        const registry = new ProvisionerRegistry();
        const validate = () => runSs(['validate', '--json'], { cwd: work.path, env, services: { registry } });
        const unset = () => validate().then((r) => JSON.parse(r.stdout).diagnostics.filter((d: { code: string }) => d.code === 'vault-key-not-set').map((d: { message: string }) => d.message));
        const first: string[] = await unset();
        assert.deepEqual(
          [...new Set(first.map((m) => /"([^"]+)"/.exec(m)![1]))].sort(),
          ['secrets.CF_DOMAIN', 'secrets.CF_PAGES_FALLBACK', 'secrets.CF_ZONE_ID'],
        );
        assert.ok(first.every((m) => /Set it with: ss vault set secrets\./.test(m)));
        await ss(['vault', 'set', 'secrets', 'CF_ZONE_ID', 'zone-v']);
        await ss(['vault', 'set', 'secrets', 'CF_PAGES_FALLBACK', 'fb-v']);
        const second: string[] = await unset();
        assert.ok(second.length > 0 && second.every((m) => m.includes('secrets.CF_DOMAIN')), second.join('\n'));
        await ss(['vault', 'set', 'secrets', 'CF_DOMAIN', 'myapp.com']);
        assert.deepEqual(await unset(), []);
      });
    } finally {
      await work.cleanup();
    }
  });

  test('ss catalog lists each provisioner with its keys and env variables and which are set', async () => {
    class TokenProvisioner implements ProvisionerAdapter {
      readonly provider: string = 'tokenco';
      readonly catalog = {
        title: 'TokenCo databases',
        vaultKeys: [{ key: 'secrets.TOKENCO_ORG', description: 'Organisation id' }],
        envVars: [{ name: 'TOKENCO_API_KEY', description: 'Used when target.credential_env names it' }],
        credentials: ['DATABASE_URL'],
      };
      canProvision(service: ResolvedService) {
        return service.provision?.provider === this.provider;
      }
      async provision(ctx: ProvisionContext): Promise<ProvisionResult> {
        return { state: { provider: this.provider, resourceId: ctx.serviceId, provisionedAt: new Date().toISOString() }, summary: 'created' };
      }
      async status(): Promise<ProvisionStatus> {
        return { healthy: true, message: 'ok' };
      }
      async destroy(_ctx: ProvisionContext, _state: ProvisionStateRecord): Promise<void> {}
    }
    class LocalThing extends TokenProvisioner {
      override readonly provider = 'local-thing';
      readonly requiresApiKey = false;
      override readonly catalog = { title: 'Local things', vaultKeys: [], envVars: [], credentials: [] };
    }
    const registry = new ProvisionerRegistry().register(new TokenProvisioner()).register(new LocalThing());
    await withHome(async (ss, home, env) => {
      const catalog = (e: NodeJS.ProcessEnv = env) => runSs(['catalog'], { env: e, cwd: home, services: { registry } });
      const first = await catalog();
      assert.equal(first.code, 0);
      assert.equal(
        first.stdout,
        [
          'local-thing — Local things',
          '  api key  not needed',
          '',
          'tokenco — TokenCo databases  (credentials missing)',
          '  api key  ✗ not set: ss vault set-key tokenco api_key <value>',
          '           looked up in: providers.tokenco.api_key, tokenco.api_token, tokenco.api_key',
          '  vault    ✗ secrets.TOKENCO_ORG  Organisation id  ss vault set secrets.TOKENCO_ORG <value>',
          '  env      ✗ $TOKENCO_API_KEY  Used when target.credential_env names it',
          '  writes   <service>.DATABASE_URL',
          '',
        ].join('\n'),
      );
      await ss(['vault', 'set', 'tokenco.api_token', 'tc-secret-token']);
      await ss(['vault', 'set', 'secrets.TOKENCO_ORG', 'org-1']);
      const second = await catalog({ ...env, TOKENCO_API_KEY: 'from-env' });
      assert.match(second.stdout, /tokenco — TokenCo databases\n  api key  ✓ tokenco\.api_token\n  vault    ✓ secrets\.TOKENCO_ORG  Organisation id\n  env      ✓ \$TOKENCO_API_KEY/);
      assert.ok(!second.stdout.includes('tc-secret-token') && !second.stdout.includes('org-1'));
      const json = JSON.parse((await runSs(['catalog', '--json'], { env, cwd: home, services: { registry } })).stdout);
      const tokenco = json.provisioners.find((p: { provider: string }) => p.provider === 'tokenco');
      assert.equal(tokenco.ready, true);
      assert.deepEqual(tokenco.apiKey.source, { kind: 'vault', key: 'tokenco.api_token' });
      const empty = await runSs(['catalog'], { env, cwd: home, services: { registry: new ProvisionerRegistry() } });
      assert.equal(empty.stdout, 'No provisioners are registered.\n');
    });
  });
});
