// Dependencies between teams: who waits on whom, how they interact, and how
// bad it is. A team lists the ones it has (outgoing) and the ones on it (incoming).
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { DependencyStatus, InteractionMode } from './enums.ts';
import { tenant } from './tenancy.ts';

export const Dependency = builder.prismaNode('Dependency', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  description: 'One team depending on another.',
  fields: (t) => ({
    from: t.relation('fromTeam', { description: 'The team that depends.' }),
    to: t.relation('toTeam', { description: 'The team depended on.' }),
    mode: t.field({ type: InteractionMode, resolve: (dependency) => dependency.mode as never }),
    description: t.exposeString('description', { nullable: true }),
    status: t.field({ type: DependencyStatus, resolve: (dependency) => dependency.status as never }),
    discoveredLate: t.exposeBoolean('discoveredLate', { description: 'Discovered after the work started.' }),
    expectedDurationDays: t.exposeInt('expectedDurationDays', { nullable: true }),
    declaredAt: t.expose('declaredAt', { type: 'DateTime' }),
    statusSince: t.expose('statusSince', { type: 'DateTime', description: 'Since when the current status holds.' }),
    resolved: t.boolean({ select: { resolvedAt: true }, resolve: (dependency) => dependency.resolvedAt !== null }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    version: t.exposeInt('version', { description: 'Version of the dependency’s stream (the first event is 1).' }),
  }),
});

const openUnlessAsked = (args: { includeResolved?: boolean | null | undefined }) => ({
  where: args.includeResolved ? {} : { resolvedAt: null },
  orderBy: [{ declaredAt: 'asc' as const }, { id: 'asc' as const }],
});

builder.prismaObjectFields('Team', (t) => ({
  dependencies: t.relation('dependencies', {
    description: 'What this team depends on (open ones unless includeResolved).',
    args: { includeResolved: t.arg.boolean({ required: false, defaultValue: false }) },
    query: openUnlessAsked,
  }),
  dependents: t.relation('dependents', {
    description: 'The dependencies other teams have on this one (open ones unless includeResolved).',
    args: { includeResolved: t.arg.boolean({ required: false, defaultValue: false }) },
    query: openUnlessAsked,
  }),
}));

builder.queryField('dependency', (t) =>
  t.prismaField({
    type: 'Dependency',
    nullable: true,
    authScopes: { reader: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.dependency.findFirst({
        ...query,
        where: { id: idOf(String(args.id), 'Dependency', 'id'), ...tenant(context) },
      }),
  }),
);
