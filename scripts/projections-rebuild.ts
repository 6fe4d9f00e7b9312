// `npm run projections:rebuild`: rebuilds every read model from position 0
// into fresh tables and swaps them in; the service may keep running.
import { createEventCatalog } from '../events/index.ts';
import { rebuildReadModels } from '../projections/rebuild.ts';
import { clearSnapshots } from '../src/audit/snapshots.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';

const config = loadConfig();
const database = await openDatabase(config);
let failed = false;
try {
  await applyMigrations(database.url);
  const pool = createPool(database.url, { applicationName: 'orgstream-rebuild' });
  try {
    const report = await rebuildReadModels(pool, new EventStore(pool, createEventCatalog()), {
      log: (line) => console.log(line),
    });
    const seconds = (report.replayMs + report.writeMs + report.catchUpMs + report.swapMs) / 1000;
    console.log(
      `rebuilt from ${report.events} events (to position ${report.position}) in ${seconds.toFixed(1)} s: ` +
        `replay ${report.replayMs.toFixed(0)} ms, write ${report.writeMs.toFixed(0)} ms, ` +
        `catch-up ${report.catchUpMs.toFixed(0)} ms, swap ${report.swapMs.toFixed(0)} ms`,
    );
    console.table(report.rows);
    // Snapshots of the past were built by the projection code of their day.
    await clearSnapshots(pool);
  } finally {
    await pool.end();
  }
} catch (error) {
  failed = true;
  console.error('rebuild failed:', error instanceof Error ? error.message : error);
} finally {
  await database.close();
}
process.exit(failed ? 1 : 0);
