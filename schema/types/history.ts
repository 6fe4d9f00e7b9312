// Team.history, Person.history, Responsibility.history (API.md): the events
// that touched the object, whatever stream they were recorded on (a membership
// is on the team's stream and in the person's history), as connections in
// position order. They page through event_references (projections/references.ts)
// joined to the log; audit data like the `events` query, so ANALYST or ADMIN.
import DataLoader from 'dataloader';
import { qualifying } from '../../src/audit/snapshots.ts';
import { organizationOf } from '../../src/auth/tokens.ts';
import { type EventRow, eventColumns, eventFilterConditions } from '../../src/eventStore/eventStore.ts';
import type { RecordedEvent } from '../../src/eventStore/types.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { Event } from './events.ts';

export const HISTORY_PAGE_DEFAULT = 50;
export const HISTORY_PAGE_MAX = 500;
const TYPES_MAX = 100;

const POSITION = /^(0|[1-9]\d{0,18})$/;
const POSITION_MAX = 9_223_372_036_854_775_807n;

function afterPosition(after: string | null | undefined): bigint {
  if (after === null || after === undefined) return 0n;
  if (!POSITION.test(after) || BigInt(after) > POSITION_MAX) {
    throw badInput('after must be the cursor of an edge (an event position)', { field: 'after' });
  }
  return BigInt(after);
}

function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return HISTORY_PAGE_DEFAULT;
  if (first < 1) throw badInput('first must be a positive integer', { field: 'first' });
  return Math.min(first, HISTORY_PAGE_MAX);
}

function typeFilter(types: readonly string[] | null | undefined): readonly string[] | null {
  if (types === null || types === undefined) return null;
  if (types.length > TYPES_MAX) throw badInput(`types takes at most ${TYPES_MAX} event types`, { field: 'types' });
  return [...new Set(types)].sort();
}

type Page = { events: RecordedEvent[]; hasNextPage: boolean };
type PageQuery = { after: bigint; limit: number; types: readonly string[] | null };

type HistoryRow = EventRow & { subject_id: string };

const loadersByContext = new WeakMap<GraphQLContext, Map<string, DataLoader<string, Page>>>();

/**
 * One page of history per subject; every history field of one request with
 * the same arguments (a list of teams, each with its history) is one query.
 * Only events of transactions older than every running one are returned, as
 * the `events` query does, so a page never skips an event that commits later
 * at a lower position.
 */
function historyLoader(context: GraphQLContext, page: PageQuery): DataLoader<string, Page> {
  let loaders = loadersByContext.get(context);
  if (!loaders) {
    loaders = new Map();
    loadersByContext.set(context, loaders);
  }
  const key = JSON.stringify([page.after.toString(), page.limit, page.types]);
  let loader = loaders.get(key);
  if (!loader) {
    const organizationId = organizationOf(context.viewer);
    loader = new DataLoader<string, Page>(async (subjectIds) => {
      const values: unknown[] = [subjectIds, organizationId, page.after.toString(), page.limit + 1];
      const conditions = eventFilterConditions(
        // Reading the past: only the events that count at that moment.
        { ...(page.types ? { types: page.types } : {}), ...qualifying(context.timeView ?? {}) },
        values,
        'e',
      );
      const result = await context.pool.query<HistoryRow>(
        `SELECT s.subject_id::text AS subject_id, ${eventColumns('e')}
         FROM unnest($1::uuid[]) AS s(subject_id)
         CROSS JOIN LATERAL (
           SELECT e.* FROM event_references r
           JOIN events e ON e.position = r.position
           WHERE r.subject_id = s.subject_id AND r.organization_id = $2 AND r.position > $3::bigint
             AND e.organization_id = $2
             AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
             ${conditions.map((condition) => `AND ${condition}`).join(' ')}
           ORDER BY r.position
           LIMIT $4
         ) e
         ORDER BY e.position`,
        values,
      );
      const bySubject = new Map<string, RecordedEvent[]>();
      for (const row of result.rows) {
        const events = bySubject.get(row.subject_id) ?? [];
        events.push(context.store.fromRow(row));
        bySubject.set(row.subject_id, events);
      }
      return subjectIds.map((subjectId) => {
        const events = bySubject.get(subjectId.toLowerCase()) ?? [];
        return { events: events.slice(0, page.limit), hasNextPage: events.length > page.limit };
      });
    });
    loaders.set(key, loader);
  }
  return loader;
}

const HistoryConnection = builder.connectionObject(
  {
    type: Event,
    name: 'HistoryConnection',
    description: 'A page of the events that touched an object, in position order.',
  },
  { name: 'HistoryEdge', description: 'An event; its cursor is its position.' },
);

type HistoryArgs = {
  first?: number | null | undefined;
  after?: string | null | undefined;
  types?: readonly string[] | null | undefined;
};

async function history(context: GraphQLContext, subjectId: string, args: HistoryArgs) {
  const limit = pageSize(args.first);
  const page = await historyLoader(context, {
    after: afterPosition(args.after),
    limit,
    types: typeFilter(args.types),
  }).load(subjectId);
  const edges = page.events.map((event) => ({ cursor: event.position.toString(), node: event }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

function describe(what: string, touches: string): string {
  return (
    `The events that touched ${what}, in position order, whatever stream recorded them: ${touches}. ` +
    'ANALYST or ADMIN (audit data, like `events`); for other roles the field is null with a FORBIDDEN error. ' +
    `\`first\`: page size, default ${HISTORY_PAGE_DEFAULT}, at most ${HISTORY_PAGE_MAX}; ` +
    '`after`: the cursor (position) of the last edge already seen; `types`: only events of these types.'
  );
}

const TYPES_DESCRIPTION = 'Only events of these types, e.g. ["TeamMemberAdded", "MembershipChanged"].';

builder.prismaObjectFields('Team', (t) => ({
  history: t.field({
    type: HistoryConnection,
    nullable: true,
    authScopes: { analyst: true },
    description: describe(
      'this team',
      'its own events; members joining, changing and leaving; people choosing it as first team; ' +
        'responsibilities assigned to or taken from it; ratifications; dependencies from or to it; ' +
        'teams formed or moved under it; assets, interactions and handoffs naming it',
    ),
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      types: t.arg.stringList({ required: false, description: TYPES_DESCRIPTION }),
    },
    resolve: (team, args, context) => history(context, team.id, args),
  }),
}));

builder.prismaObjectFields('Person', (t) => ({
  history: t.field({
    type: HistoryConnection,
    nullable: true,
    authScopes: { analyst: true },
    description: describe(
      'this person',
      'their own events; joining, changing and leaving teams (recorded on the team); ' +
        'reports gained or lost; responsibilities assigned to or taken from them; agreements they ratified',
    ),
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      types: t.arg.stringList({ required: false, description: TYPES_DESCRIPTION }),
    },
    resolve: (person, args, context) => history(context, person.id, args),
  }),
}));

builder.prismaObjectFields('Responsibility', (t) => ({
  history: t.field({
    type: HistoryConnection,
    nullable: true,
    authScopes: { analyst: true },
    description: describe(
      'this responsibility',
      'its own events (definition, assignments, unassignments); ' +
        'working-agreement drafts that list it and the ratification of those versions',
    ),
    args: {
      first: t.arg.int({ required: false }),
      after: t.arg.string({ required: false }),
      types: t.arg.stringList({ required: false, description: TYPES_DESCRIPTION }),
    },
    resolve: (responsibility, args, context) => history(context, responsibility.id, args),
  }),
}));
