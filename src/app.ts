// Wires the service together: database (embedded or DATABASE_URL), migrations,
// event store, GraphQL and the operations endpoints. `startService` is what
// `npm start` runs and what end-to-end tests start on a free port.

import { readdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { PrismaPg } from '@prisma/adapter-pg';
import type pg from 'pg';
import { createEventCatalog } from '../events/index.ts';
import { startFrictionScheduler } from '../projections/friction/scheduler.ts';
import { prepareSnapshots, SnapshotStore, TIME_TRAVEL_SCHEMA } from './audit/snapshots.ts';
import { cacheVerifiedTokens } from './auth/tokens.ts';
import type { CommandDeps } from './commands/execute.ts';
import type { Config } from './config.ts';
import { type DatabaseHandle, openDatabase } from './db/database.ts';
import { applyMigrations, defaultMigrationPaths } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { EventStore } from './eventStore/eventStore.ts';
import { EventNotifier } from './eventStore/notifier.ts';
import { ALL_ORGANIZATIONS } from './eventStore/types.ts';
import { PrismaClient } from './generated/prisma/client.ts';
import { createExportHandler } from './http/exports.ts';
import { createGraphQLHandler } from './http/graphql.ts';
import { createHttpServer } from './http/server.ts';
import { sharedTokenCheck } from './http/tokenRecheck.ts';
import { attachWebSocketTransport } from './http/websocket.ts';
import type { Logger } from './observability/logger.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import { ResidentModels } from './readModel/resident.ts';

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
    cacheVerifiedTokens(pool, config.tokenCacheMs);
    cleanups.push(() => pool.end());
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    cleanups.push(() => prisma.$disconnect());
    // Time travel: snapshots of the past, read through the views of their own schema.
    await prepareSnapshots(pool);
    const pastPrisma = new PrismaClient({ adapter: new PrismaPg(pool, { schema: TIME_TRAVEL_SCHEMA }) });
    cleanups.push(() => pastPrisma.$disconnect());
    const notifier = new EventNotifier(database.url, {
      onError: (error) => logger.warn({ err: error }, 'event listener lost its connection'),
    });
    cleanups.push(() => notifier.close());
    await notifier.start();
    const store = new EventStore(pool, createEventCatalog(), notifier);
    const metrics = createMetrics();

    // Read models kept in memory for commands (and the timer scheduler, which runs as one).
    const resident =
      config.residentOrganizations > 0
        ? new ResidentModels({ maxOrganizations: config.residentOrganizations })
        : undefined;
    const commands: CommandDeps = {
      pool,
      store,
      ...(resident ? { resident } : {}),
      onCommitted: (events) => metrics.eventsAppended.inc(events.length),
      onFrictionChanges: (changes) => {
        for (const { kind, change } of changes) metrics.frictionSignalChanges.inc({ kind, change });
      },
    };
    // One token check for the subscriptions and the sockets that carry them.
    const tokenCheck = sharedTokenCheck({ pool, adminToken: config.adminToken, recheckMs: config.tokenRecheckMs });
    const yoga = createGraphQLHandler({
      prisma,
      past: {
        snapshots: new SnapshotStore(pool, store, { maxSnapshots: config.snapshots }),
        prisma: pastPrisma,
        // Half the pool at most: the other half serves what those queries' resolvers read besides.
        concurrency: Math.max(1, Math.floor(config.databasePoolSize / 2)),
      },
      pool,
      store,
      commands,
      adminToken: config.adminToken,
      answerCacheBytes: config.answerCacheBytes,
      tokenCheck,
      logger,
      metrics,
    });
    const server = createHttpServer({
      graphql: yoga,
      exports: createExportHandler({ pool, store, adminToken: config.adminToken, logger }),
      metrics,
      readiness: () => checkReadiness({ pool, store, notifier, metrics, expectedMigrations }),
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
    const websockets = attachWebSocketTransport(server, yoga, {
      pool,
      adminToken: config.adminToken,
      logger,
      tokenCheck,
      stallMs: config.wsStallMs,
      keepAliveMs: config.wsKeepAliveMs,
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
    // Cleanups run in reverse: subscriptions complete before the HTTP server closes.
    cleanups.push(() => websockets.close());
    const scheduler = startFrictionScheduler(pool, store, {
      intervalMs: config.frictionTimerMs,
      ...(resident ? { resident } : {}),
      onError: (error) => logger.error({ err: error }, 'firing friction timers failed; retrying at the next tick'),
      onRun: (run) => {
        for (const { kind, change } of run.signalChanges) metrics.frictionSignalChanges.inc({ kind, change });
        if (run.changes > 0)
          logger.debug({ organizations: run.organizations, changes: run.changes }, 'fired friction timers');
      },
    });
    cleanups.push(() => scheduler.stop());
    const address = server.address() as AddressInfo;
    const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
    const organizations = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM organizations');
    if (organizations.rows[0]?.n === 0) {
      logger.info(
        'No organization yet. Load the demo organization with `npm run seed:demo`, or create one with the ' +
          'createOrganization mutation and the ORGSTREAM_ADMIN_TOKEN (see README, "Using the API").',
      );
    }
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

/** /ready fails when the read models are more than this many events behind the log. */
export const MAX_PROJECTION_LAG = 1_000;
const READY_TIMEOUT_MS = 2_000;

/**
 * The read-model tables whose rows carry the position of the last event that
 * changed them; every event of a stream moves its object's row (see
 * projections/), so the highest position among them is how far the read
 * models have got.
 */
const READ_MODEL_TABLES = [
  'organizations',
  'people',
  'teams',
  'value_streams',
  'responsibilities',
  'dependencies',
  'assets',
  'interactions',
  'handoffs',
] as const;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what} did not answer within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Database reachable, migrations applied, listener connected, projections
 * caught up within MAX_PROJECTION_LAG. The failing checks are named in
 * `failing`; the HTTP status is 503 unless all pass.
 */
export async function checkReadiness(parts: {
  pool: Pick<pg.Pool, 'query'>;
  store: Pick<EventStore, 'headPosition'>;
  notifier: Pick<EventNotifier, 'connected'>;
  metrics: Metrics;
  expectedMigrations: readonly string[];
}): Promise<{ ready: boolean; checks: Record<string, unknown> }> {
  const { pool, store, notifier, metrics } = parts;
  const failing: string[] = [];
  const checks: Record<string, unknown> = {};
  try {
    await withTimeout(pool.query('SELECT 1'), 'the database');
    checks.database = 'ok';
  } catch (error) {
    checks.database = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
    return { ready: false, checks: { ...checks, failing: ['database'] } };
  }
  try {
    const state = await withTimeout(
      (async () => {
        const applied = await pool.query<{ migration_name: string }>(
          'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
        );
        const done = new Set(applied.rows.map((row) => row.migration_name));
        const pending = parts.expectedMigrations.filter((name) => !done.has(name));
        const head = await store.headPosition(ALL_ORGANIZATIONS);
        const projected = await pool.query<{ position: string | null }>(
          `SELECT GREATEST(${READ_MODEL_TABLES.map((table) => `(SELECT max(position) FROM ${table})`).join(', ')})::text AS position`,
        );
        const readModelPosition = BigInt(projected.rows[0]?.position ?? 0);
        // Events (not position numbers: an aborted append leaves a hole) the
        // read models have not reached, counted up to just past the bound.
        const behind = await pool.query<{ lag: number }>(
          `SELECT count(*)::int AS lag FROM (
             SELECT 1 FROM events WHERE position > $1::bigint AND position <= $2::bigint LIMIT $3
           ) AS pending`,
          [readModelPosition.toString(), head.toString(), MAX_PROJECTION_LAG + 1],
        );
        // Delivery held back: committed events a gap-free reader may not see
        // yet, because a transaction older than them still runs (any write
        // transaction on the server), and how long the oldest has run.
        const horizon = await pool.query<{ held: number; oldest: number | null }>(
          `SELECT (SELECT count(*)::int FROM (SELECT 1 FROM events WHERE position > $1::bigint LIMIT $2) AS later) AS held,
                  (SELECT extract(epoch FROM now() - min(xact_start))::float8 FROM pg_stat_activity
                   WHERE backend_xid IS NOT NULL AND pid <> pg_backend_pid()) AS oldest`,
          [head.toString(), MAX_PROJECTION_LAG + 1],
        );
        return {
          pending,
          head,
          readModelPosition,
          lag: behind.rows[0]?.lag ?? 0,
          held: horizon.rows[0]?.held ?? 0,
          oldestWriteSeconds: horizon.rows[0]?.oldest ?? 0,
        };
      })(),
      'the readiness queries',
    );
    metrics.eventStoreHead.set(Number(state.head));
    metrics.projectionLag.set(state.lag);
    metrics.eventsHeldBack.set(state.held);
    metrics.oldestWriteTransaction.set(state.oldestWriteSeconds);
    checks.pendingMigrations = state.pending;
    if (state.pending.length > 0) failing.push('migrations');
    checks.headPosition = state.head.toString();
    checks.projectedPosition = state.readModelPosition.toString();
    checks.projectionLag = state.lag;
    // Reported, not failing: a long transaction of another client is not this
    // process's fault, and subscribers get the events once it ends.
    checks.eventsHeldBack = state.held;
    checks.oldestWriteTransactionSeconds = Math.round(state.oldestWriteSeconds * 10) / 10;
    if (state.lag > MAX_PROJECTION_LAG) failing.push('projections');
  } catch (error) {
    checks.error = error instanceof Error ? error.message : String(error);
    failing.push('database');
  }
  checks.listener = notifier.connected ? 'ok' : 'reconnecting';
  if (!notifier.connected) failing.push('listener');
  return { ready: failing.length === 0, checks: { ...checks, failing } };
}
