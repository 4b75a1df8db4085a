import { renderMermaid } from '../../plan/mermaid';
import { COMMON, EXIT_OK, UsageError, flag, type CommandSpec } from '../command';
import { loadForCommand } from '../system';

export const graphRenderCommand: CommandSpec = {
  path: ['graph', 'render'],
  summary: 'Print a mermaid flowchart of the services and their depends_on edges.',
  usage: 'ss graph render --services [FILE] [--env=ENV]',
  options: {
    services: { type: 'boolean', description: 'Draw services and their dependencies (the only view so far).' },
    env: COMMON.env,
  },
  positionals: { max: 1 },
  async run(ctx) {
    if (!flag(ctx, 'services')) throw new UsageError('Say what to draw: --services.', this.usage);
    const model = await loadForCommand(ctx, ctx.services);
    ctx.io.stdout.write(renderMermaid(model));
    return EXIT_OK;
  },
};
