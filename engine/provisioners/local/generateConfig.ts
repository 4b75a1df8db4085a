/**
 * `provision.generate_config`: a template file (relative to the config file) rendered
 * before the process starts. `{{ NAME }}` placeholders take the values of `vars` (whose
 * own `{{ vault('key') }}` templates the engine has already resolved); a leading `~` in
 * the output path and in values is the home directory. The output may hold secrets, so it
 * is written owner-only (0600), atomically.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { GenerateConfig } from '../../config/schema';
import { writeFileAtomic } from '../../util/fsAtomic';

export class GenerateConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GenerateConfigError';
  }
}

export interface RenderedConfig {
  /** Absolute path of the written file. */
  output: string;
  content: string;
}

const ANY_TEMPLATE = /\{\{([\s\S]*?)\}\}/g;

export function expandTilde(value: string, home: string): string {
  return value === '~' || value.startsWith('~/') ? home + value.slice(1) : value;
}

/** Renders the template in memory (nothing is written). */
export async function renderConfig(spec: GenerateConfig, options: { configDir: string; home: string }): Promise<RenderedConfig> {
  const templatePath = isAbsolute(expandTilde(spec.template, options.home))
    ? expandTilde(spec.template, options.home)
    : resolve(options.configDir, spec.template);
  let template: string;
  try {
    template = await readFile(templatePath, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GenerateConfigError(
      code === 'ENOENT' ? `The config template ${templatePath} does not exist.` : `Cannot read the config template ${templatePath}: ${(error as Error).message}`,
    );
  }
  const vars = new Map(Object.entries(spec.vars ?? {}).map(([k, v]) => [k, expandTilde(String(v), options.home)]));
  const missing = new Set<string>();
  const content = template.replace(ANY_TEMPLATE, (whole, inner: string) => {
    const name = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$/.exec(inner)?.[1];
    if (name === undefined) return whole; // not a placeholder of ours (vault templates were resolved before)
    const value = vars.get(name);
    if (value === undefined) {
      missing.add(name);
      return whole;
    }
    return value;
  });
  if (missing.size > 0) {
    throw new GenerateConfigError(
      `The config template ${templatePath} uses ${[...missing].map((n) => `{{ ${n} }}`).join(', ')}, which generate_config.vars does not set.`,
    );
  }
  const output = resolve(options.configDir, expandTilde(spec.output, options.home));
  return { output, content };
}

export async function writeRenderedConfig(rendered: RenderedConfig): Promise<void> {
  await writeFileAtomic(rendered.output, rendered.content, 0o600);
}
