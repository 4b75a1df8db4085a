/**
 * Diagnostics are data. The CLI prints them, the language server publishes them; both
 * use the same codes and ranges. Positions are 0-based (line, character), as in LSP.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  file: string;
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix the editor may apply without asking (LSP `isPreferred`). */
  preferred?: boolean;
}

export interface RelatedInformation {
  file: string;
  range: Range;
  message: string;
}

export interface Diagnostic {
  file: string;
  range: Range;
  severity: Severity;
  code: DiagnosticCode;
  message: string;
  related?: RelatedInformation[];
  fixes?: Fix[];
}

/** Every diagnostic code, with what it means. The README's table is generated from this list. */
export const DIAGNOSTIC_CODES = {
  'yaml-syntax': 'The file is not valid YAML.',
  'duplicate-key': 'A mapping has the same key twice.',
  'schema-type': 'A value has the wrong type.',
  'schema-required': 'A required field is missing.',
  'schema-value': 'A value is not one of the allowed values or is out of range.',
  'unknown-key': 'A key the schema does not know (it is ignored).',
  'unknown-service': 'depends_on or inject_from names a service that does not exist.',
  'dependency-cycle': 'Services depend on each other in a cycle.',
  'self-dependency': 'A service depends on itself.',
  'overlay-unknown-service': 'An overlay configures a service the base file does not declare.',
  'overlay-environment-mismatch': "An overlay's environment: differs from its file name.",
  'overlay-version-mismatch': "An overlay's version differs from its base file's.",
  'template-malformed': 'A {{ ... }} template other than {{ vault(\'ns.key\') }}.',
  'template-unquoted': 'An unquoted {{ ... }} that YAML reads as a mapping.',
  'unknown-provider': 'provision.provider or target.type names no registered provisioner.',
  'no-provisioner': 'No provisioner handles this service; it will be skipped.',
  'vault-key-not-set': 'A vault key referenced by a template is not set.',
  'file-not-found': 'A generate_config template or a working directory that does not exist.',
} as const;

export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareText(a.file, b.file) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    compareText(a.code, b.code) ||
    compareText(a.message, b.message)
  );
}

/**
 * Code-unit order: stable across machines and locales, and free, where `localeCompare`
 * loads the ICU collator on first use (tens of milliseconds of a command's start).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
