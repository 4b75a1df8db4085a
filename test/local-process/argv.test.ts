import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandSyntaxError, splitCommand } from '../../engine/provisioners/local/argv';

const HOME = '/home/dev';
const split = (command: string) => splitCommand(command, HOME);

describe('splitCommand', () => {
  it('splits on whitespace like a shell', () => {
    assert.deepEqual(split('node scripts/caddy/domain-check-server.mjs --port=2020'), ['node', 'scripts/caddy/domain-check-server.mjs', '--port=2020']);
    assert.deepEqual(split('  a\tb \n c  '), ['a', 'b', 'c']);
  });

  it('groups quoted text and keeps it literal', () => {
    assert.deepEqual(split(`echo 'a b' "c d" e\\ f`), ['echo', 'a b', 'c d', 'e f']);
    assert.deepEqual(split(`say '$HOME | x; y && z'`), ['say', '$HOME | x; y && z']);
    assert.deepEqual(split(`say "it's \\"quoted\\" \\\\ \\$5"`), ['say', `it's "quoted" \\ $5`]);
    assert.deepEqual(split(`x --msg=""`), ['x', '--msg=']);
    assert.deepEqual(split(`x a"b c"d`), ['x', 'ab cd']);
  });

  it('expands an unquoted leading ~ only', () => {
    assert.deepEqual(split('caddy run --config ~/.starsystem/hosting/Caddyfile'), ['caddy', 'run', '--config', `${HOME}/.starsystem/hosting/Caddyfile`]);
    assert.deepEqual(split('ls ~ "~/x" a~/b ~user'), ['ls', HOME, '~/x', 'a~/b', '~user']);
  });

  it('passes characters that mean nothing special through as they are', () => {
    assert.deepEqual(split('curl http://127.0.0.1:2019/config/?a=1 *.txt $ 100%'), ['curl', 'http://127.0.0.1:2019/config/?a=1', '*.txt', '$', '100%']);
  });

  it('refuses what only a shell would understand', () => {
    for (const command of ['a | b', 'a && b', 'a; b', 'a > out.log', 'a < in', 'a &', 'echo $HOME', 'echo ${HOME}', 'echo $(date)', 'echo `date`', 'a # note', 'echo "$HOME"', 'x a=b&c=d']) {
      assert.throws(() => split(command), CommandSyntaxError, command);
    }
    assert.throws(() => split('a | b'), /outside quotes, which only a shell understands/);
  });

  it('reports broken quoting and empty commands', () => {
    assert.throws(() => split(`echo 'open`), /unclosed single quote/);
    assert.throws(() => split(`echo "open`), /unclosed double quote/);
    assert.throws(() => split('echo \\'), /lone backslash/);
    assert.throws(() => split('   '), /empty/);
  });
});
