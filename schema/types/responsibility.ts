import type { OwnershipInterval } from '../../src/generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { loadByIds } from '../loaders.ts';
import { assertMoment, pastOrPresentScopes, timeTravelArgs } from '../timeTravel.ts';
import { Person } from './person.ts';
import { Team } from './team.ts';
import { tenant } from './tenancy.ts';

/** A responsibility is owned by a person or by a team. */
export const Owner = builder.unionType('Owner', {
  types: [Person, Team],
  resolveType: (owner) => ('email' in owner ? Person : Team),
});

const OwnershipPeriod = builder.prismaObject('OwnershipInterval', {
  name: 'OwnershipPeriod',
  description: 'An entry of the ownership ledger: who owned the responsibility over [from, to) of org time.',
  fields: (t) => ({
    owner: t.field({
      type: Owner,
      nullable: true,
      description: 'Null only if the owner is no longer visible.',
      // Batched: a ledger of hundreds of periods (or every responsibility's)
      // is one query per kind of owner, not one per period.
      resolve: async (interval: OwnershipInterval, _args, context) => {
        const model = interval.ownerKind === 'PERSON' ? 'person' : 'team';
        const [owner] = await loadByIds(context, model, {}, [interval.ownerId], tenant(context).organizationId);
        return owner ?? null;
      },
    }),
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime', nullable: true }),
    reason: t.exposeString('reason', { nullable: true }),
    actor: t.exposeString('actor', { nullable: true }),
    position: t.expose('position', { type: 'Position', description: 'The event that started the interval.' }),
  }),
});

export const Responsibility = builder.prismaNode('Responsibility', {
  id: { field: 'id' },
  // Select mode, as Team.
  select: { id: true, title: true },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  fields: (t) => ({
    title: t.string({ resolve: (responsibility) => responsibility.title }),
    description: t.exposeString('description', { nullable: true }),
    category: t.exposeString('category'),
    version: t.exposeInt('version'),
    owner: t.field({
      type: Owner,
      nullable: true,
      select: (_args, _context, nestedSelection) => ({
        // The union's members are selected as their own types.
        ownerPerson: nestedSelection(true, [], 'Person'),
        ownerTeam: nestedSelection(true, [], 'Team'),
      }),
      resolve: (responsibility) => responsibility.ownerPerson ?? responsibility.ownerTeam ?? null,
    }),
    ownedSince: t.expose('ownedSince', {
      type: 'DateTime',
      description: 'Since when the current owner (or none) holds.',
    }),
    ownershipHistory: t.relation('ledger', {
      type: OwnershipPeriod,
      query: { orderBy: [{ from: 'asc' }, { position: 'asc' }] },
    }),
  }),
});

builder.queryField('responsibility', (t) =>
  t.prismaField({
    type: 'Responsibility',
    nullable: true,
    authScopes: pastOrPresentScopes,
    args: { id: t.arg.id({ required: true }), ...timeTravelArgs(t.arg) },
    resolve: (query, _root, args, context) => {
      assertMoment(context, args);
      return context.prisma.responsibility.findFirst({
        ...query,
        where: { id: idOf(String(args.id), 'Responsibility', 'id'), ...tenant(context) },
      });
    },
  }),
);
