// NOT_CROSS_FUNCTIONAL ("product and engineering in silos"): a stream-aligned
// team without both a PRODUCT and an ENGINEERING member (DOMAIN.md).
//
// Judged: active STREAM_ALIGNED teams with at least `crossFunctionalMinMembers`
// current members (default 1: a freshly formed, still empty team is not judged).
// Current members: memberships with `to: null` of people not offboarded (an
// offboarded person's memberships only end with the TeamMemberRemoved events
// that follow PersonOffboarded; leaving them out already makes the team's
// outcome final at PersonOffboarded, so those removals change nothing).
//
// One signal per team (no cause) naming the missing discipline(s): MEDIUM when
// one of PRODUCT and ENGINEERING is missing, HIGH when both are. The message
// counts the members per discipline. Evidence: the team's current memberships.
// A team's kind and a person's discipline never change (no event changes them).
import { DISCIPLINES } from '../../../events/common.ts';
import type { Membership, Person } from '../../../src/generated/prisma/client.ts';
import { memberships, people, teams } from '../../tables.ts';
import { teamMemberships } from '../reads.ts';
import { defineRule, positions } from '../rule.ts';

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

const REQUIRED = ['PRODUCT', 'ENGINEERING'] as const;
const NAMED = { PRODUCT: 'a product', ENGINEERING: 'an engineering' } as const;

export const notCrossFunctional = defineRule({
  kind: 'NOT_CROSS_FUNCTIONAL',
  subjectKind: 'TEAM',
  description: 'A stream-aligned team without both a product and an engineering member.',
  thresholds: {
    crossFunctionalMinMembers: {
      description: 'How many current members a stream-aligned team needs before it is judged.',
      default: 1,
      min: 1,
      max: 100,
    },
  },
  affects: {
    TeamMemberAdded: team,
    // A role or allocation change keeps who the members are: it cannot raise
    // the signal, only move a held one's evidence (the memberships' positions).
    MembershipChanged: (event, { withOpenSignal }) => withOpenSignal(team(event)),
    TeamMemberRemoved: team,
    TeamRenamed: team,
    TeamArchived: team,
    // The person no longer counts in any of their teams (see above).
    PersonOffboarded: async (event, { ws }) =>
      (await ws.where(memberships, { personId: event.data.personId, to: null })).map((row) => row.teamId),
  },
  async evaluate({ ws, thresholds }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt || subject.kind !== 'STREAM_ALIGNED') return { findings: [] };
    const current: { membership: Membership; member: Person }[] = [];
    for (const membership of await teamMemberships(ws, teamId)) {
      const member = await ws.get(people, { id: membership.personId });
      if (member && !member.offboardedAt) current.push({ membership, member });
    }
    if (current.length === 0 || current.length < thresholds.crossFunctionalMinMembers!) return { findings: [] };
    const present = new Set(current.map(({ member }) => member.discipline));
    const missing = REQUIRED.filter((discipline) => !present.has(discipline));
    if (missing.length === 0) return { findings: [] };

    const counts = DISCIPLINES.map((discipline) => ({
      discipline,
      count: current.filter(({ member }) => member.discipline === discipline).length,
    }))
      .filter(({ count }) => count > 0)
      .map(({ discipline, count }) => `${count} ${discipline.toLowerCase()}`)
      .join(', ');
    const lacking = missing.map((discipline) => NAMED[discipline]).join(' or ');
    const members = `${current.length} ${current.length === 1 ? 'member' : 'members'}`;
    return {
      findings: [
        {
          severity: missing.length === REQUIRED.length ? 'HIGH' : 'MEDIUM',
          message: `${subject.name} is a stream-aligned team without ${lacking} member (${members}: ${counts}).`,
          evidence: positions(...current.map(({ membership }) => membership.position)),
        },
      ],
    };
  },
});
