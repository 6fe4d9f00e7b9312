// LEADERSHIP_SILO ("leaders not aligned"): no LEADERSHIP team holding heads of
// product, design and technology once the organization is past EXPERIMENTING
// (DOMAIN.md). The subject is the organization.
//
// Heads are recognised by discipline: an active team of kind LEADERSHIP holds
// them when its current members (memberships with `to: null` of people not
// offboarded) include at least one PRODUCT (head of product), one DESIGN (head
// of design) and one ENGINEERING person (head of technology). One such team is
// enough; several leadership teams that only hold them together do not count.
//
// Judged in GETTING_TRACTION, HYPERGROWTH and OPTIMIZING (the rule reads the
// growth phase: GrowthPhaseChanged is in `affects`). One signal (no cause):
// - no active leadership team: HIGH, no evidence (an absence has no event; the
//   message says so);
// - else the leadership team nearest to complete (most heads, then by name)
//   is named with the heads it lacks: MEDIUM when it lacks one, HIGH when two
//   or three. Evidence: that team's current memberships.
import type { Team } from '../../../src/generated/prisma/client.ts';
import { memberships, people, teams } from '../../tables.ts';
import { teamMemberships } from '../reads.ts';
import { defineRule, type Lookup, positions } from '../rule.ts';

const HEADS = [
  ['PRODUCT', 'product'],
  ['DESIGN', 'design'],
  ['ENGINEERING', 'technology'],
] as const;

/** The organization when `teamId` is a leadership team (active or archived). */
const ifLeadership = async (teamId: string, { ws, organizationId }: Lookup) =>
  (await ws.get(teams, { id: teamId }))?.kind === 'LEADERSHIP' ? [organizationId] : [];

const ofTeam = (event: { data: { teamId: string } }, lookup: Lookup) => ifLeadership(event.data.teamId, lookup);

/** `a`, `a or b`, `a, b or c`. */
const eitherOf = (items: readonly string[]) =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;

const headsIn = (held: ReadonlySet<string>) => HEADS.filter(([discipline]) => held.has(discipline)).length;

export const leadershipSilo = defineRule({
  kind: 'LEADERSHIP_SILO',
  subjectKind: 'ORGANIZATION',
  description:
    'An organization past EXPERIMENTING without a leadership team holding heads of product, design and technology.',
  thresholds: {},
  affects: {
    OrganizationCreated: (event) => [event.data.organizationId],
    GrowthPhaseChanged: (event) => [event.data.organizationId],
    TeamFormed: (event, { organizationId }) => (event.data.kind === 'LEADERSHIP' ? [organizationId] : []),
    TeamRenamed: ofTeam,
    TeamArchived: ofTeam,
    TeamMemberAdded: ofTeam,
    // A role or allocation change keeps who the members are: it cannot raise
    // the signal, only move a held one's evidence (the memberships' positions).
    MembershipChanged: async (event, lookup) => lookup.withOpenSignal(await ofTeam(event, lookup)),
    TeamMemberRemoved: ofTeam,
    // An offboarded head no longer counts, from PersonOffboarded on.
    PersonOffboarded: async (event, lookup) => {
      for (const membership of await lookup.ws.where(memberships, { personId: event.data.personId, to: null })) {
        if ((await ifLeadership(membership.teamId, lookup)).length > 0) return [lookup.organizationId];
      }
      return [];
    },
  },
  async evaluate({ ws, organizationId, organization }, subjectId) {
    if (subjectId !== organizationId || organization.growthPhase === 'EXPERIMENTING') return { findings: [] };
    const phase = organization.growthPhase.toLowerCase().replaceAll('_', ' ');

    const candidates: { team: Team; held: Set<string>; evidence: bigint[] }[] = [];
    for (const team of await ws.where(teams, { organizationId, kind: 'LEADERSHIP' })) {
      if (team.archivedAt) continue;
      const held = new Set<string>();
      const evidence: bigint[] = [];
      for (const membership of await teamMemberships(ws, team.id)) {
        const member = await ws.get(people, { id: membership.personId });
        if (!member || member.offboardedAt) continue;
        held.add(member.discipline);
        evidence.push(membership.position);
      }
      if (headsIn(held) === HEADS.length) return { findings: [] };
      candidates.push({ team, held, evidence });
    }

    if (candidates.length === 0) {
      return {
        findings: [
          {
            severity: 'HIGH',
            message: `${organization.name} is in ${phase} but has no leadership team holding heads of product, design and technology.`,
            evidence: [],
          },
        ],
      };
    }
    candidates.sort(
      (a, b) =>
        headsIn(b.held) - headsIn(a.held) || (a.team.name < b.team.name ? -1 : a.team.name > b.team.name ? 1 : 0),
    );
    const nearest = candidates[0]!;
    const lacking = HEADS.filter(([discipline]) => !nearest.held.has(discipline)).map(([, title]) => title);
    return {
      findings: [
        {
          severity: lacking.length === 1 ? 'MEDIUM' : 'HIGH',
          message:
            `${organization.name} is in ${phase} but no leadership team holds heads of product, design and technology: ` +
            `${nearest.team.name} has no head of ${eitherOf(lacking)}.`,
          evidence: positions(...nearest.evidence),
          teamIds: [nearest.team.id],
        },
      ],
    };
  },
});
