// How teams deliver and work together: delivery metric observations,
// interactions between teams and requirement handoffs, newest first.
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { inOrderOf } from '../loaders.ts';
import { InteractionKind } from './enums.ts';
import { tenant } from './tenancy.ts';

/** Most rows any of these lists returns at once. */
const MAX_ROWS = 100;

/** A row count argument: at least 1, capped at MAX_ROWS. */
function rowCount(value: number | null | undefined, fallback: number, field: string): number {
  const count = value ?? fallback;
  if (count < 1) throw badInput(`${field} must be at least 1`, { field });
  return Math.min(count, MAX_ROWS);
}

builder.prismaObject('DeliveryMetric', {
  name: 'DeliveryMetrics',
  description: 'One observation of a team’s delivery; a measure not observed is null.',
  fields: (t) => ({
    leadTimeHours: t.exposeFloat('leadTimeHours', { nullable: true, description: 'Lead time to production.' }),
    buildTimeMinutes: t.exposeFloat('buildTimeMinutes', { nullable: true }),
    incidents: t.exposeInt('incidents', { nullable: true }),
    deploymentsPerWeek: t.exposeFloat('deploymentsPerWeek', { nullable: true }),
    productivityPulse: t.exposeInt('productivityPulse', {
      nullable: true,
      description: '“I feel productive”, 1..5.',
    }),
    observedAt: t.expose('observedAt', { type: 'DateTime' }),
    position: t.expose('position', { type: 'Position' }),
  }),
});

export const Interaction = builder.prismaNode('Interaction', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  description: 'A meeting or piece of work between teams: talking (STATUS_UPDATE) or collaborating (JOINT_WORK).',
  fields: (t) => ({
    kind: t.field({ type: InteractionKind, resolve: (interaction) => interaction.kind as never }),
    note: t.exposeString('note', { nullable: true }),
    teams: t.prismaField({
      type: ['Team'],
      resolve: async (query, interaction, _args, context) =>
        inOrderOf(
          interaction.teamIds,
          await context.prisma.team.findMany({
            ...query,
            where: { id: { in: interaction.teamIds }, ...tenant(context) },
          }),
        ),
    }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    position: t.expose('position', { type: 'Position' }),
  }),
});

export const Handoff = builder.prismaNode('Handoff', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, ...tenant(context) }),
  description: 'A requirement handed to a team, and whether it was reviewed before work started.',
  fields: (t) => ({
    team: t.relation('team'),
    title: t.exposeString('title'),
    reviewedWithEngineering: t.exposeBoolean('reviewedWithEngineering'),
    reviewedWithProduct: t.exposeBoolean('reviewedWithProduct'),
    comment: t.exposeString('comment', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    position: t.expose('position', { type: 'Position' }),
  }),
});

const newestFirst = [{ occurredAt: 'desc' as const }, { position: 'desc' as const }];

builder.prismaObjectFields('Team', (t) => ({
  deliveryMetrics: t.relation('deliveryMetrics', {
    description: `The latest observations, newest first (at most ${MAX_ROWS}).`,
    args: { last: t.arg.int({ required: false, defaultValue: 10 }) },
    query: (args) => ({
      orderBy: [{ observedAt: 'desc' as const }, { position: 'desc' as const }],
      take: rowCount(args.last, 10, 'last'),
    }),
  }),
  handoffs: t.relation('handoffs', {
    description: `Requirements handed to the team, newest first (at most ${MAX_ROWS}).`,
    args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
    query: (args) => ({ orderBy: newestFirst, take: rowCount(args.first, 20, 'first') }),
  }),
  interactions: t.prismaField({
    type: [Interaction],
    description: `Interactions the team took part in, newest first (at most ${MAX_ROWS}).`,
    args: { first: t.arg.int({ required: false, defaultValue: 20 }) },
    resolve: (query, team, args, context) =>
      context.prisma.interaction.findMany({
        ...query,
        where: { teamIds: { has: team.id }, ...tenant(context) },
        orderBy: newestFirst,
        take: rowCount(args.first, 20, 'first'),
      }),
  }),
}));
