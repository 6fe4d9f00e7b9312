// MISSING_CONTEXT ("engineers stuck without product context"): over 30 % of a
// team's handoffs in the last 30 days not reviewed with engineering (DOMAIN.md).
//
// The window is (at − handoffWindowDays, at] over the handoffs' occurredAt.
// The share of handoffs in it not reviewed with engineering must be over
// `unreviewedHandoffPercent`, however few they are (DOMAIN.md sets no minimum:
// one unreviewed handoff of one is 100 %). Exactly the threshold is not over
// it: the share is compared exactly (unreviewed × 100 > percent × handoffs),
// never as a rounded fraction.
// Severity: MEDIUM, HIGH from twice the threshold (capped at 100 %).
// Evidence: the unreviewed handoffs in the window. While the window holds an
// unreviewed handoff, a timer looks again when the oldest handoff leaves it.
import { handoffs, teams } from '../../tables.ts';
import { addDays, compareProducts, defineRule, nextAfter, positions } from '../rule.ts';

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

    // unreviewed / recent > limit %, and ≥ twice that (or all of them) for HIGH.
    if (compareProducts([unreviewed.length, 100], [limit, recent.length]) <= 0) return { findings: [], recheckAt };
    const high =
      limit * 2 >= 100
        ? unreviewed.length === recent.length
        : compareProducts([unreviewed.length, 50], [limit, recent.length]) >= 0;
    const share = Math.round((unreviewed.length * 100) / recent.length);
    const titles = unreviewed.map((row) => row.title).sort();
    const listed =
      titles.length > LISTED
        ? `${titles.slice(0, LISTED).join(', ')} and ${titles.length - LISTED} more`
        : titles.join(', ');
    return {
      findings: [
        {
          severity: high ? 'HIGH' : 'MEDIUM',
          message: `${subject.name} had ${unreviewed.length} of ${recent.length} handoffs in the last ${days} days not reviewed with engineering (${share}%, over ${limit}%): ${listed}.`,
          evidence: positions(...unreviewed.map((row) => row.position)),
        },
      ],
      recheckAt,
    };
  },
});
