/** `ss inspect [ID]`: a run's receipt (timeline, durations, next actions); `--list` for the history. */
import { stringify } from 'yaml';
import { inspect, listReceipts, type InspectResult } from '../../ops/inspect';
import { formatDuration } from '../../run/duration';
import type { Receipt, TimelineEntry } from '../../run/history';
import { COMMON, EXIT_OK, flag, stringOption, type CommandContext, type CommandSpec } from '../command';
import { styleFor, type Style } from '../io';
import { commandLine, opsOptions } from '../operations';

const FILE_OPTION = { type: 'string', value: 'FILE', description: 'The config file (default: starsystem.yaml here).' } as const;

export const inspectCommand: CommandSpec = {
  path: ['inspect'],
  summary: 'Show a run\'s receipt: status, timeline with durations, next actions (the newest run by default).',
  usage: 'ss inspect [ID] [--env=ENV] [--list] [--state] [--file=FILE] [--json]',
  details: 'ID is a receipt id or its first characters (at least 4). --state adds the recorded state\n(resource ids, URLs, metadata; never secrets). --list shows every recorded run, newest first.',
  options: {
    env: COMMON.env,
    list: { type: 'boolean', description: 'List the recorded runs.' },
    state: { type: 'boolean', description: 'Include the provision state recorded by the run.' },
    file: FILE_OPTION,
    json: COMMON.json,
  },
  positionals: { max: 1 },
  async run(ctx) {
    const options = { ...opsOptions(ctx, commandLine('inspect', ctx)), file: stringOption(ctx, 'file') };
    const style = styleFor(ctx.io);
    if (flag(ctx, 'list')) {
      const { project, env, receipts } = await listReceipts(options);
      if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify({ project, env, receipts }, null, 2) + '\n');
      else ctx.io.stdout.write(renderReceiptList(project, env, receipts, style));
      return EXIT_OK;
    }
    const result = await inspect({ ...options, id: ctx.positionals[0] });
    if (flag(ctx, 'json')) {
      const { plan, result: full, ...rest } = result;
      const out = flag(ctx, 'state') ? { ...rest, plan, result: full } : rest;
      ctx.io.stdout.write(JSON.stringify(out, null, 2) + '\n');
      return EXIT_OK;
    }
    ctx.io.stdout.write(renderInspect(result, ctx, style));
    return EXIT_OK;
  },
};

function renderInspect(result: InspectResult, ctx: CommandContext, style: Style): string {
  const { receipt } = result;
  const envFlag = result.env === 'local' ? '' : ` --env=${result.env}`;
  const file = stringOption(ctx, 'file');
  const fileFlag = file ? ` --file=${file}` : '';
  const fileArg = file ? ` ${file}` : '';
  const lines = [style.bold(`ss inspect ${receipt.id}`), ''];
  const duration = receipt.durationMs !== undefined ? `   duration: ${formatDuration(receipt.durationMs)}` : '';
  lines.push(`  ${receipt.operation}   status: ${statusMark(receipt.status, style)} ${receipt.status}${duration}`);
  lines.push(`  started: ${utc(receipt.startedAt)}${receipt.endedAt ? `   ended: ${utc(receipt.endedAt)}` : ''}`);
  if (receipt.restoredFrom) lines.push(`  restored: receipt ${receipt.restoredFrom}`);
  if (receipt.command) lines.push(`  command: ${receipt.command}`);
  if (result.timeline.length > 0) {
    lines.push('', '── Timeline ──');
    for (const entry of result.timeline) lines.push(`  ${timelineLine(entry, style)}`);
  }
  if (flag(ctx, 'state')) {
    lines.push('', '── State ──');
    if (Object.keys(result.state).length === 0) lines.push('  (nothing recorded)');
    else lines.push(...stringify(result.state, { lineWidth: 0 }).trimEnd().split('\n').map((l) => `  ${l}`));
    if (result.credentialKeys.length > 0) lines.push('', `  credentials (in the vault, encrypted): ${result.credentialKeys.join(', ')}`);
  }
  const redo = receipt.operation === 'deploy' ? 'ss deploy' : 'ss provision';
  const listName = receipt.operation === 'deploy' ? 'List deploys' : 'List runs';
  lines.push('', '── Next actions ──');
  const actions: [string, string][] = [
    ['Check drift', `ss drift${fileArg}${envFlag}`],
    [receipt.operation === 'deploy' ? 'Re-deploy' : 'Re-provision', `${redo}${fileArg}${envFlag}`],
    [listName, `ss inspect --list${envFlag}${fileFlag}`],
  ];
  if (!flag(ctx, 'state')) actions.push(['Full state', `ss inspect ${receipt.id.slice(0, 8)}${envFlag}${fileFlag} --state`]);
  actions.push(['Roll back to this', `ss rollback${envFlag}${fileFlag} --to=${receipt.id.slice(0, 8)}`]);
  const width = Math.max(...actions.map(([a]) => a.length));
  for (const [label, command] of actions) lines.push(`  ${label.padEnd(width)}  ${command}`);
  return lines.join('\n') + '\n';
}

function timelineLine(entry: TimelineEntry, style: Style): string {
  const took = entry.durationMs !== undefined ? ` (${formatDuration(entry.durationMs)})` : '';
  switch (entry.status) {
    case 'succeeded':
      return `${style.green('✓')} ${entry.name}${took}${entry.outcome ? style.dim(` ${entry.outcome}`) : ''}`;
    case 'failed':
      return `${style.red('✗')} ${entry.name}${took}${entry.message ? ` — ${firstLine(entry.message)}` : ''}`;
    case 'not-started':
      return `${style.yellow('-')} ${entry.name} not started${entry.message ? ` (${entry.message})` : ''}`;
    default:
      return `${style.dim('•')} ${entry.name} ${style.dim(entry.message ?? 'skipped')}`;
  }
}

export function renderReceiptList(project: string, env: string, receipts: Receipt[], style: Style): string {
  if (receipts.length === 0) return `No runs are recorded for ${project}${env === 'local' ? '' : ` (env ${env})`}.\n`;
  const lines = [style.bold(`Runs of ${project}${env === 'local' ? '' : ` (env ${env})`}, newest first:`)];
  for (const r of receipts) {
    const counts = r.summary ? summaryText(r.summary) : '';
    const took = r.durationMs !== undefined ? formatDuration(r.durationMs) : '';
    lines.push(
      `  ${r.id.slice(0, 8)}  ${r.operation.padEnd(9)}  ${statusMark(r.status, style)} ${r.status.padEnd(11)}  ${utc(r.startedAt)}  ${took.padStart(7)}  ${style.dim(counts)}`,
    );
  }
  return lines.join('\n') + '\n';
}

function summaryText(summary: Record<string, number>): string {
  return Object.entries(summary)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k.replace(/([A-Z])/g, ' $1').toLowerCase()}`)
    .join(', ');
}

function statusMark(status: Receipt['status'], style: Style): string {
  if (status === 'completed') return style.green('✓');
  if (status === 'running') return style.cyan('…');
  return style.red('✗');
}

function utc(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');
}

function firstLine(text: string): string {
  return text.split('\n')[0]!;
}
