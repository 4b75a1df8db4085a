/** `ss catalog`: every registered provisioner, the vault keys and env variables it needs, and which are set. */
import { compareText } from '../../diagnostics';
import { starsystemHome } from '../../home';
import { describeProviderCredentials, type ProviderCredentialReport } from '../../vault/credentials';
import { listVaultKeys } from '../../vault/store';
import { COMMON, EXIT_OK, flag, type CommandSpec } from '../command';
import { styleFor, type Style } from '../io';

export const catalogCommand: CommandSpec = {
  path: ['catalog'],
  summary: 'List the provisioners, the credentials each needs and which are set.',
  usage: 'ss catalog [--json]',
  details: 'Reads vault key names only; no secret is decrypted or printed.',
  options: { json: COMMON.json },
  positionals: { max: 0 },
  async run(ctx) {
    const keys = new Set(await listVaultKeys(starsystemHome(ctx.io.env)));
    const reports = ctx.services.registry
      .all()
      .map((adapter) => describeProviderCredentials({ adapter, isSet: (key) => keys.has(key), env: ctx.io.env }))
      .sort((a, b) => compareText(a.provider, b.provider));
    if (flag(ctx, 'json')) {
      ctx.io.stdout.write(JSON.stringify({ provisioners: reports }, null, 2) + '\n');
      return EXIT_OK;
    }
    if (reports.length === 0) {
      ctx.io.stdout.write('No provisioners are registered.\n');
      return EXIT_OK;
    }
    const style = styleFor(ctx.io);
    ctx.io.stdout.write(reports.map((r) => renderReport(r, style)).join('\n'));
    return EXIT_OK;
  },
};

function renderReport(report: ProviderCredentialReport, style: Style): string {
  const mark = (set: boolean) => (set ? style.green('✓') : style.red('✗'));
  const lines = [`${style.bold(report.provider)}${report.title ? ` — ${report.title}` : ''}${report.ready ? '' : style.yellow('  (credentials missing)')}`];
  if (report.apiKey) {
    const found = report.apiKey.candidates.find((c) => c.set);
    const others = report.apiKey.candidates.filter((c) => c !== found).map((c) => (c.kind === 'env' ? `$${c.name}` : c.name));
    if (found) {
      lines.push(`  api key  ${mark(true)} ${found.kind === 'env' ? `$${found.name}` : found.name}`);
    } else {
      lines.push(`  api key  ${mark(false)} not set: ${report.apiKey.setCommand}`);
      if (others.length > 0) lines.push(`           ${style.dim(`looked up in: ${others.join(', ')}`)}`);
    }
  } else {
    lines.push(`  api key  ${style.dim('not needed')}`);
  }
  for (const k of report.vaultKeys) {
    const note = k.optional ? ' (optional)' : '';
    lines.push(`  vault    ${mark(k.set)} ${k.key}${note}  ${style.dim(k.description)}${k.set ? '' : `  ${style.dim(k.setCommand)}`}`);
  }
  for (const v of report.envVars) lines.push(`  env      ${mark(v.set)} $${v.name}  ${style.dim(v.description)}`);
  if (report.credentials.length > 0) lines.push(`  writes   ${report.credentials.map((c) => `<service>.${c}`).join(', ')}`);
  if (report.resources.length > 0) lines.push(`  handles  ${report.resources.join(', ')}`);
  return lines.join('\n') + '\n';
}
