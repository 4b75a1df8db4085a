/** `ss destroy`: tear down recorded services, dependants first; confirmation on a terminal, --yes otherwise. */
import { destroy, type DestroyPlan } from '../../ops/destroy';
import { formatDuration } from '../../run/duration';
import { COMMON, EXIT_FAILURE, EXIT_OK, flag, listOption, stringOption, type CommandSpec } from '../command';
import { styleFor, type CliIO, type Style } from '../io';
import { commandLine, opsOptions, parseConcurrency, progressPrinter } from '../operations';

export const destroyCommand: CommandSpec = {
  path: ['destroy'],
  summary: 'Tear down provisioned services (dependants first). Irreversible.',
  usage: 'ss destroy [FILE] [--env=ENV] [--service=ID] [--yes] [--dry-run] [--json]',
  details: [
    'Stops processes and deletes provider resources that are recorded for the environment, in',
    'reverse dependency order, and forgets them (state record, overlay _state block, the credentials',
    'their provisioners wrote). --service=ID destroys that service and every recorded service that',
    'depends on it. On a terminal it asks first; elsewhere it needs --yes.',
  ].join('\n'),
  options: {
    env: COMMON.env,
    service: COMMON.service,
    yes: { type: 'boolean', short: 'y', description: 'Do not ask for confirmation.' },
    'dry-run': { type: 'boolean', description: 'Show what would be destroyed; change nothing.' },
    concurrency: { type: 'string', value: 'N', description: 'Services torn down at once (default 4).' },
    json: COMMON.json,
  },
  positionals: { max: 1 },
  async run(ctx) {
    const json = flag(ctx, 'json');
    const style = styleFor(ctx.io);
    const yes = flag(ctx, 'yes');
    const dryRun = flag(ctx, 'dry-run');
    const interactive = Boolean(ctx.io.stdin.isTTY) && !json;
    let refusedFor: DestroyPlan | undefined;
    const run = await destroy({
      ...opsOptions(ctx, commandLine('destroy', ctx)),
      services: listOption(ctx, 'service'),
      concurrency: parseConcurrency(stringOption(ctx, 'concurrency')),
      dryRun,
      onEvent: json ? undefined : progressPrinter(ctx.io, style, 'destroy'),
      confirm: async (plan) => {
        if (!json) ctx.io.stdout.write(renderTargets(plan, style));
        if (yes) return true;
        if (!interactive) {
          refusedFor = plan;
          return false;
        }
        return askYesNo(ctx.io, `Destroy ${countOf(plan)} in ${plan.project}${plan.env === 'local' ? '' : ` (env ${plan.env})`}? This cannot be undone. [y/N] `);
      },
    });
    if (json) {
      ctx.io.stdout.write(JSON.stringify(refusedFor ? { ...run, status: 'refused', message: 'no terminal to confirm on; pass --yes' } : run, null, 2) + '\n');
      return run.status === 'completed' || run.status === 'nothing-to-do' || run.status === 'planned' ? EXIT_OK : EXIT_FAILURE;
    }
    const lines: string[] = [];
    switch (run.status) {
      case 'nothing-to-do':
        for (const id of run.plan.notRecorded) lines.push(`${id} is not provisioned; nothing to destroy.`);
        if (run.plan.notRecorded.length === 0) lines.push('Nothing is provisioned; nothing to destroy.');
        return write(ctx.io, lines, EXIT_OK);
      case 'planned':
        lines.push('Dry run: nothing was destroyed.');
        return write(ctx.io, lines, EXIT_OK);
      case 'declined':
        if (refusedFor) {
          ctx.io.stderr.write(`${style.red('error:')} ss destroy asks for confirmation, and there is no terminal to ask on; pass --yes to destroy without asking.\n`);
          return EXIT_FAILURE;
        }
        return write(ctx.io, ['Nothing was destroyed.'], EXIT_FAILURE);
      default: {
        lines.push('');
        const took = formatDuration(run.durationMs);
        const counts = `${run.summary.destroyed} destroyed, ${run.summary.failed} failed${run.summary.notStarted ? `, ${run.summary.notStarted} not started` : ''}`;
        if (run.status === 'completed') lines.push(`${style.green('✓')} Destroy complete: ${counts} (${took})`);
        else lines.push(`${style.red('✗')} Destroy ${run.status === 'cancelled' ? 'cancelled' : 'failed'}: ${counts} (${took})`);
        for (const w of run.warnings) lines.push(`${style.yellow('warning:')} ${w}`);
        return write(ctx.io, lines, run.status === 'completed' ? EXIT_OK : EXIT_FAILURE);
      }
    }
  },
};

function write(io: CliIO, lines: string[], code: number): number {
  io.stdout.write(lines.join('\n') + '\n');
  return code;
}

function countOf(plan: DestroyPlan): string {
  return `${plan.targets.length} service${plan.targets.length === 1 ? '' : 's'}`;
}

function renderTargets(plan: DestroyPlan, style: Style): string {
  const lines = [`Will destroy ${countOf(plan)}, in this order:`];
  const width = Math.max(...plan.targets.map((t) => t.serviceId.length));
  for (const t of plan.targets) {
    const why =
      t.reason === 'dependant'
        ? ' (depends on a service being destroyed)'
        : !t.declared
          ? ' (recorded, no longer declared)'
          : '';
    const resource = t.record ? `${t.provider} ${t.record.resourceId}` : `${t.provider} (nothing created yet)`;
    lines.push(`  ${style.red('-')} ${t.serviceId.padEnd(width)}  ${resource}${style.dim(why)}`);
  }
  for (const id of plan.notRecorded) lines.push(`  ${style.dim('•')} ${id.padEnd(width)}  ${style.dim('not provisioned')}`);
  return lines.join('\n') + '\n';
}

/** One line from the terminal; only "y" or "yes" agrees. */
async function askYesNo(io: CliIO, question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline');
  const rl = createInterface({ input: io.stdin, output: io.stdout as NodeJS.WritableStream, terminal: false });
  try {
    io.stdout.write(question);
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
