import { readFileSync } from 'node:fs';
import { printApiSchema } from '../../src/core/graphql/schema';
import { buildAppSchema } from '../../src/modules';
import { SCHEMA_FILE } from '../../src/emit-schema';

describe('schema/schema.graphql', () => {
  it('should equal the schema the code defines (run `npm run schema:emit` after changing types)', async () => {
    const emitted = printApiSchema(await buildAppSchema());
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(emitted);
  });
});
