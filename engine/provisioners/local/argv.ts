/**
 * Splitting a `command:` string into argv the way a POSIX shell splits words, without
 * running a shell: single and double quotes group, backslashes escape, an unquoted
 * leading `~` is the home directory, and nothing else is interpreted (no globbing, no
 * variables). Unquoted characters that would make a shell do something else (pipes,
 * redirections, `;`, `&`, `$VAR`, `$(...)`, backquotes, `#` comments) are refused with an
 * explanation rather than passed on silently as literal arguments.
 */

export class CommandSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CommandSyntaxError';
  }
}

function shellOnly(what: string): CommandSyntaxError {
  return new CommandSyntaxError(
    `The command uses ${what} outside quotes, which only a shell understands; commands run without a shell. ` +
      'Quote it if it is part of an argument, use env: for variables, or put the pipeline in a script and run that.',
  );
}

const startsSubstitution = (next: string | undefined) => next !== undefined && /[A-Za-z_{(]/.test(next);

export function splitCommand(command: string, home: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let tildeCandidate = false;
  const finish = () => {
    if (!inWord) return;
    if (tildeCandidate && (word === '~' || word.startsWith('~/'))) word = home + word.slice(1);
    words.push(word);
    word = '';
    inWord = false;
    tildeCandidate = false;
  };
  let i = 0;
  while (i < command.length) {
    const c = command[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      finish();
      i++;
      continue;
    }
    if (!inWord) {
      if (c === '#') throw shellOnly('"#" (a comment)');
      inWord = true;
      tildeCandidate = c === '~';
    }
    if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) throw new CommandSyntaxError('The command has an unclosed single quote.');
      word += command.slice(i + 1, end);
      i = end + 1;
      continue;
    }
    if (c === '"') {
      i++;
      let closed = false;
      while (i < command.length) {
        const d = command[i]!;
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < command.length && '"\\$`\n'.includes(command[i + 1]!)) {
          if (command[i + 1] !== '\n') word += command[i + 1];
          i += 2;
          continue;
        }
        if (d === '$' && startsSubstitution(command[i + 1])) throw shellOnly(`"$${command[i + 1]}" (a variable or command substitution)`);
        if (d === '`') throw shellOnly('a backquote (command substitution)');
        word += d;
        i++;
      }
      if (!closed) throw new CommandSyntaxError('The command has an unclosed double quote.');
      continue;
    }
    if (c === '\\') {
      if (i + 1 >= command.length) throw new CommandSyntaxError('The command ends with a lone backslash.');
      if (command[i + 1] !== '\n') word += command[i + 1];
      i += 2;
      continue;
    }
    if (c === '$' && startsSubstitution(command[i + 1])) throw shellOnly(`"$${command[i + 1]}" (a variable or command substitution)`);
    if (c === '`') throw shellOnly('a backquote (command substitution)');
    if ('|;&<>'.includes(c)) throw shellOnly(`"${c}"`);
    word += c;
    i++;
  }
  finish();
  if (words.length === 0) throw new CommandSyntaxError('The command is empty.');
  return words;
}
