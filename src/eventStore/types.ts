// The shapes the event store speaks. Positions are bigint: the log is meant to
// outgrow 2^53 without anyone noticing.
import type pg from 'pg';

/** A pool, or one client inside a transaction the caller owns. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.ClientBase, 'query'>;

/** Reads across every organization: only for system work such as projection rebuilds. */
export const ALL_ORGANIZATIONS = Symbol('all organizations');
export type OrganizationScope = string | typeof ALL_ORGANIZATIONS;

export type ExpectedVersion = 'ANY' | 'NO_STREAM' | 'STREAM_EXISTS' | number;

export type EventMetadata = {
  actor?: string;
  reason?: string;
  correlationId?: string;
  causationId?: string;
  idempotencyKey?: string;
};

export type NewEvent = {
  /** uuid v7; generated when omitted. A retry with the same id is a no-op. */
  id?: string;
  type: string;
  data: unknown;
  metadata?: EventMetadata;
  /** Org time; defaults to the time the event is recorded. May be back-dated. */
  occurredAt?: Date;
};

export type AppendRequest = {
  streamId: string;
  events: readonly NewEvent[];
  expectedVersion?: ExpectedVersion;
};

export type AppendedEvent = {
  eventId: string;
  streamId: string;
  streamVersion: number;
  position: bigint;
  recordedAt: Date;
};

export type AppendResult = {
  events: AppendedEvent[];
  /** The appended events as readers will see them. */
  recorded: RecordedEvent[];
  /** The position of the last event appended. */
  lastPosition: bigint;
  /** The version of each stream after the append. */
  streamVersions: Record<string, number>;
};

export type RecordedEvent<Type extends string = string, Data = unknown> = {
  eventId: string;
  organizationId: string;
  streamId: string;
  streamVersion: number;
  position: bigint;
  type: Type;
  /** The schema version of `data` as returned: the current one after upcasting. */
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  occurredAt: Date;
  recordedAt: Date;
  /**
   * The transaction that appended it (PostgreSQL xid8, as text): events of one
   * command share it. Set on everything the store returns.
   */
  transactionId?: string;
};

/** Which events a global read or subscription returns; all fields combine with AND. */
export type EventFilter = {
  types?: readonly string[];
  streamIds?: readonly string[];
  actor?: string;
  occurredAfter?: Date;
  occurredBefore?: Date;
  recordedAfter?: Date;
  recordedBefore?: Date;
};
