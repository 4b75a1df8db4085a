/**
 * Which system the commands act on. A workspace may hold several `starsystem.yaml` files;
 * the one of the active editor wins, a single one is used as is, and otherwise the user
 * picks. Keeps the `starsystem.hasConfig` context key (welcome view, menus) up to date.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { commands, EventEmitter, RelativePattern, window, workspace, type Disposable, type TextDocument, type Uri } from 'vscode';
import { DEFAULT_CONFIG_NAMES, overlayPathFor } from '../engine/config/load';

const BASE_GLOB = '**/starsystem.{yaml,yml}';
const EXCLUDE_GLOB = '**/{node_modules,.git,.tools}/**';
/** starsystem.yaml, starsystem.yml, and overlays starsystem.<env>.yaml */
const STARSYSTEM_FILE = /^starsystem(\.[A-Za-z0-9_-]+)?\.ya?ml$/i;

/** Whether a document is one the language server and the commands care about. */
export function isStarsystemDocument(document: TextDocument): boolean {
  if (document.uri.scheme !== 'file' && document.uri.scheme !== 'untitled') return false;
  if (STARSYSTEM_FILE.test(basename(document.uri.fsPath))) return true;
  return document.languageId === 'yaml' && /^#\s*starsystem\b/.test(document.lineAt(0).text);
}

/** The base file of a config path: an overlay `starsystem.prod.yaml` maps to `starsystem.yaml` beside it. */
export function baseFileOf(path: string): string {
  const name = basename(path);
  if (DEFAULT_CONFIG_NAMES.includes(name.toLowerCase())) return path;
  const m = /^(.+?)\.([A-Za-z0-9_-]+)\.(ya?ml)$/i.exec(name);
  if (m) return join(dirname(path), `${m[1]}.${m[3]}`);
  return path;
}

/** Environments with an overlay beside the base file (`NAME.<env>.yaml`), sorted. */
export async function overlayEnvironments(basePath: string): Promise<string[]> {
  const stem = basename(basePath).replace(/\.ya?ml$/i, '');
  const names = await readdir(dirname(basePath)).catch(() => [] as string[]);
  const envs = new Set<string>();
  for (const name of names) {
    const m = /^(.+)\.([A-Za-z0-9_-]+)\.ya?ml$/i.exec(name);
    if (m && m[1] === stem) envs.add(m[2]!);
  }
  return [...envs].sort();
}

/** The paths a run reads: the base file and the overlay of the environment. */
export function systemFiles(basePath: string, env: string): string[] {
  const ext = /\.yml$/i.test(basePath) ? '.yml' : '.yaml';
  const overlay = overlayPathFor(basePath, env);
  return [basePath, overlay, overlay.replace(/\.ya?ml$/i, ext)];
}

export class Systems implements Disposable {
  private files: string[] = [];
  private readonly changed = new EventEmitter<void>();
  /** Fires when starsystem files appear or disappear. */
  readonly onDidChange = this.changed.event;
  private readonly disposables: Disposable[] = [this.changed];
  private scanning: Promise<void> | undefined;

  constructor() {
    const watcher = workspace.createFileSystemWatcher(BASE_GLOB, false, true, false);
    watcher.onDidCreate(() => void this.rescan());
    watcher.onDidDelete(() => void this.rescan());
    this.disposables.push(watcher, workspace.onDidChangeWorkspaceFolders(() => void this.rescan()));
  }

  /** The base files found in the workspace, sorted. */
  get baseFiles(): readonly string[] {
    return this.files;
  }

  get hasConfig(): boolean {
    return this.files.length > 0;
  }

  rescan(): Promise<void> {
    return (this.scanning = (async () => {
      const found: string[] = [];
      for (const folder of workspace.workspaceFolders ?? []) {
        const uris = await workspace.findFiles(new RelativePattern(folder, BASE_GLOB), EXCLUDE_GLOB, 200);
        found.push(...uris.map((u) => u.fsPath));
      }
      // The shallowest first, so that a root starsystem.yaml is the default.
      found.sort((a, b) => a.split(/[\\/]/).length - b.split(/[\\/]/).length || a.localeCompare(b));
      const before = this.files.join('\n');
      this.files = [...new Set(found)];
      await commands.executeCommand('setContext', 'starsystem.hasConfig', this.files.length > 0);
      if (before !== this.files.join('\n')) this.changed.fire();
    })());
  }

  /** Waits for the scan in progress, if any. */
  async ready(): Promise<void> {
    await (this.scanning ?? this.rescan());
  }

  /**
   * The system the tree and the status bar show without asking: the active editor's, else
   * the only (or first) one in the workspace.
   */
  current(): string | undefined {
    const editor = window.activeTextEditor;
    if (editor && isStarsystemDocument(editor.document) && editor.document.uri.scheme === 'file') {
      return baseFileOf(editor.document.uri.fsPath);
    }
    return this.files[0];
  }

  /** The system a command acts on; asks when several exist and no editor says which. Undefined when cancelled or none. */
  async pick(explicit?: Uri | string): Promise<string | undefined> {
    if (explicit) return baseFileOf(typeof explicit === 'string' ? explicit : explicit.fsPath);
    await this.ready();
    const editor = window.activeTextEditor;
    if (editor && isStarsystemDocument(editor.document) && editor.document.uri.scheme === 'file') {
      return baseFileOf(editor.document.uri.fsPath);
    }
    if (this.files.length <= 1) return this.files[0];
    const root = workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const chosen = await window.showQuickPick(
      this.files.map((path) => ({ label: relative(root, path) || basename(path), path })),
      { title: 'Starsystem: which system?', placeHolder: 'Pick the starsystem.yaml to act on' },
    );
    return chosen?.path;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
