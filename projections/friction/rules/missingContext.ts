// MISSING_CONTEXT ("engineers stuck without product context"): over 30 % of a
// team's handoffs in the last 30 days not reviewed with engineering (DOMAIN.md).
//
// The window is (at − handoffWindowDays, at] over the handoffs' occurredAt. A
// team needs at least `handoffMinimum` handoffs in it to be judged (one
// unreviewed handoff out of one or two says little). The share of handoffs
// not reviewed with engineering must be over `unreviewedHandoffPercent`.
// Severity: MEDIUM, HIGH from twice the threshold (capped at 100 %).
// Evidence: the unreviewed handoffs in the window. While the window holds an
// unreviewed handoff, a timer looks again when the oldest handoff leaves it.
import { handoffs, teams } from '../../tables.ts';
import { addDays, defineRule, nextAfter, positions } from '../rule.ts';

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

/** Titles listed in the message; the rest are counted. */
const LISTED = 5;

export const missingContext = defineRule({
  kind: 'MISSING_CONTEXT',
  subjectKind: 'TEAM',
  description: 'A team whose recent handoffs were too often not reviewed with engineering.',
  thresholds: {
    unreviewedHandoffPercent: {
      description: 'The largest share, in percent, of a team’s recent handoffs that may skip review with engineering.',
      default: 30,
      min: 0,
      max: 100,
    },
    handoffWindowDays: {
      description: 'How many days of handoffs are looked at.',
      default: 30,
      min: 1,
      max: 365,
    },
    handoffMinimum: {
      description: 'How many handoffs a team needs in the window before it is judged.',
      default: 3,
      min: 1,
      max: 1_000,
    },
  },
  affects: {
    HandoffRecorded: team,
    TeamArchived: team,
    TeamRenamed: team,
  },
  async evaluate({ ws, thresholds, at }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const limit = thresholds.unreviewedHandoffPercent!;
    const days = thresholds.handoffWindowDays!;
    const start = addDays(at, -days).getTime();
    const all = await ws.where(handoffs, { teamId });
    const recent = all.filter((row) => row.occurredAt.getTime() > start && row.occurredAt.getTime() <= at.getTime());
    const unreviewed = recent.filter((row) => !row.reviewedWithEngineering);
    // Handoffs that enter the window later (dated a little ahead) or leave it.
    const enters = all.filter((row) => row.occurredAt.getTime() > at.getTime()).map((row) => row.occurredAt);
    const leaves = unreviewed.length > 0 ? recent.map((row) => addDays(row.occurredAt, days)) : [];
    const recheckAt = nextAfter(at, ...enters, ...leaves);

    const share = recent.length > 0 ? (unreviewed.length / recent.length) * 100 : 0;
    if (recent.length < thresholds.handoffMinimum! || share <= limit) return { findings: [], recheckAt };
    const titles = unreviewed.map((row) => row.title).sort();
    const listed =
      titles.length > LISTED
        ? `${titles.slice(0, LISTED).join(', ')} and ${titles.length - LISTED} more`
        : titles.join(', ');
    return {
      findings: [
        {
          severity: share >= Math.min(limit * 2, 100) ? 'HIGH' : 'MEDIUM',
          message: `${subject.name} had ${unreviewed.length} of ${recent.length} handoffs in the last ${days} days not reviewed with engineering (${Math.round(share)}%, over ${limit}%): ${listed}.`,
          evidence: positions(...unreviewed.map((row) => row.position)),
        },
      ],
      recheckAt,
    };
  },
});
