// The event log as an audit trail: `Event`, the `EventFilter` input and the
// `events(filter, first, after)` query (ANALYST or ADMIN). Reads go through the
// event store's gap-free `readAll`, always scoped to the caller's organization;
// a page's cursors are event positions, so `after` can also be any position a
// client saw elsewhere (a mutation payload, a subscription).
import { decodeGlobalID } from '@pothos/plugin-relay';
import { organizationOf } from '../../src/auth/tokens.ts';
import type { RecordedEvent, EventFilter as StoreEventFilter } from '../../src/eventStore/types.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';

export const EVENTS_PAGE_DEFAULT = 50;
export const EVENTS_PAGE_MAX = 500;

export const Event = builder.objectRef<RecordedEvent>('Event').implement({
  description: 'One event of the log, as readers see it (data upcast to its current schema version).',
  fields: (t) => ({
    id: t.id({ description: 'The event’s own id (a uuid).', resolve: (event) => event.eventId }),
    position: t.field({
      type: 'Position',
      description: 'Global position in the log; the order of every read.',
      resolve: (event) => event.position,
    }),
    streamId: t.exposeString('streamId', { description: 'The stream the event belongs to, e.g. `team-<uuid>`.' }),
    version: t.int({
      description: 'Version of its stream after this event (the first event is 1).',
      resolve: (event) => event.streamVersion,
    }),
    type: t.exposeString('type'),
    schemaVersion: t.exposeInt('schemaVersion', { description: 'Schema version of `data` as returned.' }),
    data: t.field({ type: 'JSON', resolve: (event) => event.data }),
    metadata: t.field({
      type: 'JSON',
      description: 'actor, reason, correlationId, causationId, idempotencyKey (those present).',
      resolve: (event) => event.metadata,
    }),
    occurredAt: t.field({
      type: 'DateTime',
      description: 'Org time (may be back-dated).',
      resolve: (e) => e.occurredAt,
    }),
    recordedAt: t.field({ type: 'DateTime', description: 'When the log recorded it.', resolve: (e) => e.recordedAt }),
  }),
});

export const EventFilter = builder.inputType('EventFilter', {
  description: 'Which events to return; all given fields combine with AND.',
  fields: (t) => ({
    streamId: t.string({
      required: false,
      description:
        'A stream id (`team-<uuid>`, `person-<uuid>`, …) or the global id of a Team, Person, ValueStream, Responsibility, Dependency, Asset or Organization.',
    }),
    types: t.stringList({ required: false, description: 'Event types, e.g. ["TeamFormed", "TeamRenamed"].' }),
    actor: t.string({ required: false, description: 'The label of the token that issued the command.' }),
    occurredAfter: t.field({ type: 'DateTime', required: false, description: 'Exclusive, org time.' }),
    occurredBefore: t.field({ type: 'DateTime', required: false, description: 'Exclusive, org time.' }),
    recordedAfter: t.field({ type: 'DateTime', required: false, description: 'Exclusive, record time.' }),
    recordedBefore: t.field({ type: 'DateTime', required: false, description: 'Exclusive, record time.' }),
  }),
});

/** The stream prefix of each node type that owns a stream. */
const STREAM_PREFIXES: Readonly<Record<string, string>> = {
  Organization: 'organization-',
  Team: 'team-',
  Person: 'person-',
  ValueStream: 'value-stream-',
  Responsibility: 'responsibility-',
  Dependency: 'dependency-',
  Asset: 'asset-',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const RAW_STREAM_ID = /^[a-z][a-z-]*-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A stream id as given, or the stream of a node's global id. */
export function streamIdOf(value: string): string {
  if (value.length === 0 || value.length > 200) throw badInput('filter.streamId must have 1 to 200 characters');
  if (RAW_STREAM_ID.test(value)) return value;
  let decoded: { typename: string; id: string } | undefined;
  try {
    decoded = decodeGlobalID(value);
  } catch {
    decoded = undefined;
  }
  const prefix = decoded ? STREAM_PREFIXES[decoded.typename] : undefined;
  if (decoded && prefix && UUID.test(decoded.id)) return `${prefix}${decoded.id}`;
  // Any other string is taken as a stream id; one that does not exist matches nothing.
  return value;
}

export type EventFilterInput = {
  streamId?: string | null | undefined;
  types?: readonly string[] | null | undefined;
  actor?: string | null | undefined;
  occurredAfter?: Date | null | undefined;
  occurredBefore?: Date | null | undefined;
  recordedAfter?: Date | null | undefined;
  recordedBefore?: Date | null | undefined;
};

/** The GraphQL filter as the event store's filter (shared with the events subscription). */
export function toStoreFilter(filter: EventFilterInput | null | undefined): StoreEventFilter {
  const result: StoreEventFilter = {};
  if (!filter) return result;
  if (filter.streamId !== null && filter.streamId !== undefined) result.streamIds = [streamIdOf(filter.streamId)];
  if (filter.types !== null && filter.types !== undefined) {
    if (filter.types.length > 100) throw badInput('filter.types takes at most 100 types');
    result.types = filter.types;
  }
  if (filter.actor !== null && filter.actor !== undefined) result.actor = filter.actor;
  if (filter.occurredAfter) result.occurredAfter = filter.occurredAfter;
  if (filter.occurredBefore) result.occurredBefore = filter.occurredBefore;
  if (filter.recordedAfter) result.recordedAfter = filter.recordedAfter;
  if (filter.recordedBefore) result.recordedBefore = filter.recordedBefore;
  return result;
}

const POSITION = /^(0|[1-9]\d{0,18})$/;

function afterPosition(after: string | null | undefined): bigint {
  if (after === null || after === undefined) return 0n;
  if (!POSITION.test(after))
    throw badInput('after must be the cursor of an edge (an event position)', { field: 'after' });
  const position = BigInt(after);
  if (position > 9_223_372_036_854_775_807n) throw badInput('after is out of range', { field: 'after' });
  return position;
}

function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return EVENTS_PAGE_DEFAULT;
  if (first < 1) throw badInput('first must be a positive integer', { field: 'first' });
  return Math.min(first, EVENTS_PAGE_MAX);
}

const EventConnection = builder.connectionObject(
  { type: Event, name: 'EventConnection', description: 'A page of the log, in position order.' },
  { name: 'EventEdge', description: 'An event; its cursor is its position.' },
);

builder.queryField('events', (t) =>
  t.field({
    type: EventConnection,
    description: `The caller’s organization’s events in position order (ANALYST or ADMIN). \`first\`: page size, default ${EVENTS_PAGE_DEFAULT}, at most ${EVENTS_PAGE_MAX}; \`after\`: the cursor (position) of the last edge already seen.`,
    authScopes: { analyst: true },
    args: {
      filter: t.arg({ type: EventFilter, required: false }),
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
    },
    resolve: async (_root, args, context) => {
      const limit = pageSize(args.first);
      const from = afterPosition(args.after);
      const filter = toStoreFilter(args.filter);
      const events = await context.store.readAll(organizationOf(context.viewer), { from, filter, limit: limit + 1 });
      const page = events.slice(0, limit);
      const edges = page.map((event) => ({ cursor: event.position.toString(), node: event }));
      return {
        edges,
        pageInfo: {
          hasNextPage: events.length > limit,
          hasPreviousPage: false,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },
  }),
);
