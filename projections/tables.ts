// The read-model tables as projections see them: each Prisma model with the
// column and type of every field. test/projections/tables.int.test.ts checks
// these against the migrated database, so they cannot drift from it.
import type {
  Agreement,
  AgreementRevisit,
  Asset,
  AssetRevision,
  DeliveryMetric,
  Dependency,
  EventReference,
  FrictionSignal,
  FrictionSignalChange,
  FrictionState,
  FrictionTimer,
  Handoff,
  Interaction,
  InvestmentMix,
  Membership,
  Organization,
  OwnershipInterval,
  Person,
  Responsibility,
  Team,
  TimelinePoint,
  ValueStream,
} from '../src/generated/prisma/client.ts';
import { defineTable } from '../src/readModel/table.ts';

const organizationId = ['organization_id', 'uuid'] as const;
const position = ['position', 'bigint'] as const;
const version = ['version', 'int'] as const;

export const organizations = defineTable<Organization>({
  table: 'organizations',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    name: ['name', 'text'],
    slug: ['slug', 'text'],
    growthPhase: ['growth_phase', 'text'],
    thresholds: ['thresholds', 'jsonb'],
    createdAt: ['created_at', 'timestamptz'],
    version,
    position,
  },
});

export const people = defineTable<Person>({
  table: 'people',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    name: ['name', 'text'],
    email: ['email', 'text'],
    discipline: ['discipline', 'text'],
    skills: ['skills', 'text[]'],
    managerId: ['manager_id', 'uuid'],
    firstTeamId: ['first_team_id', 'uuid'],
    registeredAt: ['registered_at', 'timestamptz'],
    offboardedAt: ['offboarded_at', 'timestamptz'],
    version,
    position,
  },
});

export const teams = defineTable<Team>({
  table: 'teams',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    name: ['name', 'text'],
    kind: ['kind', 'text'],
    valueStreamId: ['value_stream_id', 'uuid'],
    parentTeamId: ['parent_team_id', 'uuid'],
    formedAt: ['formed_at', 'timestamptz'],
    archivedAt: ['archived_at', 'timestamptz'],
    version,
    position,
  },
});

export const memberships = defineTable<Membership>({
  table: 'memberships',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    teamId: ['team_id', 'uuid'],
    personId: ['person_id', 'uuid'],
    role: ['role', 'text'],
    allocation: ['allocation', 'int'],
    from: ['valid_from', 'timestamptz'],
    to: ['valid_to', 'timestamptz'],
    position,
  },
});

export const valueStreams = defineTable<ValueStream>({
  table: 'value_streams',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    name: ['name', 'text'],
    description: ['description', 'text'],
    customer: ['customer', 'text'],
    parentId: ['parent_id', 'uuid'],
    definedAt: ['defined_at', 'timestamptz'],
    retiredAt: ['retired_at', 'timestamptz'],
    version,
    position,
  },
});

export const responsibilities = defineTable<Responsibility>({
  table: 'responsibilities',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    title: ['title', 'text'],
    description: ['description', 'text'],
    category: ['category', 'text'],
    ownerPersonId: ['owner_person_id', 'uuid'],
    ownerTeamId: ['owner_team_id', 'uuid'],
    ownedSince: ['owned_since', 'timestamptz'],
    definedAt: ['defined_at', 'timestamptz'],
    version,
    position,
  },
});

export const ownershipIntervals = defineTable<OwnershipInterval>({
  table: 'ownership_intervals',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    responsibilityId: ['responsibility_id', 'uuid'],
    ownerKind: ['owner_kind', 'text'],
    ownerId: ['owner_id', 'uuid'],
    from: ['valid_from', 'timestamptz'],
    to: ['valid_to', 'timestamptz'],
    reason: ['reason', 'text'],
    actor: ['actor', 'text'],
    position,
  },
});

export const agreements = defineTable<Agreement>({
  table: 'agreements',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    teamId: ['team_id', 'uuid'],
    version,
    status: ['status', 'text'],
    name: ['name', 'text'],
    mission: ['mission', 'text'],
    metrics: ['metrics', 'jsonb'],
    responsibilityIds: ['responsibility_ids', 'uuid[]'],
    skills: ['skills', 'text[]'],
    norms: ['norms', 'text'],
    draftedAt: ['drafted_at', 'timestamptz'],
    ratifiedAt: ['ratified_at', 'timestamptz'],
    ratifiedBy: ['ratified_by', 'uuid[]'],
    lastRevisitedAt: ['last_revisited_at', 'timestamptz'],
    position,
  },
});

export const agreementRevisits = defineTable<AgreementRevisit>({
  table: 'agreement_revisits',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    teamId: ['team_id', 'uuid'],
    version,
    notes: ['notes', 'text'],
    occurredAt: ['occurred_at', 'timestamptz'],
    position,
  },
});

export const dependencies = defineTable<Dependency>({
  table: 'dependencies',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    fromTeamId: ['from_team_id', 'uuid'],
    toTeamId: ['to_team_id', 'uuid'],
    mode: ['mode', 'text'],
    description: ['description', 'text'],
    status: ['status', 'text'],
    discoveredLate: ['discovered_late', 'bool'],
    expectedDurationDays: ['expected_duration_days', 'int'],
    declaredAt: ['declared_at', 'timestamptz'],
    statusSince: ['status_since', 'timestamptz'],
    resolvedAt: ['resolved_at', 'timestamptz'],
    version,
    position,
  },
});

export const investmentMixes = defineTable<InvestmentMix>({
  table: 'investment_mixes',
  key: ['teamId', 'period', 'kind'],
  columns: {
    organizationId,
    teamId: ['team_id', 'uuid'],
    period: ['period', 'text'],
    kind: ['kind', 'text'],
    features: ['features', 'int'],
    techDebt: ['tech_debt', 'int'],
    runway: ['runway', 'int'],
    developerExperience: ['developer_experience', 'int'],
    occurredAt: ['occurred_at', 'timestamptz'],
    position,
  },
});

export const assets = defineTable<Asset>({
  table: 'assets',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    kind: ['kind', 'text'],
    category: ['category', 'text'],
    title: ['title', 'text'],
    url: ['url', 'text'],
    teamIds: ['team_ids', 'uuid[]'],
    valueStreamIds: ['value_stream_ids', 'uuid[]'],
    publishedAt: ['published_at', 'timestamptz'],
    lastRevisedAt: ['last_revised_at', 'timestamptz'],
    revisionCount: ['revision_count', 'int'],
    version,
    position,
  },
});

export const assetRevisions = defineTable<AssetRevision>({
  table: 'asset_revisions',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    assetId: ['asset_id', 'uuid'],
    revision: ['revision', 'int'],
    rationale: ['rationale', 'text'],
    changes: ['changes', 'jsonb'],
    occurredAt: ['occurred_at', 'timestamptz'],
    position,
  },
});

export const deliveryMetrics = defineTable<DeliveryMetric>({
  table: 'delivery_metrics',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    teamId: ['team_id', 'uuid'],
    leadTimeHours: ['lead_time_hours', 'float8'],
    buildTimeMinutes: ['build_time_minutes', 'float8'],
    incidents: ['incidents', 'int'],
    deploymentsPerWeek: ['deployments_per_week', 'float8'],
    productivityPulse: ['productivity_pulse', 'int'],
    observedAt: ['observed_at', 'timestamptz'],
    position,
  },
});

export const interactions = defineTable<Interaction>({
  table: 'interactions',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    teamIds: ['team_ids', 'uuid[]'],
    kind: ['kind', 'text'],
    note: ['note', 'text'],
    occurredAt: ['occurred_at', 'timestamptz'],
    position,
  },
});

export const handoffs = defineTable<Handoff>({
  table: 'handoffs',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    teamId: ['team_id', 'uuid'],
    title: ['title', 'text'],
    reviewedWithEngineering: ['reviewed_with_engineering', 'bool'],
    reviewedWithProduct: ['reviewed_with_product', 'bool'],
    comment: ['comment', 'text'],
    occurredAt: ['occurred_at', 'timestamptz'],
    position,
  },
});

export const timelinePoints = defineTable<TimelinePoint>({
  table: 'timeline_points',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    timeline: ['timeline', 'text'],
    occurredAt: ['occurred_at', 'timestamptz'],
    position,
    data: ['data', 'jsonb'],
  },
});

export const frictionSignals = defineTable<FrictionSignal>({
  table: 'friction_signals',
  key: ['id'],
  columns: {
    id: ['id', 'uuid'],
    organizationId,
    kind: ['kind', 'text'],
    subjectKind: ['subject_kind', 'text'],
    subjectId: ['subject_id', 'uuid'],
    cause: ['cause', 'text'],
    severity: ['severity', 'text'],
    status: ['status', 'text'],
    message: ['message', 'text'],
    evidence: ['evidence', 'bigint[]'],
    teamIds: ['team_ids', 'uuid[]'],
    raisedAt: ['raised_at', 'timestamptz'],
    updatedAt: ['updated_at', 'timestamptz'],
    resolvedAt: ['resolved_at', 'timestamptz'],
    sequence: ['sequence', 'bigint'],
  },
});

export const frictionSignalChanges = defineTable<FrictionSignalChange>({
  table: 'friction_signal_changes',
  key: ['organizationId', 'sequence'],
  writeOnly: true,
  columns: {
    organizationId,
    sequence: ['sequence', 'bigint'],
    signalId: ['signal_id', 'uuid'],
    kind: ['kind', 'text'],
    change: ['change', 'text'],
    severity: ['severity', 'text'],
    message: ['message', 'text'],
    evidence: ['evidence', 'bigint[]'],
    at: ['at', 'timestamptz'],
    position: ['position', 'bigint'],
  },
});

export const frictionTimers = defineTable<FrictionTimer>({
  table: 'friction_timers',
  key: ['organizationId', 'rule', 'subjectId'],
  columns: {
    organizationId,
    rule: ['rule', 'text'],
    subjectId: ['subject_id', 'uuid'],
    dueAt: ['due_at', 'timestamptz'],
  },
});

export const frictionStates = defineTable<FrictionState>({
  table: 'friction_states',
  key: ['organizationId'],
  columns: { organizationId, sequence: ['sequence', 'bigint'], clock: ['clock', 'timestamptz'] },
});

/** Each object every event touched, by subject: the history fields (projections/references.ts). */
export const eventReferences = defineTable<EventReference>({
  table: 'event_references',
  key: ['subjectId', 'position'],
  writeOnly: true,
  columns: { organizationId, subjectId: ['subject_id', 'uuid'], position },
});

/** Every read-model table, in the order a rebuild creates and swaps them. */
export const readModelTables = [
  organizations,
  people,
  teams,
  memberships,
  valueStreams,
  responsibilities,
  ownershipIntervals,
  agreements,
  agreementRevisits,
  dependencies,
  investmentMixes,
  assets,
  assetRevisions,
  deliveryMetrics,
  interactions,
  handoffs,
  timelinePoints,
  frictionSignals,
  frictionSignalChanges,
  frictionTimers,
  frictionStates,
  eventReferences,
] as const;
