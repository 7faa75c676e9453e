import { readFileSync } from 'node:fs';
import { buildApiSchema, printApiSchema } from '../../src/core/graphql/schema';
import { SCHEMA_FILE } from '../../src/core/graphql/emit-schema';

describe('schema/schema.graphql', () => {
  it('should equal the schema the code defines (run `npm run schema:emit` after changing types)', async () => {
    const emitted = printApiSchema(await buildApiSchema());
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(emitted);
  });
});
