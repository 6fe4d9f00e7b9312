// CONTESTED_OWNERSHIP ("nudging each other out of the way"): one responsibility
// listed in the ratified agreements of 2+ teams (DOMAIN.md).
//
// Only each active (not archived) team's current agreement counts: the version
// with status RATIFIED; drafts and superseded versions do not. The signal holds
// when `contestedTeams` or more teams list the responsibility: MEDIUM at that
// count, HIGH beyond it. teamIds: those teams. Evidence: the positions of those
// agreements (their ratification, or their latest revisit since).
import type { Agreement, Team } from '../../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { agreements, responsibilities, teams } from '../../tables.ts';
import { agreementsListing } from '../reads.ts';
import { defineRule, positions } from '../rule.ts';

type RuleLookup = { ws: WorkingSet };

/** The responsibilities the team's ratified agreement lists. */
const listedBy = async (event: { data: { teamId: string } }, { ws }: RuleLookup) =>
  (await ws.where(agreements, { teamId: event.data.teamId, status: 'RATIFIED' })).flatMap(
    (row) => row.responsibilityIds,
  );

export const contestedOwnership = defineRule({
  kind: 'CONTESTED_OWNERSHIP',
  subjectKind: 'RESPONSIBILITY',
  description: 'A responsibility listed in the ratified working agreements of several teams.',
  thresholds: {
    contestedTeams: {
      description: 'How many teams listing one responsibility in their ratified agreements make it contested.',
      default: 2,
      min: 2,
      max: 100,
    },
  },
  affects: {
    // The versions this ratification made RATIFIED and SUPERSEDED carry its position.
    AgreementRatified: async (event, { ws }) =>
      (await ws.where(agreements, { teamId: event.data.teamId }))
        .filter((row) => row.position === event.position)
        .flatMap((row) => row.responsibilityIds),
    // The agreement's position is evidence.
    AgreementRevisited: listedBy,
    TeamArchived: listedBy,
    TeamRenamed: listedBy,
  },
  async evaluate({ ws, thresholds }, responsibilityId) {
    const subject = await ws.get(responsibilities, { id: responsibilityId });
    if (!subject) return { findings: [] };
    const limit = thresholds.contestedTeams!;
    const listing: { team: Team; agreement: Agreement }[] = [];
    for (const agreement of await agreementsListing(ws, responsibilityId, { status: 'RATIFIED' })) {
      const team = await ws.get(teams, { id: agreement.teamId });
      if (team && !team.archivedAt) listing.push({ team, agreement });
    }
    if (listing.length === 0 || listing.length < limit) return { findings: [] };
    listing.sort((a, b) =>
      a.team.name < b.team.name ? -1 : a.team.name > b.team.name ? 1 : a.team.id < b.team.id ? -1 : 1,
    );
    const names = listing.map(({ team }) => team.name);
    return {
      findings: [
        {
          severity: listing.length > limit ? 'HIGH' : 'MEDIUM',
          message: `${subject.title} is listed in the ratified working agreements of ${listing.length} teams: ${names.join(', ')}.`,
          evidence: positions(...listing.map(({ agreement }) => agreement.position)),
          teamIds: listing.map(({ team }) => team.id),
        },
      ],
    };
  },
});
