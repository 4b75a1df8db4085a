/**
 * When the Red Hat YAML extension validates starsystem files with the schema this extension
 * contributes (`yamlValidation`), it already reports what a JSON Schema can say. Those
 * diagnostics of ours are then left out, so nothing shows twice; what only Starsystem knows
 * (references, cycles, providers, vault keys, overlays) stays.
 */

/** Our diagnostic codes that a JSON Schema validator reports too. */
export const SCHEMA_LEVEL_CODES: ReadonlySet<string> = new Set(['yaml-syntax', 'duplicate-key', 'schema-type', 'schema-required', 'schema-value', 'unknown-key']);

export interface CodedDiagnostic {
  source?: string;
  code?: string | number | { value: string | number };
}

export function withoutSchemaDuplicates<T extends CodedDiagnostic>(diagnostics: readonly T[], yamlExtensionValidates: boolean): T[] {
  if (!yamlExtensionValidates) return [...diagnostics];
  return diagnostics.filter((d) => {
    const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
    return !(d.source === 'starsystem' && typeof code === 'string' && SCHEMA_LEVEL_CODES.has(code));
  });
}
