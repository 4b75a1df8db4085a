/** Debian's Chromium driven by playwright-core, in a profile folder of its own that is removed on close. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from './playwright';
import { killMentioning } from './processes';
import { chromiumPath, loadPlaywright } from './tools';

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Messages the page logged as errors (for diagnosing a failed test). */
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function launchBrowser(viewport = { width: 1400, height: 900 }): Promise<Browser> {
  const { chromium } = loadPlaywright();
  const profile = await mkdtemp(join(tmpdir(), 'starsystem-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport,
      timeout: 60_000,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-dev-shm-usage',
      ],
    });
  } catch (error) {
    await killMentioning(profile);
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  // Clipboard access lets tests read the output channel the way a person copies it.
  await context.grantPermissions(['clipboard-read', 'clipboard-write']).catch(() => undefined);
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  let closed: Promise<void> | undefined;
  return {
    context,
    page,
    consoleErrors,
    close: () =>
      (closed ??= (async () => {
        await Promise.race([context.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]).catch(() => undefined);
        // Chromium's zygote and renderers carry the profile path on their command lines.
        await killMentioning(profile);
        await rm(profile, { recursive: true, force: true });
      })()),
  };
}
