// STALE_AGREEMENT ("working agreement as wallpaper"): a team with members but
// no ratified agreement after 30 days, or no revisit for 90 days (DOMAIN.md).
//
// Only active (not archived) teams with at least one current member are judged.
// "Members since": the start of the team's current unbroken stretch with
// members (its membership intervals merged; a role or allocation change does
// not break it, a moment with nobody does). Two causes, exclusive of each other:
// - NO_AGREEMENT: no version of the agreement is RATIFIED, `agreementGraceDays`
//   days or more after "members since". MEDIUM; HIGH from twice that. The
//   message mentions a draft awaiting ratification. Evidence: the membership
//   that started the stretch and the draft, if any.
// - NOT_REVISITED: the ratified version has not been revisited for
//   `revisitDays` days or more, counted from its latest revisit or else its
//   ratification. LOW; MEDIUM from twice that. Evidence: the agreement and its
//   latest revisit.
// Timers look again at each of those moments.
import type { Membership } from '../../../src/generated/prisma/client.ts';
import { agreementRevisits, agreements, memberships, teams } from '../../tables.ts';
import { addDays, defineRule, type Finding, type FrictionSeverity, nextAfter, positions } from '../rule.ts';

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

const date = (value: Date) => value.toISOString().slice(0, 10);

const byTime = (a: { position: bigint }, b: { position: bigint }, ta: Date, tb: Date) =>
  ta.getTime() - tb.getTime() || (a.position < b.position ? -1 : a.position > b.position ? 1 : 0);

/**
 * The membership that started the team's current stretch with members (null:
 * no current member). The stretch is the union of the intervals that reach
 * now, with every interval touching it: [S, now) grows back to the `from` of
 * any membership that ended at S or later, until none does. A pass or two over
 * the team's memberships, no sort of its history (this runs on every
 * membership change). Of memberships starting together, the one logged first
 * started it.
 */
export function stretchStart(rows: readonly Membership[]): Membership | null {
  let start: Membership | null = null;
  const earlier = (row: Membership) => (!start || byTime(row, start, row.from, start.from) < 0 ? row : start);
  for (const row of rows) if (row.to === null) start = earlier(row);
  // Newest first: rows come in log order, so a chain of memberships (a member
  // whose allocation changed, each change ending one and starting the next)
  // is walked back in one pass, not one pass per link.
  for (let grown = start !== null; grown; ) {
    grown = false;
    for (let index = rows.length - 1; index >= 0; index--) {
      const row = rows[index]!;
      if (row.to === null || row.to.getTime() < start!.from.getTime()) continue;
      const before = start;
      start = earlier(row);
      if (start !== before) grown = true;
    }
  }
  return start;
}

export const staleAgreement = defineRule({
  kind: 'STALE_AGREEMENT',
  subjectKind: 'TEAM',
  description: 'A team with members but no ratified working agreement for too long, or one not revisited for too long.',
  thresholds: {
    agreementGraceDays: {
      description: 'How many days a team with members may go without a ratified working agreement.',
      default: 30,
      min: 1,
      max: 365,
    },
    revisitDays: {
      description: 'How many days a ratified working agreement may go without a revisit.',
      default: 90,
      min: 1,
      max: 3_650,
    },
  },
  affects: {
    TeamMemberAdded: team,
    // A role or allocation change that is the membership's latest (it starts
    // the current period) ends one period where the next starts: the stretch
    // and the membership that started it stay. One back-dated behind an
    // earlier change can start the membership earlier, and so the stretch.
    MembershipChanged: async (event, { ws, withOpenSignal }) => {
      const { teamId, personId } = event.data;
      const current = await ws.where(memberships, { teamId, personId, to: null });
      return current.some((row) => row.position === event.position) ? withOpenSignal([teamId]) : [teamId];
    },
    TeamMemberRemoved: team,
    AgreementDrafted: team,
    AgreementRatified: team,
    AgreementRevisited: team,
    TeamArchived: team,
    TeamRenamed: team,
  },
  async evaluate({ ws, thresholds, at }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const start = stretchStart(await ws.where(memberships, { teamId }));
    if (!start) return { findings: [] };
    const versions = await ws.where(agreements, { teamId });
    const latest = (status: string) =>
      versions.filter((row) => row.status === status).sort((a, b) => b.version - a.version)[0];
    const ratified = latest('RATIFIED');

    let cause: string;
    let since: Date;
    let days: number;
    let describe: (days: number) => string;
    let evidence: bigint[];
    let severities: [FrictionSeverity, FrictionSeverity];
    if (!ratified) {
      const draft = latest('DRAFT');
      cause = 'NO_AGREEMENT';
      since = start.from;
      days = thresholds.agreementGraceDays!;
      severities = ['MEDIUM', 'HIGH'];
      const awaiting = draft ? `; a draft (version ${draft.version}) awaits ratification` : '';
      describe = (n) =>
        `${subject.name} has had members since ${date(since)} but no ratified working agreement for at least ${n} days${awaiting}.`;
      evidence = positions(start.position, draft?.position);
    } else {
      const revisits = (await ws.where(agreementRevisits, { teamId }))
        .filter((row) => row.version === ratified.version)
        .sort((a, b) => byTime(a, b, a.occurredAt, b.occurredAt));
      const revisit = revisits.at(-1);
      const ratifiedAt = ratified.ratifiedAt ?? ratified.draftedAt;
      const revisited = revisit && revisit.occurredAt.getTime() > ratifiedAt.getTime() ? revisit : undefined;
      cause = 'NOT_REVISITED';
      since = revisited?.occurredAt ?? ratifiedAt;
      days = thresholds.revisitDays!;
      severities = ['LOW', 'MEDIUM'];
      const what = `its working agreement (version ${ratified.version})`;
      describe = (n) =>
        revisited
          ? `${subject.name} has not revisited ${what} since ${date(since)}, for at least ${n} days.`
          : `${subject.name} has not revisited ${what} since it was ratified on ${date(since)}, for at least ${n} days.`;
      evidence = positions(ratified.position, revisited?.position);
    }

    const due = addDays(since, days);
    const high = addDays(since, 2 * days);
    if (at.getTime() < due.getTime()) return { findings: [], recheckAt: nextAfter(at, due) };
    const severe = at.getTime() >= high.getTime();
    const finding: Finding = {
      cause,
      severity: severe ? severities[1] : severities[0],
      message: describe(severe ? 2 * days : days),
      evidence,
    };
    return { findings: [finding], recheckAt: nextAfter(at, high) };
  },
});
