import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printApiSchema } from './core/graphql/schema';
import { buildAppSchema } from './modules';

// `npm run schema:emit`: writes the SDL that the code defines to schema/schema.graphql.
// A test fails while the committed file differs, so clients and codegen never drift.
export const SCHEMA_FILE = join(__dirname, '../schema/schema.graphql');

if (require.main === module) {
  buildAppSchema()
    .then((schema) => {
      writeFileSync(SCHEMA_FILE, printApiSchema(schema));
      process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${String(error)}\n`);
      process.exit(1);
    });
}
