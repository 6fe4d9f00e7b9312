// WORK_SLIPPING ("work slipping between the cracks"): a responsibility without
// owner for 7 days, or owned by a person who left its team or the org (DOMAIN.md).
//
// "Its teams" are the active teams whose current working agreement lists the
// responsibility: the version with status RATIFIED (drafts are not agreed yet,
// superseded versions no longer hold). When no active team lists it, the
// archived teams whose last ratified agreement listed it are its teams: their
// members left them, so archiving the team of a responsibility's owner leaves
// the signal standing (and does not raise it on the removals that archiving
// starts with, only to resolve it on the archiving itself).
//
// Two causes, exclusive of each other (a responsibility is owned or it is not):
// - UNOWNED: nobody owns it, since the end of its last ownership interval (or
//   its definition when it was never owned), for `unownedDays` days or more.
//   MEDIUM; HIGH from twice that. Timers look again at both moments.
//   Evidence: the responsibility's latest event and the ownership that ended.
// - OWNER_LEFT: its owner is gone. HIGH when the owning person was offboarded
//   or the owning team archived; MEDIUM when it has teams and the owning
//   person is a current member of none of them. Evidence: the current
//   ownership, and the offboarding / archiving, or the agreements listing it
//   and the person's last memberships in those teams.
// An offboarding raises OWNER_LEFT on PersonOffboarded, before its removals,
// with the same message throughout.
// teamIds: its teams (and an archived owning team).
import type { Agreement, Team } from '../../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { agreements, memberships, ownershipIntervals, people, responsibilities, teams } from '../../tables.ts';
import { agreementsListing } from '../reads.ts';
import { addDays, defineRule, type Finding, nextAfter, positions } from '../rule.ts';

type RuleLookup = { ws: WorkingSet };

const responsibility = (event: { data: { responsibilityId: string } }) => [event.data.responsibilityId];

const date = (value: Date) => value.toISOString().slice(0, 10);

const byName = (a: { team: Team }, b: { team: Team }) =>
  a.team.name < b.team.name ? -1 : a.team.name > b.team.name ? 1 : a.team.id < b.team.id ? -1 : 1;

/**
 * The teams whose ratified agreement lists the responsibility, by name: the
 * active ones, or when there are none the archived ones (see above).
 */
async function teamsOf(ws: WorkingSet, responsibilityId: string) {
  const active: { team: Team; agreement: Agreement }[] = [];
  const archived: { team: Team; agreement: Agreement }[] = [];
  for (const agreement of await agreementsListing(ws, responsibilityId, { status: 'RATIFIED' })) {
    const team = await ws.get(teams, { id: agreement.teamId });
    if (team) (team.archivedAt ? archived : active).push({ team, agreement });
  }
  return (active.length > 0 ? active : archived).sort(byName);
}

/** The responsibilities the team's ratified agreement lists. */
async function listedBy(ws: WorkingSet, teamId: string): Promise<string[]> {
  return (await ws.where(agreements, { teamId, status: 'RATIFIED' })).flatMap((row) => row.responsibilityIds);
}

/** Responsibilities the person owns that the team's ratified agreement lists. */
const ownedAndListed = async (event: { data: { teamId: string; personId: string } }, { ws }: RuleLookup) => {
  const listed = new Set(await listedBy(ws, event.data.teamId));
  return (await ws.where(responsibilities, { ownerPersonId: event.data.personId }))
    .map((row) => row.id)
    .filter((id) => listed.has(id));
};

/** Listed by the team, owned by it: the team's state or name may change them. */
const listedOrOwned = async (event: { data: { teamId: string } }, { ws }: RuleLookup) => [
  ...(await listedBy(ws, event.data.teamId)),
  ...(await ws.where(responsibilities, { ownerTeamId: event.data.teamId })).map((row) => row.id),
];

const joinNames = (names: readonly string[]) =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;

export const workSlipping = defineRule({
  kind: 'WORK_SLIPPING',
  subjectKind: 'RESPONSIBILITY',
  description:
    'A responsibility nobody has owned for too long, or owned by a person who left its teams or the organization (or by an archived team).',
  thresholds: {
    unownedDays: {
      description: 'How many days a responsibility may stay without an owner.',
      default: 7,
      min: 1,
      max: 365,
    },
  },
  affects: {
    ResponsibilityDefined: responsibility,
    ResponsibilityAssigned: responsibility,
    ResponsibilityUnassigned: responsibility,
    PersonOffboarded: async (event, { ws }) =>
      (await ws.where(responsibilities, { ownerPersonId: event.data.personId })).map((row) => row.id),
    TeamMemberAdded: ownedAndListed,
    TeamMemberRemoved: ownedAndListed,
    // The versions this ratification made RATIFIED and SUPERSEDED carry its position.
    AgreementRatified: async (event, { ws }) =>
      (await ws.where(agreements, { teamId: event.data.teamId }))
        .filter((row) => row.position === event.position)
        .flatMap((row) => row.responsibilityIds),
    // The agreement's position is evidence.
    AgreementRevisited: async (event, { ws }) => listedBy(ws, event.data.teamId),
    TeamArchived: listedOrOwned,
    TeamRenamed: async (event, lookup) => [
      ...(await listedOrOwned(event, lookup)),
      // Messages name the last owner of an unowned responsibility.
      ...(
        await lookup.ws.where(ownershipIntervals, {
          organizationId: lookup.organizationId,
          ownerId: event.data.teamId,
        })
      ).map((row) => row.responsibilityId),
    ],
  },
  async evaluate({ ws, thresholds, at }, responsibilityId) {
    const subject = await ws.get(responsibilities, { id: responsibilityId });
    if (!subject) return { findings: [] };
    const listing = await teamsOf(ws, responsibilityId);
    const listingIds = listing.map(({ team }) => team.id);
    const intervals = (await ws.where(ownershipIntervals, { responsibilityId })).sort(
      (a, b) => a.from.getTime() - b.from.getTime() || (a.position < b.position ? -1 : 1),
    );
    const ownership = intervals.find((row) => row.to === null);

    if (subject.ownerTeamId) {
      const owner = await ws.get(teams, { id: subject.ownerTeamId });
      if (!owner?.archivedAt) return { findings: [] };
      const finding: Finding = {
        cause: 'OWNER_LEFT',
        severity: 'HIGH',
        message: `${subject.title} is owned by ${owner.name}, which is archived.`,
        evidence: positions(ownership?.position, owner.position),
        teamIds: [...listingIds, owner.id],
      };
      return { findings: [finding] };
    }

    if (subject.ownerPersonId) {
      const owner = await ws.get(people, { id: subject.ownerPersonId });
      if (!owner) return { findings: [] };
      if (owner.offboardedAt) {
        const finding: Finding = {
          cause: 'OWNER_LEFT',
          severity: 'HIGH',
          message: `${subject.title} is owned by ${owner.name}, who has left the organization.`,
          evidence: positions(ownership?.position, owner.position),
          teamIds: listingIds,
        };
        return { findings: [finding] };
      }
      if (listing.length === 0) return { findings: [] };
      const rows = (await ws.where(memberships, { personId: owner.id })).filter((row) =>
        listingIds.includes(row.teamId),
      );
      if (rows.some((row) => row.to === null)) return { findings: [] };
      const lastMemberships = listingIds.flatMap((teamId) => {
        const ofTeam = rows.filter((row) => row.teamId === teamId);
        return ofTeam.length > 0 ? [ofTeam.reduce((a, b) => (b.to!.getTime() > a.to!.getTime() ? b : a))] : [];
      });
      const names = listing.map(({ team }) => team.name);
      const which = listing.length === 1 ? 'the team whose agreement lists it' : 'the teams whose agreements list it';
      const finding: Finding = {
        cause: 'OWNER_LEFT',
        severity: 'MEDIUM',
        message: `${subject.title} is owned by ${owner.name}, who is not a member of ${joinNames(names)}, ${which}.`,
        evidence: positions(
          ownership?.position,
          ...listing.map(({ agreement }) => agreement.position),
          ...lastMemberships.map((row) => row.position),
        ),
        teamIds: listingIds,
      };
      return { findings: [finding] };
    }

    // Unowned: since the last ownership ended, or since it was defined.
    const last = intervals.at(-1);
    const since = last ? (last.to ?? subject.ownedSince) : subject.definedAt;
    const days = thresholds.unownedDays!;
    const due = addDays(since, days);
    const high = addDays(since, 2 * days);
    if (at.getTime() < due.getTime()) return { findings: [], recheckAt: nextAfter(at, due) };
    const severe = at.getTime() >= high.getTime();
    let from = `it was defined on ${date(since)}`;
    if (last) {
      const previous =
        last.ownerKind === 'PERSON'
          ? await ws.get(people, { id: last.ownerId })
          : await ws.get(teams, { id: last.ownerId });
      from = `${date(since)}${previous ? ` (last owned by ${previous.name})` : ''}`;
    }
    const finding: Finding = {
      cause: 'UNOWNED',
      severity: severe ? 'HIGH' : 'MEDIUM',
      message: `${subject.title} has had no owner since ${from}, for at least ${severe ? 2 * days : days} days.`,
      evidence: positions(subject.position, last?.position),
      teamIds: listingIds,
    };
    return { findings: [finding], recheckAt: nextAfter(at, high) };
  },
});
