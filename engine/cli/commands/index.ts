import type { CommandSpec } from '../command';
import { catalogCommand } from './catalog';
import { graphRenderCommand } from './graph';
import { planCommand } from './plan';
import { validateCommand } from './validate';
import { VAULT_COMMANDS } from './vault';

/** Every `ss` command, in the order `ss --help` lists them. */
export const COMMANDS: CommandSpec[] = [validateCommand, planCommand, graphRenderCommand, ...VAULT_COMMANDS, catalogCommand];
