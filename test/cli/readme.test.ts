/**
 * The README is a contract: its two opening commands exist as npm scripts, and it lists
 * every `ss` command, every extension command, every setting and every diagnostic code.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from '../../engine/cli/commands/index';
import { DIAGNOSTIC_CODES } from '../../engine/diagnostics';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(root + 'README.md', 'utf8');
const manifest = JSON.parse(readFileSync(root + 'package.json', 'utf8'));

test('the README opens with the two commands, and both are npm scripts', () => {
  const block = /^```sh\n([\s\S]*?)\n```/.exec(readme);
  assert.ok(block, 'the README starts with a sh block');
  const lines = block[1]!.split('\n');
  assert.deepEqual(lines, ['npm ci && npm run quickstart', 'npm ci && npm run test:all']);
  assert.ok(manifest.scripts.quickstart && manifest.scripts['test:all']);
  const ci = readFileSync(root + '.ci/run', 'utf8');
  assert.ok(ci.includes(lines[1]!), '.ci/run runs the README test command');
});

test('every ss command is in the README', () => {
  for (const command of COMMANDS.filter((c) => !c.hidden)) {
    assert.ok(readme.includes(`ss ${command.path.join(' ')}`), `ss ${command.path.join(' ')}`);
  }
});

test('every extension command and setting is in the README', () => {
  for (const command of manifest.contributes.commands as { title: string }[]) assert.ok(readme.includes(command.title), command.title);
  for (const setting of Object.keys(manifest.contributes.configuration.properties)) assert.ok(readme.includes(`\`${setting}\``), setting);
});

test('every diagnostic code is in the README', () => {
  for (const code of Object.keys(DIAGNOSTIC_CODES)) assert.ok(readme.includes(`\`${code}\``), code);
});

test('the README has no relative links (the .vsix packager refuses them without a repository URL)', () => {
  assert.doesNotMatch(readme, /\]\((?!https?:|#)[^)]*\)/);
});
