import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { tenant } from './tenancy.ts';

export const ValueStream = builder.prismaNode('ValueStream', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description', { nullable: true }),
    customer: t.exposeString('customer', { nullable: true, description: 'The customer or persona it serves.' }),
    retired: t.boolean({ select: { retiredAt: true }, resolve: (valueStream) => valueStream.retiredAt !== null }),
    version: t.exposeInt('version'),
    parent: t.relation('parent', { nullable: true }),
    children: t.relation('children', { query: { orderBy: [{ name: 'asc' }, { id: 'asc' }] } }),
    teams: t.relation('teams', { query: { where: { archivedAt: null }, orderBy: [{ name: 'asc' }, { id: 'asc' }] } }),
  }),
});

builder.queryField('valueStream', (t) =>
  t.prismaField({
    type: 'ValueStream',
    nullable: true,
    authScopes: { reader: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: (query, _root, args, context) =>
      context.prisma.valueStream.findFirst({
        ...query,
        where: { id: idOf(String(args.id), 'ValueStream', 'id'), ...tenant(context) },
      }),
  }),
);
