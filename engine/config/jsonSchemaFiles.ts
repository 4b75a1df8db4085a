/** The JSON Schema files published in schemas/, for YAML tooling (and the extension's yamlValidation). */
import { jsonSchema } from './schemaInfo';

export interface GeneratedFile {
  path: string;
  text: string;
}

export function generatedSchemaFiles(): GeneratedFile[] {
  const file = (path: string, title: string, root: 'base-file' | 'overlay-file'): GeneratedFile => {
    const { $schema, ...rest } = jsonSchema(root);
    const schema = { $schema, title, ...rest };
    return { path, text: JSON.stringify(schema, null, 2) + '\n' };
  };
  return [
    file('schemas/starsystem.schema.json', 'starsystem.yaml', 'base-file'),
    file('schemas/starsystem-overlay.schema.json', 'starsystem.<env>.yaml', 'overlay-file'),
  ];
}
