// Teams, and the team-stream read models that hang off them: memberships over
// time, working agreements (all versions), revisits, investment mixes and
// delivery metrics. Every team-stream event also moves the team's version.
import type { DomainEvent } from '../events/index.ts';
import { intervals } from '../src/domain/timeline.ts';
import type { Team } from '../src/generated/prisma/client.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { type DomainRecord, defineProjection, stamped } from './projection.ts';
import { agreementRevisits, agreements, deliveryMetrics, investmentMixes, memberships, teams } from './tables.ts';
import { addChangePoint } from './timeline.ts';

async function touchTeam(ws: WorkingSet, event: DomainRecord, change: (team: Team) => Partial<Team> = () => ({})) {
  const teamId = (event.data as { teamId: string }).teamId;
  const team = await ws.get(teams, { id: teamId });
  if (team) ws.put(teams, stamped({ ...team, ...change(team) }, event));
}

type MemberValue = { role: string; allocation: number };

async function recordMembership(ws: WorkingSet, event: DomainRecord, value: MemberValue | null) {
  const { teamId, personId } = event.data as { teamId: string; personId: string };
  const points = await addChangePoint(ws, `membership:${teamId}:${personId}`, event, value);
  const periods = intervals(points);
  const existing = await ws.where(memberships, { teamId, personId });
  const kept = new Set(periods.map((period) => period.id));
  for (const row of existing) if (!kept.has(row.id)) ws.delete(memberships, { id: row.id });
  for (const period of periods) {
    ws.put(memberships, {
      id: period.id,
      organizationId: event.organizationId,
      teamId,
      personId,
      role: period.value.role,
      allocation: period.value.allocation,
      from: period.from,
      to: period.to,
      position: period.position,
    });
  }
  await touchTeam(ws, event);
}

export const teamsProjection = defineProjection({
  name: 'teams',
  handlers: {
    TeamFormed: async (ws, event) => {
      ws.put(teams, {
        id: event.data.teamId,
        organizationId: event.organizationId,
        name: event.data.name,
        kind: event.data.kind,
        valueStreamId: event.data.valueStreamId,
        parentTeamId: event.data.parentTeamId,
        formedAt: event.occurredAt,
        archivedAt: null,
        version: event.streamVersion,
        position: event.position,
      });
    },
    TeamRenamed: (ws, event) => touchTeam(ws, event, () => ({ name: event.data.name })),
    TeamAligned: (ws, event) => touchTeam(ws, event, () => ({ valueStreamId: event.data.valueStreamId })),
    TeamParentChanged: (ws, event) => touchTeam(ws, event, () => ({ parentTeamId: event.data.parentTeamId })),
    TeamArchived: (ws, event) => touchTeam(ws, event, () => ({ archivedAt: event.occurredAt })),

    TeamMemberAdded: (ws, event) =>
      recordMembership(ws, event, { role: event.data.role, allocation: event.data.allocation }),
    MembershipChanged: (ws, event) =>
      recordMembership(ws, event, { role: event.data.role, allocation: event.data.allocation }),
    TeamMemberRemoved: (ws, event) => recordMembership(ws, event, null),

    AgreementDrafted: async (ws, event) => {
      const existing = (await ws.where(agreements, { teamId: event.data.teamId })).find(
        (agreement) => agreement.version === event.data.version,
      );
      ws.put(agreements, {
        // A re-draft before ratification replaces the draft of that version.
        id: existing?.id ?? event.eventId,
        organizationId: event.organizationId,
        teamId: event.data.teamId,
        version: event.data.version,
        status: 'DRAFT',
        name: event.data.name,
        mission: event.data.mission,
        metrics: event.data.metrics as never,
        responsibilityIds: event.data.responsibilityIds,
        skills: event.data.skills,
        norms: event.data.norms,
        draftedAt: event.occurredAt,
        ratifiedAt: null,
        ratifiedBy: [],
        lastRevisitedAt: null,
        position: event.position,
      });
      await touchTeam(ws, event);
    },
    AgreementRatified: async (ws, event) => {
      for (const agreement of await ws.where(agreements, { teamId: event.data.teamId })) {
        if (agreement.version === event.data.version) {
          ws.put(agreements, {
            ...agreement,
            status: 'RATIFIED',
            ratifiedAt: event.occurredAt,
            ratifiedBy: event.data.ratifiedBy,
            position: event.position,
          });
        } else if (agreement.status === 'RATIFIED' && agreement.version < event.data.version) {
          ws.put(agreements, { ...agreement, status: 'SUPERSEDED', position: event.position });
        }
      }
      await touchTeam(ws, event);
    },
    AgreementRevisited: async (ws, event) => {
      ws.put(agreementRevisits, {
        id: event.eventId,
        organizationId: event.organizationId,
        teamId: event.data.teamId,
        version: event.data.version,
        notes: event.data.notes,
        occurredAt: event.occurredAt,
        position: event.position,
      });
      for (const agreement of await ws.where(agreements, { teamId: event.data.teamId })) {
        if (agreement.version !== event.data.version) continue;
        const last = agreement.lastRevisitedAt;
        if (!last || last.getTime() < event.occurredAt.getTime()) {
          ws.put(agreements, { ...agreement, lastRevisitedAt: event.occurredAt, position: event.position });
        }
      }
      await touchTeam(ws, event);
    },

    InvestmentMixPlanned: (ws, event) => recordMix(ws, event, 'PLANNED'),
    InvestmentMixReported: (ws, event) => recordMix(ws, event, 'ACTUAL'),
    DeliveryMetricsRecorded: async (ws, event) => {
      ws.put(deliveryMetrics, {
        id: event.eventId,
        organizationId: event.organizationId,
        teamId: event.data.teamId,
        leadTimeHours: event.data.leadTimeHours,
        buildTimeMinutes: event.data.buildTimeMinutes,
        incidents: event.data.incidents,
        deploymentsPerWeek: event.data.deploymentsPerWeek,
        productivityPulse: event.data.productivityPulse,
        observedAt: event.occurredAt,
        position: event.position,
      });
      await touchTeam(ws, event);
    },
  },
});

/** The mix of a period is the one stated last in org time (a back-dated statement does not override a later one). */
async function recordMix(
  ws: WorkingSet,
  event: DomainRecord<Extract<DomainEvent, { type: 'InvestmentMixPlanned' | 'InvestmentMixReported' }>>,
  kind: 'PLANNED' | 'ACTUAL',
) {
  const { teamId, period, features, techDebt, runway, developerExperience } = event.data;
  const existing = await ws.get(investmentMixes, { teamId, period, kind });
  if (!existing || existing.occurredAt.getTime() <= event.occurredAt.getTime()) {
    ws.put(investmentMixes, {
      organizationId: event.organizationId,
      teamId,
      period,
      kind,
      features,
      techDebt,
      runway,
      developerExperience,
      occurredAt: event.occurredAt,
      position: event.position,
    });
  }
  await touchTeam(ws, event);
}
