// Subscriptions (API.md "Subscriptions"): `events` follows the caller's log
// gap-free from a position; `teamChanged` pushes a team after every change
// that touches it. Both ride on the event store's subscribe (LISTEN/NOTIFY
// wake-ups, the table for content), so they work the same with several
// server processes on one database, and what they push is what a query
// would return at that moment: read models are updated in the append's
// own transaction.
import type { DomainEventType } from '../../events/index.ts';
import { SUBJECTS, type SubjectEntry } from '../../projections/references.ts';
import { organizationOf } from '../../src/auth/tokens.ts';
import { isTransient } from '../../src/db/transient.ts';
import type { RecordedEvent } from '../../src/eventStore/types.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { idOf } from '../ids.ts';
import { Event, EventFilter, toStoreFilter } from './events.ts';
import { tenant } from './tenancy.ts';

builder.subscriptionType({});

/**
 * The store's subscription as an AsyncIterable whose `return()` (client
 * unsubscribes, socket closes) stops the read loop at once, even while it
 * waits for a notification.
 */
function follow(
  context: GraphQLContext,
  from: bigint | undefined,
  filter: ReturnType<typeof toStoreFilter>,
): AsyncIterable<RecordedEvent> {
  return {
    [Symbol.asyncIterator]: () => {
      const stop = new AbortController();
      const organizationId = organizationOf(context.viewer);
      let inner: AsyncGenerator<RecordedEvent, void, undefined> | undefined;
      const start = async () => {
        const start = from ?? (await context.store.headPosition(organizationId));
        return context.store.subscribe(organizationId, { from: start, filter, signal: stop.signal });
      };
      let starting: Promise<AsyncGenerator<RecordedEvent, void, undefined>> | undefined;
      return {
        next: async () => {
          starting ??= start();
          inner ??= await starting;
          return inner.next();
        },
        return: async () => {
          stop.abort();
          await inner?.return();
          return { done: true, value: undefined };
        },
      };
    },
  };
}

builder.subscriptionField('events', (t) =>
  t.field({
    type: Event,
    description:
      'Every event of your organization after `from` (exclusive; omitted: only new ones), stored ones first, then live ones, in position order, with no gap and no duplicate. Reconnect with the last position you saw and you miss nothing.',
    authScopes: { reader: true },
    args: {
      from: t.arg({ type: 'Position', required: false }),
      filter: t.arg({ type: EventFilter, required: false }),
    },
    subscribe: (_root, args, context) => follow(context, args.from ?? undefined, toStoreFilter(args.filter)),
    resolve: (event) => event,
  }),
);

/**
 * Whether an event touches the team: the team is one of its subjects, as
 * Team.history counts them (projections/references.ts): its own stream, the
 * ids the event names (a member, a handoff's or dependency's team, an owner,
 * a parent), and those found through the read models (a dependency's teams
 * on a status change, an asset's former teams), read from the references
 * written with the event.
 */
async function touchesTeam(context: GraphQLContext, event: RecordedEvent, teamId: string): Promise<boolean> {
  if (event.streamId === `team-${teamId}`) return true;
  const entry = SUBJECTS[event.type as DomainEventType] as SubjectEntry<DomainEventType> | undefined;
  // A type this process does not know (a newer one wrote it): not judged here.
  if (!entry) return false;
  if (entry.named(event.data as never).includes(teamId)) return true;
  if (!entry.related) return false;
  for (let attempt = 1; ; attempt++) {
    try {
      const found = await context.pool.query(
        'SELECT 1 FROM event_references WHERE subject_id = $1 AND position = $2 AND organization_id = $3',
        [teamId, event.position.toString(), tenant(context).organizationId],
      );
      return (found.rowCount ?? 0) > 0;
    } catch (error) {
      // A dropped connection or a restart ends nothing: the same as the event reads.
      if (!isTransient(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}

builder.subscriptionField('teamChanged', (t) =>
  t.prismaField({
    type: 'Team',
    description:
      'The team after every change that touches it: every event its history lists (its own events, its members joining and leaving, its handoffs, interactions, dependencies, responsibilities it owns, assets that name it).',
    authScopes: { reader: true },
    args: { id: t.arg.id({ required: true }) },
    subscribe: (_root, args, context) => {
      const teamId = idOf(String(args.id), 'Team', 'id');
      const events = follow(context, undefined, {});
      return {
        [Symbol.asyncIterator]: () => {
          const iterator = events[Symbol.asyncIterator]();
          return {
            next: async () => {
              for (;;) {
                const next = await iterator.next();
                if (next.done || (await touchesTeam(context, next.value, teamId))) return next;
              }
            },
            return: () => iterator.return?.() ?? Promise.resolve({ done: true, value: undefined }),
          };
        },
      };
    },
    resolve: (query, _event, args, context) =>
      context.prisma.team.findFirstOrThrow({
        ...query,
        where: { id: idOf(String(args.id), 'Team', 'id'), ...tenant(context) },
      }),
  }),
);
