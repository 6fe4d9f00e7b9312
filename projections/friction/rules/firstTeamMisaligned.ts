// FIRST_TEAM_MISALIGNED ("team = my direct reports"): a person with no first
// team, or whose first team is one they left; a manager whose first team is
// made of their own reports (DOMAIN.md).
//
// Judged: people not offboarded. One signal per person (no cause): when the
// reason changes (no first team -> the team of their reports) the signal is
// updated, not resolved and raised again.
// - NO_FIRST_TEAM (MEDIUM): no first team, whether or not they belong to a team
//   (a person in no team has no first team either: nobody's home is a
//   misalignment too), or a first team that is no longer valid (archived, or
//   no longer a current membership: a state the commands clear right away with
//   FirstTeamCleared, judged for logs that lack it). Not before
//   `firstTeamGraceDays` after registration (default 14: a new hire has two weeks to choose); until then the
//   deadline is the recheck time.
// - MANAGER (HIGH): a valid first team whose other current members (at least
//   one) all report directly to the person (managerId = the person). A leader's
//   first team should be the team of their peers.
// Evidence: for NO_FIRST_TEAM the person's current memberships, or, in no
// team, the person's latest event (registration, or the clearing of their
// first team); for MANAGER the current memberships of the first team.
//
// Offboarded people count nowhere: not as members of a first team, not as
// reports. Known limitation: archiving a manager's first team made of their
// reports resolves the signal when the manager is the last member removed and
// raises a new one at the FirstTeamCleared that follows (the engine evaluates
// after each event; nothing in a TeamMemberRemoved tells an archive apart).
import type { Membership, Person } from '../../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { memberships, people, teams } from '../../tables.ts';
import { personMemberships, teamMemberships } from '../reads.ts';
import { addDays, defineRule, type Finding, type Lookup, nextAfter, positions } from '../rule.ts';

/** People whose first team is `teamId` (their MANAGER case depends on its members), but `except`. */
async function firstTeamOf(ws: WorkingSet, teamId: string, except?: string): Promise<string[]> {
  return (await ws.where(people, { firstTeamId: teamId })).map((row) => row.id).filter((id) => id !== except);
}

/** A membership event of team T: the member, and everyone whose first team is T. */
const membershipOf = async (event: MembershipEvent, { ws }: Lookup) => [
  event.data.personId,
  ...(await firstTeamOf(ws, event.data.teamId)),
];

type MembershipEvent = { data: { teamId: string; personId: string } };

/**
 * Of the people whose first team is the event's team (the member aside): the
 * member's manager, if among them, and the rest. A join or a leave can make
 * the team one of its manager's reports only on one side of this split.
 */
async function firstTeamByManager(event: MembershipEvent, ws: WorkingSet) {
  const { teamId, personId } = event.data;
  const member = await ws.get(people, { id: personId });
  const others = await firstTeamOf(ws, teamId, personId);
  const isManager = (id: string) => id === member?.managerId;
  return { member, manager: others.filter(isManager), rest: others.filter((id) => !isManager(id)) };
}

/** Current memberships of people not offboarded, with the people. */
async function currentMembers(ws: WorkingSet, teamId: string) {
  const members: { membership: Membership; member: Person }[] = [];
  for (const membership of await teamMemberships(ws, teamId)) {
    const member = await ws.get(people, { id: membership.personId });
    if (member && !member.offboardedAt) members.push({ membership, member });
  }
  return members;
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

export const firstTeamMisaligned = defineRule({
  kind: 'FIRST_TEAM_MISALIGNED',
  subjectKind: 'PERSON',
  description:
    'A person without a (valid) first team, or a manager whose first team is made of their own direct reports.',
  thresholds: {
    firstTeamGraceDays: {
      description: 'How many days after registration a person may be without a first team before it is a signal.',
      default: 14,
      min: 0,
      max: 365,
    },
  },
  affects: {
    PersonRegistered: (event) => [event.data.personId],
    FirstTeamChosen: (event) => [event.data.personId],
    // Offboarding clears the first team right before PersonOffboarded, which resolves the signal.
    FirstTeamCleared: (event) => (event.data.cause === 'OFFBOARDED' ? [] : [event.data.personId]),
    // The person (their latest event is evidence), and the managers whose first team may hold them.
    ReportingLineChanged: (event) =>
      [event.data.personId, event.data.managerId, event.data.previousManagerId].filter((id) => id !== null),
    PersonSkillsChanged: (event) => [event.data.personId],
    // The person, and whoever has one of their teams as first team: they no longer count there.
    PersonOffboarded: async (event, { ws }) => {
      const ids = [event.data.personId];
      for (const membership of await ws.where(memberships, { personId: event.data.personId, to: null })) {
        ids.push(...(await firstTeamOf(ws, membership.teamId, event.data.personId)));
      }
      return ids;
    },
    // Team names are in the messages: its members' and the people's whose first team it is.
    TeamRenamed: async (event, { ws }) => [
      ...(await ws.where(memberships, { teamId: event.data.teamId, to: null })).map((row) => row.personId),
      ...(await firstTeamOf(ws, event.data.teamId)),
    ],
    // The member, and of the people whose first team it is: those the member
    // reports to (their team may now be made of their reports), and those
    // with a signal held (its evidence moves). A member who does not report
    // to a person settles that person's team as not made of their reports.
    TeamMemberAdded: async (event, lookup) => {
      const { manager, rest } = await firstTeamByManager(event, lookup.ws);
      return [event.data.personId, ...manager, ...(await lookup.withOpenSignal(rest))];
    },
    // A role or allocation change keeps who the members are (of the team, and
    // the teams of the member): it cannot raise the signal, only move a held
    // one's evidence (the memberships' positions).
    MembershipChanged: async (event, lookup) => lookup.withOpenSignal(await membershipOf(event, lookup)),
    // Leaving one's first team is followed, in the same command, by FirstTeamCleared,
    // which evaluates the person: not judging them in between avoids a passing update.
    // Of the people whose first team it is: those the leaver did not report
    // to (their team may now be made of their reports), and those with a
    // signal held (its evidence moves); a report leaving settles nothing new.
    TeamMemberRemoved: async (event, lookup) => {
      const { member: leaver, manager, rest } = await firstTeamByManager(event, lookup.ws);
      const judged = [...rest, ...(await lookup.withOpenSignal(manager))];
      return leaver?.firstTeamId === event.data.teamId ? judged : [event.data.personId, ...judged];
    },
  },
  async evaluate({ ws, thresholds, at }, personId) {
    const subject = await ws.get(people, { id: personId });
    if (!subject || subject.offboardedAt) return { findings: [] };

    const firstTeam = subject.firstTeamId ? await ws.get(teams, { id: subject.firstTeamId }) : undefined;
    const current = firstTeam && !firstTeam.archivedAt ? await teamMemberships(ws, firstTeam.id) : [];
    // A valid first team: one of the person's current memberships (the person is not offboarded).
    if (firstTeam && current.some((membership) => membership.personId === personId)) {
      // The team of their reports only if every other member reports to them: one who does not settles it.
      // (A membership change can judge several people whose first team it is, each of whom would
      // otherwise read every member.)
      for (const membership of current) {
        if (membership.personId === personId) continue;
        const member = await ws.get(people, { id: membership.personId });
        if (member && !member.offboardedAt && member.managerId !== personId) return { findings: [] };
      }
      const members = await currentMembers(ws, firstTeam.id);
      const others = members.filter(({ member }) => member.id !== personId);
      if (others.length === 0) return { findings: [] };
      const reports = others.map(({ member }) => member).sort(byName);
      const finding: Finding = {
        severity: 'HIGH',
        message:
          `${subject.name}’s first team ${firstTeam.name} is made of their own reports ` +
          `(${reports.map((report) => report.name).join(', ')}); ` +
          'a manager’s first team should be the team of their peers.',
        evidence: positions(...members.map(({ membership }) => membership.position)),
        teamIds: [firstTeam.id],
      };
      return { findings: [finding] };
    }

    const deadline = addDays(subject.registeredAt, thresholds.firstTeamGraceDays!);
    if (at < deadline) return { findings: [], recheckAt: nextAfter(at, deadline) };
    const own = [];
    for (const membership of await personMemberships(ws, personId)) {
      const team = await ws.get(teams, { id: membership.teamId });
      if (team && !team.archivedAt) own.push({ membership, team });
    }
    own.sort((a, b) => byName(a.team, b.team));
    const teamNames = own.map(({ team }) => team.name).join(', ');
    let message: string;
    if (firstTeam) {
      const why = firstTeam.archivedAt ? 'is archived' : 'is a team they left';
      message = `${subject.name}’s first team ${firstTeam.name} ${why}`;
      message += own.length > 0 ? ` (member of ${teamNames}).` : '; they belong to no team.';
    } else if (own.length > 0) {
      message = `${subject.name} has not chosen a first team among their teams (${teamNames}).`;
    } else {
      message = `${subject.name} has no first team: they belong to no team.`;
    }
    const finding: Finding = {
      severity: 'MEDIUM',
      message,
      evidence:
        own.length > 0 ? positions(...own.map(({ membership }) => membership.position)) : positions(subject.position),
      teamIds: own.map(({ team }) => team.id),
    };
    return { findings: [finding] };
  },
});
