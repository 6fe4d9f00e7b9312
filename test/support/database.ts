// A fresh, migrated database per test file, cloned from the run's template:
// files never see each other's rows and cloning costs milliseconds.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { inject } from 'vitest';
import { createPool, quoteIdentifier, withClient } from '../../src/db/pool.ts';
import { databaseUrl } from './globalSetup.ts';

export type TestDatabase = {
  url: string;
  name: string;
  pool: pg.Pool;
  drop(): Promise<void>;
};

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminDatabaseUrl');
  const name = `orgstream_test_${randomBytes(6).toString('hex')}`;
  await withClient(adminUrl, (client) =>
    client.query(
      `CREATE DATABASE ${quoteIdentifier(name)} TEMPLATE ${quoteIdentifier(inject('templateDatabase'))} STRATEGY FILE_COPY`,
    ),
  );
  const url = databaseUrl(adminUrl, name);
  const pool = createPool(url, { max: 30, applicationName: 'orgstream-test' });
  return {
    url,
    name,
    pool,
    drop: async () => {
      await pool.end();
      await withClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}

/**
 * A fresh pool on `url` whose connections count the statements sent through
 * them (`statements`, reset it to measure one piece of work): every
 * connection the pool opens carries the counter.
 */
export function countingPool(url: string, max: number): { pool: pg.Pool; statements: number } {
  const counted = { pool: createPool(url, { max }), statements: 0 };
  counted.pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counted.statements++;
      return query(...args);
    };
  });
  return counted;
}
