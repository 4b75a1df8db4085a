/**
 * Writes schemas/starsystem.schema.json and schemas/starsystem-overlay.schema.json from the
 * zod schemas in engine/config/schema.ts. `npm run schemas`; a test fails when the checked-in
 * files differ from what this prints.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generatedSchemaFiles } from '../engine/config/jsonSchemaFiles';

const root = fileURLToPath(new URL('..', import.meta.url));
for (const file of generatedSchemaFiles()) {
  writeFileSync(root + file.path, file.text);
  process.stdout.write(`wrote ${file.path}\n`);
}
