import { prismaConnectionHelpers } from '@pothos/plugin-prisma';
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { assertMoment, pastOrPresentScopes, timeTravelArgs } from '../timeTravel.ts';
import { TeamKind } from './enums.ts';
import { Person } from './person.ts';
import { tenant } from './tenancy.ts';

/** Team members: a connection over current memberships whose nodes are people. */
const members = prismaConnectionHelpers(builder, 'Membership', {
  cursor: 'id',
  select: (nodeSelection) => ({ role: true, allocation: true, person: nodeSelection({ select: { id: true } }) }),
  resolveNode: (membership) => membership.person,
  // Ties in `from` are broken by id, so pages and answers are stable. (Pothos
  // types orderBy as one object; Prisma takes the list.)
  query: { where: { to: null }, orderBy: [{ from: 'asc' }, { id: 'asc' }] as never },
});

export const Team = builder.prismaNode('Team', {
  id: { field: 'id' },
  // Select mode: a query reads only the columns its fields ask for (not every
  // column of every row). The few columns nearly every read needs are
  // selected here, and their fields read them without a selection of their
  // own: Pothos checks such a selection against the query each row came from,
  // row by row, and loads it again for a row no Pothos query loaded (e.g. an
  // Owner or FrictionSubject resolved by hand).
  select: { id: true, name: true, kind: true },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  fields: (t) => ({
    name: t.string({ resolve: (team) => team.name }),
    kind: t.field({ type: TeamKind, resolve: (team) => team.kind as never }),
    archived: t.boolean({ select: { archivedAt: true }, resolve: (team) => team.archivedAt !== null }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    formedAt: t.expose('formedAt', { type: 'DateTime' }),
    version: t.exposeInt('version', { description: 'Version of the team’s stream (the first event is 1).' }),
    valueStream: t.relation('valueStream', { nullable: true }),
    parent: t.relation('parent', { nullable: true }),
    children: t.relation('children', {
      query: { where: { archivedAt: null }, orderBy: [{ name: 'asc' }, { id: 'asc' }] },
    }),
    members: t.connection(
      {
        type: Person,
        select: (args, context, nestedSelection) => ({
          memberships: members.getQuery(args, context, nestedSelection),
        }),
        resolve: (team, args, context) => members.resolve(team.memberships, args, context) as never,
      },
      { name: 'TeamMemberConnection' },
      {
        name: 'TeamMemberEdge',
        fields: (edge) => ({
          role: edge.string({ resolve: (membership) => (membership as unknown as { role: string }).role }),
          allocation: edge.int({
            description: 'Percent of their time (1..100).',
            resolve: (membership) => (membership as unknown as { allocation: number }).allocation,
          }),
        }),
      },
    ),
    ownedResponsibilities: t.relation('ownedResponsibilities', {
      query: { orderBy: [{ title: 'asc' }, { id: 'asc' }] },
    }),
  }),
});

builder.queryField('team', (t) =>
  t.prismaField({
    type: 'Team',
    nullable: true,
    authScopes: pastOrPresentScopes,
    args: { id: t.arg.id({ required: true }), ...timeTravelArgs(t.arg) },
    resolve: (query, _root, args, context) => {
      assertMoment(context, args);
      return context.prisma.team.findFirst({
        ...query,
        where: { id: idOf(String(args.id), 'Team', 'id'), ...tenant(context) },
      });
    },
  }),
);
