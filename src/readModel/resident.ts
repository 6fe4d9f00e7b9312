// Resident copies of organizations' read models, kept in memory between
// commands so that a command's projections and friction rules read rows
// without a round trip each (issue 6: evaluation cost per event).
//
// Commands of one organization take turns in the process (`turn`). A command
// decides on the copy (`lend`), then takes the organization's friction lock
// (every writer of an organization does: commands and the timer scheduler)
// and, in the same round trip, checks that the copy has applied exactly the
// organization's events up to the last committed one and was loaded from the
// current read-model tables (the organization's last event position and the
// tables' identity; `orgstream_expect_head`) before its append runs. A copy
// another process (or a rebuild) made stale fails the check: the command is
// rolled back, takes the lock first, and checks out a copy loaded again in one
// statement (`checkout`). The command then applies its events to the copy in
// memory (the projections and the friction engine in memory mode, the code a
// rebuild runs) and writes the rows it changed in its transaction. Once it has
// sent that write with its COMMIT it gives the copy back (`settle`) and ends
// its turn: the next command decides on the copy and sends its BEGIN, lock,
// check and append while the COMMIT is in flight (PostgreSQL holds it at the
// lock until then), and waits for that COMMIT's outcome before it reads the
// database or commits itself. If a transaction does not commit after the copy
// was changed, the copy is dropped. The copy also keeps the aggregate states commands decided on, so a command on a
// long stream (a team recording metrics for years) does not fold it again.
//
// Every appender of an organization must hold the friction lock (see
// beginLocked): an append without it could commit below the copy's position
// unnoticed.
import type pg from 'pg';
import { FrictionEngine } from '../../projections/friction/engine.ts';
import { frictionTimers, readModelTables } from '../../projections/tables.ts';
import type { Aggregate } from '../commands/aggregate.ts';
import { lastEventSql } from '../eventStore/eventStore.ts';
import type { RecordedEvent } from '../eventStore/types.ts';
import { fromDatabaseRow, jsonSelectList, prepared, type TableSpec } from './table.ts';
import { WorkingSet } from './workingSet.ts';

/** Tables only ever written (never read by projections or rules): not loaded, and forgotten once flushed. */
const WRITE_ONLY = (readModelTables as readonly TableSpec<object>[]).filter((spec) => spec.writeOnly);
const LOADED = (readModelTables as readonly TableSpec<object>[]).filter((spec) => !spec.writeOnly);

/**
 * One statement loading every row of an organization the projections and
 * rules read, and when its last event happened (part of its friction clock).
 */
const LOAD_SQL = `SELECT ${LOADED.map(
  (spec, index) =>
    `(SELECT json_agg(r) FROM (SELECT ${jsonSelectList(spec)} FROM "${spec.table}"
      WHERE ${spec.table === 'organizations' ? 'id' : 'organization_id'} = $1) r) AS t${index}`,
).join(',\n')},
  ${lastEventSql('$1::uuid', 'occurred_at')} AS last_event_at`;

type CachedState = { state: unknown; version: number };

export type Resident = {
  readonly organizationId: string;
  readonly ws: WorkingSet;
  readonly engine: FrictionEngine;
  /**
   * Aggregate states commands loaded, per aggregate and stream: current while
   * the copy is (every append of the organization moves its head), and moved
   * forward with the events of each command once it sends its COMMIT (the
   * copy is dropped if that fails).
   */
  readonly aggregates: Map<Aggregate<unknown>, Map<string, CachedState>>;
  /** The organization's last event the copy has applied. */
  position: bigint;
  /** The read-model tables it was loaded from (see beginLocked): a rebuild makes the copy stale. */
  readonly generation: string;
  busy: boolean;
  /** Set once the command's events are being applied to it: a failure after that drops the copy. */
  mutated: boolean;
  /**
   * Whether the COMMIT of the last command that changed the copy succeeded
   * (see `settle`): that command's turn may have ended with its COMMIT still
   * in flight. A command deciding on the copy waits for it before it reads
   * the database or sends its own COMMIT.
   */
  settled: Promise<boolean>;
};

const SETTLED = Promise.resolve(true);

/** After a stale copy, how long the organization's commands check under the lock before deciding. */
const CONTENDED_MS = 1_000;

export class ResidentModels {
  readonly #copies = new Map<string, Resident>();
  /** Per organization, the end of the last turn handed out (see `turn`). */
  readonly #turns = new Map<string, Promise<void>>();
  readonly #max: number;
  readonly #engine: (ws: WorkingSet) => FrictionEngine;
  /** Loads (for tests and metrics): how often a copy was (re)built from the tables. */
  loads = 0;
  /** Decisions made on a lent copy that turned out stale (for tests and metrics). */
  staleDecisions = 0;
  /** Organizations another process wrote to lately, until when (see `stale`). */
  readonly #contended = new Map<string, number>();
  readonly #contendedMs: number;

  constructor(
    options: {
      maxOrganizations?: number;
      /** The friction engine of a copy (memory mode); instrumentation (bench:signals) swaps it. */
      engine?: (ws: WorkingSet) => FrictionEngine;
      /** After a stale copy, how long the organization's commands check under the lock before deciding (ms). */
      contendedMs?: number;
    } = {},
  ) {
    this.#max = options.maxOrganizations ?? 16;
    this.#contendedMs = options.contendedMs ?? CONTENDED_MS;
    this.#engine = options.engine ?? ((ws) => new FrictionEngine(ws));
  }

  /**
   * The organization's resident copy, current with its committed events up
   * to `head` and loaded from the read-model tables of `generation` (both
   * read with the organization's lock held, inside the transaction: see
   * beginLocked); loaded again when missing or stale.
   */
  async checkout(
    client: pg.ClientBase,
    organizationId: string,
    at: { head: bigint; generation: string },
  ): Promise<Resident> {
    const copy = this.#copies.get(organizationId);
    // Commands of an organization take turns in the process (`turn`), and each
    // gives its copy back before its turn ends: no other holder can have it.
    if (copy?.busy) throw new Error(`The resident copy of ${organizationId} is already checked out (outside a turn?)`);
    if (copy && copy.position === at.head && copy.generation === at.generation) return this.#lend(copy);
    const loaded = await this.#load(client, organizationId, at);
    this.#copies.delete(organizationId);
    this.#copies.set(organizationId, loaded);
    for (const [id, old] of this.#copies) {
      if (this.#copies.size <= this.#max) break;
      if (!old.busy) this.#copies.delete(id);
    }
    return loaded;
  }

  /**
   * The organization's copy as it is, without knowing whether it is current:
   * for a command that decides on it first and then checks, in the round
   * trip that takes the lock and appends, that the organization's head and
   * tables are still the copy's (`position`, `generation`); it rolls back
   * and checks out a current copy when not. Undefined when there is no copy
   * or another holder has it. Give it back with `settle` once the COMMIT is
   * sent, or with `release` when the transaction does not get that far.
   */
  lend(organizationId: string): Resident | undefined {
    const until = this.#contended.get(organizationId);
    if (until !== undefined) {
      if (performance.now() < until) return undefined;
      this.#contended.delete(organizationId);
    }
    const copy = this.#copies.get(organizationId);
    return copy && !copy.busy ? this.#lend(copy) : undefined;
  }

  /**
   * A command that decided on the lent copy found it stale: another process
   * writes to the organization too. For a while its commands here check
   * under the lock before deciding (`lend` lends nothing), instead of
   * deciding twice and rolling back one round trip each time.
   */
  stale(organizationId: string): void {
    this.staleDecisions++;
    this.#contended.set(organizationId, performance.now() + this.#contendedMs);
  }

  #lend(copy: Resident): Resident {
    // Most recently used last (the Map keeps insertion order).
    this.#copies.delete(copy.organizationId);
    this.#copies.set(copy.organizationId, copy);
    copy.busy = true;
    copy.mutated = false;
    copy.engine.changes.length = 0;
    return copy;
  }

  /**
   * Runs `work` in the organization's turn in this process: commands of one
   * organization take turns here, in arrival order, before they take a
   * connection and the organization's lock. The copy is then free when a
   * command's turn comes, so it can decide on it before its transaction,
   * and waiting commands hold no connection. `work` must not run a command
   * of the same organization itself (it would wait for its own turn).
   *
   * `work` may end its turn early (`endTurn`): a command does once it has
   * given the copy back with `settle` and sent its COMMIT, so the next
   * command decides and sends its own BEGIN, lock, check and append while
   * that COMMIT is in flight (PostgreSQL holds it at the lock until then).
   */
  async turn<T>(organizationId: string, work: (endTurn: () => void) => Promise<T>): Promise<T> {
    const before = this.#turns.get(organizationId);
    let done!: () => void;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    this.#turns.set(organizationId, mine);
    const endTurn = () => {
      done();
      if (this.#turns.get(organizationId) === mine) this.#turns.delete(organizationId);
    };
    try {
      await before;
      return await work(endTurn);
    } finally {
      endTurn();
    }
  }

  /**
   * After the transaction, when it did not commit: a copy the command had
   * started to change is dropped (its changes never reached the database);
   * one it only read stays, without the aggregate states the failed decision
   * may have rested on.
   */
  release(copy: Resident): void {
    copy.busy = false;
    if (copy.mutated) this.#drop(copy);
    else copy.aggregates.clear();
  }

  /**
   * Gives the copy back once the command's COMMIT is sent (`commit`, its
   * outcome still to come), so the next command can decide on it meanwhile:
   * the copy has applied the command's events, and its aggregate states and
   * position move forward with them now. If the COMMIT fails the copy is
   * dropped, and `settled` (which the next command waits for before it
   * reads the database or commits) says so.
   */
  settle(copy: Resident, events: readonly RecordedEvent[], commit: Promise<unknown>): void {
    copy.busy = false;
    try {
      for (const event of events) {
        for (const [aggregate, streams] of copy.aggregates) {
          const cached = streams.get(event.streamId);
          if (!cached) continue;
          cached.state = aggregate.evolve(cached.state, event as never);
          cached.version = event.streamVersion;
        }
      }
      const last = events.at(-1);
      if (last) copy.position = last.position;
      for (const spec of WRITE_ONLY) copy.ws.forget(spec);
    } catch {
      // A copy that could not follow the command is not kept.
      this.#drop(copy);
    }
    copy.settled = commit.then(
      () => true,
      () => {
        this.#drop(copy);
        return false;
      },
    );
  }

  #drop(copy: Resident): void {
    if (this.#copies.get(copy.organizationId) === copy) this.#copies.delete(copy.organizationId);
  }

  /** Forgets every copy (tests). */
  clear(): void {
    this.#copies.clear();
  }

  async #load(
    client: pg.ClientBase,
    organizationId: string,
    at: { head: bigint; generation: string },
  ): Promise<Resident> {
    this.loads++;
    const result = await client.query<Record<string, object[] | null> & { last_event_at: Date | null }>(
      prepared(LOAD_SQL, [organizationId]),
    );
    const row = result.rows[0]!;
    const ws = new WorkingSet();
    const engine = this.#engine(ws);
    engine.adoptLastEvent(organizationId, row.last_event_at);
    LOADED.forEach((spec, index) => {
      const rows = (row[`t${index}`] ?? []).map((record) => fromDatabaseRow(spec, record as Record<string, unknown>));
      ws.adopt(spec, rows);
      if (spec === (frictionTimers as TableSpec<object>)) engine.adoptTimers(rows as never);
    });
    return {
      organizationId,
      ws,
      engine,
      aggregates: new Map(),
      position: at.head,
      generation: at.generation,
      busy: true,
      mutated: false,
      settled: SETTLED,
    };
  }
}
