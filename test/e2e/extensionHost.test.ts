/**
 * Runs the extension-host suites (test/e2e/host/*.suite.ts, mocha) inside code-server: the
 * packaged extension is installed, then loaded as the extension under development with
 * the suites as its tests (the `payload` URL parameter), against a copy of the quickstart.
 * The runner writes its outcome to a file, since code-server does not return an exit code.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { HostTestResult } from './host/index';
import { launchBrowser, type Browser } from './harness/browser';
import { acquireEditorLock } from './harness/lock';
import { startCodeServer, type CodeServer } from './harness/codeServer';
import { buildHostTests } from './harness/hostTests';
import { delay } from './harness/processes';
import { copyExample } from './harness/example';
import { artifactsDir, projectRoot } from './harness/tools';
import { packagedExtension } from './harness/vsix';

const example = process.env.STARSYSTEM_E2E_SYSTEM || join(projectRoot, 'examples', 'quickstart');
const artifacts = join(artifactsDir, 'e2e', 'extension-host');

describe('extension-host suites in code-server', { timeout: 600_000 }, () => {
  let releaseLock: (() => void) | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let result: HostTestResult | undefined;
  const temp: string[] = [];

  before(async () => {
    releaseLock = await acquireEditorLock();
    rmSync(artifacts, { recursive: true, force: true });
    assert.ok(existsSync(join(example, 'starsystem.yaml')), `${example}/starsystem.yaml is missing`);
    const workspaceDir = (await copyExample(example, 'starsystem-host-ws-')).dir;
    const home = mkdtempSync(join(tmpdir(), 'starsystem-host-home-'));
    const resultDir = mkdtempSync(join(tmpdir(), 'starsystem-host-result-'));
    temp.push(workspaceDir, home, resultDir);
    const tests = await buildHostTests();
    temp.push(tests.dir);
    const resultFile = join(resultDir, 'result.json');
    server = await startCodeServer({
      extensions: [packagedExtension()],
      env: { STARSYSTEM_HOME: home, STARSYSTEM_HOST_TEST_RESULT: resultFile },
      keepLogsIn: join(artifacts, 'logs'),
    });
    // The installed copy of the package is what runs as the extension under development.
    const extensionsDir = join(server.dir, 'extensions');
    const installed = readdirSync(extensionsDir).find((d) => d.startsWith('starsystem.starsystem-vscode-'));
    assert.ok(installed, `the .vsix was not installed in ${extensionsDir}`);
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server!.port}${path}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', remote(join(extensionsDir, installed))],
      ['extensionTestsPath', remote(tests.index)],
    ]);
    browser = await launchBrowser();
    await browser.page.goto(server.url(workspaceDir, { payload }), { waitUntil: 'domcontentloaded' });
    const deadline = Date.now() + 540_000;
    while (Date.now() < deadline) {
      if (existsSync(resultFile)) {
        const parsed = JSON.parse(readFileSync(resultFile, 'utf8')) as HostTestResult;
        if (parsed.done) {
          result = parsed;
          break;
        }
      }
      await delay(500);
    }
    await browser.page.screenshot({ path: join(artifacts, 'extension-host.png') }).catch(() => undefined);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
    releaseLock?.();
  });

  it('every suite ran and passed', () => {
    assert.ok(result, 'the extension-host runner wrote no result (see .test-artifacts/e2e/extension-host/logs)');
    const failures = result.failed.map((f) => `✗ ${f.title}\n${f.error}`).join('\n\n');
    assert.equal(result.failed.length, 0, failures);
    assert.ok(result.passed.length >= 10, `only ${result.passed.length} tests passed:\n${result.passed.join('\n')}`);
    for (const title of result.passed) console.log(`  ✓ ${title}`);
  });
});
