// MISSED_DEPENDENCY: an open dependency discovered late, BLOCKING for
// `blockingDays` days, or on an archived team (DOMAIN.md).
//
// The signal is on the dependent team (the dependency's `fromTeamId`), one per
// open (unresolved) dependency: cause = the dependency id, teamIds = [the team
// depended on]. One finding names every reason that holds, in a fixed order
// (discovered late, blocking, archived); its severity is the highest of them:
// discovered late MEDIUM, blocking past the threshold HIGH, on an archived team HIGH.
// "Blocking for N days" counts from the dependency's statusSince (when it became
// BLOCKING); a timer looks again when a BLOCKING dependency reaches the threshold.
// Evidence: the dependency's latest event, and the archiving of the team it is on.
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { dependencies, teams } from '../../tables.ts';
import { addDays, defineRule, type Finding, type FrictionSeverity, nextAfter, positions } from '../rule.ts';

type RuleLookup = { ws: WorkingSet };

const fromTeamOf = async (event: { data: { dependencyId: string } }, { ws }: RuleLookup) => {
  const dependency = await ws.get(dependencies, { id: event.data.dependencyId });
  return dependency ? [dependency.fromTeamId] : [];
};

/** The team itself, and the dependents of its open dependencies (their messages name it or its state). */
const teamAndDependents = async (event: { data: { teamId: string } }, { ws }: RuleLookup) => [
  event.data.teamId,
  ...(await ws.where(dependencies, { toTeamId: event.data.teamId, resolvedAt: null })).map((row) => row.fromTeamId),
];

const date = (value: Date) => value.toISOString().slice(0, 10);

export const missedDependency = defineRule({
  kind: 'MISSED_DEPENDENCY',
  subjectKind: 'TEAM',
  description:
    'An open dependency of a team that was discovered late, has been blocking for too long, or is on an archived team.',
  thresholds: {
    blockingDays: {
      description: 'How many days an open dependency may stay BLOCKING.',
      default: 14,
      min: 1,
      max: 365,
    },
  },
  affects: {
    DependencyDeclared: (event) => [event.data.fromTeamId],
    DependencyStatusChanged: fromTeamOf,
    DependencyResolved: fromTeamOf,
    TeamArchived: teamAndDependents,
    TeamRenamed: teamAndDependents,
  },
  async evaluate({ ws, thresholds, at }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const days = thresholds.blockingDays!;
    const findings: Finding[] = [];
    let recheckAt: Date | null = null;
    const open = (await ws.where(dependencies, { fromTeamId: teamId, resolvedAt: null })).sort((a, b) =>
      a.id < b.id ? -1 : 1,
    );
    await ws.preload(
      teams,
      'id',
      open.map((dependency) => dependency.toTeamId),
    );
    for (const dependency of open) {
      const other = await ws.get(teams, { id: dependency.toTeamId });
      const otherName = other?.name ?? 'an unknown team';
      const reasons: string[] = [];
      let severity: FrictionSeverity = 'LOW';
      if (dependency.discoveredLate) {
        reasons.push('it was discovered late');
        severity = 'MEDIUM';
      }
      if (dependency.status === 'BLOCKING') {
        const due = addDays(dependency.statusSince, days);
        if (due.getTime() <= at.getTime()) {
          reasons.push(`it has been blocking since ${date(dependency.statusSince)}, over ${days} days`);
          severity = 'HIGH';
        } else {
          recheckAt = nextAfter(at, recheckAt, due);
        }
      }
      if (other?.archivedAt) {
        reasons.push(`${other.name} is archived`);
        severity = 'HIGH';
      }
      if (reasons.length === 0) continue;
      const what = dependency.description ? ` (${dependency.description})` : '';
      findings.push({
        cause: dependency.id,
        severity,
        message: `${subject.name} depends on ${otherName}${what}: ${reasons.join('; ')}.`,
        evidence: positions(dependency.position, other?.archivedAt ? other.position : null),
        teamIds: [dependency.toTeamId],
      });
    }
    return { findings, recheckAt };
  },
});
