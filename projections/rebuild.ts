// Rebuilds every read model from position 0 into fresh tables and swaps them
// in while the service keeps running (blue/green).
//
// 1. Create empty copies of the read-model tables in a scratch schema.
// 2. Replay the whole log into memory (the same projection code the inline
//    path runs) and write it into the copies. Queries and commands go on
//    against the live tables meanwhile.
// 3. In one short transaction: lock the live tables (queries and commands
//    wait a moment), apply the events committed since step 2 (all of them: under the
//    lock no writer is half-way), drop the live tables, move the copies in
//    and restore the index names Prisma's migrations know.
//    A command that was waiting for the lock finds the new tables by name and
//    applies its own events there.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { ALL_ORGANIZATIONS, type EventStore } from '../src/eventStore/eventStore.ts';
import type { RecordedEvent } from '../src/eventStore/types.ts';
import { WorkingSet } from '../src/readModel/workingSet.ts';
import { FrictionEngine } from './friction/engine.ts';
import { applyEvents } from './index.ts';
import { readModelTables } from './tables.ts';

export type RebuildReport = {
  events: number;
  /** The last position applied before the swap. */
  position: bigint;
  replayMs: number;
  writeMs: number;
  swapMs: number;
  rows: Record<string, number>;
};

const BATCH = 10_000;
const WRITERS = 3;
const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

export async function rebuildReadModels(
  pool: pg.Pool,
  store: EventStore,
  options: {
    log?: (line: string) => void;
    /** At most this many replay threads (default: the machine's cores; 1: in this thread). */
    workers?: number;
  } = {},
): Promise<RebuildReport> {
  const log = options.log ?? (() => {});
  const scratch = `rebuild_${Date.now().toString(36)}`;
  const tables = readModelTables.map((spec) => spec.table);
  await pool.query(`CREATE SCHEMA ${quote(scratch)}`);
  try {
    // Bare copies (columns, defaults, NOT NULL): indexes are built after the
    // bulk load, which is several times faster than maintaining them row by row.
    for (const table of tables) {
      await pool.query(
        `CREATE TABLE ${quote(scratch)}.${quote(table)} (LIKE public.${quote(table)} INCLUDING DEFAULTS INCLUDING GENERATED)`,
      );
    }

    // Replay up to the head a gap-free reader sees now; what commits later is
    // caught up in the swap. Organizations are independent: several at once
    // on worker threads when there are several and the machine has the cores.
    const head = await store.headPosition(ALL_ORGANIZATIONS);
    const started = performance.now();
    const groups = await organizationGroups(pool, head, options.workers ?? availableParallelism());
    const url = connectionStringOf(pool);
    const parts =
      groups.length > 1 && url
        ? await Promise.all(groups.map((organizationIds) => replayOnWorker({ url, scratch, organizationIds, head })))
        : [await replayPart(pool, store, scratch, ALL_ORGANIZATIONS, head, log)];
    const events = parts.reduce((sum, part) => sum + part.events, 0);
    // Each thread writes its rows when it has replayed them: the slowest write ends the phase.
    const copyMs = Math.max(...parts.map((part) => part.copyMs));
    const replayMs = performance.now() - started - copyMs;
    const writeStarted = performance.now();
    await buildIndexes(pool, scratch, tables);
    const writeMs = performance.now() - writeStarted + copyMs;
    log(
      `replayed ${events} events on ${parts.length} thread(s), wrote their rows in ${copyMs.toFixed(0)} ms, built the indexes in ${(writeMs - copyMs).toFixed(0)} ms`,
    );

    const swapStarted = performance.now();
    const caughtUp = await swapWithRetry(pool, store, scratch, tables, head, log);
    const swapMs = performance.now() - swapStarted;

    const rows: Record<string, number> = {};
    for (const table of tables) {
      rows[table] = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${quote(table)}`))
        .rows[0]!.n;
    }
    return { events: events + caughtUp.events, position: caughtUp.position, replayMs, writeMs, swapMs, rows };
  } finally {
    await pool.query(`DROP SCHEMA IF EXISTS ${quote(scratch)} CASCADE`);
  }
}

/** A swap that lost a deadlock or timed out waiting for its lock is simply tried again. */
async function swapWithRetry(...args: Parameters<typeof swap>): Promise<Awaited<ReturnType<typeof swap>>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await swap(...args);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 5 || (code !== '40P01' && code !== '55P03')) throw error;
      args[5](`swap attempt ${attempt} gave way (${code}); retrying`);
    }
  }
}

/**
 * Gives the scratch tables the live tables' constraints and indexes, under the
 * same names (names are per schema, so they do not clash until the swap
 * drops the live tables), built on a few connections at once.
 */
async function buildIndexes(pool: pg.Pool, scratch: string, tables: string[]): Promise<void> {
  const definitions = await pool.query<{ table: string; constraint: string | null; name: string; definition: string }>(
    `SELECT t.relname AS table, c.conname AS constraint, i.relname AS name,
            CASE WHEN c.oid IS NOT NULL THEN pg_get_constraintdef(c.oid) ELSE pg_get_indexdef(i.oid) END AS definition
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = t.oid
     WHERE n.nspname = 'public' AND t.relname = ANY($1)`,
    [tables],
  );
  const statements = definitions.rows.map((row) =>
    row.constraint
      ? `ALTER TABLE ${quote(scratch)}.${quote(row.table)} ADD CONSTRAINT ${quote(row.constraint)} ${row.definition}`
      : row.definition
          .replace(` ON public.${row.table} `, ` ON ${quote(scratch)}.${quote(row.table)} `)
          .replace(` ON public.${quote(row.table)} `, ` ON ${quote(scratch)}.${quote(row.table)} `),
  );
  for (const statement of statements) {
    if (!statement.includes(quote(scratch))) throw new Error(`cannot retarget index definition: ${statement}`);
  }
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let statement = statements.shift(); statement; statement = statements.shift()) {
        await pool.query(statement);
      }
    }),
  );
}

async function swap(
  pool: pg.Pool,
  store: EventStore,
  scratch: string,
  tables: string[],
  from: bigint,
  log: (line: string) => void,
): Promise<{ events: number; position: bigint }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Waits for every writer already inside (so every event committed is
    // visible below) and holds off readers and writers for the short swap.
    // Taken at full strength at once: upgrading a weaker lock later would
    // deadlock with a command that read a table and now wants to write it.
    await client.query(`SET LOCAL lock_timeout = '10s'`);
    await client.query(`LOCK TABLE ${tables.map((t) => `public.${quote(t)}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const late = await committedSince(client, store, from);
    if (late.length > 0) {
      await client.query(`SET LOCAL search_path = ${quote(scratch)}, public`);
      const ws = new WorkingSet(client);
      await applyEvents(ws, late, new FrictionEngine(ws, client));
      await ws.flush();
      await client.query('SET LOCAL search_path = public');
      log(`caught up ${late.length} events committed during the rebuild`);
    }
    // Readers wait for these few statements (DROP takes the table's strongest lock).
    // The copies' indexes and constraints already carry the live names.
    for (const table of tables) {
      await client.query(`DROP TABLE public.${quote(table)}`);
      await client.query(`ALTER TABLE ${quote(scratch)}.${quote(table)} SET SCHEMA public`);
    }
    await client.query('COMMIT');
    return { events: late.length, position: late.at(-1)?.position ?? from };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** Every committed event after `from`: under the table lock no appender can still be half-way. */
async function committedSince(client: pg.PoolClient, store: EventStore, from: bigint): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let position = from; ; ) {
    const batch = await store.readAll(ALL_ORGANIZATIONS, {
      from: position,
      limit: BATCH,
      within: client,
      ignoreHorizon: true,
    });
    if (batch.length === 0) return events;
    events.push(...batch);
    position = batch.at(-1)!.position;
  }
}

/**
 * Replays the events of `scope` up to `head` into the in-memory working set
 * `ws`, in position order, through the
 * projections and the friction engine: the code the inline path runs. Returns
 * the number of events applied. Reads the next batch while one is projected.
 */
async function replayLog(
  store: EventStore,
  ws: WorkingSet,
  friction: FrictionEngine,
  scope: typeof ALL_ORGANIZATIONS | string,
  head: bigint,
  options: { progress?: (applied: number) => void } = {},
): Promise<number> {
  const read = (from: bigint) => store.readAll(scope, { from, limit: BATCH });
  let applied = 0;
  // A command's events are evaluated together: one that a batch edge cuts
  // is held back and applied with the rest of it from the next batch.
  let held: RecordedEvent[] = [];
  let next = read(0n);
  for (;;) {
    const page = await next;
    const batch = page.filter((event) => event.position <= head);
    const more = batch.length === page.length && page.length === BATCH && batch.at(-1)!.position < head;
    if (batch.length > 0) next = read(batch.at(-1)!.position);
    let ready = [...held, ...batch];
    held = [];
    if (more) {
      const cut = ready.at(-1)!.transactionId;
      let split = ready.length;
      while (split > 0 && cut !== undefined && ready[split - 1]!.transactionId === cut) split--;
      if (split > 0) {
        held = ready.slice(split);
        ready = ready.slice(0, split);
      }
    }
    if (ready.length > 0) {
      await applyEvents(ws, ready, friction);
      applied += ready.length;
      options.progress?.(ready.length);
    }
    if (!more) break;
  }
  await next.catch(() => {});
  return applied;
}

export type ReplayPart = { events: number; copyMs: number };

/**
 * Replays the events of `scope` up to `head` into memory (the same projection
 * and friction code as the inline path) and writes the rows into the scratch
 * schema's empty tables with COPY, a few tables at a time.
 */
export async function replayPart(
  pool: pg.Pool,
  store: EventStore,
  scratch: string,
  scope: typeof ALL_ORGANIZATIONS | readonly string[],
  head: bigint,
  log: (line: string) => void = () => {},
): Promise<ReplayPart> {
  const ws = new WorkingSet();
  const friction = new FrictionEngine(ws);
  let events = 0;
  const progress = (applied: number) => {
    events += applied;
    if (events % 100_000 < applied) log(`replayed ${events} events`);
  };
  if (scope === ALL_ORGANIZATIONS) await replayLog(store, ws, friction, ALL_ORGANIZATIONS, head, { progress });
  else for (const organizationId of scope) await replayLog(store, ws, friction, organizationId, head, { progress });

  // The new tables are empty and nobody reads them yet: COPY, a few tables at
  // a time on their own connections.
  const copyStarted = performance.now();
  const pending = [...ws.changedTables];
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const client = await pool.connect();
      try {
        await client.query(`SET search_path = ${quote(scratch)}, public`);
        for (let spec = pending.shift(); spec; spec = pending.shift()) {
          await ws.flushTable(spec, client, { fresh: true });
        }
        await client.query('RESET search_path');
      } finally {
        client.release();
      }
    }),
  );
  return { events, copyMs: performance.now() - copyStarted };
}

/** The organizations with events up to `head`, in at most `count` groups of about equal events. */
async function organizationGroups(pool: pg.Pool, head: bigint, count: number): Promise<string[][]> {
  const result = await pool.query<{ organization_id: string; n: string }>(
    `SELECT organization_id, count(*) AS n FROM events WHERE position <= $1
     GROUP BY organization_id ORDER BY count(*) DESC, organization_id`,
    [head.toString()],
  );
  const groups = Array.from({ length: Math.max(1, Math.min(count, result.rows.length)) }, () => ({
    events: 0,
    organizationIds: [] as string[],
  }));
  for (const row of result.rows) {
    const lightest = groups.reduce((least, group) => (group.events < least.events ? group : least));
    lightest.organizationIds.push(row.organization_id);
    lightest.events += Number(row.n);
  }
  return groups.map((group) => group.organizationIds).filter((ids) => ids.length > 0);
}

function connectionStringOf(pool: pg.Pool): string | undefined {
  return (pool as unknown as { options?: { connectionString?: string } }).options?.connectionString;
}

export type WorkerTask = { url: string; scratch: string; organizationIds: string[]; head: bigint };

function replayOnWorker(task: WorkerTask): Promise<ReplayPart> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./rebuildWorker.ts', import.meta.url), { workerData: task });
    let settled = false;
    worker.once('message', (message: { ok: true; part: ReplayPart } | { ok: false; error: string }) => {
      settled = true;
      if (message.ok) resolve(message.part);
      else reject(new Error(`rebuild worker failed: ${message.error}`));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`rebuild worker exited with ${code}`));
    });
  });
}
