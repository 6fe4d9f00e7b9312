// COMMUNICATING_NOT_COLLABORATING ("talking but not collaborating"): two teams
// with an open dependency and 3+ status updates but no joint work in the last
// 30 days (DOMAIN.md).
//
// A pair of active teams is looked at while an open (unresolved) dependency
// links them, in either direction. Their interactions are those listing both
// teams (an interaction of more teams counts for every pair in it), in the
// window (at − collaborationWindowDays, at] over occurredAt. The signal holds
// when the window has `statusUpdates` or more STATUS_UPDATEs and no JOINT_WORK.
//
// One signal per pair, on the dependent team (the dependency's fromTeamId),
// cause = the other team's id, teamIds = [the other team]. When they depend on
// each other, the team with the smaller id holds it.
// Severity: MEDIUM, HIGH when one of their open dependencies is BLOCKING.
// Evidence: the status updates in the window and the open dependencies.
// A timer looks again when an interaction of a pair with enough status updates
// leaves the window (a status update leaving may resolve it, joint work leaving may raise it).
import type { Dependency } from '../../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { dependencies, interactions, teams } from '../../tables.ts';
import { addDays, defineRule, type Finding, nextAfter, positions } from '../rule.ts';

type RuleLookup = { ws: WorkingSet };

/** The open dependencies from and to a team. */
async function openDependencies(ws: WorkingSet, teamId: string) {
  return [
    ...(await ws.where(dependencies, { fromTeamId: teamId, resolvedAt: null })),
    ...(await ws.where(dependencies, { toTeamId: teamId, resolvedAt: null })),
  ];
}

/** Both ends of a dependency: the one holding the pair may change with it (mutual dependencies). */
const endsOf = async (event: { data: { dependencyId: string } }, { ws }: RuleLookup) => {
  const dependency = await ws.get(dependencies, { id: event.data.dependencyId });
  return dependency ? [dependency.fromTeamId, dependency.toTeamId] : [];
};

/** The team and every team it shares an open dependency with. */
const teamAndPartners = async (event: { data: { teamId: string } }, { ws }: RuleLookup) => [
  event.data.teamId,
  ...(await openDependencies(ws, event.data.teamId)).flatMap((row) => [row.fromTeamId, row.toTeamId]),
];

export const communicatingNotCollaborating = defineRule({
  kind: 'COMMUNICATING_NOT_COLLABORATING',
  subjectKind: 'TEAM',
  description:
    'Two teams with an open dependency between them that exchange status updates but have done no joint work lately.',
  thresholds: {
    statusUpdates: {
      description:
        'How many status updates between two dependent teams in the window, without joint work, raise the signal.',
      default: 3,
      min: 1,
      max: 1_000,
    },
    collaborationWindowDays: {
      description: 'How many days of interactions between two dependent teams are looked at.',
      default: 30,
      min: 1,
      max: 365,
    },
  },
  affects: {
    // Every team of the interaction that depends on another team of it.
    InteractionRecorded: async (event, { ws }) => {
      const ids = new Set(event.data.teamIds);
      const subjects: string[] = [];
      for (const teamId of event.data.teamIds) {
        const open = await ws.where(dependencies, { fromTeamId: teamId, resolvedAt: null });
        if (open.some((row) => ids.has(row.toTeamId))) subjects.push(teamId);
      }
      return subjects;
    },
    DependencyDeclared: (event) => [event.data.fromTeamId, event.data.toTeamId],
    DependencyStatusChanged: endsOf,
    DependencyResolved: endsOf,
    TeamArchived: teamAndPartners,
    TeamRenamed: teamAndPartners,
  },
  async evaluate({ ws, thresholds, at }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const needed = thresholds.statusUpdates!;
    const days = thresholds.collaborationWindowDays!;
    const start = addDays(at, -days).getTime();

    // The pairs this team holds: the teams it depends on, unless they depend on it too and have the smaller id.
    const byPartner = new Map<string, Dependency[]>();
    for (const row of await openDependencies(ws, teamId)) {
      const partner = row.fromTeamId === teamId ? row.toTeamId : row.fromTeamId;
      byPartner.set(partner, [...(byPartner.get(partner) ?? []), row]);
    }
    const findings: Finding[] = [];
    let recheckAt: Date | null = null;
    const mine = await ws.containing(interactions, 'teamIds', teamId);
    for (const [partnerId, links] of [...byPartner].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const dependent = links.some((row) => row.fromTeamId === teamId);
      const depended = links.some((row) => row.toTeamId === teamId);
      if (!dependent || (depended && partnerId < teamId)) continue;
      const partner = await ws.get(teams, { id: partnerId });
      if (!partner || partner.archivedAt) continue;

      const shared = mine.filter((row) => row.teamIds.includes(partnerId));
      const recent = shared.filter(
        (row) => row.occurredAt.getTime() > start && row.occurredAt.getTime() <= at.getTime(),
      );
      const updates = recent.filter((row) => row.kind === 'STATUS_UPDATE');
      const jointWork = recent.filter((row) => row.kind === 'JOINT_WORK');
      // Interactions dated a little ahead enter the window later.
      const enters = shared.filter((row) => row.occurredAt.getTime() > at.getTime()).map((row) => row.occurredAt);
      const leaves = updates.length >= needed ? recent.map((row) => addDays(row.occurredAt, days)) : [];
      recheckAt = nextAfter(at, recheckAt, ...enters, ...leaves);
      if (updates.length < needed || jointWork.length > 0) continue;

      const blocking = links.some((row) => row.status === 'BLOCKING');
      findings.push({
        cause: partnerId,
        severity: blocking ? 'HIGH' : 'MEDIUM',
        message: `${subject.name} and ${partner.name} share an open dependency${blocking ? ' that is blocking' : ''} and exchanged ${updates.length} status updates but did no joint work in the last ${days} days.`,
        evidence: positions(...updates.map((row) => row.position), ...links.map((row) => row.position)),
        teamIds: [partnerId],
      });
    }
    return { findings, recheckAt };
  },
});
