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
import { experimentalCapability } from './lensCommands';
import { withoutSchemaDuplicates } from './schemaDuplicates';
import { activeEnvironment, readSettings } from './settings';
import type { TraceChannel } from './traceChannel';
import { serverExecArgv } from '../server/launch';

class CommandIdsFeature implements StaticFeature {
  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.experimental = {
      ...(capabilities.experimental as object | undefined),
      ...experimentalCapability(),
    };
  }
  initialize(): void {}
  getState(): FeatureState {
    return { kind: 'static' };
  }
  clear(): void {}
}

/** Whether the Red Hat YAML extension is installed and validating (then it reports schema problems itself). */
export function redHatYamlValidates(): boolean {
  const yaml = extensions.getExtension('redhat.vscode-yaml');
  if (!yaml) return false;
  return workspace.getConfiguration('yaml').get<boolean>('validate', true) !== false;
}

export function createLanguageClient(context: ExtensionContext, trace: TraceChannel): LanguageClient {
  const module = context.asAbsolutePath('dist/server.js');
  const settings = readSettings();
  const env = { ...process.env, STARSYSTEM_HOME: settings.home };
  const execArgv = serverExecArgv(settings.serverMaxMemoryMb);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env, execArgv } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: [...execArgv, '--nolazy', '--inspect=6009'] } },
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
