/**
 * What the operation commands (provision, deploy, status, drift, destroy, rollback,
 * inspect) share: the engine options from the command line, the progress printer, and
 * the report of an invalid configuration.
 */
import { InvalidConfigError, type OpsOptions } from '../ops/context';
import type { OpsEvent } from '../ops/events';
import type { RunSummary } from '../ops/provision';
import { formatDuration } from '../run/duration';
import { EXIT_FAILURE, UsageError, flag, stringOption, type CommandContext } from './command';
import { openCliVault } from './commands/vault';
import { styleFor, type CliIO, type Style } from './io';
import { renderDiagnostic, renderPlan } from './render';

/** The options every operation takes from the command line. */
export function opsOptions(ctx: CommandContext, command: string): OpsOptions {
  return {
    file: ctx.positionals[0],
    env: stringOption(ctx, 'env'),
    cwd: ctx.io.cwd,
    registry: ctx.services.registry,
    vault: openCliVault(ctx.io),
    processEnv: ctx.io.env,
    signal: ctx.io.signal,
    command,
  };
}

export function commandLine(name: string, ctx: CommandContext): string {
  const parts = [`ss ${name}`, ...ctx.positionals];
  for (const [key, value] of Object.entries(ctx.values)) {
    if (value === undefined || value === false || key === 'help') continue;
    if (value === true) parts.push(`--${key}`);
    else for (const v of Array.isArray(value) ? value : [value]) parts.push(`--${key}=${v}`);
  }
  return parts.join(' ');
}

export function parseConcurrency(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency must be a whole number from 1 to 256, not "${value}".`);
  return n;
}

export function reportInvalid(ctx: CommandContext, error: InvalidConfigError): number {
  const style = styleFor(ctx.io);
  if (flag(ctx, 'json')) {
    ctx.io.stdout.write(JSON.stringify({ error: 'invalid configuration', message: error.message, diagnostics: error.diagnostics }, null, 2) + '\n');
  } else {
    for (const d of error.diagnostics.filter((x) => x.severity === 'error')) ctx.io.stderr.write(renderDiagnostic(d, ctx.io.cwd, style) + '\n');
    ctx.io.stderr.write(`${style.red('error:')} ${error.message}\n`);
  }
  return EXIT_FAILURE;
}

/**
 * Prints progress events as they arrive. Step lines are indented under their service's
 * "→" line; when services run side by side, a line for another service names it.
 */
export function progressPrinter(io: CliIO, style: Style, operation: string): (event: OpsEvent) => void {
  let lastService: string | undefined;
  const write = (text: string) => io.stdout.write(text + '\n');
  const label = (id: string) => (lastService === id ? '' : `${style.dim(`[${id}]`)} `);
  return (event) => {
    if (event.type === 'plan') {
      if (operation === 'provision' || operation === 'deploy') write(renderPlan(event.plan, io.cwd, style).trimEnd());
      return;
    }
    if (event.type === 'warning') {
      io.stderr.write(`${style.yellow('warning:')} ${event.message}\n`);
      return;
    }
    if (event.type === 'run') {
      if (event.phase === 'started') write('');
      return;
    }
    const took = event.durationMs !== undefined ? ` in ${formatDuration(event.durationMs)}` : '';
    switch (event.phase) {
      case 'started':
        write(`${style.cyan('→')} ${event.serviceId}${event.provider ? ` via ${event.provider}` : ''}...`);
        lastService = event.serviceId;
        break;
      case 'step':
        write(`  ${style.green('✓')} ${label(event.serviceId)}${event.message ?? ''}`);
        break;
      case 'healthy':
        write(`${style.green('✓')} ${event.serviceId} ${event.outcome ?? 'done'}${took}${event.message ? `: ${event.message}` : ''}`);
        lastService = undefined;
        break;
      case 'destroyed':
        write(`${style.green('✓')} ${event.serviceId} destroyed${took}`);
        lastService = undefined;
        break;
      case 'failed':
        write(`${style.red('✗')} ${event.serviceId} failed${took}: ${event.message ?? ''}`);
        lastService = undefined;
        break;
      case 'not-started':
        write(`${style.yellow('-')} ${event.serviceId} not started: ${event.message ?? ''}`);
        break;
      default:
        break;
    }
  };
}

export function summaryCounts(summary: RunSummary): string {
  const parts: string[] = [`${summary.created} created`];
  if (summary.restarted) parts.push(`${summary.restarted} restarted`);
  if (summary.updated) parts.push(`${summary.updated} updated`);
  parts.push(`${summary.verified} verified`);
  parts.push(`${summary.failed} failed`);
  if (summary.notStarted) parts.push(`${summary.notStarted} not started`);
  parts.push(`${summary.skipped} skipped`);
  if (summary.removed) parts.push(`${summary.removed} removed`);
  return parts.join(', ');
}

