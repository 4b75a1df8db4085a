/** Runs `ss` in-process with captured output. */
import { Readable } from 'node:stream';
import { runCli } from '../../engine/cli/run';
import type { CliServices } from '../../engine/cli/system';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runSs(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; stdin?: string; services?: Partial<CliServices>; isTTY?: boolean } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = Readable.from(options.stdin !== undefined ? [options.stdin] : []) as NodeJS.ReadableStream & { isTTY?: boolean };
  const code = await runCli(
    args,
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin,
      env: options.env ?? process.env,
      cwd: options.cwd ?? process.cwd(),
      isTTY: options.isTTY ?? false,
    },
    options.services,
  );
  return { code, stdout, stderr };
}
