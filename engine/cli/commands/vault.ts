/**
 * `ss vault`: set, set-key, get, list, rm, where, init. Every form the docs show works as
 * shown: `set NS.KEY [VALUE]`, `set NS KEY VALUE`, `set providers:PROVIDER KEY VALUE`,
 * `set UPPER_NAME VALUE` (= secrets.UPPER_NAME), `set-key PROVIDER KEY VALUE`. A value left
 * out (or `-`) is read from stdin, or asked for without echo in a terminal, so it never
 * lands in shell history.
 */
import { starsystemHome } from '../../home';
import { PASSPHRASE_ENV, protectIdentity, type PassphraseSource } from '../../vault/identity';
import { parseVaultKey, providerKey, VaultKeyError } from '../../vault/names';
import { openVault, type AgeVault } from '../../vault/store';
import { COMMON, EXIT_FAILURE, EXIT_OK, UsageError, flag, type CommandContext, type CommandSpec } from '../command';
import type { CliIO } from '../io';
import { styleFor } from '../io';

const UPPER_NAME = /^[A-Z][A-Z0-9_]*$/;

/** Opens the vault of STARSYSTEM_HOME, asking for a passphrase in a terminal when the identity needs one. */
export function openCliVault(io: CliIO): AgeVault {
  const passphrase: PassphraseSource = ({ path }) => promptHidden(io, `Passphrase for the vault identity ${path}: `);
  return openVault({ home: starsystemHome(io.env), env: io.env, passphrase });
}

/** A key written as one word: `ns.key`, `providers:neon.api_key`, or an UPPER_CASE name (a secret). */
function keyFromWord(word: string, usage: string): string {
  const normalized = word.replace(/:/g, '.');
  if (!normalized.includes('.')) {
    if (UPPER_NAME.test(word)) return `secrets.${word}`;
    throw new UsageError(`"${word}" is not a vault key: write NAMESPACE.KEY (for example secrets.CF_ZONE_ID) or NAMESPACE KEY.`, usage);
  }
  return checked(normalized, usage);
}

/** A key written as two words: `NS KEY` or `providers:PROVIDER KEY`. */
function keyFromWords(namespace: string, name: string, usage: string): string {
  return checked(`${namespace.replace(/:/g, '.')}.${name}`, usage);
}

function checked(key: string, usage: string): string {
  try {
    parseVaultKey(key);
  } catch (error) {
    if (error instanceof VaultKeyError) throw new UsageError(error.message, usage);
    throw error;
  }
  return key;
}

/** The key and (when given on the command line) the value of `ss vault set`. */
export function parseSetArguments(words: string[], usage: string): { key: string; value?: string } {
  const [a, b, c] = words;
  let key: string;
  let value: string | undefined;
  if (words.length === 1) {
    if (a!.includes(':') && !a!.replace(/^[^:]*:/, '').includes('.')) {
      throw new UsageError(`Say which key of ${a}: ss vault set ${a} KEY VALUE.`, usage);
    }
    key = keyFromWord(a!, usage);
  } else if (words.length === 2) {
    if (a!.includes(':')) key = keyFromWords(a!, b!, usage);
    else if (a!.includes('.') || UPPER_NAME.test(a!)) [key, value] = [keyFromWord(a!, usage), b];
    else key = keyFromWords(a!, b!, usage);
  } else {
    [key, value] = [keyFromWords(a!, b!, usage), c];
  }
  return { key, value: value === '-' ? undefined : value };
}

/** The key of `ss vault get` and `ss vault rm`: one word or two. */
function parseKeyArguments(words: string[], usage: string): string {
  return words.length === 1 ? keyFromWord(words[0]!, usage) : keyFromWords(words[0]!, words[1]!, usage);
}

async function readValue(ctx: CommandContext, key: string, given: string | undefined): Promise<string> {
  let value = given;
  if (value === undefined) {
    if (ctx.io.stdin.isTTY) {
      value = await promptHidden(ctx.io, `Value for ${key}: `);
      if (value === undefined) throw new UsageError(`No value given for ${key}.`);
    } else {
      value = stripOneNewline(await readAll(ctx.io.stdin));
    }
  }
  if (value === '') throw new UsageError(`No value given for ${key}: pass it as an argument, or on stdin (echo VALUE | ss vault set ${key}).`);
  return value;
}

/** `echo VALUE | ss vault set KEY` stores VALUE, not VALUE plus echo's newline. */
function stripOneNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<string | Buffer>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a line from the terminal without echoing it; undefined when stdin is not a terminal. */
export async function promptHidden(io: CliIO, question: string): Promise<string | undefined> {
  const stdin = io.stdin as NodeJS.ReadStream;
  if (!stdin.isTTY || typeof stdin.setRawMode !== 'function') return undefined;
  // Echo goes off before the prompt shows, so nothing typed after it is echoed.
  stdin.setRawMode(true);
  io.stderr.write(question);
  return new Promise<string>((resolve, reject) => {
    let value = '';
    const finish = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      io.stderr.write('\n');
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString()) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          finish();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          finish();
          reject(new Error('Cancelled.'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** Prints the vault's permission problems as warnings (folders and identity; `ss vault where` checks every file). */
async function warnProblems(io: CliIO, vault: AgeVault): Promise<void> {
  const style = styleFor(io);
  for (const problem of await vault.problems({ files: false })) io.stderr.write(`${style.yellow('warning:')} ${problem.message}\n`);
}

/** Runs a vault command; any error text is passed through the vault's redactor on its way out. */
async function withVault(ctx: CommandContext, body: (vault: AgeVault) => Promise<number>): Promise<number> {
  const vault = openCliVault(ctx.io);
  try {
    return await body(vault);
  } catch (error) {
    if (error instanceof Error) error.message = vault.redactor.redact(error.message);
    throw error;
  }
}

async function setAndReport(ctx: CommandContext, vault: AgeVault, key: string, value: string): Promise<number> {
  const existed = await vault.has(key);
  await vault.set(key, value);
  await warnProblems(ctx.io, vault);
  if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify({ key, action: existed ? 'updated' : 'created' }) + '\n');
  else ctx.io.stdout.write(`${styleFor(ctx.io).green('✓')} ${existed ? 'Updated' : 'Set'} ${key}\n`);
  return EXIT_OK;
}

const SET_USAGE = 'ss vault set NS.KEY [VALUE] | ss vault set NS KEY [VALUE] | ss vault set providers:PROVIDER KEY [VALUE] | ss vault set NAME [VALUE]';

export const vaultSetCommand: CommandSpec = {
  path: ['vault', 'set'],
  summary: 'Store a secret in the vault (age-encrypted).',
  usage: SET_USAGE,
  details: [
    'Forms:',
    '  ss vault set neon.api_token VALUE           key neon.api_token',
    '  ss vault set secrets CF_ZONE_ID VALUE       key secrets.CF_ZONE_ID',
    '  ss vault set providers:cloudflare api_key VALUE   key providers.cloudflare.api_key',
    '  ss vault set AWS_SECRET_ACCESS_KEY VALUE    key secrets.AWS_SECRET_ACCESS_KEY (an UPPER_CASE name)',
    'Leave VALUE out (or write -) to read it from stdin, or to be asked for it without echo in a',
    'terminal: then it never lands in your shell history.',
  ].join('\n'),
  options: { json: COMMON.json },
  positionals: { min: 1, max: 3 },
  run(ctx) {
    const { key, value } = parseSetArguments(ctx.positionals, SET_USAGE);
    return withVault(ctx, async (vault) => setAndReport(ctx, vault, key, await readValue(ctx, key, value)));
  },
};

export const vaultSetKeyCommand: CommandSpec = {
  path: ['vault', 'set-key'],
  summary: 'Store a provider credential (providers.PROVIDER.KEY).',
  usage: 'ss vault set-key PROVIDER KEY [VALUE]',
  details: 'Example: ss vault set-key neon api_key <token>. Leave VALUE out (or write -) to read it from stdin.',
  options: { json: COMMON.json },
  positionals: { min: 2, max: 3 },
  run(ctx) {
    const [provider, name, given] = ctx.positionals as [string, string, string | undefined];
    const key = checked(providerKey(provider, name), this.usage);
    return withVault(ctx, async (vault) => setAndReport(ctx, vault, key, await readValue(ctx, key, given === '-' ? undefined : given)));
  },
};

export const vaultGetCommand: CommandSpec = {
  path: ['vault', 'get'],
  summary: 'Print a secret from the vault.',
  usage: 'ss vault get NS.KEY [--json]',
  details: 'Also: ss vault get NS KEY, ss vault get providers:PROVIDER KEY, ss vault get UPPER_NAME (a secrets. key).',
  options: { json: COMMON.json },
  positionals: { min: 1, max: 2 },
  run(ctx) {
    const key = parseKeyArguments(ctx.positionals, this.usage);
    return withVault(ctx, async (vault) => {
      const value = await vault.get(key);
      await warnProblems(ctx.io, vault);
      if (value === null) {
        ctx.io.stderr.write(`${styleFor(ctx.io).red('error:')} Vault key "${key}" is not set. Set it with: ss vault set ${key}\n`);
        return EXIT_FAILURE;
      }
      if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify({ key, value }) + '\n');
      else ctx.io.stdout.write(value.endsWith('\n') ? value : `${value}\n`);
      return EXIT_OK;
    });
  },
};

export const vaultListCommand: CommandSpec = {
  path: ['vault', 'list'],
  summary: 'List the names of the keys in the vault (never their values).',
  usage: 'ss vault list [PREFIX] [--json]',
  details: 'PREFIX keeps only the names that start with it: ss vault list providers.neon',
  options: { json: COMMON.json },
  positionals: { max: 1 },
  run(ctx) {
    const prefix = (ctx.positionals[0] ?? '').replace(/:/g, '.');
    return withVault(ctx, async (vault) => {
      const keys = await vault.list(prefix);
      await warnProblems(ctx.io, vault);
      if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify(keys) + '\n');
      else if (keys.length > 0) ctx.io.stdout.write(keys.join('\n') + '\n');
      else if (ctx.io.isTTY) ctx.io.stderr.write(prefix ? `No vault keys start with "${prefix}".\n` : 'The vault is empty.\n');
      return EXIT_OK;
    });
  },
};

export const vaultRmCommand: CommandSpec = {
  path: ['vault', 'rm'],
  summary: 'Remove a key from the vault.',
  usage: 'ss vault rm NS.KEY [--json]',
  details: 'Also: ss vault rm NS KEY, ss vault rm providers:PROVIDER KEY. Exits 1 when the key was not set.',
  options: { json: COMMON.json },
  positionals: { min: 1, max: 2 },
  run(ctx) {
    const key = parseKeyArguments(ctx.positionals, this.usage);
    return withVault(ctx, async (vault) => {
      const removed = await vault.delete(key);
      await warnProblems(ctx.io, vault);
      if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify({ key, removed }) + '\n');
      else if (removed) ctx.io.stdout.write(`${styleFor(ctx.io).green('✓')} Removed ${key}\n`);
      else ctx.io.stderr.write(`${styleFor(ctx.io).red('error:')} Vault key "${key}" is not set.\n`);
      return removed ? EXIT_OK : EXIT_FAILURE;
    });
  },
};

const MODE_LABEL = {
  x25519: 'X25519 key, plain file',
  passphrase: 'X25519 key, encrypted with a passphrase',
  external: 'from STARSYSTEM_AGE_IDENTITY',
  none: 'not created yet (the first "ss vault set" or "ss vault init" creates it)',
} as const;

export const vaultWhereCommand: CommandSpec = {
  path: ['vault', 'where'],
  summary: 'Show where the vault is, its identity and its recipient.',
  usage: 'ss vault where [--json]',
  options: { json: COMMON.json },
  positionals: { max: 0 },
  run(ctx) {
    return withVault(ctx, async (vault) => {
      const where = await vault.where();
      const problems = await vault.problems();
      if (flag(ctx, 'json')) {
        ctx.io.stdout.write(JSON.stringify({ ...where, problems }, null, 2) + '\n');
        return EXIT_OK;
      }
      const identity = `${where.identity.path}${where.identity.exists || where.identity.mode === 'none' ? '' : ' (missing)'} (${MODE_LABEL[where.identity.mode]}${where.identity.mode === 'external' && where.identity.encrypted ? ', passphrase-protected' : ''})`;
      const rows: [string, string][] = [
        ['home', where.home],
        ['vault', where.dir],
        ['identity', identity],
        ['recipient', where.recipient ?? (where.identity.mode === 'none' ? '(none yet)' : '(known once the identity is unlocked)')],
        ['keys', String(where.keyCount)],
      ];
      for (const [label, value] of rows) ctx.io.stdout.write(`${label.padEnd(10)} ${value}\n`);
      const style = styleFor(ctx.io);
      for (const problem of problems) ctx.io.stderr.write(`${style.yellow('warning:')} ${problem.message}\n`);
      return EXIT_OK;
    });
  },
};

export const vaultInitCommand: CommandSpec = {
  path: ['vault', 'init'],
  summary: 'Create the vault identity, or protect it with a passphrase (--passphrase).',
  usage: 'ss vault init [--passphrase] [--json]',
  details: [
    'Without options: creates the X25519 identity (vault/identity.txt) if there is none. Setting a',
    'key does the same, so this is only needed to learn the recipient up front.',
    `--passphrase: encrypts the identity with a passphrase (scrypt) into vault/identity.age; keys`,
    'already stored keep working. Reading a key then needs the passphrase: from',
    `${PASSPHRASE_ENV}, or asked for in a terminal. Writing a key does not.`,
  ].join('\n'),
  options: {
    passphrase: { type: 'boolean', description: 'Protect the identity with a passphrase.' },
    json: COMMON.json,
  },
  positionals: { max: 0 },
  run(ctx) {
    return withVault(ctx, async (vault) => {
      const style = styleFor(ctx.io);
      const json = flag(ctx, 'json');
      if (flag(ctx, 'passphrase')) {
        const passphrase = await newPassphrase(ctx.io);
        const result = await protectIdentity({ vaultDir: vault.dir, env: ctx.io.env }, passphrase);
        if (json) ctx.io.stdout.write(JSON.stringify({ mode: 'passphrase', identity: result.path, recipient: result.recipient, created: result.created, alreadyProtected: result.alreadyProtected }) + '\n');
        else {
          const what = result.alreadyProtected
            ? 'The vault identity is already protected by a passphrase'
            : result.created
              ? 'Created a vault identity protected by a passphrase'
              : 'The vault identity is now protected by a passphrase';
          ctx.io.stdout.write(`${style.green('✓')} ${what}: ${result.path}\nrecipient ${result.recipient}\n`);
        }
        await warnProblems(ctx.io, vault);
        return EXIT_OK;
      }
      const before = await vault.identity.describe();
      const recipient = await vault.identity.ensure();
      const after = await vault.identity.describe();
      if (json) ctx.io.stdout.write(JSON.stringify({ mode: after.mode, identity: after.path, recipient, created: before.mode === 'none' }) + '\n');
      else {
        const what = before.mode === 'none' ? 'Created the vault identity' : 'The vault already has an identity';
        ctx.io.stdout.write(`${style.green('✓')} ${what}: ${after.path}\nrecipient ${recipient}\n`);
      }
      await warnProblems(ctx.io, vault);
      return EXIT_OK;
    });
  },
};

/** The passphrase for `init --passphrase`: from the environment, or typed twice in a terminal. */
async function newPassphrase(io: CliIO): Promise<string> {
  const fromEnv = io.env[PASSPHRASE_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const first = await promptHidden(io, 'New vault passphrase: ');
  if (first === undefined) throw new UsageError(`No passphrase: set ${PASSPHRASE_ENV} or run the command in a terminal.`);
  const second = await promptHidden(io, 'Repeat the passphrase: ');
  if (first !== second) throw new UsageError('The two passphrases differ; nothing was changed.');
  return first;
}

export const VAULT_COMMANDS: CommandSpec[] = [
  vaultSetCommand,
  vaultSetKeyCommand,
  vaultGetCommand,
  vaultListCommand,
  vaultRmCommand,
  vaultWhereCommand,
  vaultInitCommand,
];
