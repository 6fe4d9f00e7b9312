// The event store: the one place that appends events, and the gap-free reader.
//
// Guarantee: a reader of the global log (readAll, subscribe) never skips an
// event. Appenders take their transaction id and their positions together
// under a short lock, so position order is transaction order; readers only
// return rows whose transaction is older than every transaction still running
// (`transaction_id < pg_snapshot_xmin(pg_current_snapshot())`). An event at a
// lower position that commits later is therefore returned before anything
// after it, never behind a reader's back. The SQL (`orgstream_append`, which
// reserves positions inline under the allocator lock) lives in
// prisma/migrations; the newest migration that defines it holds its text.
import { v7 as uuidv7 } from 'uuid';
import { type NamedQuery, queryNamed } from '../db/prepared.ts';
import { isTransient } from '../db/transient.ts';
import { ValidationError } from '../errors.ts';
import type { EventCatalog } from './catalog.ts';
import { ConcurrencyError, DuplicateEventIdError, EmptyAppendError } from './errors.ts';
import { EVENTS_CHANNEL, type EventNotifier } from './notifier.ts';
import { SharedTails, type SubscribeOptions, sleep, subscribe } from './subscription.ts';
import {
  ALL_ORGANIZATIONS,
  type AppendRequest,
  type AppendResult,
  type EventFilter,
  type EventMetadata,
  type ExpectedVersion,
  type NewEvent,
  type OrganizationScope,
  type Queryable,
  type RecordedEvent,
} from './types.ts';

export { ALL_ORGANIZATIONS, type OrganizationScope, type Queryable } from './types.ts';

export type AppendOptions = {
  /**
   * Run on this connection, inside the caller's transaction (e.g. to update
   * projections atomically with the append). The append must be the
   * transaction's first write. Without it the append commits on its own.
   */
  within?: Queryable;
};

export type ReadStreamOptions = {
  direction?: 'forward' | 'backward';
  /** Inclusive. Forward: the first version; backward: the highest version. */
  fromVersion?: number;
  /** Inclusive bound on the other side. */
  toVersion?: number;
  /** Read on this connection (inside the caller's transaction). */
  within?: Queryable;
  /** Only events recorded at or before this instant (record-time travel). */
  recordedAtOrBefore?: Date;
  limit?: number;
};

export type ReadAllOptions = {
  /** Exclusive: events after this position. Default 0 (from the start). */
  from?: bigint;
  filter?: EventFilter;
  limit?: number;
  /** Read on this connection (inside the caller's transaction). */
  within?: Queryable;
  /**
   * Return every committed event, also past the gap-free horizon. Only for a
   * caller that has otherwise excluded half-way appenders (a rebuild's swap
   * holds the read-model tables locked); a plain reader would skip events.
   */
  ignoreHorizon?: boolean;
};

/**
 * SQL of a scalar subquery: `column` of the organization's last event, NULL
 * when it has none. `organization` is SQL too: a parameter or a quoted
 * literal, of type uuid. Written so that PostgreSQL walks
 * events_organization_position_idx from the organization's end whatever its
 * statistics say: `WHERE organization_id = … ORDER BY position DESC LIMIT 1`
 * (or `max(position)`) may be planned as a backward scan of the primary key
 * that filters out every later event of the other organizations.
 */
export function lastEventSql(organization: string, column: string): string {
  return `(SELECT CASE WHEN organization_id = ${organization} THEN ${column} END FROM events
     WHERE (organization_id, position) <= (${organization}, 9223372036854775807)
     ORDER BY organization_id DESC, position DESC LIMIT 1)`;
}

/**
 * The gap-free horizon: events of transactions older than every running one
 * (see readAll).
 */
const HORIZON = 'pg_snapshot_xmin(pg_current_snapshot())';

/**
 * SQL of a scalar subquery: the highest position a gap-free reader may see
 * now, of one organization (`organization`: SQL of a uuid) or of all, NULL
 * for none. Walked from the end of the index like lastEventSql, past the
 * few events of transactions still in flight.
 */
function gapFreeHeadSql(organization: string | undefined): string {
  if (organization === undefined) {
    return `(SELECT position FROM events WHERE transaction_id < ${HORIZON} ORDER BY position DESC LIMIT 1)`;
  }
  return `(SELECT CASE WHEN organization_id = ${organization} THEN position END FROM events
     WHERE (organization_id, position) <= (${organization}, 9223372036854775807) AND transaction_id < ${HORIZON}
     ORDER BY organization_id DESC, position DESC LIMIT 1)`;
}

/**
 * The statement of readAll (and of readAllPage's page): events after `from`,
 * of the scope (the organization as the second parameter), gap-free unless
 * `ignoreHorizon`, matching the filter, in position order, at most `limit`.
 */
function readAllSql(scope: OrganizationScope, options: ReadAllOptions): { sql: string; values: unknown[] } {
  const values: unknown[] = [(options.from ?? 0n).toString()];
  const where = ['position > $1::bigint'];
  if (!options.ignoreHorizon) where.push(`transaction_id < ${HORIZON}`);
  if (scope !== ALL_ORGANIZATIONS) {
    assertOrganizationId(scope);
    values.push(scope);
    where.push(`organization_id = $${values.length}`);
  }
  where.push(...eventFilterConditions(options.filter ?? {}, values));
  values.push(readLimit(options.limit));
  return {
    sql: `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')} ORDER BY events.position LIMIT $${values.length}`,
    values,
  };
}

/** A row of `orgstream_append`'s answer. */
export type AppendRow = {
  event_id: string;
  stream_id: string;
  stream_version: number;
  position: string;
  recorded_at: Date;
  transaction_id: string;
};

/** See EventStore.prepareAppend. */
export type PreparedAppend = {
  readonly query: NamedQuery;
  /** The result, from the rows the statement answered. */
  result(rows: readonly AppendRow[]): AppendResult;
  /** What a failure of the statement means: a ConcurrencyError, a ValidationError, …, or the error itself. */
  error(error: unknown): unknown;
};

const EXPECTED = { ANY: -1, NO_STREAM: -2, STREAM_EXISTS: -3 } as const;
/** The most events one read returns. */
export const MAX_READ = 10_000;
const APPEND_ATTEMPTS = 3;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Times travel as epoch milliseconds: parsing a float is much cheaper for the
// driver than parsing a timestamptz text, and readAll is the rebuild's and every
// subscriber's hot path (both columns hold millisecond precision).
/** The select list of an event row as `fromRow` reads it; `alias` qualifies the columns (`e.`). */
export function eventColumns(alias = ''): string {
  const a = alias ? `${alias}.` : '';
  return (
    `${a}event_id, ${a}organization_id, ${a}stream_id, ${a}stream_version, ${a}position::text AS position, ` +
    `${a}type, ${a}schema_version, ${a}data, ${a}metadata, ` +
    `floor(extract(epoch from ${a}occurred_at) * 1000)::float8 AS occurred_ms, ` +
    `floor(extract(epoch from ${a}recorded_at) * 1000)::float8 AS recorded_ms, ` +
    `${a}transaction_id::text AS transaction_id`
  );
}

const EVENT_COLUMNS = eventColumns();

export type EventRow = {
  event_id: string;
  organization_id: string;
  stream_id: string;
  stream_version: number;
  position: string;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: EventMetadata;
  occurred_ms: number;
  recorded_ms: number;
  transaction_id: string;
};

export class EventStore {
  readonly #pool: Queryable;
  readonly #catalog: EventCatalog;
  readonly #notifier: EventNotifier | undefined;
  /** Organizations with a NOTIFY in flight, and whether another is owed after it. */
  readonly #notifying = new Map<string, boolean>();

  readonly #tails: SharedTails | undefined;

  /** Without a notifier, subscriptions poll (each on its own: the shared tails follow notifications). */
  constructor(pool: Queryable, catalog: EventCatalog, notifier?: EventNotifier) {
    this.#pool = pool;
    this.#catalog = catalog;
    this.#notifier = notifier;
    this.#tails = notifier ? new SharedTails(this) : undefined;
  }

  get catalog(): EventCatalog {
    return this.#catalog;
  }

  /** Appends to one stream. */
  append(
    organizationId: string,
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions & { expectedVersion?: ExpectedVersion } = {},
  ): Promise<AppendResult> {
    const request: AppendRequest = { streamId, events };
    if (options.expectedVersion !== undefined) request.expectedVersion = options.expectedVersion;
    return this.appendMany(organizationId, [request], options);
  }

  /** Appends to several streams of one organization, atomically: all or nothing. */
  async appendMany(
    organizationId: string,
    requests: readonly AppendRequest[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    return this.appendPrepared(organizationId, this.prepareAppend(organizationId, requests), options);
  }

  /** Runs an append `prepareAppend` made ready (see appendMany). */
  async appendPrepared(
    organizationId: string,
    append: PreparedAppend,
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    let rows: AppendRow[];
    for (let attempt = 1; ; attempt++) {
      try {
        rows = (await queryNamed<AppendRow>(options.within ?? this.#pool, append.query)).rows;
        break;
      } catch (error) {
        // On its own connection an append is safe to retry: the event ids are
        // fixed, so if the first try did commit, the retry returns its result.
        if (options.within || attempt >= APPEND_ATTEMPTS || !isTransient(error)) throw append.error(error);
        await sleep(25 * attempt, undefined);
      }
    }
    if (!options.within) this.notifyAppended(organizationId);
    return append.result(rows);
  }

  /**
   * An append made ready to run: the checked events as its statement (named:
   * prepared once per connection, then only bound and run), what its rows
   * mean, and what its failures mean. `appendPrepared` runs it; a caller that
   * sends it together with other statements in one simple query (a command:
   * BEGIN, its lock and the append in one round trip) runs `query` itself,
   * inside its transaction, as the transaction's first write.
   */
  prepareAppend(organizationId: string, requests: readonly AppendRequest[]): PreparedAppend {
    assertOrganizationId(organizationId);
    const streamIds: string[] = [];
    const expected: number[] = [];
    const eventIds: string[] = [];
    const eventStreams: number[] = [];
    const types: string[] = [];
    const schemaVersions: number[] = [];
    const data: string[] = [];
    const metadata: string[] = [];
    const occurredAt: (Date | null)[] = [];
    const prepared: { data: unknown; metadata: EventMetadata }[] = [];

    for (const request of requests) {
      if (request.events.length === 0) continue;
      assertStreamId(request.streamId);
      if (streamIds.includes(request.streamId)) {
        throw new ValidationError(`Stream ${request.streamId} appears twice in one append`);
      }
      streamIds.push(request.streamId);
      expected.push(encodeExpectedVersion(request.expectedVersion ?? 'ANY'));
      for (const event of request.events) {
        const checked = this.#catalog.prepare(event.type, event.data);
        const id = event.id ?? uuidv7();
        assertEventId(id);
        const eventMetadata = cleanMetadata(event.metadata);
        eventIds.push(id);
        eventStreams.push(streamIds.length);
        types.push(event.type);
        schemaVersions.push(checked.schemaVersion);
        data.push(JSON.stringify(checked.data));
        metadata.push(JSON.stringify(eventMetadata));
        occurredAt.push(event.occurredAt ?? null);
        prepared.push({ data: checked.data, metadata: eventMetadata });
      }
    }
    if (eventIds.length === 0) throw new EmptyAppendError();

    const query = {
      name: 'orgstream_append',
      text: `SELECT event_id, stream_id, stream_version, position::text AS position, recorded_at,
                    pg_current_xact_id()::text AS transaction_id
             FROM orgstream_append($1, $2, $3, $4, $5, $6, $7, $8::jsonb[], $9::jsonb[], $10)`,
      values: [
        organizationId,
        streamIds,
        expected,
        eventIds,
        eventStreams,
        types,
        schemaVersions,
        data,
        metadata,
        occurredAt,
      ],
    };
    const result = (rows: readonly AppendRow[]): AppendResult => {
      const events = rows.map((row) => ({
        eventId: row.event_id,
        streamId: row.stream_id,
        streamVersion: row.stream_version,
        position: BigInt(row.position),
        recordedAt: row.recorded_at,
      }));
      const streamVersions: Record<string, number> = {};
      for (const event of events) {
        streamVersions[event.streamId] = Math.max(streamVersions[event.streamId] ?? 0, event.streamVersion);
      }
      // Rows come back in position order, which is the order the events were given in.
      const recorded = events.map(
        (event, index): RecordedEvent => ({
          ...event,
          organizationId,
          type: types[index]!,
          schemaVersion: schemaVersions[index]!,
          data: prepared[index]!.data,
          metadata: prepared[index]!.metadata,
          occurredAt: occurredAt[index] ?? event.recordedAt,
          transactionId: rows[index]!.transaction_id,
        }),
      );
      return { events, recorded, lastPosition: events.at(-1)!.position, streamVersions };
    };
    return { query, result, error: (error) => translateAppendError(error, requests) };
  }

  /**
   * Wakes subscribers of the organization, in every process (NOTIFY). Sent
   * after commit, never inside the append's transaction: a notifying
   * transaction holds a database-wide lock until its commit is flushed, which
   * would make appends commit one at a time. Callers that append `within`
   * their own transaction call this after their COMMIT. At most one NOTIFY per
   * organization is in flight; appends meanwhile share the next one. Fire and
   * forget: a lost wake-up costs subscribers one polling interval, no event.
   */
  notifyAppended(organizationId: string): void {
    if (this.#notifying.has(organizationId)) {
      this.#notifying.set(organizationId, true);
      return;
    }
    this.#notifying.set(organizationId, false);
    this.#pool
      .query(`SELECT pg_notify('${EVENTS_CHANNEL}', $1)`, [organizationId])
      .catch(() => {})
      .finally(() => {
        const owed = this.#notifying.get(organizationId);
        this.#notifying.delete(organizationId);
        if (owed) this.notifyAppended(organizationId);
      });
  }

  /** The events of one stream, by version. Stream order needs no horizon: writers to a stream are serialized. */
  async readStream(
    organizationId: string,
    streamId: string,
    options: ReadStreamOptions = {},
  ): Promise<RecordedEvent[]> {
    assertOrganizationId(organizationId);
    const backward = options.direction === 'backward';
    const values: unknown[] = [organizationId, streamId];
    const where = ['organization_id = $1', 'stream_id = $2'];
    if (options.fromVersion !== undefined) {
      values.push(options.fromVersion);
      where.push(`stream_version ${backward ? '<=' : '>='} $${values.length}`);
    }
    if (options.toVersion !== undefined) {
      values.push(options.toVersion);
      where.push(`stream_version ${backward ? '>=' : '<='} $${values.length}`);
    }
    if (options.recordedAtOrBefore !== undefined) {
      values.push(options.recordedAtOrBefore);
      where.push(`recorded_at <= $${values.length}`);
    }
    values.push(options.limit === undefined ? null : readLimit(options.limit));
    const result = await (options.within ?? this.#pool).query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE ${where.join(' AND ')}
       ORDER BY stream_version ${backward ? 'DESC' : 'ASC'} LIMIT $${values.length}`,
      values,
    );
    return result.rows.map((row) => this.#toRecordedEvent(row));
  }

  /** The current version of a stream; 0 when it does not exist. */
  async streamVersion(organizationId: string, streamId: string, options: { within?: Queryable } = {}): Promise<number> {
    assertOrganizationId(organizationId);
    const result = await (options.within ?? this.#pool).query<{ version: number }>(
      'SELECT version FROM streams WHERE organization_id = $1 AND stream_id = $2',
      [organizationId, streamId],
    );
    return result.rows[0]?.version ?? 0;
  }

  /**
   * Events after `from`, in position order, without gaps: only events of
   * transactions older than every running transaction are returned, so a
   * later call never finds an event below a position it already passed.
   */
  async readAll(scope: OrganizationScope, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { sql, values } = readAllSql(scope, options);
    const result = await (options.within ?? this.#pool).query<EventRow>(sql, values);
    return result.rows.map((row) => this.#toRecordedEvent(row));
  }

  /**
   * readAll, and how far it looked: `head` is the highest position a gap-free
   * reader may see, as of the same snapshot. A page shorter than the limit
   * holds every event up to `head` that matches, so the reader may go on from
   * `head`: a filtered reader whose events are rare would otherwise read the
   * same events that do not match again at every wake-up.
   */
  async readAllPage(
    scope: OrganizationScope,
    options: Omit<ReadAllOptions, 'ignoreHorizon'> = {},
  ): Promise<{ events: RecordedEvent[]; head: bigint }> {
    const from = options.from ?? 0n;
    const { sql, values } = readAllSql(scope, options);
    // The organization, when there is one, is readAllSql's second parameter.
    const head = gapFreeHeadSql(scope === ALL_ORGANIZATIONS ? undefined : '$2::uuid');
    // One statement, so one snapshot for the page and the head; a row with
    // the head alone (no event columns) when nothing matches.
    const result = await (options.within ?? this.#pool).query<EventRow & { page_head: string | null }>(
      `SELECT h.page_head, e.* FROM (SELECT (${head})::text AS page_head) h LEFT JOIN LATERAL (${sql}) e ON true`,
      values,
    );
    const events = result.rows.filter((row) => row.event_id !== null).map((row) => this.#toRecordedEvent(row));
    const seen = BigInt(result.rows[0]?.page_head ?? 0);
    return { events, head: seen > from ? seen : from };
  }

  /** Catch-up from `options.from`, then live; see subscription.ts for the guarantee. */
  subscribe(scope: OrganizationScope, options: SubscribeOptions = {}): AsyncGenerator<RecordedEvent, void, undefined> {
    return subscribe(this, this.#notifier, scope, options, this.#tails);
  }

  /**
   * Wake-ups for readers of what append transactions write besides events
   * (friction signal changes): take a token before reading, then wait with it.
   * Without a notifier the wait is a plain poll interval.
   */
  changeToken(organizationId: string): number {
    return this.#notifier?.generation(organizationId) ?? 0;
  }

  waitForChange(organizationId: string, token: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.#notifier ? this.#notifier.wait(organizationId, token, timeoutMs, signal) : sleep(timeoutMs, signal);
  }

  /** The highest position a gap-free reader may see now (0 for an empty log). */
  async headPosition(scope: OrganizationScope): Promise<bigint> {
    const byOrganization = scope !== ALL_ORGANIZATIONS;
    if (byOrganization) assertOrganizationId(scope);
    const result = await this.#pool.query<{ position: string | null }>(
      `SELECT (${gapFreeHeadSql(byOrganization ? '$1::uuid' : undefined)})::text AS position`,
      byOrganization ? [scope] : [],
    );
    return BigInt(result.rows[0]?.position ?? 0);
  }

  /** An event row selected with `eventColumns`, upcast, as readers see it. */
  fromRow(row: EventRow): RecordedEvent {
    return this.#toRecordedEvent(row);
  }

  #toRecordedEvent(row: EventRow): RecordedEvent {
    const upcast = this.#catalog.upcast(row.type, row.schema_version, row.data);
    return {
      eventId: row.event_id,
      organizationId: row.organization_id,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      position: BigInt(row.position),
      type: row.type,
      schemaVersion: upcast.schemaVersion,
      data: upcast.data,
      metadata: row.metadata,
      occurredAt: new Date(row.occurred_ms),
      recordedAt: new Date(row.recorded_ms),
      transactionId: row.transaction_id,
    };
  }
}

function encodeExpectedVersion(expected: ExpectedVersion): number {
  if (typeof expected === 'number') {
    if (!Number.isInteger(expected) || expected < 0) {
      throw new ValidationError(`Expected version must be a non-negative integer, got ${expected}`);
    }
    return expected;
  }
  return EXPECTED[expected];
}

function decodeExpectedVersion(encoded: number): ExpectedVersion {
  const mode = (Object.keys(EXPECTED) as (keyof typeof EXPECTED)[]).find((key) => EXPECTED[key] === encoded);
  return mode ?? encoded;
}

function cleanMetadata(metadata: EventMetadata | undefined): EventMetadata {
  const clean: EventMetadata = {};
  for (const [key, value] of Object.entries(metadata ?? {}) as [keyof EventMetadata, unknown][]) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new ValidationError(`Event metadata ${key} must be a string`);
    clean[key] = value;
  }
  return clean;
}

function readLimit(limit: number | undefined): number {
  if (limit === undefined) return MAX_READ;
  if (!Number.isInteger(limit) || limit < 1) throw new ValidationError(`A read limit must be a positive integer`);
  return Math.min(limit, MAX_READ);
}

/**
 * The SQL conditions of `filter` on the events table (`alias.` before each
 * column when given), their values appended to `values` as parameters.
 */
export function eventFilterConditions(filter: EventFilter, values: unknown[], alias?: string): string[] {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  const conditions: string[] = [];
  const add = (condition: (param: string) => string, value: unknown) => {
    values.push(value);
    conditions.push(condition(`$${values.length}`));
  };
  if (filter.types) add((p) => `${column('type')} = ANY(${p}::text[])`, filter.types);
  if (filter.streamIds) add((p) => `${column('stream_id')} = ANY(${p}::text[])`, filter.streamIds);
  if (filter.actor !== undefined) add((p) => `${column('metadata')}->>'actor' = ${p}`, filter.actor);
  if (filter.occurredAfter) add((p) => `${column('occurred_at')} > ${p}`, filter.occurredAfter);
  if (filter.occurredBefore) add((p) => `${column('occurred_at')} < ${p}`, filter.occurredBefore);
  if (filter.recordedAfter) add((p) => `${column('recorded_at')} > ${p}`, filter.recordedAfter);
  if (filter.recordedBefore) add((p) => `${column('recorded_at')} < ${p}`, filter.recordedBefore);
  return conditions;
}

export function assertOrganizationId(id: string): void {
  if (!UUID.test(id)) throw new ValidationError(`Not an organization id: ${JSON.stringify(id)}`);
}

function assertEventId(id: string): void {
  if (!UUID.test(id)) throw new ValidationError(`Not an event id (uuid): ${JSON.stringify(id)}`);
}

function assertStreamId(id: string): void {
  if (id.length === 0 || id.length > 200) throw new ValidationError('A stream id must have 1 to 200 characters');
}

function translateAppendError(error: unknown, requests: readonly AppendRequest[]): unknown {
  const code = (error as { code?: unknown }).code;
  if (code === 'OS001') {
    const detail = JSON.parse((error as { detail: string }).detail) as {
      streamId: string;
      expected: number;
      actual: number;
    };
    const requested = requests.find((request) => request.streamId === detail.streamId)?.expectedVersion;
    return new ConcurrencyError(detail.streamId, requested ?? decodeExpectedVersion(detail.expected), detail.actual);
  }
  const constraint = (error as { constraint?: unknown }).constraint;
  if (code === 'OS004' || (code === '23505' && constraint === 'events_event_id_key')) {
    // 23505: a concurrent append to another stream inserted the same event id first.
    return new DuplicateEventIdError('Event ids already belong to other events', {}, { cause: error });
  }
  if (code === 'OS002') return new ValidationError((error as Error).message, {}, { cause: error });
  if (code === 'OS003') {
    return new Error('An append must be the first write of its transaction (see eventStore.ts)', { cause: error });
  }
  return error;
}
