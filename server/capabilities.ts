/**
 * What client and server tell each other at `initialize`.
 *
 * The client names the commands the CodeLenses run through an experimental client
 * capability (the server itself runs nothing):
 *
 *   capabilities.experimental.starsystem = {
 *     commands: {
 *       provisionService?: string,  // "Provision service", above each service
 *       provisionAll?: string,      // "Provision all", above `services:`
 *       plan?: string,              // "Plan" above `services:`; also run by clicking a service's plan row
 *     }
 *   }
 *
 * Each command receives one argument, `LensArguments` (server/service/codeLens.ts):
 * `{ uri, configPath, environment, serviceId? }` — the document, its base file, the
 * environment the lens was computed for, and the service for per-service lenses. A lens
 * whose command the client did not name is shown as plain text (plan rows) or left out.
 *
 * The active environment: `initializationOptions.environment`, then the setting
 * `starsystem.environment` (pushed with `workspace/didChangeConfiguration`, or pulled with
 * `workspace/configuration`); "local" when neither is given.
 */
import {
  CodeActionKind,
  TextDocumentSyncKind,
  type ClientCapabilities,
  type InitializeParams,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { COMPLETION_TRIGGERS } from './service/completion';
import type { LensCommands } from './service/types';

export const SETTINGS_SECTION = 'starsystem';

export interface ClientFeatures {
  commands: LensCommands;
  snippets: boolean;
  codeLensRefresh: boolean;
  configurationPull: boolean;
  configurationRegistration: boolean;
  initialEnvironment?: string;
}

export function clientFeatures(params: InitializeParams): ClientFeatures {
  const caps: ClientCapabilities = params.capabilities ?? {};
  const experimental = (caps.experimental ?? {}) as { starsystem?: { commands?: Record<string, unknown> } };
  const given = experimental.starsystem?.commands ?? {};
  const commands: LensCommands = {};
  for (const name of ['provisionService', 'provisionAll', 'plan'] as const) {
    const id = given[name];
    if (typeof id === 'string' && id !== '') commands[name] = id;
  }
  const options = (params.initializationOptions ?? {}) as { environment?: unknown };
  return {
    commands,
    snippets: caps.textDocument?.completion?.completionItem?.snippetSupport === true,
    codeLensRefresh: caps.workspace?.codeLens?.refreshSupport === true,
    configurationPull: caps.workspace?.configuration === true,
    configurationRegistration: caps.workspace?.didChangeConfiguration?.dynamicRegistration === true,
    initialEnvironment: environmentSetting(options.environment),
  };
}

/** A usable environment name, or undefined. */
export function environmentSetting(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_-]+$/.test(value.trim()) ? value.trim() : undefined;
}

export function serverCapabilities(): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: false },
    hoverProvider: true,
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: { prepareProvider: true },
    documentSymbolProvider: true,
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
    codeLensProvider: { resolveProvider: true },
  };
}
