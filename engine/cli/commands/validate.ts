import { basename } from 'node:path';
import { hasErrors } from '../../diagnostics';
import { COMMON, EXIT_FAILURE, EXIT_OK, flag, type CommandSpec } from '../command';
import { styleFor } from '../io';
import { displayPath, renderDiagnostic } from '../render';
import { loadForCommand } from '../system';

export const validateCommand: CommandSpec = {
  path: ['validate'],
  summary: 'Check starsystem.yaml (and its overlay) for errors.',
  usage: 'ss validate [FILE] [--env=ENV] [--json]',
  details: 'Exits 0 when there is no error (warnings allowed), 1 when there is. Each problem is printed as\nfile:line:col severity code message.',
  options: { env: COMMON.env, json: COMMON.json },
  positionals: { max: 1 },
  async run(ctx) {
    const model = await loadForCommand(ctx, ctx.services);
    const failed = hasErrors(model.diagnostics);
    if (flag(ctx, 'json')) {
      ctx.io.stdout.write(JSON.stringify({ valid: !failed, diagnostics: model.diagnostics }, null, 2) + '\n');
      return failed ? EXIT_FAILURE : EXIT_OK;
    }
    const style = styleFor(ctx.io);
    for (const d of model.diagnostics) ctx.io.stdout.write(renderDiagnostic(d, ctx.io.cwd, style) + '\n');
    const files = [model.base, ...(model.overlay ? [model.overlay] : [])];
    for (const file of files) {
      const errors = model.diagnostics.filter((d) => d.file === file.path && d.severity === 'error').length;
      const count = file === model.base ? model.services.length : model.services.filter((s) => s.overlay).length;
      const mark = errors > 0 ? style.red('✗') : style.green('✓');
      ctx.io.stdout.write(`${mark} ${displayPath(file.path, ctx.io.cwd)} (${count} service${count === 1 ? '' : 's'})\n`);
    }
    const errors = model.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = model.diagnostics.filter((d) => d.severity === 'warning').length;
    if (failed) {
      ctx.io.stdout.write(`${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${basename(model.configPath)}.\n`);
    } else {
      ctx.io.stdout.write(`Configuration is valid${warnings > 0 ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}.\n`);
    }
    return failed ? EXIT_FAILURE : EXIT_OK;
  },
};
