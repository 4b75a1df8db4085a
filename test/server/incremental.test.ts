/**
 * The incremental path (a document updated by incremental edits, re-parsed with its segment
 * cache, validated with the per-segment memos) against the full path (the whole text parsed
 * at once, validated from scratch), on random edit sequences: the parse and every diagnostic
 * must agree after every edit. The sequences are seeded; a failure names its seed and step.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseWhole, type ParsedFile } from '../../engine/config/parse';
import { analyze } from '../../engine/config/validate';
import { createDefaultRegistry } from '../../engine/provisioners/index';
import { Workspace } from '../../server/workspace';

const seeds = join(fileURLToPath(new URL('..', import.meta.url)), 'fixtures', 'seeds');
const registry = createDefaultRegistry();
const vaultKeys = new Set(['secrets.CF_ZONE_ID', 'hosting.acme_email']);
const vaultHas = (key: string) => vaultKeys.has(key);

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const generated = (() => {
  const lines = ['version: "2"', 'name: generated', 'services:'];
  for (let i = 0; i < 12; i++) {
    lines.push(`  s${i}:`, '    type: process', `    command: node s${i}.js`, `    depends_on: [${i > 0 ? `s${i - 1}` : ''}]`);
    if (i % 3 === 0) lines.push('    env:', `      TOKEN: "{{ vault('secrets.CF_ZONE_ID') }}"`);
    if (i % 4 === 1) lines.push('    inject_from:', `      s${i - 1}:`, '        - DATABASE_URL');
    if (i % 5 === 2) lines.push('    target:', '      type: neon', '      region: us-east-2');
  }
  lines.push('description: trailing header key');
  return lines.join('\n') + '\n';
})();

const corpora: Record<string, string> = {
  generated,
  system: readFileSync(join(seeds, '000-system', 'starsystem.yaml'), 'utf8'),
  cloudflare: readFileSync(join(seeds, '000-cloudflare', 'starsystem.yaml'), 'utf8'),
  walkthrough: readFileSync(join(seeds, '002-walkthrough', 'starsystem.yaml'), 'utf8'),
};

const ALPHABET = ['a', 'x', '-', '_', ' ', ' ', '  ', '\n', '\n  ', '\n    ', ':', ': ', '#', '"', "'", '[', ']', '{', '}', ',', '&', '*', '|', '>', '\t', '{{ ', '}}', '\r\n'];

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** An offset that does not split a CRLF (editors never address the middle of a line break). */
function clamp(text: string, offset: number): number {
  return offset > 0 && text[offset - 1] === '\r' && text[offset] === '\n' ? offset + 1 : offset;
}

/**
 * A random edit. Most are what typing does (a letter inside a value or key); the rest are
 * anything: punctuation that changes the structure, deletions, lines duplicated, removed or
 * moved.
 */
function randomEdit(text: string, next: () => number): Edit {
  const pick = <T>(xs: T[]) => xs[Math.floor(next() * xs.length)]!;
  const at = clamp(text, Math.floor(next() * (text.length + 1)));
  const kind = next();
  if (kind < 0.85) {
    // Typing: a letter after an existing letter (inside a word).
    const words = [...text.matchAll(/[A-Za-z]/g)].map((m) => m.index! + 1);
    if (words.length === 0) return { start: at, end: at, text: 'a' };
    const where = pick(words);
    return { start: where, end: where, text: pick(['a', 'x', 'e', '1', '-']) };
  }
  if (kind < 0.93) return { start: at, end: at, text: pick(ALPHABET) };
  if (kind < 0.96) return { start: at, end: clamp(text, Math.min(text.length, at + 1 + Math.floor(next() * 4))), text: '' };
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at);
  const end = lineEnd === -1 ? text.length : lineEnd + 1;
  if (kind < 0.98) return { start: lineStart, end: lineStart, text: text.slice(lineStart, end) };
  if (kind < 0.99) return { start: lineStart, end, text: '' };
  const target = text.lastIndexOf('\n', Math.floor(next() * text.length)) + 1;
  return target <= lineStart ? { start: target, end: target, text: text.slice(lineStart, end) } : { start: lineStart, end, text: '' };
}

function js(entry: { value: { toJS(doc: unknown): unknown } | null; doc: unknown }): unknown {
  try {
    return entry.value?.toJS(entry.doc) ?? null;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function shape(file: ParsedFile) {
  return {
    header: [...file.header].map(([k, e]) => [k, js(e)]),
    servicesShape: file.servicesShape,
    topLevelIsMap: file.topLevelIsMap,
    services: file.services.map((s) => ({
      id: s.id,
      value: js(s),
      key: file.lines.range(s.base + s.key.range![0], s.base + s.key.range![1]),
    })),
  };
}

function run(name: string, start: string, seed: number, steps: number, withOverlay: boolean): { segmented: number } {
  const next = random(seed);
  const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'no-such-folder');
  const path = join(dir, 'starsystem.yaml');
  const uri = pathToFileURL(path).href;
  const overlayText = `version: "2"\nenvironment: local\nservices:\n  s1:\n    command: node s1-local.js\n  api:\n    target:\n      type: fly\n`;
  const workspace = new Workspace({ registry, vaultHas: () => vaultHas, vaultGeneration: () => 0, onDiskChange: () => undefined });
  workspace.openDocument(uri, 'yaml', 1, start);
  if (withOverlay) workspace.openDocument(pathToFileURL(join(dir, 'starsystem.local.yaml')).href, 'yaml', 1, overlayText);
  let text = start;
  let segmented = 0;
  try {
    const history: string[] = [];
    for (let step = 1; step <= steps; step++) {
      // Now and then an undo: the document returns to an earlier text (often a parse that can be segmented again).
      let edit: Edit;
      if (history.length > 0 && next() < 0.4) {
        const previous = history.pop()!;
        edit = { start: 0, end: text.length, text: previous };
      } else {
        edit = randomEdit(text, next);
        history.push(text);
      }
      const doc = workspace.get(uri)!.document;
      const range = { start: doc.positionAt(edit.start), end: doc.positionAt(edit.end) };
      text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
      workspace.changeDocument(uri, step + 1, [{ range, text: edit.text }]);
      const where = `${name}, seed ${seed}, step ${step}`;
      assert.equal(doc.getText(), text, `${where}: the document's text`);

      const snapshot = workspace.snapshot(uri)!;
      if (snapshot.file.mode === 'segmented') segmented++;
      const whole = parseWhole(path, text);
      assert.deepEqual(shape(snapshot.file), shape(whole), `${where}: the parse (${snapshot.file.mode})\n${text}`);
      const overlay = withOverlay ? parseWhole(join(dir, 'starsystem.local.yaml'), overlayText) : undefined;
      const full = analyze(whole, overlay, { env: 'local', registry, vaultHas, fileExists: existsSync });
      assert.deepEqual(snapshot.model!.diagnostics, full.diagnostics, `${where}: the diagnostics (${snapshot.file.mode})\n${text}`);
      assert.deepEqual(
        snapshot.model!.services.map((s) => [s.id, s.provider, s.requestedProvider, s.dependsOn, s.valid]),
        full.services.map((s) => [s.id, s.provider, s.requestedProvider, s.dependsOn, s.valid]),
        `${where}: the model`,
      );
    }
  } finally {
    workspace.close();
  }
  return { segmented };
}

describe('incremental parse and validation agree with the full ones', () => {
  for (const [name, text] of Object.entries(corpora)) {
    test(`${name}: random edit sequences`, () => {
      let segmented = 0;
      for (const seed of [1, 2, 3, 4, 5]) segmented += run(name, text, seed * 7919 + name.length, 60, false).segmented;
      // The sequences must exercise the incremental path, not only the fallback.
      assert.ok(segmented > 100, `only ${segmented} of 300 parses were segmented`);
    });
  }

  test('a base validated with an open overlay', () => {
    for (const seed of [11, 12, 13]) run('generated+overlay', generated, seed, 60, true);
  });
});
