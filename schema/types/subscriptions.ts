// Subscriptions (API.md "Subscriptions"): `events` follows the caller's log
// gap-free from a position; `teamChanged` pushes a team after every change
// that touches it. Both ride on the event store's subscribe (LISTEN/NOTIFY
// wake-ups, the table for content), so they work the same with several
// server processes on one database, and what they push is what a query
// would return at that moment: read models are updated in the append's
// own transaction.
import { organizationOf } from '../../src/auth/tokens.ts';
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

/** Whether an event changes what a query of the team returns. */
export function touchesTeam(event: RecordedEvent, teamId: string): boolean {
  if (event.streamId === `team-${teamId}`) return true;
  const data = event.data as Record<string, unknown>;
  const owner = (value: unknown) => (value as { id?: string } | null | undefined)?.id === teamId;
  return (
    data.fromTeamId === teamId ||
    data.toTeamId === teamId ||
    data.parentTeamId === teamId ||
    (event.type === 'FirstTeamChosen' && data.teamId === teamId) ||
    (Array.isArray(data.teamIds) && data.teamIds.includes(teamId)) ||
    owner(data.owner) ||
    owner(data.previousOwner)
  );
}

/** Dependency status changes name only the dependency: look up its teams. */
async function dependencyTouchesTeam(context: GraphQLContext, event: RecordedEvent, teamId: string): Promise<boolean> {
  if (!event.streamId.startsWith('dependency-')) return false;
  const dependency = await context.prisma.dependency.findFirst({
    where: { id: event.streamId.slice('dependency-'.length), ...tenant(context) },
    select: { fromTeamId: true, toTeamId: true },
  });
  return dependency?.fromTeamId === teamId || dependency?.toTeamId === teamId;
}

builder.subscriptionField('teamChanged', (t) =>
  t.prismaField({
    type: 'Team',
    description: 'The team after every change that touches it (its own events, its members, owners, dependencies).',
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
                if (next.done || touchesTeam(next.value, teamId)) return next;
                if (await dependencyTouchesTeam(context, next.value, teamId)) return next;
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
