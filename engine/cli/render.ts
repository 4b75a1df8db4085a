/** Turning engine results into terminal text. Nothing here decides anything. */
import { relative } from 'node:path';
import type { Diagnostic } from '../diagnostics';
import { planSummaryLine, type Plan, type PlanRow } from '../plan/plan';
import type { Style } from './io';

export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? path : rel.startsWith('..') ? path : rel;
}

/** `file:line:col severity code message`, 1-based like compilers print. */
export function renderDiagnostic(d: Diagnostic, cwd: string, style: Style): string {
  const where = `${displayPath(d.file, cwd)}:${d.range.start.line + 1}:${d.range.start.character + 1}`;
  const severity =
    d.severity === 'error' ? style.red('error') : d.severity === 'warning' ? style.yellow('warning') : style.blue(d.severity);
  let line = `${where} ${severity} ${style.dim(d.code)} ${d.message}`;
  for (const r of d.related ?? []) {
    line += `\n  ${displayPath(r.file, cwd)}:${r.range.start.line + 1}:${r.range.start.character + 1} ${style.dim(r.message)}`;
  }
  return line;
}

export function renderPlan(plan: Plan, cwd: string, style: Style): string {
  const lines: string[] = [];
  const envNote = plan.env === 'local' ? '' : ` (env ${plan.env})`;
  lines.push(style.bold(`Starsystem — ${displayPath(plan.configPath, cwd)}${envNote}`));
  const width = Math.max(0, ...plan.rows.map((r) => r.serviceId.length));
  const providerWidth = Math.max(0, ...plan.rows.map((r) => (r.provider ?? '').length));
  const section = (title: string, rows: PlanRow[]) => {
    if (rows.length === 0) return;
    lines.push(title);
    for (const row of rows) lines.push(`  ${colourSymbol(row, style)} ${row.serviceId.padEnd(width)}  ${(row.provider ?? '').padEnd(providerWidth)}  ${style.dim(rowDetail(row))}`);
  };
  section('To create:', plan.rows.filter((r) => r.action === 'create'));
  section('To update:', plan.rows.filter((r) => r.action === 'update'));
  section('To verify:', plan.rows.filter((r) => r.action === 'verify'));
  section('To remove (recorded, no longer declared; ss destroy --service=ID removes it):', plan.rows.filter((r) => r.action === 'remove'));
  const skipped = plan.rows.filter((r) => r.action === 'skip');
  if (skipped.length > 0) {
    lines.push(`Skipping ${skipped.length} service${skipped.length === 1 ? '' : 's'} (no provisioner):`);
    for (const row of skipped) lines.push(`  ${style.dim('•')} ${row.serviceId.padEnd(width)}  ${style.dim(row.detail)}`);
  }
  lines.push(planSummaryLine(plan.summary));
  return lines.join('\n') + '\n';
}

function rowDetail(row: PlanRow): string {
  return row.description ? `${row.detail} (${row.description})` : row.detail;
}

function colourSymbol(row: PlanRow, style: Style): string {
  switch (row.action) {
    case 'create':
      return style.green(row.symbol);
    case 'update':
    case 'verify':
      return style.yellow(row.symbol);
    case 'remove':
      return style.red(row.symbol);
    default:
      return style.dim(row.symbol);
  }
}
