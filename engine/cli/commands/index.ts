import type { CommandSpec } from '../command';
import { deployCommand } from './deploy';
import { destroyCommand } from './destroy';
import { driftCommand } from './drift';
import { inspectCommand } from './inspect';
import { provisionCommand } from './provision';
import { rollbackCommand } from './rollback';
import { statusCommand } from './status';
import { catalogCommand } from './catalog';
import { graphRenderCommand } from './graph';
import { planCommand } from './plan';
import { validateCommand } from './validate';
import { VAULT_COMMANDS } from './vault';

/** Every `ss` command, in the order `ss --help` lists them. */
export const COMMANDS: CommandSpec[] = [validateCommand, planCommand, provisionCommand, deployCommand, statusCommand, driftCommand, inspectCommand, rollbackCommand, destroyCommand, graphRenderCommand, ...VAULT_COMMANDS, catalogCommand];
