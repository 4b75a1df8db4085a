/**
 * The command table of `ss` and its argument parser. Each command declares its options,
 * so that `--help` is generated and an unknown command or flag is a clear error (exit 2).
 */
import { parseArgs } from 'node:util';
import type { CliIO } from './io';
import type { CliServices } from './system';

export interface OptionSpec {
  type: 'string' | 'boolean';
  description: string;
  short?: string;
  multiple?: boolean;
  /** Placeholder in help ("ID"). */
  value?: string;
}

export interface CommandContext {
  io: CliIO;
  services: CliServices;
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface CommandSpec {
  /** The words that select the command: ["vault", "set"]. */
  path: string[];
  summary: string;
  usage: string;
  /** Longer help text, shown by --help. */
  details?: string;
  options?: Record<string, OptionSpec>;
  /** How many positional arguments the command accepts. */
  positionals?: { min?: number; max?: number };
  /** Hidden from the command list (aliases). */
  hidden?: boolean;
  run(ctx: CommandContext): Promise<number>;
}

export class UsageError extends Error {
  constructor(message: string, readonly usage?: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Finds the command with the longest matching path. */
export function findCommand(commands: CommandSpec[], argv: string[]): { command?: CommandSpec; rest: string[]; groupMatch?: string } {
  let best: CommandSpec | undefined;
  for (const command of commands) {
    const matches = command.path.every((word, i) => argv[i] === word);
    if (matches && (!best || command.path.length > best.path.length)) best = command;
  }
  if (best) return { command: best, rest: argv.slice(best.path.length) };
  const group = commands.find((c) => c.path.length > 1 && c.path[0] === argv[0]);
  return { rest: argv, groupMatch: group ? argv[0] : undefined };
}

export function parseCommandArgs(command: CommandSpec, argv: string[]): Pick<CommandContext, 'values' | 'positionals'> {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    help: { type: 'boolean', short: 'h' },
  };
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(cleanParseError((error as Error).message), command.usage);
  }
  const { values, positionals } = parsed;
  if (!values.help) {
    const min = command.positionals?.min ?? 0;
    const max = command.positionals?.max ?? 0;
    if (positionals.length < min) throw new UsageError(`Missing argument.`, command.usage);
    if (positionals.length > max) throw new UsageError(`Unexpected argument "${positionals[max]}".`, command.usage);
  }
  return { values: values as CommandContext['values'], positionals };
}

function cleanParseError(message: string): string {
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `Unknown option ${unknown[1]}.`;
  const missing = /Option '([^' ]+)(?: <value>)?' argument missing/.exec(message);
  if (missing) return `Option ${missing[1]} needs a value.`;
  return message.split('\n')[0]!.replace(/\. To specify.*$/, '.');
}

export function commandHelp(command: CommandSpec): string {
  const lines = [`Usage: ${command.usage}`, '', command.summary];
  if (command.details) lines.push('', command.details.trim());
  const rows: [string, string][] = Object.entries(command.options ?? {}).map(([name, spec]) => [
    `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? `=${spec.value ?? 'VALUE'}` : ''}`,
    spec.description,
  ]);
  rows.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...rows.map(([label]) => label.length));
  lines.push('', 'Options:', ...rows.map(([label, text]) => `  ${label.padEnd(width)}  ${text}`));
  return lines.join('\n') + '\n';
}

export function stringOption(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.values[name];
  if (Array.isArray(v)) return v[v.length - 1];
  return typeof v === 'string' ? v : undefined;
}

export function listOption(ctx: CommandContext, name: string): string[] {
  const v = ctx.values[name];
  const raw = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  return raw.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

export function flag(ctx: CommandContext, name: string): boolean {
  return ctx.values[name] === true;
}

/** Common options, shared so every command names them the same way. */
export const COMMON = {
  env: { type: 'string', value: 'ENV', description: 'The environment: loads the overlay NAME.<ENV>.yaml beside the file.' },
  json: { type: 'boolean', description: 'Print machine-readable JSON.' },
  service: { type: 'string', value: 'ID', multiple: true, description: 'Only this service (repeat or comma-separate for more).' },
} as const satisfies Record<string, OptionSpec>;
