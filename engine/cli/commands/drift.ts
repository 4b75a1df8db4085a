/** `ss drift`: recorded state vs declared config vs what is live; exit 0 clean, 2 drift, 1 error. */
import { InvalidConfigError } from '../../ops/context';
import { drift } from '../../ops/drift';
import { COMMON, flag, listOption, type CommandSpec } from '../command';
import { styleFor } from '../io';
import { displayPath } from '../render';
import { commandLine, opsOptions, reportInvalid } from '../operations';

export const driftCommand: CommandSpec = {
  path: ['drift'],
  summary: 'Detect out-of-band changes: recorded state vs declared config vs what is live.',
  usage: 'ss drift [FILE] [--env=ENV] [--service=ID] [--json]',
  details: [
    'Reports services that are not provisioned, whose declaration changed since they were, whose',
    'process or resource is gone or unhealthy, and what providers report as different.',
    'Exit codes as terraform plan -detailed-exitcode: 0 no drift, 2 drift, 1 something could not be checked.',
  ].join('\n'),
  options: { env: COMMON.env, service: COMMON.service, json: COMMON.json },
  positionals: { max: 1 },
  async run(ctx) {
    let report;
    try {
      report = await drift({ ...opsOptions(ctx, commandLine('drift', ctx)), services: listOption(ctx, 'service') });
    } catch (error) {
      if (error instanceof InvalidConfigError) return reportInvalid(ctx, error);
      throw error;
    }
    if (flag(ctx, 'json')) {
      ctx.io.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return report.exitCode;
    }
    const style = styleFor(ctx.io);
    const envNote = report.env === 'local' ? '' : ` (env ${report.env})`;
    const lines = [style.bold(`Drift  ${displayPath(report.configPath, ctx.io.cwd)}${envNote}`)];
    const width = Math.max(0, ...report.services.map((s) => s.serviceId.length));
    for (const s of report.services) {
      const id = s.serviceId.padEnd(width);
      if (s.state === 'clean') lines.push(`${style.green('✓')} ${id}  no drift`);
      else if (s.state === 'skipped') lines.push(`${style.dim('•')} ${id}  ${style.dim('skipped (no provisioner)')}`);
      else if (s.state === 'error') lines.push(`${style.red('✗')} ${id}  could not check: ${s.message ?? 'unknown error'}`);
      else {
        lines.push(`${style.yellow('~')} ${id}  ${s.findings[0]!.message}`);
        for (const f of s.findings.slice(1)) lines.push(`  ${' '.repeat(width)}  ${f.message}`);
      }
    }
    const env = report.env === 'local' ? '' : ` --env=${report.env}`;
    if (report.exitCode === 0) lines.push('', 'No drift: what is recorded, declared and live agree.');
    else {
      lines.push('');
      if (report.drifted > 0) lines.push(`${report.drifted} service${report.drifted === 1 ? ' has' : 's have'} drifted; ss provision${env} converges.`);
      if (report.errors > 0) lines.push(`${report.errors} service${report.errors === 1 ? '' : 's'} could not be checked.`);
    }
    ctx.io.stdout.write(lines.join('\n') + '\n');
    return report.exitCode;
  },
};
