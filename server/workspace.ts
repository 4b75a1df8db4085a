/**
 * The documents the server knows: open starsystem documents (each parsed once per version,
 * with its own segment cache so an edit re-parses only the services it touched), the files
 * on disk they need, and the system analysis (base + overlay, validated together) that every
 * feature of a version shares.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { overlayPathFor } from '../engine/config/load';
import type { SystemModel } from '../engine/config/model';
import { parseFile, type ParsedFile, type SegmentCache } from '../engine/config/parse';
import { analyze } from '../engine/config/validate';
import type { ProvisionerRegistry } from '../engine/provisioners/registry';
import { DiskFiles } from './files';
import type { DocumentRole, DocumentSnapshot, FamilyFile } from './service/types';

export interface OpenDocument {
  uri: string;
  path: string;
  document: TextDocument;
  cache: SegmentCache;
  parsed?: { version: number; file: ParsedFile };
}

interface Role {
  role: DocumentRole;
  basePath: string;
  /** An overlay's environment, from its file name. */
  env?: string;
}

interface Analysis {
  base: ParsedFile;
  overlay?: ParsedFile;
  vaultGeneration: number;
  model: SystemModel;
}

const OVERLAY_NAME = /^(.+)\.([^.]+)\.(ya?ml)$/i;
const FIRST_LINE_MARK = /^#\s*starsystem\b/;

export interface WorkspaceOptions {
  registry: ProvisionerRegistry;
  vaultHas: () => ((key: string) => boolean | undefined) | undefined;
  vaultGeneration: () => number;
  /** A file that is not open changed on disk. */
  onDiskChange: (path: string) => void;
}

export class Workspace {
  /** The active environment: base files are validated with its overlay. */
  env = 'local';
  private readonly open = new Map<string, OpenDocument>();
  private readonly openByPath = new Map<string, OpenDocument>();
  private readonly analyses = new Map<string, Analysis>();
  readonly disk: DiskFiles;

  constructor(private readonly options: WorkspaceOptions) {
    this.disk = new DiskFiles((path) => {
      if (!this.openByPath.has(path)) options.onDiskChange(path);
    });
  }

  openDocument(uri: string, languageId: string, version: number, text: string): OpenDocument | undefined {
    const path = pathOfUri(uri);
    if (path === undefined) return undefined;
    const doc: OpenDocument = { uri, path, document: TextDocument.create(uri, languageId, version, text), cache: new Map() };
    this.open.set(uri, doc);
    this.openByPath.set(path, doc);
    return doc;
  }

  changeDocument(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): OpenDocument | undefined {
    const doc = this.open.get(uri);
    if (!doc) return undefined;
    TextDocument.update(doc.document, changes, version);
    return doc;
  }

  closeDocument(uri: string): OpenDocument | undefined {
    const doc = this.open.get(uri);
    if (!doc) return undefined;
    this.open.delete(uri);
    if (this.openByPath.get(doc.path) === doc) this.openByPath.delete(doc.path);
    this.pruneAnalyses();
    return doc;
  }

  get(uri: string): OpenDocument | undefined {
    return this.open.get(uri);
  }

  openDocuments(): OpenDocument[] {
    return [...this.open.values()];
  }

  /** A starsystem document: starsystem.yaml, starsystem.<env>.yaml, or YAML whose first line is `# starsystem`. */
  isStarsystem(doc: OpenDocument): boolean {
    const name = basename(doc.path).toLowerCase();
    if (!/\.ya?ml$/.test(name) && doc.document.languageId !== 'yaml') return false;
    if (/^starsystem(\.[^.]+)?\.ya?ml$/.test(name)) return true;
    const text = doc.document.getText();
    const end = text.indexOf('\n');
    return FIRST_LINE_MARK.test(end === -1 ? text : text.slice(0, end));
  }

  uriOf(path: string): string {
    return this.openByPath.get(path)?.uri ?? pathToFileURL(path).href;
  }

  /** The parse of a document's current version (made once per version). */
  parsed(doc: OpenDocument): ParsedFile {
    const version = doc.document.version;
    if (doc.parsed?.version !== version) {
      doc.parsed = { version, file: parseFile(doc.path, doc.document.getText(), doc.cache) };
    }
    return doc.parsed.file;
  }

  /** The current parse of a file: the open document's, else the file on disk. */
  parsedPath(path: string): ParsedFile | undefined {
    const doc = this.openByPath.get(path);
    if (doc) return this.parsed(doc);
    return isAbsolute(path) ? this.disk.get(path) : undefined;
  }

  private exists(path: string): boolean {
    return this.openByPath.has(path) || (isAbsolute(path) && this.disk.exists(path));
  }

  roleOf(path: string): Role {
    const m = OVERLAY_NAME.exec(basename(path));
    if (m) {
      const dir = dirname(path);
      const candidates = [join(dir, `${m[1]}.yaml`), join(dir, `${m[1]}.yml`)];
      const base = candidates.find((p) => this.exists(p));
      if (base) return { role: 'overlay', basePath: base, env: m[2] };
      if (m[1]!.toLowerCase() === 'starsystem') return { role: 'overlay', basePath: candidates[0]!, env: m[2] };
    }
    return { role: 'base', basePath: path };
  }

  /** Everything the features need about a document at its current version. */
  snapshot(uri: string): DocumentSnapshot | undefined {
    const doc = this.open.get(uri);
    if (!doc || !this.isStarsystem(doc)) return undefined;
    const file = this.parsed(doc);
    const role = this.roleOf(doc.path);
    let model: SystemModel | undefined;
    let env: string;
    if (role.role === 'base') {
      env = this.env;
      model = this.analysis(file, this.parsedPath(overlayPathFor(doc.path, env)), env);
    } else {
      env = role.env!;
      const base = this.parsedPath(role.basePath);
      model = base ? this.analysis(base, file, env) : undefined;
    }
    return {
      uri,
      path: doc.path,
      version: doc.document.version,
      file,
      role: role.role,
      env,
      model,
      basePath: role.basePath,
      family: () => this.family(role.basePath),
    };
  }

  /** The system model of a base file with an overlay: made once per pair of versions (and vault listing). */
  private analysis(base: ParsedFile, overlay: ParsedFile | undefined, env: string): SystemModel {
    const id = `${base.path}\u0000${env}`;
    const vaultGeneration = this.options.vaultGeneration();
    const cached = this.analyses.get(id);
    if (cached && cached.base === base && cached.overlay === overlay && cached.vaultGeneration === vaultGeneration) return cached.model;
    const model = analyze(base, overlay, { env, registry: this.options.registry, vaultHas: this.options.vaultHas(), fileExists: existsSync });
    this.analyses.set(id, { base, overlay, vaultGeneration, model });
    return model;
  }

  /** The base file and every overlay beside it (`NAME.<env>.yaml`), open or on disk. */
  family(basePath: string): FamilyFile[] {
    const out: FamilyFile[] = [];
    const base = this.parsedPath(basePath);
    if (base) out.push({ file: base, role: 'base' });
    const dir = dirname(basePath);
    const stem = basename(basePath).replace(/\.ya?ml$/i, '');
    const names = new Set(isAbsolute(basePath) ? this.disk.list(dir) : []);
    for (const doc of this.open.values()) if (dirname(doc.path) === dir) names.add(basename(doc.path));
    for (const name of [...names].sort()) {
      const m = OVERLAY_NAME.exec(name);
      if (!m || m[1] !== stem) continue;
      const file = this.parsedPath(join(dir, name));
      if (file) out.push({ file, role: 'overlay' });
    }
    return out;
  }

  /** Open documents whose diagnostics depend on a file: itself, its overlays, or the base it overlays. */
  dependents(path: string): OpenDocument[] {
    return this.openDocuments().filter((doc) => {
      if (doc.path === path) return true;
      if (!this.isStarsystem(doc)) return false;
      const role = this.roleOf(doc.path);
      if (role.role === 'overlay') return role.basePath === path;
      return overlayPathFor(doc.path, this.env) === path;
    });
  }

  /** Forget analyses no open document uses. */
  private pruneAnalyses(): void {
    const used = new Set<string>();
    for (const doc of this.open.values()) {
      const role = this.roleOf(doc.path);
      used.add(`${role.basePath}\u0000${role.role === 'base' ? this.env : role.env}`);
    }
    for (const id of this.analyses.keys()) if (!used.has(id)) this.analyses.delete(id);
  }

  close(): void {
    this.disk.close();
  }
}

/**
 * The file path of a `file:` URI. A document that is not a file (an untitled editor) keeps
 * its URI as its name: it is validated on its own, with nothing read from disk beside it.
 */
export function pathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return /^[a-z][a-z0-9+.-]*:/i.test(uri) ? uri : undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}
