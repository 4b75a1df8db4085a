/** Finding a command's program the way execvp does: a path as given, else the first match on PATH. */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** The absolute path of the program, or undefined when it is not there or not executable. */
export async function findExecutable(program: string, options: { cwd: string; path: string | undefined }): Promise<string | undefined> {
  if (program.includes('/')) {
    const candidate = isAbsolute(program) ? program : resolve(options.cwd, program);
    return (await isExecutableFile(candidate)) ? candidate : undefined;
  }
  for (const dir of (options.path ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(isAbsolute(dir) ? dir : resolve(options.cwd, dir), program);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
