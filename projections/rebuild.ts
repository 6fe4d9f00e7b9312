// Rebuilds every read model from position 0 into fresh tables and swaps them
// in while the service keeps running (blue/green).
//
// 1. Create empty copies of the read-model tables in a scratch schema.
// 2. Replay the log (the same projection code the inline path runs) into the
//    copies, organization by organization (read models never cross
//    organizations), on a few worker threads: each organization is replayed
//    into memory of its own and its rows are written with COPY while the
//    thread replays the next one, so memory stays bounded by the largest
//    organization and the database's work overlaps the replay. Then the
//    copies' indexes are built (under the names Prisma's migrations know) and
//    their statistics gathered. Queries and commands go on against the live
//    tables meanwhile.
// 3. Apply the events committed meanwhile to the copies, with the code of
//    the inline path, until few arrive.
// 4. In one short transaction: lock the live tables (queries and commands
//    wait a moment), apply the events committed since step 3 (all of them: under the
//    lock no writer is half-way), move the live tables aside and the copies
//    in: catalog changes only.
//    A command that was waiting for the lock finds the new tables by name and
//    applies its own events there.
// 5. Drop the old tables, with nobody waiting.
// One rebuild runs at a time per database (an advisory lock); it first drops
// what a crashed one left behind.
import { availableParallelism } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import type pg from 'pg';
import { quoteIdentifier as quote, withTransaction } from '../src/db/pool.ts';
import { ALL_ORGANIZATIONS, type EventStore } from '../src/eventStore/eventStore.ts';
import type { RecordedEvent } from '../src/eventStore/types.ts';
import { WorkingSet } from '../src/readModel/workingSet.ts';
import { FrictionEngine, REBUILD_FENCE } from './friction/engine.ts';
import { applyEvents, sameCommand } from './index.ts';
import { readModelTables } from './tables.ts';

export type RebuildReport = {
  events: number;
  /** The last position applied before the swap. */
  position: bigint;
  /**
   * Until every thread has applied its last event: reading and projecting,
   * with the COPY of the organizations already replayed running alongside.
   */
  replayMs: number;
  /** After the replay, until the copies are complete: the last rows' COPY, then `indexMs`. */
  writeMs: number;
  /** Building the copies' indexes and constraints, and analyzing them (part of `writeMs`). */
  indexMs: number;
  /** How long COPY was in flight on the busiest thread, mostly during the replay. */
  copyMs: number;
  /** Applying what committed during the rebuild before the swap (outside its lock). */
  catchUpMs: number;
  swapMs: number;
  rows: Record<string, number>;
};

const BATCH = 10_000;
/** Connections writing one thread's rows (a few tables at a time). */
const WRITERS = 3;
/**
 * Events applied between two turns of the event loop, which let the COPY of
 * the previous organization's rows go on (the projections themselves never wait).
 */
const SLICE = 1_000;
/**
 * Organizations smaller than this many events share one working set (and one
 * round of COPY statements) with the next ones, up to about this size.
 */
const PART_EVENTS = 10_000;
/** Storage parameters that keep autovacuum off a table (its TOAST table too). */
const AUTOVACUUM_OPTIONS = ['autovacuum_enabled', 'toast.autovacuum_enabled'];
/** The advisory lock a rebuild holds (one at a time per database). */
const REBUILD_LOCK = 'orgstream:rebuild';
/** Rounds of catching up outside the swap's lock, at most; one that finds fewer events than this is the last. */
const CATCH_UP_ROUNDS = 5;
const CATCH_UP_ENOUGH = 1_000;
/** Events applied through one working set when catching up (see applyToCopies). */
const CATCH_UP_SLICE = 500;
/** The comment on the schemas a rebuild creates: what tells them from others named alike. */
const SCHEMA_MARK = 'orgstream rebuild';
/** The statements that create a schema of the rebuild's, marked as such (see rebuildSchemas). */
const createSchemaSql = (schema: string) => [
  `CREATE SCHEMA ${quote(schema)}`,
  `COMMENT ON SCHEMA ${quote(schema)} IS '${SCHEMA_MARK}'`,
];
/** Where the swap moves the live tables it replaces, until they are dropped. */
const retiredSchemaOf = (scratch: string) => `${scratch}_retired`;

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
  // One rebuild at a time: a second would only race the first to its swap.
  // The lock is the session's, held on a connection of its own until the end.
  const guard = await pool.connect();
  let locked = false;
  try {
    const { rows } = await guard.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [REBUILD_LOCK],
    );
    locked = rows[0]!.locked;
    if (!locked) throw new Error('Another rebuild of the read models is running on this database');
    // Schemas an earlier rebuild left behind (it crashed, or could not drop them).
    for (const leftover of await rebuildSchemas(pool)) {
      try {
        await dropSchema(pool, leftover);
        log(`dropped ${leftover}, left behind by an earlier rebuild`);
      } catch (error) {
        log(`could not drop ${leftover}, left behind by an earlier rebuild: ${messageOf(error)}`);
      }
    }
    return await rebuildUnderGuard(pool, store, log, options.workers);
  } finally {
    // A failure here must not hide the rebuild's outcome: the connection is
    // then destroyed, and the session's lock with it.
    const unlocked =
      !locked ||
      (await guard
        .query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [REBUILD_LOCK])
        .then(() => true)
        .catch((error: unknown) => {
          log(`could not release the rebuild lock: ${messageOf(error)}`);
          return false;
        }));
    guard.release(!unlocked);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function rebuildUnderGuard(
  pool: pg.Pool,
  store: EventStore,
  log: (line: string) => void,
  workers: number | undefined,
): Promise<RebuildReport> {
  const scratch = `rebuild_${Date.now().toString(36)}`;
  const tables = readModelTables.map((spec) => spec.table);
  await pool.query(createSchemaSql(scratch).join(';\n'));
  try {
    // Bare copies (columns, defaults, NOT NULL): indexes are built after the
    // bulk load, which is several times faster than maintaining them row by row.
    // Autovacuum stays off them until the swap: it would analyze them while
    // they load, and the swap's ALTER TABLE would wait a deadlock_timeout
    // (1 s) per table for it to be cancelled, with every read model locked.
    // The rebuild analyzes them itself (see analyzeTables).
    for (const table of tables) {
      await pool.query(
        `CREATE TABLE ${quote(scratch)}.${quote(table)} (LIKE public.${quote(table)} INCLUDING DEFAULTS INCLUDING GENERATED)
         WITH (${AUTOVACUUM_OPTIONS.map((option) => `${option} = false`).join(', ')})`,
      );
    }

    // Replay up to the head a gap-free reader sees now; what commits later is
    // caught up before the swap and, the last of it, in the swap. Organizations are independent: several at once
    // on worker threads when there are several and the machine has the cores.
    const head = await store.headPosition(ALL_ORGANIZATIONS);
    const started = performance.now();
    const groups = await organizationGroups(pool, head, workers ?? availableParallelism());
    const url = connectionStringOf(pool);
    // The replay ends when the last thread has applied its last event; its
    // last rows are still being written then.
    let replayed = started;
    const onReplayed = () => {
      replayed = Math.max(replayed, performance.now());
    };
    const parts =
      groups.length > 1 && url
        ? await replayOnWorkers(
            groups.map((organizationIds) => ({ url, scratch, organizationIds, head })),
            onReplayed,
          )
        : [await replayPart(pool, store, scratch, groups.flat(), head, { log, onReplayed })];
    const written = performance.now();
    const events = parts.reduce((sum, part) => sum + part.events, 0);
    const copyMs = Math.max(0, ...parts.map((part) => part.copyMs));
    const heapMb = Math.max(0, ...parts.map((part) => part.heapBytes)) / 2 ** 20;
    await buildIndexes(pool, scratch, tables);
    await analyzeTables(pool, scratch, tables);
    const indexMs = performance.now() - written;
    const replayMs = replayed - started;
    const writeMs = written - replayed + indexMs;
    log(
      `replayed ${events} events on ${parts.length} thread(s) in ${replayMs.toFixed(0)} ms, writing their rows meanwhile ` +
        `(COPY in flight ${copyMs.toFixed(0)} ms on the busiest thread, heap at most ${heapMb.toFixed(0)} MiB); the last rows took ` +
        `${(written - replayed).toFixed(0)} ms more, the indexes and statistics ${indexMs.toFixed(0)} ms`,
    );

    // What committed during the replay goes into the copies before the swap,
    // outside its lock, while there is much of it: the swap applies only
    // what arrives after.
    const catchUpStarted = performance.now();
    let from = head;
    let early = 0;
    for (let round = 0; round < CATCH_UP_ROUNDS; round++) {
      const late = await committedSince(pool, store, from, { gapFree: true });
      if (late.length === 0) break;
      await withTransaction(pool, (client) => applyToCopies(client, scratch, late));
      from = late.at(-1)!.position;
      early += late.length;
      log(`caught up ${late.length} events committed during the rebuild, before the swap`);
      if (late.length < CATCH_UP_ENOUGH) break;
    }

    const catchUpMs = performance.now() - catchUpStarted;
    const swapStarted = performance.now();
    const caughtUp = await swapWithRetry(pool, store, scratch, tables, from, log);
    const swapMs = performance.now() - swapStarted;

    const rows: Record<string, number> = {};
    for (const table of tables) {
      rows[table] = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.${quote(table)}`))
        .rows[0]!.n;
    }
    return {
      events: events + early + caughtUp.events,
      position: caughtUp.position,
      replayMs,
      writeMs,
      indexMs,
      copyMs,
      catchUpMs,
      swapMs,
      rows,
    };
  } finally {
    // A failure here must not hide the rebuild's outcome (a swap may have
    // committed): what stays is dropped by the next rebuild.
    for (const schema of [scratch, retiredSchemaOf(scratch)]) {
      await dropSchema(pool, schema).catch((error: unknown) =>
        log(`could not drop ${schema} (the next rebuild will): ${messageOf(error)}`),
      );
    }
  }
}

/**
 * The schemas rebuilds created: `rebuild_<time>` (the copies) and
 * `rebuild_<time>_retired`, marked as theirs (a schema someone else named
 * alike is left alone).
 */
async function rebuildSchemas(pool: pg.Pool): Promise<string[]> {
  const result = await pool.query<{ name: string }>(
    `SELECT nspname AS name FROM pg_namespace
     WHERE nspname ~ '^rebuild_[0-9a-z]+(_retired)?$' AND obj_description(oid, 'pg_namespace') = $1
     ORDER BY nspname`,
    [SCHEMA_MARK],
  );
  return result.rows.map((row) => row.name);
}

/**
 * Drops a rebuild's schema one table at a time, each in a transaction of its
 * own, then the schema, all without CASCADE. A session that waited for the
 * swap may lock the retired tables, one after the other, before it finds its
 * plan stale: a drop holding several of them at once could deadlock with it.
 * And nothing outside the schema may depend on its tables: without CASCADE,
 * such a dependency fails the drop instead of vanishing with it.
 */
async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  const tables = await pool.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    [schema],
  );
  for (const { name } of tables.rows) await pool.query(`DROP TABLE IF EXISTS ${quote(schema)}.${quote(name)}`);
  await pool.query(`DROP SCHEMA IF EXISTS ${quote(schema)}`);
}

/**
 * Applies events to the copies, in the caller's transaction: the projections
 * and friction engine of the inline path, on the tables of the scratch schema.
 * A few hundred events at a time (cut between commands), each slice through
 * a working set of its own: one working set's lookups go over every row it
 * has read, which for thousands of events would add up quadratically.
 */
async function applyToCopies(client: pg.PoolClient, scratch: string, events: RecordedEvent[]): Promise<void> {
  await client.query(`SET LOCAL search_path = ${quote(scratch)}, public`);
  for (const slice of commandSlices(events, CATCH_UP_SLICE)) {
    const ws = new WorkingSet(client);
    await applyEvents(ws, slice, new FrictionEngine(ws, client));
    await ws.flush();
  }
  await client.query('SET LOCAL search_path = public');
}

/** Consecutive slices of about `size` events, cut between commands (a command's events are applied together). */
function* commandSlices(events: readonly RecordedEvent[], size: number): Generator<RecordedEvent[]> {
  for (let start = 0; start < events.length; ) {
    let end = Math.min(start + size, events.length);
    while (end < events.length && sameCommand(events[end - 1]!, events[end]!)) end++;
    yield events.slice(start, end);
    start = end;
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
      args[5](`swap attempt ${attempt} gave way (${code}); retrying in ${attempt} s`);
      // Meanwhile the queries that queued behind the lock request go through.
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

/**
 * Gives the scratch tables the live tables' constraints and indexes, under the
 * same names (names are per schema, so they do not clash: the swap moves the
 * live tables out of `public` before it moves the copies in), built on a few
 * connections at once.
 */
async function buildIndexes(pool: pg.Pool, scratch: string, tables: string[]): Promise<void> {
  // Largest tables first (the longest builds), so that the last to end is a short one.
  const definitions = await pool.query<{ table: string; constraint: string | null; name: string; definition: string }>(
    `SELECT t.relname AS table, c.conname AS constraint, i.relname AS name,
            CASE WHEN c.oid IS NOT NULL THEN pg_get_constraintdef(c.oid) ELSE pg_get_indexdef(i.oid) END AS definition
     FROM pg_index x
     JOIN pg_class i ON i.oid = x.indexrelid
     JOIN pg_class t ON t.oid = x.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace
     LEFT JOIN pg_constraint c ON c.conindid = i.oid AND c.conrelid = t.oid
     WHERE n.nspname = 'public' AND t.relname = ANY($1)
     ORDER BY pg_relation_size(format('%I.%I', $2::text, t.relname)::regclass) DESC, t.relname, i.relname`,
    [tables, scratch],
  );
  const statements = definitions.rows.map((row) => ({
    table: row.table,
    sql: row.constraint
      ? `ALTER TABLE ${quote(scratch)}.${quote(row.table)} ADD CONSTRAINT ${quote(row.constraint)} ${row.definition}`
      : row.definition
          .replace(` ON public.${row.table} `, ` ON ${quote(scratch)}.${quote(row.table)} `)
          .replace(` ON public.${quote(row.table)} `, ` ON ${quote(scratch)}.${quote(row.table)} `),
  }));
  for (const { sql } of statements) {
    if (!sql.includes(quote(scratch))) throw new Error(`cannot retarget index definition: ${sql}`);
  }
  // A connection takes a table no other is indexing when there is one: a
  // primary key's ALTER TABLE would only wait for the other's lock.
  const busy = new Set<string>();
  const take = () => {
    const index = Math.max(
      0,
      statements.findIndex((statement) => !busy.has(statement.table)),
    );
    return statements.splice(index, 1)[0];
  };
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let statement = take(); statement; statement = take()) {
        busy.add(statement.table);
        try {
          await pool.query(statement.sql);
        } finally {
          busy.delete(statement.table);
        }
      }
    }),
  );
}

/**
 * The copies' planner statistics, gathered before the swap (autovacuum is off
 * them until then): the first queries on the new tables are planned as well as
 * on the old ones. A few tables at a time, largest first.
 */
async function analyzeTables(pool: pg.Pool, scratch: string, tables: string[]): Promise<void> {
  const sizes = await pool.query<{ table: string }>(
    `SELECT t AS table FROM unnest($1::text[]) AS t
     ORDER BY pg_relation_size(format('%I.%I', $2::text, t)::regclass) DESC, t`,
    [tables, scratch],
  );
  const pending = sizes.rows.map((row) => row.table);
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let table = pending.shift(); table; table = pending.shift()) {
        await pool.query(`ANALYZE ${quote(scratch)}.${quote(table)}`);
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
    // Everyone who comes after waits behind the request while it waits: a
    // few seconds, then it gives way and is tried again (swapWithRetry).
    await client.query(`SET LOCAL lock_timeout = '3s'`);
    // The commands in flight end first (they hold the fence shared until
    // they commit), and the next ones wait for the swap.
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [REBUILD_FENCE]);
    await client.query(`LOCK TABLE ${tables.map((t) => `public.${quote(t)}`).join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const late = await committedSince(client, store, from, { gapFree: false });
    if (late.length > 0) {
      await applyToCopies(client, scratch, late);
      log(`caught up ${late.length} events committed during the rebuild, in the swap`);
    }
    // Readers wait for these few statements: catalog changes only. The live
    // tables move aside into a schema dropped after the commit (dropping
    // them here would keep everyone waiting while their files are removed).
    // The copies' indexes and constraints already carry the live names; the
    // copies take autovacuum's defaults, as Prisma's migrations left them.
    const retired = retiredSchemaOf(scratch);
    await client.query(
      [
        ...createSchemaSql(retired),
        ...tables.flatMap((table) => [
          `ALTER TABLE public.${quote(table)} SET SCHEMA ${quote(retired)}`,
          `ALTER TABLE ${quote(scratch)}.${quote(table)} RESET (${AUTOVACUUM_OPTIONS.join(', ')})`,
          `ALTER TABLE ${quote(scratch)}.${quote(table)} SET SCHEMA public`,
        ]),
      ].join(';\n'),
    );
    await client.query('COMMIT');
    return { events: late.length, position: late.at(-1)?.position ?? from };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The committed events after `from`. `gapFree`: only up to the first position
 * a transaction still in flight may take (what a subscriber may see);
 * otherwise all of them, for the swap: under its table lock no appender can
 * still be half-way.
 */
async function committedSince(
  db: pg.Pool | pg.PoolClient,
  store: EventStore,
  from: bigint,
  { gapFree }: { gapFree: boolean },
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (let position = from; ; ) {
    const batch = await store.readAll(ALL_ORGANIZATIONS, {
      from: position,
      limit: BATCH,
      within: db,
      ignoreHorizon: !gapFree,
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
 * the number of events applied. Reads the next batch while one is projected,
 * and lets other work of the thread (a COPY in flight) run between slices.
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
    // In slices cut between commands (applyEvents evaluates a command's
    // events together), with a turn of the event loop after each.
    for (const slice of commandSlices(ready, SLICE)) {
      await applyEvents(ws, slice, friction);
      applied += slice.length;
      options.progress?.(slice.length);
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (!more) break;
  }
  await next.catch(() => {});
  return applied;
}

export type ReplayPart = {
  events: number;
  /** How long COPY was in flight, overlapped with the replay or not. */
  copyMs: number;
  /** The thread's heap in use when a part was replayed, at most (its working sets). */
  heapBytes: number;
};

/**
 * Replays the events of these organizations up to `head`, one after the other,
 * each into a working set of its own in memory (the same projection and
 * friction code as the inline path; organizations smaller than PART_EVENTS
 * share one), and writes each one's rows into the scratch schema's tables
 * with COPY while the next is replayed. At most one replayed part waits for
 * its write, so memory holds about two organizations at a time. Calls
 * `onReplayed` when the last event is applied (before the last rows are written).
 */
export async function replayPart(
  pool: pg.Pool,
  store: EventStore,
  scratch: string,
  organizationIds: readonly string[],
  head: bigint,
  options: { log?: (line: string) => void; onReplayed?: () => void } = {},
): Promise<ReplayPart> {
  const log = options.log ?? (() => {});
  let events = 0;
  let copyMs = 0;
  let heapBytes = 0;
  const progress = (applied: number) => {
    events += applied;
    if (events % 100_000 < applied) log(`replayed ${events} events`);
  };
  const write = async (ws: WorkingSet) => {
    const started = performance.now();
    await writeRows(pool, scratch, ws);
    copyMs += performance.now() - started;
  };
  let writing: Promise<void> | undefined;
  try {
    for (let next = 0; next < organizationIds.length; ) {
      const ws = new WorkingSet();
      const friction = new FrictionEngine(ws);
      let applied = 0;
      while (next < organizationIds.length && applied < PART_EVENTS) {
        applied += await replayLog(store, ws, friction, organizationIds[next++]!, head, { progress });
      }
      heapBytes = Math.max(heapBytes, getHeapStatistics().used_heap_size);
      if (writing) await writing;
      writing = write(ws);
      // Awaited before the next part is handed over or at the end; until then
      // a failure must not count as unhandled.
      writing.catch(() => {});
    }
    options.onReplayed?.();
    await writing;
  } finally {
    // A failed replay still lets the write in flight end before the caller drops the schema.
    await writing?.catch(() => {});
  }
  return { events, copyMs, heapBytes };
}

/**
 * Writes a working set's rows into the scratch schema's tables, which hold
 * no rows of its organizations yet: COPY, a few tables at a time on their
 * own connections. Tables written are dropped from memory at once.
 */
async function writeRows(pool: pg.Pool, scratch: string, ws: WorkingSet): Promise<void> {
  const pending = [...ws.changedTables];
  const results = await Promise.allSettled(
    Array.from({ length: Math.min(WRITERS, pending.length) }, async () => {
      const client = await pool.connect();
      try {
        // Nothing waits for these commits: the swap's own commit flushes the
        // log up to it, and a crash before then leaves only a scratch schema.
        await client.query('SET synchronous_commit = off');
        for (let spec = pending.shift(); spec; spec = pending.shift()) {
          await ws.flushTable(spec, client, { fresh: true, schema: scratch });
          ws.forget(spec);
        }
        await client.query('RESET synchronous_commit');
      } catch (error) {
        // Not back into the pool in an unknown state.
        client.release(error instanceof Error ? error : true);
        throw error;
      }
      client.release();
    }),
  );
  for (const result of results) if (result.status === 'rejected') throw result.reason;
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

/** What a replay thread tells: it has applied its last event, then its result. */
export type WorkerMessage =
  | { kind: 'replayed' }
  | { kind: 'done'; part: ReplayPart }
  | { kind: 'failed'; error: string };

/**
 * Runs the tasks on worker threads. When one fails, the others are stopped
 * (and their connections closed) before the failure is passed on, so that
 * none is still writing when the caller drops the scratch schema.
 */
async function replayOnWorkers(tasks: WorkerTask[], onReplayed: () => void): Promise<ReplayPart[]> {
  const workers = tasks.map((task) => new Worker(new URL('./rebuildWorker.ts', import.meta.url), { workerData: task }));
  try {
    return await Promise.all(workers.map((worker) => resultOf(worker, onReplayed)));
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }
}

function resultOf(worker: Worker, onReplayed: () => void): Promise<ReplayPart> {
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'replayed') return onReplayed();
      settled = true;
      if (message.kind === 'done') resolve(message.part);
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
