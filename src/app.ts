// Wires the service together: database (embedded or DATABASE_URL), migrations,
// event store, GraphQL and the operations endpoints. `startService` is what
// `npm start` runs and what end-to-end tests start on a free port.

import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { PrismaPg } from '@prisma/adapter-pg';
import { createEventCatalog } from '../events/index.ts';
import type { Config } from './config.ts';
import { type DatabaseHandle, openDatabase } from './db/database.ts';
import { applyMigrations, defaultMigrationPaths } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { EventStore } from './eventStore/eventStore.ts';
import { EventNotifier } from './eventStore/notifier.ts';
import { ALL_ORGANIZATIONS } from './eventStore/types.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { createGraphQLHandler } from './http/graphql.ts';
import { createHttpServer } from './http/server.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics } from './observability/metrics.ts';

export type RunningService = {
  /** e.g. http://127.0.0.1:4000 */
  url: string;
  databaseUrl: string;
  store: EventStore;
  close(): Promise<void>;
};

export async function startService(config: Config, logger: Logger): Promise<RunningService> {
  const database: DatabaseHandle = await openDatabase(config, (line) => logger.debug({ postgres: line }));
  const cleanups: (() => Promise<unknown>)[] = [() => database.close()];
  const closeAll = async () => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => logger.error({ err: error }, 'shutdown step failed'));
  };
  try {
    logger.info(
      { embedded: database.embedded },
      database.embedded ? 'embedded PostgreSQL started' : 'using DATABASE_URL',
    );
    const applied = await applyMigrations(database.url, { log: (line) => logger.info(line) });
    if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    const expectedMigrations = await migrationNames();

    const pool = createPool(database.url, { max: config.databasePoolSize });
    cleanups.push(() => pool.end());
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    cleanups.push(() => prisma.$disconnect());
    const notifier = new EventNotifier(database.url, {
      onError: (error) => logger.warn({ err: error }, 'event listener lost its connection'),
    });
    cleanups.push(() => notifier.close());
    await notifier.start();
    const store = new EventStore(pool, createEventCatalog(), notifier);
    const metrics = createMetrics();

    const commands = { pool, store };
    const yoga = createGraphQLHandler({
      prisma,
      pool,
      store,
      commands,
      adminToken: config.adminToken,
      logger,
      metrics,
    });
    const server = createHttpServer({
      graphql: yoga,
      metrics,
      readiness: async () => {
        const applied = await pool.query<{ migration_name: string }>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
        );
        const done = new Set(applied.rows.map((row) => row.migration_name));
        const pending = expectedMigrations.filter((name) => !done.has(name));
        const head = await store.headPosition(ALL_ORGANIZATIONS);
        metrics.eventStoreHead.set(Number(head));
        return {
          ready: pending.length === 0 && notifier.connected,
          checks: {
            database: 'ok',
            pendingMigrations: pending,
            listener: notifier.connected ? 'ok' : 'reconnecting',
            headPosition: head.toString(),
          },
        };
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
          // In-flight requests get a moment; then everything is cut.
          setTimeout(() => server.closeAllConnections(), 5_000).unref();
        }),
    );
    const address = server.address() as AddressInfo;
    const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
    logger.info({ url: `${url}/graphql` }, 'Orgstream is listening');
    return { url, databaseUrl: database.url, store, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

async function migrationNames(): Promise<string[]> {
  const entries = await readdir(defaultMigrationPaths.migrationsDir, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}
