import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { assertMoment, pastOrPresentScopes, timeTravelArgs } from '../timeTravel.ts';
import { Discipline } from './enums.ts';
import { tenant } from './tenancy.ts';

export const Person = builder.prismaNode('Person', {
  id: { field: 'id' },
  // Select mode, as Team. Owner (Person or Team) tells a person by its email.
  select: { id: true, name: true, email: true, discipline: true },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  fields: (t) => ({
    name: t.string({ resolve: (person) => person.name }),
    email: t.string({ resolve: (person) => person.email }),
    discipline: t.field({ type: Discipline, resolve: (person) => person.discipline as never }),
    skills: t.exposeStringList('skills'),
    offboarded: t.boolean({ select: { offboardedAt: true }, resolve: (person) => person.offboardedAt !== null }),
    offboardedAt: t.expose('offboardedAt', { type: 'DateTime', nullable: true }),
    registeredAt: t.expose('registeredAt', { type: 'DateTime' }),
    version: t.exposeInt('version', { description: 'Version of the person’s stream (the first event is 1).' }),
    manager: t.relation('manager', { nullable: true, description: 'The functional manager (reporting line).' }),
    reports: t.relation('reports', {
      query: { where: { offboardedAt: null }, orderBy: [{ name: 'asc' }, { id: 'asc' }] },
    }),
    firstTeam: t.relation('firstTeam', {
      nullable: true,
      description: 'The cross-functional team this person identifies with first; one of their teams.',
    }),
    memberships: t.relation('memberships', {
      description: 'Current memberships.',
      query: { where: { to: null }, orderBy: [{ from: 'asc' }, { id: 'asc' }] },
    }),
    ownedResponsibilities: t.relation('ownedResponsibilities', {
      query: { orderBy: [{ title: 'asc' }, { id: 'asc' }] },
    }),
  }),
});

builder.prismaObject('Membership', {
  // Select mode, as Person.
  select: { id: true, role: true, allocation: true },
  description: 'A person in a team, with a role and an allocation, over an interval of org time.',
  fields: (t) => ({
    team: t.relation('team'),
    person: t.relation('person'),
    role: t.string({ resolve: (membership) => membership.role }),
    allocation: t.int({
      description: 'Percent of their time (1..100).',
      resolve: (membership) => membership.allocation,
    }),
    from: t.expose('from', { type: 'DateTime' }),
    to: t.expose('to', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryField('person', (t) =>
  t.prismaField({
    type: 'Person',
    nullable: true,
    authScopes: pastOrPresentScopes,
    args: { id: t.arg.id({ required: true }), ...timeTravelArgs(t.arg) },
    resolve: (query, _root, args, context) => {
      assertMoment(context, args);
      return context.prisma.person.findFirst({
        ...query,
        where: { id: idOf(String(args.id), 'Person', 'id'), ...tenant(context) },
      });
    },
  }),
);
