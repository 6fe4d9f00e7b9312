// FINGER_POINTING: us-versus-them wording in norms, revisit notes or handoff
// comments (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { fingerPointingPhrases } from '../../projections/friction/rules/fingerPointing.ts';
import { draftAgreement, ratifyAgreement, revisitAgreement } from '../../src/agreements/agreements.ts';
import { recordHandoff } from '../../src/collaboration/collaboration.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { member, team, useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'FINGER_POINTING';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const date = (value: Date) => value.toISOString().slice(0, 10);
const later = (value: Date, days: number) => new Date(value.getTime() + days * DAY_MS);

const handoff = (org: Commands, teamId: string, title: string, comment: string, occurredAt?: Date) =>
  org.run(
    recordHandoff,
    { teamId, title, reviewedWithEngineering: true, reviewedWithProduct: true, comment },
    occurredAt ? { occurredAt } : {},
  );

describe('FINGER_POINTING', () => {
  it('finds the phrases case-insensitively on word boundaries, and not negated blame', () => {
    expect(fingerPointingPhrases('It was THEIR  fault, not our problem.')).toEqual(['THEIR fault', 'not our problem']);
    expect(fingerPointingPhrases('Us vs. them again; they always\nship late')).toEqual(['Us vs. them', 'they always']);
    expect(fingerPointingPhrases('They blamed QA; blame!')).toEqual(['blamed', 'blame']);
    expect(fingerPointingPhrases('Blameless retros, no blame, we don’t blame people, blame-free, theyalways')).toEqual(
      [],
    );
    expect(fingerPointingPhrases(null)).toEqual([]);
  });

  it('is raised for a handoff comment in the window, quoting it, and resolved when it leaves the window', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await handoff(org, payments, 'Old news', 'Their fault, as usual.', daysAgo(40)); // before the window
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    const recordedAt = daysAgo(25);
    const recorded = await handoff(org, payments, 'Checkout', 'Broke again: their fault, not our problem.', recordedAt);
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      severity: 'LOW',
      message: `Payments uses us-versus-them wording: "their fault", "not our problem" in the comment on the handoff "Checkout" (${date(recordedAt)}).`,
      evidence: positionsOf(recorded),
      teamIds: [payments],
    });

    await fireTimersAt(db, org, later(recordedAt, 29.9));
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await fireTimersAt(db, org, later(recordedAt, 30.1));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: later(recordedAt, 30) });
  });

  it('reads the ratified norms, a pending draft’s norms and revisit notes, HIGH from three places', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', norms: 'Blameless retros. No blame.' });
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', norms: 'Ops tickets are not our job.' });
    const ratified = await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] });
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      severity: 'MEDIUM', // the norms in force
      message: 'Payments uses us-versus-them wording: "not our job" in the norms of its working agreement (version 2).',
      evidence: positionsOf(ratified),
    });

    const revisit = await org.run(revisitAgreement, { teamId: payments, notes: 'Platform: they always ship late.' });
    const drafted = await org.run(draftAgreement, {
      teamId: payments,
      mission: 'Take money',
      norms: 'When in doubt, blame the platform team.',
    });
    const revisitedAt = revisit.events[0]!.occurredAt;
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      id: signal!.id,
      severity: 'HIGH',
      message: `Payments uses us-versus-them wording: "not our job" in the norms of its working agreement (version 2); "blame" in the norms of its draft agreement (version 3); "they always" in the notes of its revisit of ${date(revisitedAt)}.`,
      // The revisit is the ratified agreement's latest event.
      evidence: [...positionsOf(revisit), ...positionsOf(drafted)],
    });

    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', norms: 'We own our outcomes.' });
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] });
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      severity: 'LOW',
      message: `Payments uses us-versus-them wording: "they always" in the notes of its revisit of ${date(revisitedAt)}.`,
    });

    await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('follows the organization’s window, re-evaluating when it changes', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await handoff(org, payments, 'Checkout', 'Classic us versus them.', daysAgo(20));
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);

    await org.run(setFrictionThresholds, { thresholds: { fingerPointingWindowDays: 10 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { fingerPointingWindowDays: null } });
    expect((await openOn(db, org, KIND, payments))[0]!.message).toMatch(/"us versus them" in the comment/);
  });
});
