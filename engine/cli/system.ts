/** Loading the system a command acts on, from its FILE argument and --env. */
import { loadSystem } from '../config/load';
import type { SystemModel } from '../config/model';
import type { ProvisionerRegistry } from '../provisioners/registry';
import { starsystemHome } from '../home';
import { vaultKeyLookup } from '../vault/store';
import { stringOption, type CommandContext } from './command';

export interface CliServices {
  registry: ProvisionerRegistry;
  /** Whether a vault key is set, or undefined when that cannot be known. */
  vaultHas?: (key: string) => boolean | undefined;
}

export async function loadForCommand(ctx: CommandContext, services: CliServices): Promise<SystemModel> {
  return loadSystem({
    file: ctx.positionals[0],
    env: stringOption(ctx, 'env'),
    cwd: ctx.io.cwd,
    registry: services.registry,
    vaultHas: services.vaultHas ?? (await vaultKeyLookup(starsystemHome(ctx.io.env))),
  });
}
