// The one place that opens PostgreSQL connections. Everything (the event
// store, Prisma's driver adapter, migrations, LISTEN connections) gets its
// pool or client here, so connection settings live in one spot.
import pg from 'pg';

export type PoolOptions = {
  max?: number;
  /** Shown in pg_stat_activity; helps when several processes share a server. */
  applicationName?: string;
};

/** Idle time before TCP keep-alive probes start (the OS default is two hours). */
const KEEP_ALIVE_DELAY_MS = 15_000;

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'orgstream',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    // TCP keep-alive: a connection whose peer vanished fails instead of hanging
    // (a command waiting on it holds its organization's lock, and the next
    // command of the organization waits for its outcome).
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
  });
  // An idle client that loses its connection emits 'error' on the pool; the
  // pool drops it and opens a fresh one on demand. Without a listener Node
  // would treat the event as an uncaught exception and crash the process.
  pool.on('error', () => {});
  return pool;
}

/** A single dedicated connection (LISTEN, administrative statements). */
export function createClient(url: string, applicationName = 'orgstream'): pg.Client {
  // Keep-alive as for the pool: a LISTEN connection whose peer vanished must
  // fail (and be replaced), not leave its listeners polling unawares.
  return new pg.Client({
    connectionString: url,
    application_name: applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: KEEP_ALIVE_DELAY_MS,
  });
}

export async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = createClient(url);
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Runs `work` in a transaction on a connection of its own: committed when it
 * returns, rolled back when it throws (the error goes on), the connection
 * released either way.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
