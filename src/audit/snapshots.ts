// Time travel (API.md `organization(asOf, knownAt)`): the read models of one
// organization as they were at a moment of org time (`asOf`: events that
// occurred by then), as the system knew them at a moment of record time
// (`knownAt`: events recorded by then), or both.
//
// The answer is by definition the read models a replay of exactly the
// qualifying events produces: this module does that replay (the projection
// and friction code of the inline path, in memory) and keeps the result as a
// **snapshot**, rows in copies of the read-model tables tagged with the
// snapshot's id. GraphQL then reads a snapshot through views of the same
// names in the schema `orgstream_asof`, with the same resolvers and the same
// SQL as for now (src/http/timeTravel.ts); each view shows the rows of the
// snapshot named by the transaction-local setting `orgstream.snapshot`.
//
// Why replayed snapshots rather than validity intervals on every row: see
// bench/RESULTS.md, "Time travel". In short, an event back-dated into the
// middle of a history changes every later version of the rows it touches (and
// of the signals judged from them), so interval tables must re-derive those
// versions anyway; a replay gets every field exactly right by construction,
// and a snapshot is reused until an event that qualifies for it is appended.
//
// Snapshots are a cache: at most `maxSnapshots` are kept (least recently used
// go first); a projection rebuild empties it, since new projection code may
// give other rows.
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { FrictionEngine, NoFrictionEngine } from '../../projections/friction/engine.ts';
import { applyEvents } from '../../projections/index.ts';
import {
  eventReferences,
  frictionStates,
  frictionTimers,
  readModelTables,
  timelinePoints,
} from '../../projections/tables.ts';
import { quoteIdentifier as quote, withTransaction } from '../db/pool.ts';
import type { EventStore } from '../eventStore/eventStore.ts';
import type { EventFilter, RecordedEvent } from '../eventStore/types.ts';
import { WorkingSet } from '../readModel/workingSet.ts';

/** Where snapshot rows live: copies of the read-model tables plus `snapshot_id`. */
export const SNAPSHOT_SCHEMA = 'orgstream_snapshots';
/** Views named like the read-model tables over one snapshot: what the time-travel Prisma client reads. */
export const TIME_TRAVEL_SCHEMA = 'orgstream_asof';
/** The transaction-local setting naming the snapshot the views show. */
export const SNAPSHOT_SETTING = 'orgstream.snapshot';

/** Bumped when this module lays the schemas out differently. */
const LAYOUT_VERSION = 3;

/**
 * The read models a snapshot keeps: those GraphQL reads. The replay needs the
 * others too (change points, friction timers and clocks), but only in memory;
 * history fields read the live event references, limited to the qualifying
 * events (schema/types/history.ts).
 */
const INTERNAL = new Set<string>(
  [eventReferences, timelinePoints, frictionTimers, frictionStates].map((spec) => spec.table),
);
export const SNAPSHOT_TABLES = readModelTables.filter((spec) => !INTERNAL.has(spec.table));

/** Organizations with more events than this are read from the log for every snapshot, not kept decoded in memory. */
const CACHED_EVENTS_MAX = 200_000;
/** Organizations whose decoded events are kept in memory (least recently used out). */
const CACHED_ORGANIZATIONS = 4;

/** A moment to read the organization at; an absent side means "now" on that timeline. */
export type TimeView = { asOf?: Date | undefined; knownAt?: Date | undefined };

export type Snapshot = {
  id: bigint;
  /** Whether this call built it (false: reused). */
  built: boolean;
};

/**
 * Qualifying events, to the millisecond the API shows times in: an event
 * recorded at 12:00:00.123456 is known at 12:00:00.123.
 */
export function qualifying(view: TimeView): EventFilter {
  return {
    ...(view.asOf ? { occurredBefore: new Date(view.asOf.getTime() + 1) } : {}),
    ...(view.knownAt ? { recordedBefore: new Date(view.knownAt.getTime() + 1) } : {}),
  };
}

/** The same as qualifying(), for decoded events (their times are already cut to the millisecond). */
export function qualifies(view: TimeView): (event: RecordedEvent) => boolean {
  const asOf = view.asOf?.getTime() ?? Number.POSITIVE_INFINITY;
  const knownAt = view.knownAt?.getTime() ?? Number.POSITIVE_INFINITY;
  return (event) => event.occurredAt.getTime() <= asOf && event.recordedAt.getTime() <= knownAt;
}

/**
 * Creates (or, when the read-model tables changed since, re-creates) the
 * snapshot tables and the views. Idempotent and safe with several processes:
 * runs under an advisory lock and keeps what is current.
 */
export async function prepareSnapshots(pool: pg.Pool): Promise<void> {
  await withTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('orgstream.snapshots'))`);
    const tables = SNAPSHOT_TABLES.map((spec) => spec.table);
    const columns = await client.query<{ table: string; column: string; type: string }>(
      `SELECT c.table_name AS table, c.column_name AS column, format_type(a.atttypid, a.atttypmod) AS type
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('public.%I', c.table_name)::regclass AND a.attname = c.column_name
       WHERE c.table_schema = 'public' AND c.table_name = ANY($1)
       ORDER BY c.table_name, c.ordinal_position`,
      [tables],
    );
    const indexes = await client.query<{ table: string; definition: string }>(
      `SELECT t.relname AS table, pg_get_indexdef(x.indexrelid) AS definition
       FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
       WHERE n.nspname = 'public' AND t.relname = ANY($1)
       ORDER BY t.relname, definition`,
      [tables],
    );
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([LAYOUT_VERSION, columns.rows, indexes.rows]))
      .digest('hex');
    const laidOut = await client.query<{ ok: boolean }>(
      `SELECT to_regclass('${SNAPSHOT_SCHEMA}.layout') IS NOT NULL AS ok`,
    );
    const current = laidOut.rows[0]?.ok
      ? await client.query<{ fingerprint: string }>(`SELECT fingerprint FROM ${SNAPSHOT_SCHEMA}.layout`)
      : { rows: [] };
    if (current.rows[0]?.fingerprint === fingerprint) return;
    await client.query(`DROP SCHEMA IF EXISTS ${TIME_TRAVEL_SCHEMA} CASCADE`);
    await client.query(`DROP SCHEMA IF EXISTS ${SNAPSHOT_SCHEMA} CASCADE`);
    await client.query(`CREATE SCHEMA ${SNAPSHOT_SCHEMA}`);
    await client.query(`CREATE SCHEMA ${TIME_TRAVEL_SCHEMA}`);
    await client.query(`CREATE TABLE ${SNAPSHOT_SCHEMA}.layout (fingerprint text NOT NULL)`);
    await client.query(`INSERT INTO ${SNAPSHOT_SCHEMA}.layout VALUES ($1)`, [fingerprint]);
    await client.query(
      `CREATE TABLE ${SNAPSHOT_SCHEMA}.snapshots (
         id bigserial PRIMARY KEY,
         organization_id uuid NOT NULL,
         as_of timestamptz,
         known_at timestamptz,
         head bigint NOT NULL,
         events int NOT NULL,
         signals boolean NOT NULL,
         build_ms int NOT NULL,
         replay_ms int NOT NULL DEFAULT 0,
         write_ms int NOT NULL DEFAULT 0,
         created_at timestamptz NOT NULL DEFAULT now(),
         used_at timestamptz NOT NULL DEFAULT now(),
         UNIQUE NULLS NOT DISTINCT (organization_id, as_of, known_at))`,
    );
    const byTable = Map.groupBy(columns.rows, (row) => row.table);
    for (const table of tables) {
      const names = (byTable.get(table) ?? []).map((row) => quote(row.column));
      // COPY names the projection's columns; snapshot_id comes from the setting.
      await client.query(
        `CREATE TABLE ${SNAPSHOT_SCHEMA}.${quote(table)} (
           snapshot_id bigint NOT NULL DEFAULT current_setting('${SNAPSHOT_SETTING}')::bigint,
           LIKE public.${quote(table)} INCLUDING DEFAULTS INCLUDING GENERATED)`,
      );
      await client.query(
        `CREATE VIEW ${TIME_TRAVEL_SCHEMA}.${quote(table)} AS
         SELECT ${names.join(', ')} FROM ${SNAPSHOT_SCHEMA}.${quote(table)}
         WHERE snapshot_id = nullif(current_setting('${SNAPSHOT_SETTING}', true), '')::bigint`,
      );
    }
    // The live tables' b-tree indexes, led by snapshot_id, so a snapshot is
    // read with the plans the live tables get.
    for (const { table, definition } of indexes.rows) {
      const columnsOf = /USING btree \((.+)\)$/.exec(definition)?.[1];
      if (!columnsOf) continue;
      await client.query(`CREATE INDEX ON ${SNAPSHOT_SCHEMA}.${quote(table)} USING btree (snapshot_id, ${columnsOf})`);
    }
  });
}

/** Forgets every snapshot (after a rebuild: new projection code may give other rows). */
export async function clearSnapshots(pool: pg.Pool): Promise<void> {
  const exists = await pool.query<{ ok: boolean }>(
    `SELECT to_regclass('${SNAPSHOT_SCHEMA}.snapshots') IS NOT NULL AS ok`,
  );
  if (!exists.rows[0]?.ok) return;
  const tables = [...SNAPSHOT_TABLES.map((spec) => spec.table), 'snapshots'];
  await pool.query(`TRUNCATE ${tables.map((table) => `${SNAPSHOT_SCHEMA}.${quote(table)}`).join(', ')}`);
}

type SnapshotRow = { id: string; head: string; signals: boolean };

export class SnapshotStore {
  readonly #pool: pg.Pool;
  readonly #store: EventStore;
  readonly #maxSnapshots: number;
  readonly #events = new Map<string, { head: bigint; events: RecordedEvent[] }>();

  constructor(pool: pg.Pool, store: EventStore, options: { maxSnapshots?: number } = {}) {
    this.#pool = pool;
    this.#store = store;
    this.#maxSnapshots = options.maxSnapshots ?? 32;
  }

  /**
   * The snapshot of `organizationId` at `view`: the stored one while no event
   * appended since qualifies for it, otherwise a fresh replay. `signals`:
   * whether the friction signals are needed (the query reads them); a
   * snapshot built without them is only reused by queries that do not.
   */
  async snapshotFor(organizationId: string, view: TimeView, options: { signals: boolean }): Promise<Snapshot> {
    const head = await this.#store.headPosition(organizationId);
    const found = await this.#find(organizationId, view);
    if (found && (found.signals || !options.signals) && (await this.#stillCurrent(organizationId, view, found, head))) {
      return { id: BigInt(found.id), built: false };
    }
    return this.#build(organizationId, view, head, options.signals);
  }

  async #find(organizationId: string, view: TimeView, db: Pick<pg.Pool, 'query'> = this.#pool) {
    const result = await db.query<SnapshotRow>(
      `SELECT id::text, head::text, signals FROM ${SNAPSHOT_SCHEMA}.snapshots
       WHERE organization_id = $1 AND as_of IS NOT DISTINCT FROM $2 AND known_at IS NOT DISTINCT FROM $3`,
      [organizationId, view.asOf ?? null, view.knownAt ?? null],
    );
    return result.rows[0];
  }

  /**
   * A snapshot stays current while nothing appended after its head
   * qualifies; then it only moves its head forward.
   */
  async #stillCurrent(organizationId: string, view: TimeView, found: SnapshotRow, head: bigint): Promise<boolean> {
    if (BigInt(found.head) < head) {
      const later = await this.#store.readAll(organizationId, {
        from: BigInt(found.head),
        filter: qualifying(view),
        limit: 1,
      });
      if (later.length > 0 && later[0]!.position <= head) return false;
    }
    await this.#pool.query(
      `UPDATE ${SNAPSHOT_SCHEMA}.snapshots SET used_at = now(), head = greatest(head, $2) WHERE id = $1`,
      [found.id, head.toString()],
    );
    return true;
  }

  async #build(organizationId: string, view: TimeView, head: bigint, signals: boolean): Promise<Snapshot> {
    const started = performance.now();
    const snapshot = await withTransaction(this.#pool, async (client): Promise<Snapshot> => {
      // One builder per organization and moment; others wait and reuse its snapshot.
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `orgstream.snapshot:${organizationId}:${view.asOf?.toISOString()}:${view.knownAt?.toISOString()}`,
      ]);
      const found = await this.#find(organizationId, view, client);
      if (found && BigInt(found.head) >= head && (found.signals || !signals)) {
        return { id: BigInt(found.id), built: false };
      }
      if (found) await this.#delete(client, found.id);

      const counted = (await this.#eventsUpTo(organizationId, head)).filter(qualifies(view));
      const ws = new WorkingSet();
      // Evaluating the rules is most of a replay's work: only when asked for.
      // As of a date, the events are those that had happened by then: not a
      // prefix of the log, so no pruning that counts on what commands allow.
      const engine = signals
        ? new FrictionEngine(ws, undefined, { partialLog: view.asOf !== undefined })
        : new NoFrictionEngine(ws);
      await applyEvents(ws, counted, engine);
      const replayed = performance.now();
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ${SNAPSHOT_SCHEMA}.snapshots
           (organization_id, as_of, known_at, head, events, signals, build_ms, created_at, used_at)
         VALUES ($1, $2, $3, $4, $5, $6, 0, clock_timestamp(), clock_timestamp()) RETURNING id::text`,
        [organizationId, view.asOf ?? null, view.knownAt ?? null, head.toString(), counted.length, signals],
      );
      const id = inserted.rows[0]!.id;
      await client.query(`SELECT set_config('${SNAPSHOT_SETTING}', $1, true)`, [id]);
      await client.query(`SET LOCAL search_path = ${SNAPSHOT_SCHEMA}, public`);
      for (const spec of SNAPSHOT_TABLES) {
        await ws.flushTable(spec as never, client, { fresh: true, schema: SNAPSHOT_SCHEMA });
      }
      const done = performance.now();
      await client.query(
        `UPDATE ${SNAPSHOT_SCHEMA}.snapshots SET build_ms = $2, replay_ms = $3, write_ms = $4 WHERE id = $1`,
        [id, Math.round(done - started), Math.round(replayed - started), Math.round(done - replayed)],
      );
      return { id: BigInt(id), built: true };
    });
    if (snapshot.built) void this.#evict().catch(() => {});
    return snapshot;
  }

  /**
   * Every event of the organization up to `head`, in position order: kept
   * decoded in memory for the organizations asked about most recently (the
   * log is immutable; only what was appended since is read).
   */
  async #eventsUpTo(organizationId: string, head: bigint): Promise<RecordedEvent[]> {
    const cached = this.#events.get(organizationId);
    // The cached arrays are never changed: concurrent builds of other moments share them.
    if (cached && cached.head >= head) return cached.events.filter((event) => event.position <= head);
    const read: RecordedEvent[] = [];
    for (let from = cached?.head ?? 0n; ; ) {
      const page = await this.#store.readAll(organizationId, { from, limit: 10_000 });
      const upTo = page.filter((event) => event.position <= head);
      read.push(...upTo);
      if (upTo.length < page.length || page.length < 10_000) break;
      from = page.at(-1)!.position;
    }
    const events = cached ? [...cached.events, ...read] : read;
    const latest = this.#events.get(organizationId);
    if (events.length <= CACHED_EVENTS_MAX && (!latest || latest.head < head)) {
      this.#events.delete(organizationId);
      this.#events.set(organizationId, { head, events });
      for (const id of this.#events.keys()) {
        if (this.#events.size <= CACHED_ORGANIZATIONS) break;
        this.#events.delete(id);
      }
    }
    return events;
  }

  async #delete(db: Pick<pg.Pool, 'query'>, id: string): Promise<void> {
    for (const spec of SNAPSHOT_TABLES) {
      await db.query(`DELETE FROM ${SNAPSHOT_SCHEMA}.${quote(spec.table)} WHERE snapshot_id = $1`, [id]);
    }
    await db.query(`DELETE FROM ${SNAPSHOT_SCHEMA}.snapshots WHERE id = $1`, [id]);
  }

  /** Drops the least recently used snapshots beyond the limit. */
  async #evict(): Promise<void> {
    const stale = await this.#pool.query<{ id: string }>(
      `SELECT id::text FROM ${SNAPSHOT_SCHEMA}.snapshots ORDER BY used_at DESC, id DESC OFFSET $1`,
      [this.#maxSnapshots],
    );
    for (const { id } of stale.rows) {
      await withTransaction(this.#pool, (client) => this.#delete(client, id)).catch(() => {});
    }
  }
}
