/** `ss`: parses the command line, runs the command, maps failures to exit codes. */
import { ConfigNotFoundError } from '../config/load';
import { UnknownServiceError } from '../plan/plan';
import { provisioners } from '../provisioners/index';
import { commandHelp, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, findCommand, parseCommandArgs, UsageError, type CommandSpec } from './command';
import { COMMANDS } from './commands/index';
import { styleFor, type CliIO } from './io';
import type { CliServices } from './system';

export const VERSION = '0.1.0';

export async function runCli(argv: string[], io: CliIO, services?: Partial<CliServices>, commands: CommandSpec[] = COMMANDS): Promise<number> {
  const style = styleFor(io);
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    const topic = argv[0] === 'help' ? argv.slice(1) : [];
    if (topic.length > 0) {
      const { command } = findCommand(commands, topic);
      if (command) {
        io.stdout.write(commandHelp(command));
        return EXIT_OK;
      }
    }
    io.stdout.write(topLevelHelp(commands));
    return argv.length === 0 ? EXIT_USAGE : EXIT_OK;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    io.stdout.write(`ss ${VERSION}\n`);
    return EXIT_OK;
  }
  const { command, rest, groupMatch } = findCommand(commands, argv);
  if (!command) {
    const what = groupMatch ? `Unknown command "${argv.slice(0, 2).join(' ')}".` : `Unknown command "${argv[0]}".`;
    io.stderr.write(`${style.red('error:')} ${what} Run "ss --help" for the list of commands.\n`);
    return EXIT_USAGE;
  }
  const resolved: CliServices = { registry: services?.registry ?? provisioners, ...services };
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help) {
      io.stdout.write(commandHelp(command));
      return EXIT_OK;
    }
    return await command.run({ io, services: resolved, ...parsed });
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`${style.red('error:')} ${error.message}\n${error.usage ? `Usage: ${error.usage}\n` : ''}`);
      return EXIT_USAGE;
    }
    const message = error instanceof ConfigNotFoundError || error instanceof UnknownServiceError ? error.message : describeError(error);
    io.stderr.write(`${style.red('error:')} ${message}\n`);
    return EXIT_FAILURE;
  }
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

function topLevelHelp(commands: CommandSpec[]): string {
  const visible = commands.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => c.path.join(' ').length));
  return [
    'ss — validate, plan and provision the system declared in starsystem.yaml',
    '',
    'Usage: ss <command> [options]',
    '',
    'Commands:',
    ...visible.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`),
    '',
    'Run "ss <command> --help" for a command\'s options.',
    '',
  ].join('\n');
}
