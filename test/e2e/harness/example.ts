/**
 * A private copy of an example system for one test: copied to a temp folder, with every
 * local port it declares moved to a free one, so that the tests never collide with each
 * other or with anything else listening on the example's usual ports.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './codeServer';

export async function copyExample(source: string, prefix: string): Promise<{ dir: string; ports: Map<number, number> }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync(source, dir, { recursive: true, filter: (src) => !/[\\/](node_modules|\.git|\.generated)([\\/]|$)/.test(src) });
  const file = join(dir, 'starsystem.yaml');
  let text = readFileSync(file, 'utf8');
  const ports = new Map<number, number>();
  for (const m of text.matchAll(/(?:127\.0\.0\.1|localhost):(\d{2,5})\b/g)) {
    const port = Number(m[1]);
    if (!ports.has(port)) ports.set(port, await freePort());
  }
  for (const [from, to] of ports) text = text.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to));
  writeFileSync(file, text);
  return { dir, ports };
}
