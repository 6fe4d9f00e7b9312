// Stream `team-<id>`: a team, its members, its working agreement, its
// investment mix and its delivery metrics (all decided against team state).
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { id, label, METRIC_KINDS, period, skills, TEAM_KINDS, text } from './common.ts';

export const TeamFormed = defineEvent({
  type: 'TeamFormed',
  schemaVersion: 1,
  schema: z.object({
    teamId: id,
    name: label,
    kind: z.enum(TEAM_KINDS),
    valueStreamId: id.nullable(),
    parentTeamId: id.nullable(),
  }),
});

export const TeamRenamed = defineEvent({
  type: 'TeamRenamed',
  schemaVersion: 1,
  schema: z.object({ teamId: id, name: label, previousName: label }),
});

export const TeamAligned = defineEvent({
  type: 'TeamAligned',
  schemaVersion: 1,
  schema: z.object({ teamId: id, valueStreamId: id.nullable(), previousValueStreamId: id.nullable() }),
});

export const TeamParentChanged = defineEvent({
  type: 'TeamParentChanged',
  schemaVersion: 1,
  schema: z.object({ teamId: id, parentTeamId: id.nullable(), previousParentTeamId: id.nullable() }),
});

export const TeamArchived = defineEvent({
  type: 'TeamArchived',
  schemaVersion: 1,
  schema: z.object({ teamId: id }),
});

const role = z.string().trim().min(1).max(100);
const allocation = z.number().int().min(1).max(100);

export const TeamMemberAdded = defineEvent({
  type: 'TeamMemberAdded',
  schemaVersion: 1,
  schema: z.object({ teamId: id, personId: id, role, allocation }),
});

export const MembershipChanged = defineEvent({
  type: 'MembershipChanged',
  schemaVersion: 1,
  schema: z.object({ teamId: id, personId: id, role, allocation }),
});

export const TeamMemberRemoved = defineEvent({
  type: 'TeamMemberRemoved',
  schemaVersion: 1,
  schema: z.object({ teamId: id, personId: id }),
});

export const agreementMetric = z.object({
  name: label,
  kind: z.enum(METRIC_KINDS),
  target: z.string().trim().max(200).nullable(),
});

export const AgreementDrafted = defineEvent({
  type: 'AgreementDrafted',
  schemaVersion: 1,
  schema: z.object({
    teamId: id,
    /** The version this draft becomes once ratified. */
    version: z.number().int().min(1),
    name: label.nullable(),
    mission: z.string().trim().min(1).max(2_000),
    metrics: z.array(agreementMetric).max(50),
    responsibilityIds: z.array(id).max(200),
    skills,
    norms: text,
  }),
});

export const AgreementRatified = defineEvent({
  type: 'AgreementRatified',
  schemaVersion: 1,
  schema: z.object({ teamId: id, version: z.number().int().min(1), ratifiedBy: z.array(id).min(1).max(500) }),
});

export const AgreementRevisited = defineEvent({
  type: 'AgreementRevisited',
  schemaVersion: 1,
  schema: z.object({ teamId: id, version: z.number().int().min(1), notes: text.nullable() }),
});

const shares = {
  period,
  features: z.number().int().min(0).max(100),
  techDebt: z.number().int().min(0).max(100),
  runway: z.number().int().min(0).max(100),
  developerExperience: z.number().int().min(0).max(100),
};

export const InvestmentMixPlanned = defineEvent({
  type: 'InvestmentMixPlanned',
  schemaVersion: 1,
  schema: z.object({ teamId: id, ...shares }),
});

export const InvestmentMixReported = defineEvent({
  type: 'InvestmentMixReported',
  schemaVersion: 1,
  schema: z.object({ teamId: id, ...shares }),
});

export const DeliveryMetricsRecorded = defineEvent({
  type: 'DeliveryMetricsRecorded',
  schemaVersion: 1,
  schema: z.object({
    teamId: id,
    leadTimeHours: z.number().finite().min(0).max(100_000).nullable(),
    buildTimeMinutes: z.number().finite().min(0).max(100_000).nullable(),
    incidents: z.number().int().min(0).max(100_000).nullable(),
    deploymentsPerWeek: z.number().finite().min(0).max(100_000).nullable(),
    productivityPulse: z.number().int().min(1).max(5).nullable(),
  }),
});

export const teamEvents = [
  TeamFormed,
  TeamRenamed,
  TeamAligned,
  TeamParentChanged,
  TeamArchived,
  TeamMemberAdded,
  MembershipChanged,
  TeamMemberRemoved,
  AgreementDrafted,
  AgreementRatified,
  AgreementRevisited,
  InvestmentMixPlanned,
  InvestmentMixReported,
  DeliveryMetricsRecorded,
] as const;
export type TeamEvent = EventOf<typeof teamEvents>;
export const teamStream = (teamId: string) => `team-${teamId}`;
