// One replay thread of a rebuild (projections/rebuild.ts): replays its
// organizations' events up to the head into memory and writes their rows
// into the scratch schema, on its own connections.
import { parentPort, workerData } from 'node:worker_threads';
import { createEventCatalog } from '../events/index.ts';
import { createPool } from '../src/db/pool.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import { replayPart, type WorkerTask } from './rebuild.ts';

const task = workerData as WorkerTask;
const pool = createPool(task.url, { max: 4, applicationName: 'orgstream-rebuild' });
try {
  const part = await replayPart(
    pool,
    new EventStore(pool, createEventCatalog()),
    task.scratch,
    task.organizationIds,
    task.head,
  );
  parentPort!.postMessage({ ok: true, part });
} catch (error) {
  parentPort!.postMessage({
    ok: false,
    error: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
} finally {
  await pool.end();
}
