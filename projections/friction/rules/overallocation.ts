// OVERALLOCATION ("burnout"): a person's allocations summing over 100 %.
import { memberships, people, teams } from '../../tables.ts';
import { personMemberships } from '../reads.ts';
import { defineRule, type FrictionSeverity, positions } from '../rule.ts';

const person = (event: { data: { personId: string } }) => [event.data.personId];

export const overallocation = defineRule({
  kind: 'OVERALLOCATION',
  subjectKind: 'PERSON',
  description: 'A person whose allocations across their active teams sum over the limit.',
  thresholds: {
    overallocationPercent: {
      description: 'The most a person’s allocations may sum to, in percent.',
      default: 100,
      min: 1,
      max: 1_000,
    },
  },
  affects: {
    TeamMemberAdded: person,
    MembershipChanged: person,
    TeamMemberRemoved: person,
    PersonOffboarded: person,
    TeamArchived: async (event, { ws }) =>
      (await ws.where(memberships, { teamId: event.data.teamId, to: null })).map((row) => row.personId),
    // The message names the teams.
    TeamRenamed: async (event, { ws }) =>
      (await ws.where(memberships, { teamId: event.data.teamId, to: null })).map((row) => row.personId),
  },
  async evaluate({ ws, thresholds }, personId) {
    const subject = await ws.get(people, { id: personId });
    if (!subject || subject.offboardedAt) return { findings: [] };
    const limit = thresholds.overallocationPercent!;
    const current = [];
    for (const membership of await personMemberships(ws, personId)) {
      const team = await ws.get(teams, { id: membership.teamId });
      if (team && !team.archivedAt) current.push({ membership, team });
    }
    const total = current.reduce((sum, { membership }) => sum + membership.allocation, 0);
    if (total <= limit) return { findings: [] };
    current.sort((a, b) => b.membership.allocation - a.membership.allocation || (a.team.name < b.team.name ? -1 : 1));
    const severity: FrictionSeverity = total >= limit * 1.5 ? 'HIGH' : total >= limit * 1.2 ? 'MEDIUM' : 'LOW';
    const split = current.map(({ membership, team }) => `${team.name} ${membership.allocation}%`).join(', ');
    return {
      findings: [
        {
          severity,
          message: `${subject.name} is allocated ${total}% across ${current.length} teams (${split}), over the ${limit}% limit.`,
          evidence: positions(...current.map(({ membership }) => membership.position)),
          teamIds: current.map(({ team }) => team.id),
        },
      ],
    };
  },
});
