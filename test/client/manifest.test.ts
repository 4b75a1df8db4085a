/**
 * The extension's manifest (package.json) against the code: every command it contributes
 * is registered by client/commands.ts and vice versa, menus and views name what exists,
 * the files it points at are in the package, and the CodeLens command contract matches
 * what the language server reads.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CODELENS_COMMANDS, experimentalCapability } from '../../client/lensCommands';
import { clientFeatures } from '../../server/capabilities';

const root = join(new URL('../..', import.meta.url).pathname);
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const contributes = manifest.contributes;
const commandIds: string[] = contributes.commands.map((c: { command: string }) => c.command);
const registered = [...readFileSync(join(root, 'client', 'commands.ts'), 'utf8').matchAll(/register\('([^']+)'/g)].map((m) => m[1]);

describe('the extension manifest', () => {
  it('installs in code-server 4.100 (VS Code 1.100) and is typed against that API', () => {
    assert.equal(manifest.engines.vscode, '^1.100.0');
    assert.equal(manifest.devDependencies['@types/vscode'], '1.100.0');
    assert.equal(manifest.main, 'dist/extension.js');
  });

  it('activates on YAML files and on workspaces with a starsystem.yaml', () => {
    assert.ok(manifest.activationEvents.includes('onLanguage:yaml'));
    assert.ok(manifest.activationEvents.includes('workspaceContains:**/starsystem.yaml'));
  });

  it('contributes exactly the commands it registers, all in the Starsystem category', () => {
    assert.deepEqual([...commandIds].sort(), [...registered].sort());
    for (const c of contributes.commands) {
      assert.equal(c.category, 'Starsystem', c.command);
      assert.ok(c.title && !c.title.startsWith('Starsystem'), c.command);
    }
  });

  it('has the commands the product asks for', () => {
    const titles = contributes.commands.map((c: { title: string }) => c.title);
    for (const title of ['Provision All', 'Provision Service', 'Show Plan', 'Check Status', 'Detect Drift', 'Roll Back…', 'Destroy…', 'Validate', 'Set Vault Key…', 'Select Environment', 'Show Output', 'Refresh']) {
      assert.ok(titles.includes(title), title);
    }
  });

  it('menus name declared commands; inline tree actions follow context values', () => {
    for (const [menu, items] of Object.entries(contributes.menus) as [string, { command: string; when?: string; group?: string }[]][]) {
      for (const item of items) assert.ok(commandIds.includes(item.command), `${menu}: ${item.command}`);
    }
    const inline = contributes.menus['view/item/context'].filter((i: { group?: string }) => i.group?.startsWith('inline'));
    assert.deepEqual(
      inline.map((i: { command: string; when: string }) => [i.command, /viewItem =~ \/\\b(\w+)\\b\//.exec(i.when)?.[1]]),
      [['starsystem.provisionService', 'provisionable'], ['starsystem.openLog', 'hasLog'], ['starsystem.stopService', 'stoppable']],
    );
    assert.ok(contributes.menus['view/title'].some((i: { command: string; group: string }) => i.command === 'starsystem.refresh' && i.group.startsWith('navigation')));
  });

  it('declares the view container, the Services view and its welcome content', () => {
    const container = contributes.viewsContainers.activitybar.find((c: { id: string }) => c.id === 'starsystem');
    assert.ok(container && existsSync(join(root, container.icon)));
    assert.equal(contributes.views.starsystem[0].id, 'starsystem.services');
    const welcome = contributes.viewsWelcome.find((w: { when: string }) => w.when === '!starsystem.hasConfig');
    assert.match(welcome.contents, /\[Create starsystem\.yaml\]\(command:starsystem\.createConfig\)/);
  });

  it('declares every setting with a default', () => {
    const props = contributes.configuration.properties;
    for (const key of ['starsystem.environment', 'starsystem.home', 'starsystem.concurrency', 'starsystem.statusRefreshSeconds', 'starsystem.trace.server']) {
      assert.ok(props[key], key);
      assert.ok('default' in props[key], key);
    }
    assert.deepEqual(props['starsystem.trace.server'].enum, ['off', 'messages', 'verbose']);
  });

  it('supports untrusted workspaces in a limited way and keeps the home folder out of their reach', () => {
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ['starsystem.home']);
  });

  it('contributes the generated schemas to other YAML tooling', () => {
    const urls = new Set(contributes.yamlValidation.map((v: { url: string }) => v.url));
    assert.deepEqual([...urls].sort(), ['./schemas/starsystem-overlay.schema.json', './schemas/starsystem.schema.json']);
    for (const url of urls) assert.ok(existsSync(join(root, url as string)), url as string);
  });

  it('has a walkthrough whose media exist and whose buttons run declared commands', () => {
    const [walkthrough] = contributes.walkthroughs;
    assert.ok(walkthrough.steps.length >= 5);
    for (const step of walkthrough.steps) {
      assert.ok(existsSync(join(root, step.media.markdown)), step.media.markdown);
      for (const m of step.description.matchAll(/\(command:([\w.]+)\)/g)) {
        assert.ok(commandIds.includes(m[1]!) || m[1] === 'starsystem.services.focus', m[1]);
      }
    }
  });

  it('ships only what the editor loads (.vscodeignore)', () => {
    const ignore = readFileSync(join(root, '.vscodeignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    assert.equal(ignore[0], '**');
    assert.ok(ignore.includes('!dist/extension.js') && ignore.includes('!dist/server.js'));
    assert.ok(!ignore.some((l) => l.includes('node_modules') || l.includes('.map')));
  });
});

describe('the CodeLens command contract with the language server', () => {
  it('the server reads the command ids the client advertises', () => {
    const features = clientFeatures({ processId: null, rootUri: null, capabilities: { experimental: experimentalCapability() } });
    assert.deepEqual(features.commands, { ...CODELENS_COMMANDS });
  });

  it('each of them is a contributed command', () => {
    for (const id of Object.values(CODELENS_COMMANDS)) assert.ok(commandIds.includes(id), id);
  });
});
