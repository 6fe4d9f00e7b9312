// Shared assets (canvases, maps, models) and their revisions: what changed and why.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { inOrderOf } from '../loaders.ts';
import { AssetCategory, AssetKind } from './enums.ts';
import { tenant } from './tenancy.ts';

/** A revision's changes as stored, with the linked ids as the global ids clients use everywhere else. */
function withGlobalIds(changes: Record<string, unknown>): Record<string, unknown> {
  const globalIds = (type: string, ids: unknown) => (ids as string[]).map((id) => encodeGlobalID(type, id));
  return {
    ...changes,
    ...(changes.teamIds ? { teamIds: globalIds('Team', changes.teamIds) } : {}),
    ...(changes.valueStreamIds ? { valueStreamIds: globalIds('ValueStream', changes.valueStreamIds) } : {}),
  };
}

const AssetRevision = builder.prismaObject('AssetRevision', {
  description: 'One revision of an asset: the new values of what changed, and why.',
  fields: (t) => ({
    revision: t.exposeInt('revision', { description: '1 for the first revision after publishing.' }),
    rationale: t.exposeString('rationale'),
    changes: t.field({
      type: 'JSON',
      description: 'The new values of the fields that changed (linked teams and value streams as global ids).',
      resolve: (revision) => withGlobalIds(revision.changes as Record<string, unknown>),
    }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    position: t.expose('position', { type: 'Position' }),
  }),
});

export const Asset = builder.prismaNode('Asset', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  description: 'A shared artefact that makes value understood.',
  fields: (t) => ({
    kind: t.field({ type: AssetKind, resolve: (asset) => asset.kind as never }),
    category: t.field({
      type: AssetCategory,
      description: 'Follows from the kind.',
      resolve: (asset) => asset.category as never,
    }),
    title: t.exposeString('title'),
    url: t.exposeString('url', { nullable: true }),
    teams: t.prismaField({
      type: ['Team'],
      description: 'The linked teams (archived ones included: the link is history).',
      resolve: async (query, asset, _args, context) =>
        asset.teamIds.length === 0
          ? []
          : inOrderOf(
              asset.teamIds,
              await context.prisma.team.findMany({
                ...query,
                where: { id: { in: asset.teamIds }, ...tenant(context) },
              }),
            ),
    }),
    valueStreams: t.prismaField({
      type: ['ValueStream'],
      description: 'The linked value streams.',
      resolve: async (query, asset, _args, context) =>
        asset.valueStreamIds.length === 0
          ? []
          : inOrderOf(
              asset.valueStreamIds,
              await context.prisma.valueStream.findMany({
                ...query,
                where: { id: { in: asset.valueStreamIds }, ...tenant(context) },
              }),
            ),
    }),
    publishedAt: t.expose('publishedAt', { type: 'DateTime' }),
    lastRevisedAt: t.expose('lastRevisedAt', { type: 'DateTime', description: 'Publishing counts as a revision.' }),
    revisionCount: t.exposeInt('revisionCount'),
    revisions: t.relation('revisions', { type: AssetRevision, query: { orderBy: { revision: 'asc' } } }),
    version: t.exposeInt('version', { description: 'Version of the asset’s stream (the first event is 1).' }),
  }),
});

builder.prismaObjectFields('Organization', (t) => ({
  assets: t.prismaConnection({
    type: 'Asset',
    cursor: 'id',
    description: 'The organization’s shared assets, by title.',
    args: {
      category: t.arg({ type: AssetCategory, required: false }),
      kind: t.arg({ type: AssetKind, required: false }),
    },
    resolve: (query, organization, args, context) =>
      context.prisma.asset.findMany({
        ...query,
        where: {
          organizationId: organization.id,
          ...(args.category ? { category: args.category } : {}),
          ...(args.kind ? { kind: args.kind } : {}),
        },
        orderBy: [{ title: 'asc' }, { id: 'asc' }],
      }),
  }),
}));

builder.queryField('asset', (t) =>
  t.prismaField({
    type: 'Asset',
    nullable: true,
    authScopes: { reader: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.asset.findFirst({
        ...query,
        where: { id: idOf(String(args.id), 'Asset', 'id'), ...tenant(context) },
      }),
  }),
);
