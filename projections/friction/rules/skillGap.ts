// SKILL_GAP ("not fully resourced"): a skill in the agreement that no current
// member has (DOMAIN.md).
//
// The skills are those of the active team's current agreement (the version
// with status RATIFIED; a draft does not count, and a team without a ratified
// version has no gap to judge). Current members: memberships with `to: null`
// of people not offboarded (the TeamMemberRemoved events that follow
// PersonOffboarded then change nothing). A member has a skill when their
// person row lists it; skills compare trimmed and case-insensitively. A team
// with no current member is not judged (it is not staffed at all, a different
// matter; and archiving a one-member team must not raise a gap on its removal).
// Severity: MEDIUM; HIGH from `skillGapHighCount` missing skills on.
// Evidence: the agreement and the current memberships.
import type { Membership } from '../../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { agreements, memberships, people, teams } from '../../tables.ts';
import { teamMemberships } from '../reads.ts';
import { defineRule, positions } from '../rule.ts';

type RuleLookup = { ws: WorkingSet };

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

/** The teams the person is a current member of. */
const teamsOfPerson = async (event: { data: { personId: string } }, { ws }: RuleLookup) =>
  (await ws.where(memberships, { personId: event.data.personId, to: null })).map((row) => row.teamId);

const normalized = (skill: string) => skill.trim().toLowerCase();

const LISTED = 10;

export const skillGap = defineRule({
  kind: 'SKILL_GAP',
  subjectKind: 'TEAM',
  description: 'A team whose ratified working agreement lists skills that none of its current members has.',
  thresholds: {
    skillGapHighCount: {
      description: 'How many missing skills make a skill gap HIGH.',
      default: 3,
      min: 1,
      max: 100,
    },
  },
  affects: {
    // Drafts do not count; a revisit moves the agreement's position (evidence).
    AgreementRatified: team,
    AgreementRevisited: team,
    TeamMemberAdded: team,
    // A role or allocation change keeps who the members are: it cannot raise
    // the signal, only move a held one's evidence (the memberships' positions).
    MembershipChanged: (event, { withOpenSignal }) => withOpenSignal(team(event)),
    TeamMemberRemoved: team,
    PersonSkillsChanged: teamsOfPerson,
    PersonOffboarded: teamsOfPerson,
    TeamArchived: team,
    TeamRenamed: team,
  },
  async evaluate({ ws, thresholds }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const [agreement] = (await ws.where(agreements, { teamId, status: 'RATIFIED' })).sort(
      (a, b) => b.version - a.version,
    );
    if (!agreement) return { findings: [] };
    const required = new Map<string, string>();
    for (const skill of agreement.skills) {
      const key = normalized(skill);
      if (key && !required.has(key)) required.set(key, skill.trim());
    }
    if (required.size === 0) return { findings: [] };

    const rows: Membership[] = [];
    const held = new Set<string>();
    for (const row of await teamMemberships(ws, teamId)) {
      const member = await ws.get(people, { id: row.personId });
      if (!member || member.offboardedAt) continue;
      rows.push(row);
      for (const skill of member.skills) held.add(normalized(skill));
    }
    if (rows.length === 0) return { findings: [] };
    const missing = [...required]
      .filter(([key]) => !held.has(key))
      .map(([, skill]) => skill)
      .sort((a, b) => {
        const [x, y] = [a.toLowerCase(), b.toLowerCase()];
        return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
      });
    if (missing.length === 0) return { findings: [] };
    const listed =
      missing.length > LISTED
        ? `${missing.slice(0, LISTED).join(', ')} and ${missing.length - LISTED} more`
        : missing.join(', ');
    const count = required.size === 1 ? 'the skill' : `${missing.length} of the ${required.size} skills`;
    return {
      findings: [
        {
          severity: missing.length >= thresholds.skillGapHighCount! ? 'HIGH' : 'MEDIUM',
          message: `No current member of ${subject.name} has ${count} its working agreement (version ${agreement.version}) lists: ${listed}.`,
          evidence: positions(agreement.position, ...rows.map((row) => row.position)),
        },
      ],
    };
  },
});
