/**
 * Starting the Starsystem language server (dist/server.js over IPC) and telling it, through
 * an experimental client capability, which command ids its CodeLenses should carry.
 */
import { extensions, workspace, type Diagnostic as VsDiagnostic, type ExtensionContext, type Uri } from 'vscode';
import {
  LanguageClient,
  TransportKind,
  type ClientCapabilities,
  type FeatureState,
  type LanguageClientOptions,
  type ServerOptions,
  type StaticFeature,
} from 'vscode-languageclient/node';
import { activeEnvironment, readSettings } from './settings';
import { TraceChannel } from './traceChannel';

/** The command ids the server's CodeLenses use (server/service/types.ts `LensCommands`); the client registers each. */
export const CODELENS_COMMANDS = {
  provisionService: 'starsystem.provisionService',
  provisionAll: 'starsystem.provisionAll',
  plan: 'starsystem.showPlan',
} as const;

/** The experimental client capability the server reads: `experimental.starsystem.commands`. */
export const EXPERIMENTAL_CAPABILITY = 'starsystem';

/** Diagnostics a JSON Schema can express; the Red Hat YAML extension reports them from our contributed schema. */
const SCHEMA_LEVEL_CODES = new Set(['yaml-syntax', 'duplicate-key', 'schema-type', 'schema-required', 'schema-value', 'unknown-key']);

class CommandIdsFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.experimental = {
      ...(capabilities.experimental as object | undefined),
      [EXPERIMENTAL_CAPABILITY]: { commands: { ...CODELENS_COMMANDS } },
    };
  }
  initialize(): void {}
  getState(): FeatureState {
    return { kind: 'static' };
  }
  clear(): void {}
}

/**
 * When the Red Hat YAML extension validates starsystem files with the schema this extension
 * contributes, it already reports what a schema can say; we leave those to it and keep what
 * only Starsystem knows (references, cycles, providers, vault keys), so nothing shows twice.
 */
export function redHatYamlValidates(): boolean {
  const yaml = extensions.getExtension('redhat.vscode-yaml');
  if (!yaml) return false;
  return workspace.getConfiguration('yaml').get<boolean>('validate', true) !== false;
}

export function withoutSchemaDuplicates(diagnostics: readonly VsDiagnostic[], yamlValidates: boolean): VsDiagnostic[] {
  if (!yamlValidates) return [...diagnostics];
  return diagnostics.filter((d) => {
    const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
    return !(d.source === 'starsystem' && typeof code === 'string' && SCHEMA_LEVEL_CODES.has(code));
  });
}

export function createLanguageClient(context: ExtensionContext): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const settings = readSettings();
  const env = { ...process.env, STARSYSTEM_HOME: settings.home };
  const trace = new TraceChannel('Starsystem Language Server Trace');
  context.subscriptions.push(trace);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    // Every YAML file: the server decides which are starsystem files (by name, or a `# starsystem` first line).
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'untitled', language: 'yaml' },
    ],
    synchronize: { configurationSection: 'starsystem' },
    traceOutputChannel: trace,
    initializationOptions: { environment: activeEnvironment(settings), home: settings.home },
    middleware: {
      handleDiagnostics(uri: Uri, diagnostics: VsDiagnostic[], next) {
        next(uri, withoutSchemaDuplicates(diagnostics, redHatYamlValidates()));
      },
    },
  };
  const client = new LanguageClient('starsystem', 'Starsystem Language Server', serverOptions, clientOptions);
  client.registerFeature(new CommandIdsFeature());
  return client;
}
