// What each event touches (projections/references.ts): every event type of
// the catalogue has an entry, and an example of every type names exactly the
// subjects the history fields should list it under.
import { describe, expect, it } from 'vitest';
import { allEventDefinitions, type DomainEvent, type DomainEventType } from '../../events/index.ts';
import type { DomainRecord } from '../../projections/projection.ts';
import { SUBJECTS, subjectsOf } from '../../projections/references.ts';
import { agreements, assets, dependencies } from '../../projections/tables.ts';
import { WorkingSet } from '../../src/readModel/workingSet.ts';

const ORG = '0190f1a0-0000-7000-8000-00000000000a';
const TEAM = '0190f1a0-0000-7000-8000-000000000001';
const TEAM2 = '0190f1a0-0000-7000-8000-000000000002';
const TEAM3 = '0190f1a0-0000-7000-8000-000000000003';
const ADA = '0190f1a0-0000-7000-8000-000000000011';
const GRACE = '0190f1a0-0000-7000-8000-000000000012';
const LIN = '0190f1a0-0000-7000-8000-000000000013';
const VS = '0190f1a0-0000-7000-8000-000000000021';
const VS2 = '0190f1a0-0000-7000-8000-000000000022';
const RESP = '0190f1a0-0000-7000-8000-000000000031';
const RESP2 = '0190f1a0-0000-7000-8000-000000000032';
const DEP = '0190f1a0-0000-7000-8000-000000000041';
const ASSET = '0190f1a0-0000-7000-8000-000000000051';
const INTERACTION = '0190f1a0-0000-7000-8000-000000000061';
const HANDOFF = '0190f1a0-0000-7000-8000-000000000071';
const AGREEMENT_V1 = '0190f1a0-0000-7000-8000-000000000081';
const AGREEMENT_V2 = '0190f1a0-0000-7000-8000-000000000082';

type Example<Type extends DomainEventType> = {
  stream: string;
  data: Extract<DomainEvent, { type: Type }>['data'];
  subjects: string[];
};

const shares = { period: '2026-Q1', features: 40, techDebt: 30, runway: 20, developerExperience: 10 };
const metrics = {
  leadTimeHours: 10,
  buildTimeMinutes: 5,
  incidents: 0,
  deploymentsPerWeek: 3,
  productivityPulse: 4,
};

/** One example per event type (data valid against its schema) and the subjects it touches. */
const EXAMPLES: { [Type in DomainEventType]: Example<Type> } = {
  OrganizationCreated: {
    stream: `organization-${ORG}`,
    data: { organizationId: ORG, name: 'Acme', slug: 'acme', growthPhase: 'HYPERGROWTH' },
    subjects: [],
  },
  GrowthPhaseChanged: {
    stream: `organization-${ORG}`,
    data: { organizationId: ORG, phase: 'OPTIMIZING', previousPhase: 'HYPERGROWTH' },
    subjects: [],
  },
  FrictionThresholdsSet: {
    stream: `organization-${ORG}`,
    data: { organizationId: ORG, thresholds: { maxTeamSize: 9 } },
    subjects: [],
  },
  FrictionTimersFired: { stream: `friction-${ORG}`, data: { organizationId: ORG }, subjects: [] },
  PersonRegistered: {
    stream: `person-${ADA}`,
    data: {
      personId: ADA,
      name: 'Ada',
      email: 'ada@acme.test',
      discipline: 'ENGINEERING',
      skills: [],
      managerId: GRACE,
    },
    subjects: [ADA, GRACE],
  },
  ReportingLineChanged: {
    stream: `person-${ADA}`,
    data: { personId: ADA, managerId: LIN, previousManagerId: GRACE },
    subjects: [ADA, LIN, GRACE],
  },
  FirstTeamChosen: {
    stream: `person-${ADA}`,
    data: { personId: ADA, teamId: TEAM, previousTeamId: TEAM2 },
    subjects: [ADA, TEAM, TEAM2],
  },
  FirstTeamCleared: {
    stream: `person-${ADA}`,
    data: { personId: ADA, teamId: TEAM, cause: 'LEFT_TEAM' },
    subjects: [ADA, TEAM],
  },
  PersonSkillsChanged: { stream: `person-${ADA}`, data: { personId: ADA, skills: ['go'] }, subjects: [ADA] },
  PersonOffboarded: { stream: `person-${ADA}`, data: { personId: ADA }, subjects: [ADA] },
  TeamFormed: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, name: 'Payments', kind: 'STREAM_ALIGNED', valueStreamId: VS, parentTeamId: TEAM2 },
    subjects: [TEAM, VS, TEAM2],
  },
  TeamRenamed: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, name: 'Checkout', previousName: 'Payments' },
    subjects: [TEAM],
  },
  TeamAligned: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, valueStreamId: VS2, previousValueStreamId: VS },
    subjects: [TEAM, VS2, VS],
  },
  TeamParentChanged: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, parentTeamId: TEAM3, previousParentTeamId: TEAM2 },
    subjects: [TEAM, TEAM3, TEAM2],
  },
  TeamArchived: { stream: `team-${TEAM}`, data: { teamId: TEAM }, subjects: [TEAM] },
  TeamMemberAdded: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, personId: ADA, role: 'Engineer', allocation: 100 },
    subjects: [TEAM, ADA],
  },
  MembershipChanged: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, personId: ADA, role: 'Lead', allocation: 50 },
    subjects: [TEAM, ADA],
  },
  TeamMemberRemoved: { stream: `team-${TEAM}`, data: { teamId: TEAM, personId: ADA }, subjects: [TEAM, ADA] },
  AgreementDrafted: {
    stream: `team-${TEAM}`,
    data: {
      teamId: TEAM,
      version: 1,
      name: null,
      mission: 'Take money safely',
      metrics: [],
      responsibilityIds: [RESP, RESP2],
      skills: [],
      norms: '',
    },
    subjects: [TEAM, RESP, RESP2],
  },
  AgreementRatified: {
    stream: `team-${TEAM}`,
    data: { teamId: TEAM, version: 1, ratifiedBy: [ADA, GRACE] },
    subjects: [TEAM, ADA, GRACE],
  },
  AgreementRevisited: { stream: `team-${TEAM}`, data: { teamId: TEAM, version: 1, notes: null }, subjects: [TEAM] },
  InvestmentMixPlanned: { stream: `team-${TEAM}`, data: { teamId: TEAM, ...shares }, subjects: [TEAM] },
  InvestmentMixReported: { stream: `team-${TEAM}`, data: { teamId: TEAM, ...shares }, subjects: [TEAM] },
  DeliveryMetricsRecorded: { stream: `team-${TEAM}`, data: { teamId: TEAM, ...metrics }, subjects: [TEAM] },
  ValueStreamDefined: {
    stream: `value-stream-${VS}`,
    data: { valueStreamId: VS, name: 'Checkout', description: null, customer: null, parentId: VS2 },
    subjects: [VS, VS2],
  },
  ValueStreamRetired: { stream: `value-stream-${VS}`, data: { valueStreamId: VS }, subjects: [VS] },
  ResponsibilityDefined: {
    stream: `responsibility-${RESP}`,
    data: { responsibilityId: RESP, title: 'On-call', description: null, category: 'GENERAL' },
    subjects: [RESP],
  },
  ResponsibilityAssigned: {
    stream: `responsibility-${RESP}`,
    data: { responsibilityId: RESP, owner: { kind: 'TEAM', id: TEAM }, previousOwner: { kind: 'PERSON', id: ADA } },
    subjects: [RESP, TEAM, ADA],
  },
  ResponsibilityUnassigned: {
    stream: `responsibility-${RESP}`,
    data: { responsibilityId: RESP, previousOwner: { kind: 'PERSON', id: ADA } },
    subjects: [RESP, ADA],
  },
  DependencyDeclared: {
    stream: `dependency-${DEP}`,
    data: {
      dependencyId: DEP,
      fromTeamId: TEAM,
      toTeamId: TEAM2,
      mode: 'X_AS_A_SERVICE',
      description: null,
      status: 'OK',
      discoveredLate: false,
      expectedDurationDays: null,
    },
    subjects: [DEP, TEAM, TEAM2],
  },
  DependencyStatusChanged: {
    stream: `dependency-${DEP}`,
    data: { dependencyId: DEP, status: 'BLOCKING', previousStatus: 'OK' },
    subjects: [DEP],
  },
  DependencyResolved: { stream: `dependency-${DEP}`, data: { dependencyId: DEP }, subjects: [DEP] },
  AssetPublished: {
    stream: `asset-${ASSET}`,
    data: {
      assetId: ASSET,
      kind: 'USER_JOURNEY',
      category: 'CUSTOMER_VALUE',
      title: 'Checkout journey',
      url: null,
      teamIds: [TEAM, TEAM2],
      valueStreamIds: [VS],
    },
    subjects: [ASSET, TEAM, TEAM2, VS],
  },
  AssetRevised: {
    stream: `asset-${ASSET}`,
    data: { assetId: ASSET, revision: 1, rationale: 'Moved', changes: { teamIds: [TEAM3], title: 'Journey' } },
    subjects: [ASSET, TEAM3],
  },
  InteractionRecorded: {
    stream: `interaction-${INTERACTION}`,
    data: { interactionId: INTERACTION, teamIds: [TEAM, TEAM2], kind: 'JOINT_WORK', note: null },
    subjects: [INTERACTION, TEAM, TEAM2],
  },
  HandoffRecorded: {
    stream: `handoff-${HANDOFF}`,
    data: {
      handoffId: HANDOFF,
      teamId: TEAM,
      title: 'Refunds',
      reviewedWithEngineering: true,
      reviewedWithProduct: false,
      comment: null,
    },
    subjects: [HANDOFF, TEAM],
  },
};

let position = 0n;
function record<Type extends DomainEventType>(type: Type, stream: string, data: unknown): DomainRecord {
  position += 1n;
  return {
    eventId: `0190f1a0-0000-7000-9000-${position.toString().padStart(12, '0')}`,
    organizationId: ORG,
    streamId: stream,
    streamVersion: 1,
    position,
    type,
    schemaVersion: 1,
    data,
    metadata: {},
    occurredAt: new Date('2026-01-05T09:00:00Z'),
    recordedAt: new Date('2026-01-05T09:00:00Z'),
  } as DomainRecord;
}

describe('event references', () => {
  it('has an entry for every event type of the catalogue, and no other', () => {
    const catalogue = allEventDefinitions.map((definition) => definition.type).sort();
    expect(Object.keys(SUBJECTS).sort()).toEqual(catalogue);
    expect(Object.keys(EXAMPLES).sort()).toEqual(catalogue);
  });

  it.each(allEventDefinitions.map((definition) => [definition.type, definition] as const))(
    '%s touches the subjects it names',
    async (type, definition) => {
      const example = EXAMPLES[type as DomainEventType] as Example<DomainEventType>;
      // The example is a real event of its type.
      expect(definition.schema.safeParse(example.data).success).toBe(true);
      const subjects = await subjectsOf(new WorkingSet(), record(type, example.stream, example.data));
      expect(subjects.sort()).toEqual([...example.subjects].sort());
    },
  );

  it('never lists a subject twice (the stream aggregate is usually named in the data too)', async () => {
    const subjects = await subjectsOf(
      new WorkingSet(),
      record('TeamMemberAdded', `team-${TEAM}`, EXAMPLES.TeamMemberAdded.data),
    );
    expect(subjects).toEqual([TEAM, ADA]);
  });

  it('adds the objects an event touches without naming them, from the rows before it applies', async () => {
    const ws = new WorkingSet();
    ws.put(dependencies, { id: DEP, fromTeamId: TEAM, toTeamId: TEAM2 } as never);
    ws.put(assets, { id: ASSET, teamIds: [TEAM, TEAM2], valueStreamIds: [VS] } as never);
    ws.put(agreements, { id: AGREEMENT_V1, teamId: TEAM, version: 1, responsibilityIds: [RESP] } as never);
    ws.put(agreements, { id: AGREEMENT_V2, teamId: TEAM, version: 2, responsibilityIds: [RESP2] } as never);

    const status = record('DependencyStatusChanged', `dependency-${DEP}`, EXAMPLES.DependencyStatusChanged.data);
    expect((await subjectsOf(ws, status)).sort()).toEqual([DEP, TEAM, TEAM2].sort());
    const resolved = record('DependencyResolved', `dependency-${DEP}`, EXAMPLES.DependencyResolved.data);
    expect((await subjectsOf(ws, resolved)).sort()).toEqual([DEP, TEAM, TEAM2].sort());

    // Ratifying version 2 touches the responsibilities of version 2 only.
    const ratified = record('AgreementRatified', `team-${TEAM}`, { teamId: TEAM, version: 2, ratifiedBy: [ADA] });
    expect((await subjectsOf(ws, ratified)).sort()).toEqual([TEAM, ADA, RESP2].sort());

    // A revision that relinks the asset touches the teams it unlinks too; one that keeps the links, none of them.
    const relinked = record('AssetRevised', `asset-${ASSET}`, EXAMPLES.AssetRevised.data);
    expect((await subjectsOf(ws, relinked)).sort()).toEqual([ASSET, TEAM, TEAM2, TEAM3].sort());
    const retitled = record('AssetRevised', `asset-${ASSET}`, {
      assetId: ASSET,
      revision: 2,
      rationale: 'Clearer',
      changes: { title: 'Journey' },
    });
    expect(await subjectsOf(ws, retitled)).toEqual([ASSET]);
  });
});
