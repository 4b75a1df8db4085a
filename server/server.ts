/**
 * The language server: LSP wiring over the pure language service (server/service/). It
 * keeps the documents, validates as you type, watches the vault's key names and the recorded
 * state, and answers requests from the shared parse of each version. It never runs a
 * provisioner, never spawns, never writes a file and never decrypts a vault value.
 */
import {
  CodeLensRefreshRequest,
  DidChangeConfigurationNotification,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { processMatches } from '../engine/run/processes';
import type { ProvisionerRegistry } from '../engine/provisioners/registry';
import { clientFeatures, environmentSetting, serverCapabilities, SETTINGS_SECTION, type ClientFeatures } from './capabilities';
import { RecordedStateIndex } from './recordedState';
import { ValidationQueue } from './scheduler';
import { codeActions } from './service/codeActions';
import { codeLenses, resolveCodeLens, type LensData } from './service/codeLens';
import { completions } from './service/completion';
import { documentDiagnostics } from './service/diagnostics';
import { hover } from './service/hover';
import { definition, prepareRename, references, rename } from './service/navigation';
import { documentSymbols } from './service/symbols';
import type { DocumentSnapshot, RecordedState, ServiceFacts } from './service/types';
import { VaultKeyIndex } from './vaultKeys';
import { pathOfUri, Workspace } from './workspace';

export interface ServerOptions {
  /** STARSYSTEM_HOME: where the vault's key names and the recorded state are read. */
  home: string;
  registry: ProvisionerRegistry;
  /** Edits received and not applied yet (from the transport), so bursts fold into one validation. */
  pendingEdits?: () => number;
  /** Called when an edit has been applied. */
  onEditApplied?: () => void;
  processAlive?: (pid: number, startTime: string | undefined) => boolean;
  /** How often recorded local processes are checked for liveness (CodeLens refresh); 0 disables. */
  livenessIntervalMs?: number;
}

const cancelled = () => new ResponseError(LSPErrorCodes.RequestCancelled, 'The request was cancelled.');
const modified = () => new ResponseError(LSPErrorCodes.ContentModified, 'The document changed; ask again.');

export function startServer(connection: Connection, options: ServerOptions): { dispose(): void } {
  let client: ClientFeatures = { commands: {}, snippets: false, codeLensRefresh: false, configurationPull: false, configurationRegistration: false };
  let environmentFromOptions = false;
  const processAlive = options.processAlive ?? processMatches;

  const vault = new VaultKeyIndex(options.home, () => revalidateAll(true));
  const recorded = new RecordedStateIndex(options.home, () => refreshLenses());
  const workspace = new Workspace({
    registry: options.registry,
    vaultHas: () => {
      const keys = vault.keys;
      return keys ? (key) => keys.has(key) : undefined;
    },
    vaultGeneration: () => vault.generation,
    onDiskChange: (path) => {
      for (const doc of workspace.dependents(path)) queue.add(doc.uri);
      refreshLenses();
    },
  });
  // Validation waits for the first listing of the vault's key names, so that the first
  // diagnostics already say which keys are not set.
  let ready = false;
  const queue = new ValidationQueue(
    (uri) => publish(uri),
    () => (ready ? (options.pendingEdits?.() ?? 0) : 1),
    (error, uri) => connection.console.error(`Validating ${uri} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
  );
  void vault.start().then(() => {
    ready = true;
    queue.kick();
  });

  const facts = (): ServiceFacts => ({
    registry: options.registry,
    vaultKeys: vault.keys,
    processAlive,
    commands: client.commands,
    uriOf: (path) => workspace.uriOf(path),
    snippets: client.snippets,
  });

  /** Documents whose last published diagnostics were not empty. */
  const shown = new Set<string>();

  function publish(uri: string): void {
    const doc = workspace.get(uri);
    if (!doc) return;
    const snapshot = workspace.snapshot(uri);
    const diagnostics = snapshot ? documentDiagnostics(snapshot, facts()) : [];
    if (diagnostics.length > 0) shown.add(uri);
    else shown.delete(uri);
    void connection.sendDiagnostics({ uri, version: doc.document.version, diagnostics });
  }

  /** Other YAML files are answered once when opened; afterwards only a starsystem document (or one that was) is validated. */
  function concerns(uri: string): boolean {
    const doc = workspace.get(uri);
    return doc !== undefined && (shown.has(uri) || workspace.isStarsystem(doc));
  }

  function revalidateAll(lenses: boolean): void {
    for (const doc of workspace.openDocuments()) if (concerns(doc.uri)) queue.add(doc.uri);
    if (lenses) refreshLenses();
  }

  function refreshLenses(): void {
    if (client.codeLensRefresh) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
  }

  function setEnvironment(env: string | undefined): void {
    const next = env ?? 'local';
    if (next === workspace.env) return;
    workspace.env = next;
    revalidateAll(true);
  }

  async function stateOf(snapshot: DocumentSnapshot): Promise<RecordedState> {
    return snapshot.model ? recorded.get(snapshot.model.project, snapshot.env) : new Map();
  }

  /** The snapshot for a request, or undefined when the document is not a starsystem document. */
  function snapshotFor(uri: string, token: CancellationToken): DocumentSnapshot | undefined {
    if (token.isCancellationRequested) throw cancelled();
    return workspace.snapshot(uri);
  }

  /** After waiting, an answer for an overtaken version is refused so the client asks again. */
  function checkCurrent(snapshot: DocumentSnapshot, token: CancellationToken): void {
    if (token.isCancellationRequested) throw cancelled();
    if (workspace.get(snapshot.uri)?.document.version !== snapshot.version) throw modified();
  }

  // Recorded local processes can stop without any file changing: their plan rows are checked now and then.
  let liveness: Map<number, boolean> = new Map();
  const livenessTimer =
    (options.livenessIntervalMs ?? 5000) > 0
      ? setInterval(() => {
          if (!client.codeLensRefresh) return;
          const next = new Map<number, boolean>();
          for (const state of recorded.loaded()) {
            for (const s of state.values()) {
              const pid = s.record?.metadata?.pid;
              if (typeof pid === 'number') next.set(pid, processAlive(pid, s.record?.metadata?.startTime as string | undefined));
            }
          }
          const changed = next.size !== liveness.size || [...next].some(([pid, alive]) => liveness.get(pid) !== alive);
          liveness = next;
          if (changed) refreshLenses();
        }, options.livenessIntervalMs ?? 5000)
      : undefined;
  livenessTimer?.unref();

  connection.onInitialize((params): InitializeResult => {
    client = clientFeatures(params);
    if (client.initialEnvironment) {
      workspace.env = client.initialEnvironment;
      environmentFromOptions = true;
    }
    return { capabilities: serverCapabilities(), serverInfo: { name: 'starsystem-language-server', version: '0.1.0' } };
  });

  connection.onInitialized(() => {
    if (client.configurationRegistration) {
      void connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION }).catch(() => undefined);
    }
    if (client.configurationPull && !environmentFromOptions) void pullEnvironment();
  });

  async function pullEnvironment(): Promise<void> {
    try {
      const [settings] = (await connection.workspace.getConfiguration([{ section: SETTINGS_SECTION }])) as [{ environment?: unknown } | null];
      setEnvironment(environmentSetting(settings?.environment));
    } catch {
      // The client could not answer; keep the environment as it is.
    }
  }

  connection.onDidChangeConfiguration((params) => {
    const settings = (params.settings ?? {}) as { starsystem?: { environment?: unknown } };
    if (settings.starsystem && 'environment' in settings.starsystem) setEnvironment(environmentSetting(settings.starsystem.environment));
    else if (client.configurationPull) void pullEnvironment();
  });

  connection.onDidOpenTextDocument(({ textDocument }) => {
    const doc = workspace.openDocument(textDocument.uri, textDocument.languageId, textDocument.version, textDocument.text);
    if (!doc) return;
    for (const dependent of workspace.dependents(doc.path)) queue.add(dependent.uri);
  });

  connection.onDidChangeTextDocument(({ textDocument, contentChanges }) => {
    options.onEditApplied?.();
    const doc = workspace.changeDocument(textDocument.uri, textDocument.version, contentChanges);
    if (doc && concerns(doc.uri)) {
      for (const dependent of workspace.dependents(doc.path)) if (dependent !== doc) queue.add(dependent.uri);
      queue.add(doc.uri);
    }
    queue.kick();
  });

  connection.onDidCloseTextDocument(({ textDocument }) => {
    const doc = workspace.closeDocument(textDocument.uri);
    queue.delete(textDocument.uri);
    if (shown.delete(textDocument.uri)) void connection.sendDiagnostics({ uri: textDocument.uri, diagnostics: [] });
    // The file on disk takes its place for the documents that use it.
    if (doc) {
      workspace.disk.invalidate(doc.path);
      for (const dependent of workspace.dependents(doc.path)) queue.add(dependent.uri);
    }
  });

  connection.onDidChangeWatchedFiles(({ changes }) => {
    for (const change of changes) {
      const path = pathOfUri(change.uri);
      if (!path) continue;
      workspace.disk.invalidate(path);
      for (const doc of workspace.dependents(path)) if (doc.path !== path) queue.add(doc.uri);
    }
  });

  connection.onCompletion((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? completions(snapshot, facts(), params.position, params.context?.triggerCharacter) : null;
  });

  connection.onHover(async (params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    if (!snapshot) return null;
    const state = await stateOf(snapshot);
    checkCurrent(snapshot, token);
    return hover(snapshot, facts(), state, params.position);
  });

  connection.onDefinition((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? definition(snapshot, facts(), params.position) : null;
  });

  connection.onReferences((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? references(snapshot, facts(), params.position, params.context.includeDeclaration) : null;
  });

  connection.onPrepareRename((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? prepareRename(snapshot, params.position) : null;
  });

  connection.onRenameRequest((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? rename(snapshot, facts(), params.position, params.newName) : null;
  });

  connection.onDocumentSymbol((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? documentSymbols(snapshot) : null;
  });

  connection.onCodeAction((params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    return snapshot ? codeActions(snapshot, facts(), params.range, params.context.only) : null;
  });

  connection.onCodeLens(async (params, token) => {
    const snapshot = snapshotFor(params.textDocument.uri, token);
    if (!snapshot) return null;
    // Read the recorded state now, so that resolving the rows does not wait for it.
    await stateOf(snapshot);
    checkCurrent(snapshot, token);
    return codeLenses(snapshot, facts());
  });

  connection.onCodeLensResolve(async (lens, token) => {
    const data = lens.data as LensData | undefined;
    if (!data) return lens;
    const snapshot = snapshotFor(data.uri, token);
    if (!snapshot) return { ...lens, command: { title: '', command: '' } };
    const state = await stateOf(snapshot);
    if (token.isCancellationRequested) throw cancelled();
    return resolveCodeLens(lens, workspace.snapshot(data.uri) ?? snapshot, facts(), state);
  });

  let disposed = false;
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    queue.dispose();
    vault.close();
    recorded.close();
    workspace.close();
    if (livenessTimer) clearInterval(livenessTimer);
  };
  connection.onShutdown(() => dispose());
  return { dispose };
}
