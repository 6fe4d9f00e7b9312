// Starts one embedded PostgreSQL for the whole run (unless TEST_DATABASE_URL
// points at a server), migrates a template database once, and hands its
// coordinates to the test files, which clone it (see database.ts).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { quoteIdentifier, withClient } from '../../src/db/pool.ts';
import { freePort } from './freePort.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of a maintenance database on the test server. */
    adminDatabaseUrl: string;
    templateDatabase: string;
  }
}

export const TEMPLATE_DATABASE = 'orgstream_test_template';

export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dataDir = join(process.cwd(), '.tmp', `test-pg-${process.pid}`);
    await rm(dataDir, { recursive: true, force: true });
    const server = await startEmbeddedPostgres({
      dataDir,
      port: await freePort(),
      // Durability buys nothing in a throwaway test cluster; speed does.
      settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '300' },
    });
    adminUrl = server.adminUrl;
    stop = async () => {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    };
  }
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(TEMPLATE_DATABASE)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${quoteIdentifier(TEMPLATE_DATABASE)}`);
  });
  await applyMigrations(databaseUrl(adminUrl, TEMPLATE_DATABASE));
  project.provide('adminDatabaseUrl', adminUrl);
  project.provide('templateDatabase', TEMPLATE_DATABASE);
  return stop;
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
