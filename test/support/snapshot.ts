// Every row of every read-model table, in key order: what "the read models
// are equal" means in the replay and rebuild tests.
import type pg from 'pg';
import { readModelTables } from '../../projections/tables.ts';

export async function snapshotReadModels(pool: pg.Pool): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const spec of readModelTables) {
    const keys = spec.key.map((field) => `"${(spec.columns as Record<string, readonly [string, string]>)[field]![0]}"`);
    const result = await pool.query(`SELECT * FROM "${spec.table}" ORDER BY ${keys.join(', ')}`);
    snapshot[spec.table] = result.rows;
  }
  return snapshot;
}
