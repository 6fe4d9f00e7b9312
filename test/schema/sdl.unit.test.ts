import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';

it('schema/schema.graphql is the SDL the server serves (run `npm run schema:print` after changing the schema)', () => {
  const checkedIn = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
  expect(checkedIn).toBe(`${printSchema(schema)}\n`);
});
