/** `ss rollback --list | --to=ID`: restore vault credentials and the overlay's _state to a receipt's snapshot. */
import { listReceipts } from '../../ops/inspect';
import { rollback } from '../../ops/rollback';
import { COMMON, EXIT_OK, UsageError, flag, stringOption, type CommandSpec } from '../command';
import { styleFor } from '../io';
import { commandLine, opsOptions } from '../operations';
import { renderReceiptList } from './inspect';

export const rollbackCommand: CommandSpec = {
  path: ['rollback'],
  summary: 'Restore the vault credentials and the overlay _state to an earlier run\'s snapshot.',
  usage: 'ss rollback (--list | --to=ID) [--env=ENV] [--file=FILE] [--json]',
  details: [
    'Rollback does not re-provision anything: it puts back the credentials that provisioners wrote',
    '(<service>.<NAME> in the vault) and the _state blocks of the overlay as they were after run ID,',
    'then names the services to deploy again so that what runs matches. The rollback is itself',
    'recorded, so it can be rolled back.',
  ].join('\n'),
  options: {
    env: COMMON.env,
    list: { type: 'boolean', description: 'List the runs that can be rolled back to.' },
    to: { type: 'string', value: 'ID', description: 'The receipt to restore (an id or its first characters).' },
    file: { type: 'string', value: 'FILE', description: 'The config file (default: starsystem.yaml here).' },
    json: COMMON.json,
  },
  async run(ctx) {
    const options = { ...opsOptions(ctx, commandLine('rollback', ctx)), file: stringOption(ctx, 'file') };
    const style = styleFor(ctx.io);
    const to = stringOption(ctx, 'to');
    if (flag(ctx, 'list')) {
      const { project, env, receipts } = await listReceipts(options);
      if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify({ project, env, receipts }, null, 2) + '\n');
      else ctx.io.stdout.write(renderReceiptList(project, env, receipts, style));
      return EXIT_OK;
    }
    if (!to) throw new UsageError('Say which run to roll back to (--to=ID), or list them (--list).', this.usage);
    const result = await rollback({ ...options, to });
    if (flag(ctx, 'json')) {
      ctx.io.stdout.write(JSON.stringify(result, null, 2) + '\n');
      return EXIT_OK;
    }
    const short = result.restoredFrom.id.slice(0, 8);
    const envFlag = result.env === 'local' ? '' : ` --env=${result.env}`;
    const lines = [
      `${style.green('✓')} Rolled back to ${result.restoredFrom.operation} ${short} — credentials and overlay state restored.`,
      `  credentials: ${result.credentials.restored.length} restored, ${result.credentials.removed.length} removed, ${result.credentials.unchanged} unchanged`,
    ];
    for (const key of result.credentials.restored) lines.push(`    ${style.dim('restored')} ${key}`);
    for (const key of result.credentials.removed) lines.push(`    ${style.dim('removed')}  ${key}`);
    if (result.overlay.path) lines.push(`  overlay _state: ${result.overlay.services.length === 0 ? 'unchanged' : result.overlay.services.join(', ')}`);
    for (const w of result.warnings) lines.push(`${style.yellow('warning:')} ${w}`);
    if (result.redeploy.length > 0) {
      const verb = result.restoredFrom.operation === 'deploy' ? 'ss deploy' : 'ss provision';
      lines.push('', 'Re-deploy services that depend on rolled-back credentials or state:');
      lines.push(`  ${verb}${envFlag} ${result.redeploy.map((id) => `--service=${id}`).join(' ')}`);
    } else {
      lines.push('', 'Nothing to re-deploy: no service uses what changed.');
    }
    ctx.io.stdout.write(lines.join('\n') + '\n');
    return EXIT_OK;
  },
};
