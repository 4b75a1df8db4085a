/** `ss status` (and `ss provision --status`): every service's health. */
import { InvalidConfigError } from '../../ops/context';
import { status, type ServiceStatus } from '../../ops/status';
import { COMMON, EXIT_FAILURE, EXIT_OK, flag, listOption, type CommandContext, type CommandSpec } from '../command';
import { styleFor, type Style } from '../io';
import { displayPath } from '../render';
import { commandLine, opsOptions, reportInvalid } from '../operations';

export const statusCommand: CommandSpec = {
  path: ['status'],
  summary: 'Check the health of every service (running, healthy, unhealthy, dead, not provisioned...).',
  usage: 'ss status [FILE] [--env=ENV] [--service=ID] [--json]',
  details: 'Exits 0 when every service that has a provisioner is running or healthy, 1 otherwise.',
  options: { env: COMMON.env, service: COMMON.service, json: COMMON.json },
  positionals: { max: 1 },
  run: (ctx) => runStatus(ctx),
};

export async function runStatus(ctx: CommandContext): Promise<number> {
  let report;
  try {
    report = await status({ ...opsOptions(ctx, commandLine('status', ctx)), services: listOption(ctx, 'service') });
  } catch (error) {
    if (error instanceof InvalidConfigError) return reportInvalid(ctx, error);
    throw error;
  }
  if (flag(ctx, 'json')) {
    ctx.io.stdout.write(JSON.stringify(report, null, 2) + '\n');
    return report.ok ? EXIT_OK : EXIT_FAILURE;
  }
  const style = styleFor(ctx.io);
  const envNote = report.env === 'local' ? '' : ` (env ${report.env})`;
  const lines = [style.bold(`Service status  ${displayPath(report.configPath, ctx.io.cwd)}${envNote}`)];
  const idWidth = Math.max(0, ...report.services.map((s) => s.serviceId.length));
  const providerWidth = Math.max(0, ...report.services.map((s) => (s.provider ?? '').length));
  for (const s of report.services) {
    const note = s.orphan ? style.dim(' (recorded, no longer declared)') : s.configChanged ? style.dim(' (declaration changed since provisioned)') : '';
    lines.push(`${mark(s, style)} ${s.serviceId.padEnd(idWidth)}  ${(s.provider ?? '').padEnd(providerWidth)}  ${describe(s)}${note}`);
  }
  const problems = report.services.filter((s) => !s.ok && s.health !== 'skipped').length;
  if (problems > 0) lines.push('', `${problems} service${problems === 1 ? ' is' : 's are'} not up; ss provision${report.env === 'local' ? '' : ` --env=${report.env}`} brings them up.`);
  ctx.io.stdout.write(lines.join('\n') + '\n');
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

function mark(s: ServiceStatus, style: Style): string {
  if (s.ok) return style.green('✓');
  if (s.health === 'skipped') return style.dim('•');
  if (s.health === 'not-provisioned' || s.health === 'pending' || s.health === 'starting') return style.yellow('○');
  return style.red('✗');
}

function describe(s: ServiceStatus): string {
  if (s.health === 'skipped') return `skipped (${s.message})`;
  if (s.health === 'not-provisioned') return 'not provisioned';
  return s.message;
}
