/**
 * CodeLenses: above each service its plan row (`+ will create · local-process`,
 * `~ running · pid 9103`, `• skipped: no provisioner`) and `Provision service`; above
 * `services:` `Provision all` and `Plan`. The plan rows are filled in on resolve, so a file
 * of thousands of services answers at once and only the visible rows are computed.
 */
import type { CodeLens, Command } from 'vscode-languageserver';
import { planLine } from './planText';
import type { DocumentSnapshot, RecordedState, ServiceFacts } from './types';

/** What a lens carries until it is resolved. */
export interface LensData {
  uri: string;
  serviceId: string;
}

/** The arguments of every lens command: one object, so that fields can be added later. */
export interface LensArguments {
  /** The document the lens is in. */
  uri: string;
  /** The base file (starsystem.yaml) of the system. */
  configPath: string;
  /** The environment the lens was computed for. */
  environment: string;
  /** The service, for per-service commands. */
  serviceId?: string;
}

export function codeLenses(snapshot: DocumentSnapshot, facts: ServiceFacts): CodeLens[] {
  const model = snapshot.model;
  if (!model) return [];
  const file = snapshot.file;
  const lenses: CodeLens[] = [];
  const args = (serviceId?: string): LensArguments[] => [
    { uri: snapshot.uri, configPath: model.configPath, environment: snapshot.env, ...(serviceId ? { serviceId } : {}) },
  ];
  if (file.servicesKey) {
    const key = file.servicesKey;
    const range = file.lines.range(key.base + key.keySpan[0], key.base + key.keySpan[1]);
    if (facts.commands.provisionAll) lenses.push({ range, command: { title: 'Provision all', command: facts.commands.provisionAll, arguments: args() } });
    if (facts.commands.plan) lenses.push({ range, command: { title: 'Plan', command: facts.commands.plan, arguments: args() } });
  }
  for (const entry of file.services) {
    if (!model.byId.has(entry.id)) continue;
    const range = file.lines.range(entry.base + entry.keySpan[0], entry.base + entry.keySpan[1]);
    const data: LensData = { uri: snapshot.uri, serviceId: entry.id };
    lenses.push({ range, data });
    if (facts.commands.provisionService) {
      lenses.push({ range, command: { title: 'Provision service', command: facts.commands.provisionService, arguments: args(entry.id) } });
    }
  }
  return lenses;
}

/** The plan row of a service lens; the title only (no command) when the client gave no plan command. */
export function resolveCodeLens(lens: CodeLens, snapshot: DocumentSnapshot, facts: ServiceFacts, state: RecordedState): CodeLens {
  const data = lens.data as LensData | undefined;
  const service = data ? snapshot.model?.byId.get(data.serviceId) : undefined;
  if (!service || !snapshot.model) return { ...lens, command: { title: '', command: '' } };
  const { text } = planLine(service, facts.registry, state, facts.processAlive);
  const command: Command = facts.commands.plan
    ? {
        title: text,
        command: facts.commands.plan,
        arguments: [{ uri: snapshot.uri, configPath: snapshot.model.configPath, environment: snapshot.env, serviceId: service.id } satisfies LensArguments],
      }
    : { title: text, command: '' };
  return { range: lens.range, command };
}
