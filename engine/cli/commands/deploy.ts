/** `ss deploy`: provisioning for services that name their provisioner (provision.provider or target.type). */
import { COMMON, type CommandSpec } from '../command';
import { runProvision } from './provision';

export const deployCommand: CommandSpec = {
  path: ['deploy'],
  summary: 'Deploy the services that name a provisioner (target.type or provision.provider), usually with --env.',
  usage: 'ss deploy [FILE] [--env=ENV] [--service=ID] [--no-deps] [--concurrency=N] [--dry-run] [--remove-orphans] [--json]',
  details: [
    'The same run as ss provision, for services routed to a provider by name (target.type in a',
    'version "2" overlay, or provision.provider). Local processes and services routed by their shape',
    'are left to ss provision. Credentials a provider returns go to the vault (<service>.<NAME>),',
    'its record to the overlay\'s _state block, and the run to a receipt (ss inspect).',
    'Exits 0 when every service is up, 1 when one failed.',
  ].join('\n'),
  options: {
    env: COMMON.env,
    service: COMMON.service,
    'no-deps': { type: 'boolean', description: 'With --service: leave out the services it depends on.' },
    concurrency: { type: 'string', value: 'N', description: 'Services deployed at once (default 4).' },
    'dry-run': { type: 'boolean', description: 'Show the plan; change nothing.' },
    'remove-orphans': { type: 'boolean', description: 'Also destroy services that are recorded but no longer declared.' },
    json: COMMON.json,
  },
  positionals: { max: 1 },
  run: (ctx) => runProvision(ctx, 'deploy'),
};
