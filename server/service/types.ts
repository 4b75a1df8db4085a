/**
 * What the language service works on: a snapshot of one document (its parse for one
 * version and the system model it is validated in) and the facts from outside the files
 * (provisioners, vault key names, recorded state). Every feature is a pure function of
 * these; the server builds them and keeps them per version.
 */
import type { SystemModel } from '../../engine/config/model';
import type { ParsedFile } from '../../engine/config/parse';
import type { ProvisionerRegistry } from '../../engine/provisioners/registry';
import type { ServiceState } from '../../engine/run/state';

export type DocumentRole = 'base' | 'overlay';

export interface DocumentSnapshot {
  uri: string;
  path: string;
  version: number;
  file: ParsedFile;
  role: DocumentRole;
  /** The environment the document is validated in: the active one for a base file, its own for an overlay. */
  env: string;
  /** The base file validated with this environment's overlay; undefined when an overlay's base file is missing. */
  model?: SystemModel;
  /** The base file's path (for an overlay whose base is missing, where it was looked for). */
  basePath: string;
  /** The base file and every overlay beside it, for navigation and rename across files (read on demand). */
  family(): FamilyFile[];
}

export interface FamilyFile {
  file: ParsedFile;
  role: DocumentRole;
}

/**
 * Command ids the CodeLenses use, given by the client (see server/capabilities.ts). A lens
 * whose command the client did not name is shown as text only.
 */
export interface LensCommands {
  provisionService?: string;
  provisionAll?: string;
  plan?: string;
}

export interface ServiceFacts {
  registry: ProvisionerRegistry;
  /** Names of the keys set in the vault; undefined when the vault cannot be listed. */
  vaultKeys: ReadonlySet<string> | undefined;
  /** Whether a recorded process is still the one that was started (pid + start time). */
  processAlive(pid: number, startTime: string | undefined): boolean;
  commands: LensCommands;
  uriOf(path: string): string;
  /** The client accepts snippets in completions. */
  snippets: boolean;
}

/** Recorded state of the snapshot's system (project + environment), by service id. */
export type RecordedState = ReadonlyMap<string, ServiceState>;
