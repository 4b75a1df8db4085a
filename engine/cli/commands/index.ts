import type { CommandSpec } from '../command';
import { graphRenderCommand } from './graph';
import { planCommand } from './plan';
import { validateCommand } from './validate';

/** Every `ss` command, in the order `ss --help` lists them. */
export const COMMANDS: CommandSpec[] = [validateCommand, planCommand, graphRenderCommand];
