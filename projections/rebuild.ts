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
  options: { log?: (line: string) => void } = {},
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

    const started = performance.now();
    const ws = new WorkingSet();
    const friction = new FrictionEngine(ws);
    let position = 0n;
    let events = 0;
    // Read the next batch while this one is projected.
    let next = store.readAll(ALL_ORGANIZATIONS, { from: position, limit: BATCH });
    for (;;) {
      const batch = await next;
      if (batch.length === 0) break;
      position = batch.at(-1)!.position;
      next = store.readAll(ALL_ORGANIZATIONS, { from: position, limit: BATCH });
      await applyEvents(ws, batch, friction);
      events += batch.length;
      if (events % 100_000 < BATCH) log(`replayed ${events} events`);
    }
    const replayMs = performance.now() - started;

    // The new tables are empty and nobody reads them yet: plain inserts, a
    // few tables at a time on their own connections.
    const writeStarted = performance.now();
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
    const copyMs = performance.now() - writeStarted;
    await buildIndexes(pool, scratch, tables);
    const writeMs = performance.now() - writeStarted;
    log(`wrote the rows in ${copyMs.toFixed(0)} ms, built the indexes in ${(writeMs - copyMs).toFixed(0)} ms`);

    const swapStarted = performance.now();
    const caughtUp = await swapWithRetry(pool, store, scratch, tables, position, log);
    const swapMs = performance.now() - swapStarted;
    events += caughtUp.events;

    const rows: Record<string, number> = {};
    for (const table of tables) {
      rows[table] = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${quote(table)}`))
        .rows[0]!.n;
    }
    return { events, position: caughtUp.position, replayMs, writeMs, swapMs, rows };
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
