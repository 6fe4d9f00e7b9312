// Friction signals (API.md, DOMAIN.md "Friction signals"): the signals of an
// organization or a team, each with its subject, evidence and history; the
// effective thresholds; and the frictionSignalChanged subscription.
import DataLoader from 'dataloader';
import { GROWTH_PHASES, type GrowthPhase } from '../../events/common.ts';
import { followSignalChanges, type SignalChangeRecord } from '../../projections/friction/feed.ts';
import { FRICTION_SEVERITIES, FRICTION_SIGNAL_KINDS } from '../../projections/friction/rule.ts';
import { frictionRules } from '../../projections/friction/rules/index.ts';
import { defaultThreshold, effectiveThresholds, thresholdCatalogue } from '../../projections/friction/thresholds.ts';
import { organizationOf } from '../../src/auth/tokens.ts';
import { ValidationError } from '../../src/errors.ts';
import type { FrictionSignal as FrictionSignalRow } from '../../src/generated/prisma/client.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { loadByIds } from '../loaders.ts';
import { decimalInt8 } from '../scalars.ts';
import { Asset } from './asset.ts';
import { GrowthPhase as GrowthPhaseEnum } from './enums.ts';
import { Organization } from './organization.ts';
import { Person } from './person.ts';
import { Responsibility } from './responsibility.ts';
import { Team } from './team.ts';
import { ValueStream } from './valueStream.ts';

/** Each kind described by its rule(s) (ASSET_WALLPAPER has two: assets and value streams). */
export const FrictionSignalKind = builder.enumType('FrictionSignalKind', {
  values: Object.fromEntries(
    FRICTION_SIGNAL_KINDS.map((kind) => [
      kind,
      {
        description: frictionRules
          .filter((rule) => rule.kind === kind)
          .map((rule) => rule.description)
          .join(' Or: '),
      },
    ]),
  ) as Record<(typeof FRICTION_SIGNAL_KINDS)[number], { description: string }>,
});
export const FrictionSeverity = builder.enumType('FrictionSeverity', { values: FRICTION_SEVERITIES });
export const FrictionSignalStatus = builder.enumType('FrictionSignalStatus', {
  values: ['OPEN', 'RESOLVED', 'ALL'] as const,
});
export const SignalChange = builder.enumType('SignalChange', { values: ['RAISED', 'UPDATED', 'RESOLVED'] as const });

type SubjectRow = { __subject: string };

/** What a signal is about. */
export const FrictionSubject = builder.unionType('FrictionSubject', {
  types: [Team, Person, Responsibility, ValueStream, Organization, Asset],
  resolveType: (subject) => {
    switch ((subject as unknown as SubjectRow).__subject) {
      case 'TEAM':
        return Team;
      case 'PERSON':
        return Person;
      case 'RESPONSIBILITY':
        return Responsibility;
      case 'VALUE_STREAM':
        return ValueStream;
      case 'ASSET':
        return Asset;
      default:
        return Organization;
    }
  },
});

const SUBJECT_MODEL = {
  TEAM: 'team',
  PERSON: 'person',
  RESPONSIBILITY: 'responsibility',
  VALUE_STREAM: 'valueStream',
  ASSET: 'asset',
} as const;

async function loadSubject(context: GraphQLContext, signal: FrictionSignalRow): Promise<object | null> {
  const organizationId = organizationOf(context.viewer);
  let row: object | null | undefined;
  if (signal.subjectKind === 'ORGANIZATION') {
    row = await context.prisma.organization.findUnique({ where: { id: organizationId } });
  } else {
    const model = SUBJECT_MODEL[signal.subjectKind as keyof typeof SUBJECT_MODEL];
    if (!model) return null;
    [row] = await loadByIds(context, model, {}, [signal.subjectId], organizationId);
  }
  return row ? Object.assign(row, { __subject: signal.subjectKind }) : null;
}

type Evidence = { position: bigint; type: string; occurredAt: Date };

const evidenceLoaders = new WeakMap<GraphQLContext, DataLoader<bigint, Evidence | null, string>>();

/** The events behind evidence positions: one query per request tick. */
function evidenceLoader(context: GraphQLContext): DataLoader<bigint, Evidence | null, string> {
  let loader = evidenceLoaders.get(context);
  if (!loader) {
    const organizationId = organizationOf(context.viewer);
    loader = new DataLoader<bigint, Evidence | null, string>(
      async (positions) => {
        const result = await context.pool.query<{ position: string; type: string; occurred_at: Date }>(
          `SELECT position::text AS position, type, occurred_at FROM events
           WHERE organization_id = $1 AND position = ANY($2::bigint[])`,
          [organizationId, positions.map(String)],
        );
        const byPosition = new Map(result.rows.map((row) => [row.position, row]));
        return positions.map((position) => {
          const row = byPosition.get(position.toString());
          return row ? { position, type: row.type, occurredAt: row.occurred_at } : null;
        });
      },
      { cacheKeyFn: (position) => position.toString() },
    );
    evidenceLoaders.set(context, loader);
  }
  return loader;
}

const FrictionEvidence = builder.objectRef<Evidence>('FrictionEvidence').implement({
  description: 'An event behind a signal.',
  fields: (t) => ({
    position: t.expose('position', { type: 'Position' }),
    type: t.exposeString('type', { description: 'The event type, e.g. TeamMemberRemoved.' }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
  }),
});

builder.prismaObject('FrictionSignalChange', {
  name: 'FrictionSignalHistoryEntry',
  description: 'One change in a signal’s life.',
  fields: (t) => ({
    change: t.field({ type: SignalChange, resolve: (entry) => entry.change as never }),
    severity: t.field({ type: FrictionSeverity, resolve: (entry) => entry.severity as never }),
    message: t.exposeString('message'),
    at: t.expose('at', { type: 'DateTime', description: 'When the change happened (org time).' }),
    position: t.expose('position', {
      type: 'Position',
      nullable: true,
      description: 'The event that caused the change; null when time passing did.',
    }),
  }),
});

export const FrictionSignal = builder.prismaNode('FrictionSignal', {
  id: { field: 'id' },
  // node(id) of another organization (or of nothing) answers null, not an error.
  nullable: true,
  authScopes: { reader: true },
  findUnique: (id, context) => ({ id, organizationId: organizationOf(context.viewer) }),
  fields: (t) => ({
    kind: t.field({ type: FrictionSignalKind, resolve: (signal) => signal.kind as never }),
    severity: t.field({ type: FrictionSeverity, resolve: (signal) => signal.severity as never }),
    status: t.field({ type: FrictionSignalStatus, resolve: (signal) => signal.status as never }),
    subject: t.field({
      type: FrictionSubject,
      nullable: true,
      select: { subjectKind: true, subjectId: true },
      resolve: (signal, _args, context) => loadSubject(context, signal as FrictionSignalRow) as never,
    }),
    message: t.exposeString('message'),
    evidence: t.field({
      type: [FrictionEvidence],
      description: 'The events that caused the signal, in position order.',
      select: { evidence: true },
      resolve: async (signal, _args, context) =>
        (await evidenceLoader(context).loadMany(signal.evidence)).filter(
          (entry): entry is Evidence => entry !== null && !(entry instanceof Error),
        ),
    }),
    raisedAt: t.expose('raisedAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    resolvedAt: t.expose('resolvedAt', { type: 'DateTime', nullable: true }),
    history: t.relation('changes', {
      description: 'Raised, updated, resolved: every change, oldest first.',
      query: { orderBy: { sequence: 'asc' } },
    }),
  }),
});

const signalFilterArgs = {
  status: { type: FrictionSignalStatus, default: 'OPEN' },
} as const;

type SignalArgs = { status?: string | null | undefined; kinds?: readonly string[] | null | undefined };

function signalWhere(args: SignalArgs) {
  const status = args.status ?? signalFilterArgs.status.default;
  return {
    ...(status === 'ALL' ? {} : { status }),
    ...(args.kinds && args.kinds.length > 0 ? { kind: { in: [...args.kinds] } } : {}),
  };
}

const newestFirst = [{ raisedAt: 'desc' as const }, { id: 'desc' as const }];

builder.prismaObjectFields('Organization', (t) => ({
  frictionSignals: t.prismaConnection({
    type: 'FrictionSignal',
    cursor: 'id',
    description: 'The organization’s friction signals, newest first (open ones unless told).',
    args: {
      status: t.arg({ type: FrictionSignalStatus, required: false, defaultValue: 'OPEN' }),
      kinds: t.arg({ type: [FrictionSignalKind], required: false }),
    },
    resolve: (query, organization, args, context) =>
      context.prisma.frictionSignal.findMany({
        ...query,
        where: { organizationId: organization.id, ...signalWhere(args) },
        orderBy: newestFirst,
      }),
  }),
  effectiveFrictionThresholds: t.field({
    type: [FrictionThreshold],
    description: 'Every friction threshold with the value in force: the override, else the default for the phase.',
    select: { growthPhase: true, thresholds: true },
    resolve: (organization) => thresholdsOf(organization),
  }),
}));

builder.prismaObjectFields('Team', (t) => ({
  frictionSignals: t.prismaConnection({
    type: 'FrictionSignal',
    cursor: 'id',
    description: 'Signals on this team or concerning it (its dependencies, pairs), newest first.',
    args: {
      status: t.arg({ type: FrictionSignalStatus, required: false, defaultValue: 'OPEN' }),
      kinds: t.arg({ type: [FrictionSignalKind], required: false }),
    },
    resolve: (query, team, args, context) =>
      context.prisma.frictionSignal.findMany({
        ...query,
        where: { organizationId: team.organizationId, teamIds: { has: team.id }, ...signalWhere(args) },
        orderBy: newestFirst,
      }),
  }),
}));

type ThresholdValue = {
  name: string;
  kind: string;
  description: string;
  value: number;
  defaultValue: number;
  overridden: boolean;
  defaults: { phase: GrowthPhase; value: number }[];
};

const PhaseDefault = builder
  .objectRef<{ phase: GrowthPhase; value: number }>('FrictionThresholdPhaseDefault')
  .implement({
    fields: (t) => ({
      phase: t.field({ type: GrowthPhaseEnum, resolve: (entry) => entry.phase }),
      value: t.exposeFloat('value'),
    }),
  });

const FrictionThreshold = builder.objectRef<ThresholdValue>('FrictionThreshold').implement({
  description: 'A friction threshold and the value in force for the organization.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The name setFrictionThresholds takes.' }),
    kind: t.field({ type: FrictionSignalKind, resolve: (entry) => entry.kind as never }),
    description: t.exposeString('description'),
    value: t.exposeFloat('value', { description: 'In force now.' }),
    defaultValue: t.exposeFloat('defaultValue', { description: 'The default for the current growth phase.' }),
    overridden: t.exposeBoolean('overridden'),
    defaults: t.field({
      type: [PhaseDefault],
      description: 'The default in each growth phase.',
      resolve: (e) => e.defaults,
    }),
  }),
});

function thresholdsOf(organization: { growthPhase: string; thresholds: unknown }): ThresholdValue[] {
  const values = effectiveThresholds(organization as never);
  const overrides = (organization.thresholds ?? {}) as Record<string, unknown>;
  const phase = organization.growthPhase as GrowthPhase;
  return [...thresholdCatalogue.values()].map((entry) => ({
    name: entry.name,
    kind: entry.rule,
    description: entry.description,
    value: values[entry.name]!,
    defaultValue: defaultThreshold(entry, phase),
    overridden: typeof overrides[entry.name] === 'number',
    defaults: GROWTH_PHASES.map((each) => ({ phase: each, value: defaultThreshold(entry, each) })),
  }));
}

const FrictionSignalChange = builder.objectRef<SignalChangeRecord>('FrictionSignalChange').implement({
  description:
    'A signal raised, updated or resolved: the change as it was made, and the signal as a query would return it now.',
  fields: (t) => ({
    sequence: t.string({
      description:
        'The change’s number in your organization’s sequence of signal changes (gap-free, increasing). Pass the last one you processed as `after` when you subscribe again, and you miss none.',
      resolve: (message) => message.sequence.toString(),
    }),
    change: t.field({ type: SignalChange, resolve: (message) => message.change as never }),
    severity: t.field({
      type: FrictionSeverity,
      description: 'The severity the change gave the signal.',
      resolve: (message) => message.severity as never,
    }),
    message: t.string({
      description: 'The message the change gave the signal.',
      resolve: (message) => message.message,
    }),
    at: t.field({
      type: 'DateTime',
      description: 'When the change happened (org time).',
      resolve: (message) => message.at,
    }),
    position: t.field({
      type: 'Position',
      nullable: true,
      description: 'The event that caused the change; null when time passing did.',
      resolve: (message) => message.position,
    }),
    signal: t.prismaField({
      type: 'FrictionSignal',
      resolve: (query, message, _args, context) =>
        context.prisma.frictionSignal.findFirstOrThrow({
          ...query,
          where: { id: message.signalId, organizationId: organizationOf(context.viewer) },
        }),
    }),
  }),
});

/** A sequence number of signal changes as a client sends it: a decimal int8. */
function sequenceArgument(value: string): bigint {
  const sequence = decimalInt8(value);
  if (sequence === undefined) {
    throw new ValidationError(`after: not a sequence number of signal changes: ${JSON.stringify(value)}`);
  }
  return sequence;
}

builder.subscriptionField('frictionSignalChanged', (t) =>
  t.field({
    type: FrictionSignalChange,
    description:
      'Every signal of your organization raised, updated or resolved (of the given kinds), in the order they changed: after `after` (a change’s `sequence`, exclusive), else from now on.',
    authScopes: { reader: true },
    args: {
      kinds: t.arg({ type: [FrictionSignalKind], required: false }),
      after: t.arg.string({
        required: false,
        description: 'The `sequence` of the last change you processed: the changes after it come first.',
      }),
    },
    subscribe: (_root, args, context): AsyncIterable<SignalChangeRecord> => {
      // Checked here, so that a bad value fails the subscription at once.
      const after = args.after == null ? undefined : sequenceArgument(args.after);
      return {
        [Symbol.asyncIterator]: (): AsyncIterator<SignalChangeRecord> => {
          const stop = new AbortController();
          const changes = followSignalChanges(context.pool, context.store, organizationOf(context.viewer), {
            ...(args.kinds ? { kinds: args.kinds } : {}),
            ...(after === undefined ? {} : { after }),
            signal: stop.signal,
          });
          return {
            next: () => changes.next(),
            return: async () => {
              stop.abort();
              return changes.return();
            },
          };
        },
      };
    },
    resolve: (change) => change,
  }),
);
