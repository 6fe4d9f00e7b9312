import { organizationOf } from '../../src/auth/tokens.ts';
import { NotFoundError } from '../../src/errors.ts';
import { builder } from '../builder.ts';
import { assertMoment, pastOrPresentScopes, timeTravelArgs } from '../timeTravel.ts';
import { Discipline, GrowthPhase, TeamKind } from './enums.ts';

export const Organization = builder.prismaNode('Organization', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  // The platform token sees the organization it just created (createOrganization's
  // payload) and nothing inside it: every path to another organization goes
  // through organizationOf(viewer), which only an organization token passes.
  authScopes: { reader: true, platform: true },
  // node(id) finds only the caller's own organization.
  findUnique: (id, context) => ({
    id: id === organizationOf(context.viewer) ? id : '00000000-0000-0000-0000-000000000000',
  }),
  fields: (t) => ({
    name: t.exposeString('name'),
    slug: t.exposeString('slug'),
    growthPhase: t.field({ type: GrowthPhase, resolve: (organization) => organization.growthPhase as never }),
    version: t.exposeInt('version', { description: 'Version of the organization’s own stream.' }),
    teams: t.prismaConnection({
      type: 'Team',
      cursor: 'id',
      args: {
        kind: t.arg({ type: TeamKind, required: false }),
        includeArchived: t.arg.boolean({ required: false, defaultValue: false }),
      },
      resolve: (query, organization, args, context) =>
        context.prisma.team.findMany({
          ...query,
          where: {
            organizationId: organization.id,
            ...(args.kind ? { kind: args.kind } : {}),
            ...(args.includeArchived ? {} : { archivedAt: null }),
          },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    }),
    people: t.prismaConnection({
      type: 'Person',
      cursor: 'id',
      args: {
        discipline: t.arg({ type: Discipline, required: false }),
        includeOffboarded: t.arg.boolean({ required: false, defaultValue: false }),
      },
      resolve: (query, organization, args, context) =>
        context.prisma.person.findMany({
          ...query,
          where: {
            organizationId: organization.id,
            ...(args.discipline ? { discipline: args.discipline } : {}),
            ...(args.includeOffboarded ? {} : { offboardedAt: null }),
          },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    }),
    valueStreams: t.prismaField({
      type: ['ValueStream'],
      args: { includeRetired: t.arg.boolean({ required: false, defaultValue: false }) },
      resolve: (query, organization, args, context) =>
        context.prisma.valueStream.findMany({
          ...query,
          where: { organizationId: organization.id, ...(args.includeRetired ? {} : { retiredAt: null }) },
          orderBy: [{ name: 'asc' }, { id: 'asc' }],
        }),
    }),
    responsibilities: t.prismaField({
      type: ['Responsibility'],
      args: { unowned: t.arg.boolean({ required: false, description: 'Only those without an owner.' }) },
      resolve: (query, organization, args, context) =>
        context.prisma.responsibility.findMany({
          ...query,
          where: {
            organizationId: organization.id,
            ...(args.unowned ? { ownerPersonId: null, ownerTeamId: null } : {}),
          },
          orderBy: [{ title: 'asc' }, { id: 'asc' }],
        }),
    }),
  }),
});

builder.queryField('organization', (t) =>
  t.prismaField({
    type: 'Organization',
    description:
      'The organization of the caller’s token: now, or as it was at `asOf` (org time) and as it was known at `knownAt` (record time).',
    authScopes: pastOrPresentScopes,
    args: timeTravelArgs(t.arg),
    resolve: async (query, _root, args, context) => {
      assertMoment(context, args);
      const organization = await context.prisma.organization.findUnique({
        ...query,
        where: { id: organizationOf(context.viewer) },
      });
      if (!organization) throw new NotFoundError('The organization did not exist yet at that moment');
      return organization;
    },
  }),
);
