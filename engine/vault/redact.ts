/**
 * Masks secret values in text (logs, errors, output). The vault adds every value it hands
 * out or stores; anything that prints engine text passes it through `redact` first.
 */
import type { Redactor } from './types';

export const REDACTED = '***';
/** Shorter values would mask ordinary words ("on", "dev") everywhere. */
const MIN_SECRET_LENGTH = 4;

/** A redactor that masks each value as written, JSON-escaped, URL-encoded and, for multi-line values, line by line. */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  let pattern: RegExp | undefined;

  const addForm = (form: string): boolean => {
    if (form.length < MIN_SECRET_LENGTH || secrets.has(form)) return false;
    secrets.add(form);
    return true;
  };

  return {
    add(value: string): void {
      if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
      let changed = false;
      for (const form of forms(value)) changed = addForm(form) || changed;
      if (changed) pattern = undefined;
    },
    redact(text: string): string {
      if (secrets.size === 0 || typeof text !== 'string' || text === '') return text;
      // Longest first, so a secret that contains another is masked whole.
      pattern ??= new RegExp([...secrets].sort((a, b) => b.length - a.length).map(escapeRegExp).join('|'), 'g');
      return text.replace(pattern, REDACTED);
    },
  };
}

/** The ways a value commonly shows up in text besides verbatim. */
function forms(value: string): string[] {
  const out = [value];
  const json = JSON.stringify(value).slice(1, -1);
  if (json !== value) out.push(json);
  const url = encodeURIComponent(value);
  if (url !== value) out.push(url);
  const trimmed = value.trim();
  if (trimmed !== value) out.push(trimmed);
  if (/[\r\n]/.test(value)) {
    // A PEM key or a multi-line token is often logged one line at a time; short lines
    // ("-----END", "}") are common text, so only lines of some length are masked.
    for (const line of value.split(/\r?\n/)) {
      const t = line.trim();
      if (t.length >= 8) out.push(t);
    }
  }
  return out;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
