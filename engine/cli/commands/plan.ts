import { hasErrors } from '../../diagnostics';
import { starsystemHome } from '../../home';
import { buildPlan } from '../../plan/plan';
import { StateStore } from '../../run/state';
import { COMMON, EXIT_FAILURE, EXIT_OK, flag, listOption, type CommandSpec } from '../command';
import { styleFor } from '../io';
import { renderDiagnostic, renderPlan } from '../render';
import { loadForCommand } from '../system';

export const planCommand: CommandSpec = {
  path: ['plan'],
  summary: 'Show what provisioning would do, without doing it.',
  usage: 'ss plan [FILE] [--env=ENV] [--service=ID] [--no-deps] [--json]',
  details:
    'Rows: + will be created, ~ exists (verified, or updated when its declaration changed),\n- recorded but no longer declared, • skipped (no provisioner). Exits 1 when the configuration has errors.',
  options: {
    env: COMMON.env,
    service: COMMON.service,
    'no-deps': { type: 'boolean', description: 'With --service: leave out the services it depends on.' },
    json: COMMON.json,
  },
  positionals: { max: 1 },
  async run(ctx) {
    const model = await loadForCommand(ctx, ctx.services);
    const style = styleFor(ctx.io);
    if (hasErrors(model.diagnostics)) {
      if (flag(ctx, 'json')) {
        ctx.io.stdout.write(JSON.stringify({ error: 'invalid configuration', diagnostics: model.diagnostics }, null, 2) + '\n');
      } else {
        for (const d of model.diagnostics.filter((x) => x.severity === 'error')) ctx.io.stderr.write(renderDiagnostic(d, ctx.io.cwd, style) + '\n');
        ctx.io.stderr.write('The configuration has errors; fix them to see a plan (ss validate lists them).\n');
      }
      return EXIT_FAILURE;
    }
    const state = await new StateStore(starsystemHome(ctx.io.env), model.project, model.env).all();
    const plan = buildPlan(model, ctx.services.registry, state, { services: listOption(ctx, 'service'), noDeps: flag(ctx, 'no-deps') });
    if (flag(ctx, 'json')) ctx.io.stdout.write(JSON.stringify(plan, null, 2) + '\n');
    else ctx.io.stdout.write(renderPlan(plan, ctx.io.cwd, style));
    return EXIT_OK;
  },
};
