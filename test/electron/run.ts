/**
 * `npm run test:electron`: the extension-host suites (test/e2e/host/) in desktop VS Code,
 * through @vscode/test-electron. It needs desktop VS Code: either one it may download from
 * Microsoft's update server, or an installed one named by VSCODE_EXECUTABLE. (Where neither
 * is possible, `node test/run.mjs test/e2e/` runs the same suites in code-server.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildHostTests } from '../e2e/harness/hostTests';
import { projectRoot } from '../e2e/harness/tools';

const example = process.env.STARSYSTEM_E2E_SYSTEM || join(projectRoot, 'examples', 'quickstart');

async function main(): Promise<number> {
  if (!existsSync(join(example, 'starsystem.yaml'))) throw new Error(`${example}/starsystem.yaml is missing.`);
  const build = spawnSync(process.execPath, [join(projectRoot, 'esbuild.mjs')], { cwd: projectRoot, stdio: 'inherit' });
  if (build.status !== 0) return build.status ?? 1;
  const tests = await buildHostTests();
  const workspaceDir = mkdtempSync(join(tmpdir(), 'starsystem-electron-ws-'));
  const home = mkdtempSync(join(tmpdir(), 'starsystem-electron-home-'));
  const userData = mkdtempSync(join(tmpdir(), 'starsystem-electron-user-'));
  cpSync(example, workspaceDir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.git)([\\/]|$)/.test(src) });
  try {
    return await runTests({
      ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: process.env.VSCODE_VERSION || '1.100.3' }),
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: tests.index,
      extensionTestsEnv: { STARSYSTEM_HOME: home },
      launchArgs: [workspaceDir, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`, '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    for (const dir of [tests.dir, workspaceDir, home, userData]) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
