/** The packaged extension the real-editor tests install: built once per test process from the current sources. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './tools';

let built: { path: string; dir: string } | undefined;

/** `STARSYSTEM_VSIX` when set (a .vsix built by `npm run package`), else a fresh package in a temp folder. */
export function packagedExtension(): string {
  const given = process.env.STARSYSTEM_VSIX;
  if (given) {
    if (!existsSync(given)) throw new Error(`STARSYSTEM_VSIX=${given} does not exist.`);
    return given;
  }
  if (built) return built.path;
  const dir = mkdtempSync(join(tmpdir(), 'starsystem-vsix-'));
  const path = join(dir, 'starsystem.vsix');
  const result = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'package.mjs'), `--out=${path}`], { cwd: projectRoot, encoding: 'utf8', timeout: 180_000 });
  if (result.status !== 0 || !existsSync(path)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Packaging the extension failed:\n${result.stdout}\n${result.stderr}`);
  }
  built = { path, dir };
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return path;
}
