/**
 * `ss provision`: prints the plan, then brings the system up, printing each service's
 * progress as it happens. Also the progress rendering `deploy` and `destroy` share.
 */
import { basename, dirname } from 'node:path';
import { DEFAULT_CONFIG_NAMES } from '../../config/load';
import { InvalidConfigError } from '../../ops/context';
import { provision, type ProvisionRun } from '../../ops/provision';
import { formatDuration } from '../../run/duration';
import { COMMON, EXIT_FAILURE, EXIT_OK, flag, listOption, stringOption, type CommandContext, type CommandSpec } from '../command';
import { styleFor, type Style } from '../io';
import { displayPath } from '../render';
import { commandLine, opsOptions, parseConcurrency, progressPrinter, reportInvalid, summaryCounts } from '../operations';
import { runStatus } from './status';

export const provisionCommand: CommandSpec = {
  path: ['provision'],
  summary: 'Bring the services up: create what is missing, verify what exists (in dependency order).',
  usage: 'ss provision [FILE] [--env=ENV] [--service=ID] [--no-deps] [--concurrency=N] [--dry-run] [--remove-orphans] [--status] [--json]',
  details: [
    'Prints the plan, then provisions services in depends_on order, each as soon as its dependencies',
    'are done (up to --concurrency at once). A failure stops the services that depend on it, not the',
    'others. Re-running is safe: what exists is verified, not created again.',
    'Exits 0 when every service is up, 1 when one failed, 130 when cancelled (Ctrl-C).',
    '--status checks the health of provisioned services instead (same as ss status).',
  ].join('\n'),
  options: {
    env: COMMON.env,
    service: COMMON.service,
    'no-deps': { type: 'boolean', description: 'With --service: leave out the services it depends on.' },
    concurrency: { type: 'string', value: 'N', description: 'Services provisioned at once (default 4).' },
    'dry-run': { type: 'boolean', description: 'Show the plan; change nothing.' },
    'remove-orphans': { type: 'boolean', description: 'Also destroy services that are recorded but no longer declared.' },
    status: { type: 'boolean', description: 'Check the health of provisioned services instead (ss status).' },
    json: COMMON.json,
  },
  positionals: { max: 1 },
  async run(ctx) {
    if (flag(ctx, 'status')) return runStatus(ctx);
    return runProvision(ctx, 'provision');
  },
};

/** provision and deploy: the same run, told apart by which services they act on. */
export async function runProvision(ctx: CommandContext, operation: 'provision' | 'deploy'): Promise<number> {
  const json = flag(ctx, 'json');
  const style = styleFor(ctx.io);
  const concurrency = parseConcurrency(stringOption(ctx, 'concurrency'));
  const render = json ? undefined : progressPrinter(ctx.io, style, operation);
  let run: ProvisionRun;
  try {
    run = await provision({
      ...opsOptions(ctx, commandLine(operation, ctx)),
      operation,
      services: listOption(ctx, 'service'),
      noDeps: flag(ctx, 'no-deps'),
      concurrency,
      dryRun: flag(ctx, 'dry-run'),
      removeOrphans: flag(ctx, 'remove-orphans'),
      onEvent: render,
    });
  } catch (error) {
    if (error instanceof InvalidConfigError) return reportInvalid(ctx, error);
    throw error;
  }
  if (json) {
    ctx.io.stdout.write(JSON.stringify(run, null, 2) + '\n');
  } else {
    ctx.io.stdout.write(runSummaryText(run, style, ctx.io.cwd));
  }
  if (run.status === 'planned' || run.status === 'completed') return EXIT_OK;
  return EXIT_FAILURE;
}

function runSummaryText(run: ProvisionRun, style: Style, cwd: string): string {
  const name = run.operation === 'deploy' ? 'Deploy' : 'Provision';
  const lines: string[] = [];
  if (run.dryRun) return 'Dry run: nothing was changed.\n';
  lines.push('');
  const orphans = run.services.filter((s) => s.outcome === 'orphan');
  for (const o of orphans) lines.push(`${style.yellow('!')} ${o.serviceId} is recorded but no longer declared; ss destroy --service=${o.serviceId} or --remove-orphans removes it.`);
  const took = formatDuration(run.durationMs);
  if (run.status === 'completed') lines.push(`${style.green('✓')} ${name} complete: ${summaryCounts(run.summary)} (${took})`);
  else if (run.status === 'cancelled') lines.push(`${style.yellow('✗')} ${name} cancelled: ${summaryCounts(run.summary)} (${took})`);
  else lines.push(`${style.red('✗')} ${name} failed: ${summaryCounts(run.summary)} (${took})`);
  for (const warning of run.warnings) lines.push(`${style.yellow('warning:')} ${warning}`);
  if (run.runId) {
    // The command that finds this receipt again from the same folder.
    const file = dirname(run.configPath) === cwd && DEFAULT_CONFIG_NAMES.includes(basename(run.configPath)) ? '' : ` --file=${displayPath(run.configPath, cwd)}`;
    lines.push(style.dim(`Receipt ${run.runId.slice(0, 8)}: ss inspect ${run.runId.slice(0, 8)}${run.env === 'local' ? '' : ` --env=${run.env}`}${file}`));
  }
  return lines.join('\n') + '\n';
}
