/** What the extension-host suites share: the activated extension's API and the workspace's system. */
import { join } from 'node:path';
import { extensions, workspace } from 'vscode';
import type { StarsystemApi } from '../../../client/extension';
import { loadSystem } from '../../../engine/config/load';
import type { SystemModel } from '../../../engine/config/model';
import { provisioners } from '../../../engine/provisioners/index';

export const EXTENSION_ID = 'starsystem.starsystem-vscode';

export async function activated(): Promise<StarsystemApi> {
  const extension = extensions.getExtension<StarsystemApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this editor.`);
  const api = await extension.activate();
  await api.serverReady;
  return api;
}

export function configPath(): string {
  const folder = workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('The tests need a folder open.');
  return join(folder.uri.fsPath, 'starsystem.yaml');
}

export function home(): string {
  const value = process.env.STARSYSTEM_HOME;
  if (!value) throw new Error('The tests run with STARSYSTEM_HOME set to a folder of their own.');
  return value;
}

export function loadModel(): Promise<SystemModel> {
  return loadSystem({ file: configPath(), registry: provisioners });
}

/** Polls `check` until it returns a value (not undefined/false) or the time is up. */
export async function eventually<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
