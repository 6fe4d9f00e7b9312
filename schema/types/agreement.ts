// Working agreements: one per team, versioned on the team's stream. The team
// shows its ratified agreement, its pending draft and every version so far.
import type { MetricKind as MetricKindValue } from '../../events/common.ts';
import { builder } from '../builder.ts';
import { loadByIds } from '../loaders.ts';
import { AgreementStatus, MetricKind } from './enums.ts';
import { tenant } from './tenancy.ts';

type AgreementMetricShape = { name: string; kind: MetricKindValue; target: string | null };

const AgreementMetric = builder.objectRef<AgreementMetricShape>('AgreementMetric').implement({
  description: 'A measure the team agreed to watch: a VALUE (outcome) or an ACTIVITY metric.',
  fields: (t) => ({
    name: t.exposeString('name'),
    kind: t.field({ type: MetricKind, resolve: (metric) => metric.kind }),
    target: t.exposeString('target', { nullable: true }),
  }),
});

const AgreementRevisit = builder.prismaObject('AgreementRevisit', {
  description: 'A retrospective look at a ratified agreement, with or without changes.',
  fields: (t) => ({
    version: t.exposeInt('version', { description: 'The agreement version revisited.' }),
    notes: t.exposeString('notes', { nullable: true }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    position: t.expose('position', { type: 'Position' }),
  }),
});

export const WorkingAgreement = builder.prismaObject('Agreement', {
  // Select mode, as Team.
  select: { id: true, version: true, mission: true },
  name: 'WorkingAgreement',
  description: 'One version of a team’s working agreement: drafted, then ratified by named members.',
  fields: (t) => ({
    version: t.int({
      description: 'The version this agreement is (or becomes once ratified).',
      resolve: (agreement) => agreement.version,
    }),
    status: t.field({
      type: AgreementStatus,
      select: { status: true },
      resolve: (agreement) => agreement.status as never,
    }),
    name: t.exposeString('name', { nullable: true }),
    mission: t.string({ resolve: (agreement) => agreement.mission }),
    metrics: t.field({
      type: [AgreementMetric],
      select: { metrics: true },
      resolve: (agreement) => agreement.metrics as AgreementMetricShape[],
    }),
    skills: t.exposeStringList('skills', { description: 'Skills the team needs.' }),
    norms: t.exposeString('norms'),
    responsibilities: t.prismaField({
      type: ['Responsibility'],
      description: 'The responsibilities the agreement lists, in its order.',
      select: { responsibilityIds: true },
      resolve: (query, agreement, _args, context) =>
        loadByIds(context, 'responsibility', query, agreement.responsibilityIds, tenant(context).organizationId),
    }),
    draftedAt: t.expose('draftedAt', { type: 'DateTime' }),
    ratifiedAt: t.expose('ratifiedAt', { type: 'DateTime', nullable: true }),
    ratifiedBy: t.prismaField({
      type: ['Person'],
      description: 'The members who ratified it (empty while a draft).',
      select: { ratifiedBy: true },
      resolve: (query, agreement, _args, context) =>
        loadByIds(context, 'person', query, agreement.ratifiedBy, tenant(context).organizationId),
    }),
    lastRevisitedAt: t.expose('lastRevisitedAt', { type: 'DateTime', nullable: true }),
    revisits: t.prismaField({
      type: [AgreementRevisit],
      description: 'The revisits of this version, oldest first.',
      select: { teamId: true, version: true },
      resolve: (query, agreement, _args, context) =>
        context.prisma.agreementRevisit.findMany({
          ...query,
          where: { teamId: agreement.teamId, version: agreement.version, ...tenant(context) },
          orderBy: [{ occurredAt: 'asc' }, { position: 'asc' }],
        }),
    }),
  }),
});

builder.prismaObjectFields('Team', (t) => ({
  agreement: t.field({
    type: WorkingAgreement,
    nullable: true,
    description: 'The agreement in force: the ratified version, or null.',
    select: (_args, _context, nestedSelection) => ({
      agreements: nestedSelection({ where: { status: 'RATIFIED' }, orderBy: { version: 'desc' }, take: 1 }),
    }),
    resolve: (team) => team.agreements[0] ?? null,
  }),
  agreementDraft: t.field({
    type: WorkingAgreement,
    nullable: true,
    description: 'The draft waiting for ratification, or null.',
    select: (_args, _context, nestedSelection) => ({
      agreements: nestedSelection({ where: { status: 'DRAFT' }, orderBy: { version: 'desc' }, take: 1 }),
    }),
    resolve: (team) => team.agreements[0] ?? null,
  }),
  agreementHistory: t.relation('agreements', {
    type: WorkingAgreement,
    description: 'Every version, drafts and superseded ones included, by version.',
    query: { orderBy: { version: 'asc' } },
  }),
}));
