// One replay thread of a rebuild (projections/rebuild.ts): replays its
// organizations' events up to the head into memory, one organization after
// the other, and writes each one's rows into the scratch schema while it
// replays the next, on its own connections.
import { parentPort, workerData } from 'node:worker_threads';
import { createEventCatalog } from '../events/index.ts';
import { createPool } from '../src/db/pool.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import { replayPart, type WorkerMessage, type WorkerTask } from './rebuild.ts';

const task = workerData as WorkerTask;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const pool = createPool(task.url, { max: 4, applicationName: 'orgstream-rebuild' });
try {
  const part = await replayPart(
    pool,
    new EventStore(pool, createEventCatalog()),
    task.scratch,
    task.organizationIds,
    task.head,
    { onReplayed: () => post({ kind: 'replayed' }) },
  );
  post({ kind: 'done', part });
} catch (error) {
  post({ kind: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
} finally {
  await pool.end();
}
