/**
 * Where the real-editor test tools live (installed by scripts/setup-e2e.sh into .tools/, or
 * STARSYSTEM_TOOLS) and how to load them: they are test tools, not the project's dependencies.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Playwright } from './playwright';

export const projectRoot = join(new URL('../../..', import.meta.url).pathname);
export const toolsDir = process.env.STARSYSTEM_TOOLS || join(projectRoot, '.tools');
export const artifactsDir = join(projectRoot, '.test-artifacts');
export const codeServerBin = join(toolsDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const chromiumPath = process.env.STARSYSTEM_CHROMIUM || '/usr/bin/chromium';

/** Why the tools cannot run here, or undefined when they can. */
export function missingTools(): string | undefined {
  const missing: string[] = [];
  if (!existsSync(codeServerBin)) missing.push(`code-server (${codeServerBin})`);
  if (!existsSync(join(toolsDir, 'node_modules', 'playwright-core', 'package.json'))) missing.push('playwright-core');
  if (!existsSync(chromiumPath)) missing.push(`chromium (${chromiumPath})`);
  if (missing.length === 0) return undefined;
  return `The real-editor test tools are missing: ${missing.join(', ')}. Run scripts/setup-e2e.sh (or set STARSYSTEM_SKIP_E2E=1).`;
}

/** Throws a clear error when the tools are not installed. */
export function requireTools(): void {
  const problem = missingTools();
  if (problem) throw new Error(problem);
}

export function loadPlaywright(): Playwright {
  requireTools();
  const require = createRequire(join(toolsDir, 'package.json'));
  return require('playwright-core') as Playwright;
}
