// The table specs projections write through must match the migrated schema:
// every column named, with a compatible type, and nothing left out.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readModelTables } from '../../projections/tables.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const POSTGRES_TYPE = {
  uuid: 'uuid',
  text: 'text',
  int: 'integer',
  bigint: 'bigint',
  float8: 'double precision',
  bool: 'boolean',
  timestamptz: 'timestamp with time zone',
  jsonb: 'jsonb',
  'text[]': 'text[]',
  'uuid[]': 'uuid[]',
  'bigint[]': 'bigint[]',
} as const;

it.each(readModelTables.map((spec) => [spec.table, spec] as const))('%s matches the database', async (table, spec) => {
  const result = await db.pool.query<{ column_name: string; type: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, NULL) AS type
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relname = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attname`,
    [table],
  );
  const inDatabase = Object.fromEntries(result.rows.map((row) => [row.column_name, row.type]));
  const inSpec = Object.fromEntries(
    Object.values(spec.columns as Record<string, readonly [string, keyof typeof POSTGRES_TYPE]>).map(
      ([column, type]) => [column, POSTGRES_TYPE[type]],
    ),
  );
  expect(inSpec).toEqual(inDatabase);
});
