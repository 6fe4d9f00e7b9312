// MISSING_CONTEXT: over 30 % of a team's handoffs in 30 days not reviewed with
// engineering (DOMAIN.md), however few handoffs there are; exactly 30 % is not over.
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { recordHandoff } from '../../src/collaboration/collaboration.ts';
import { ValidationError } from '../../src/errors.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { team, useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'MISSING_CONTEXT';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

const handoff = (org: Commands, teamId: string, title: string, reviewed: boolean, occurredAt?: Date) =>
  org.run(
    recordHandoff,
    { teamId, title, reviewedWithEngineering: reviewed, reviewedWithProduct: true },
    occurredAt ? { occurredAt } : {},
  );

describe('MISSING_CONTEXT', () => {
  it('is raised when over 30 % of the handoffs were not reviewed with engineering, however few', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await handoff(org, payments, 'Checkout redesign', true);
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const refunds = await handoff(org, payments, 'Refund flow', false); // 1 of 2: 50 %

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      severity: 'MEDIUM',
      message:
        'Payments had 1 of 2 handoffs in the last 30 days not reviewed with engineering (50%, over 30%): Refund flow.',
      evidence: positionsOf(refunds),
      teamIds: [payments],
    });
    expect(signal!.raisedAt).toEqual(refunds.events[0]!.occurredAt);

    await handoff(org, payments, 'Invoices', true); // 1 of 3: 33 %, still over
    expect(await openOn(db, org, KIND, payments)).toEqual([
      expect.objectContaining({
        id: signal!.id,
        message:
          'Payments had 1 of 3 handoffs in the last 30 days not reviewed with engineering (33%, over 30%): Refund flow.',
      }),
    ]);
    await handoff(org, payments, 'Receipts', true); // 1 of 4: 25 %
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED' });
  });

  it('counts a single unreviewed handoff as 100 %', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const refunds = await handoff(org, payments, 'Refund flow', false);
    expect(await openOn(db, org, KIND, payments)).toEqual([
      expect.objectContaining({
        severity: 'HIGH',
        message:
          'Payments had 1 of 1 handoffs in the last 30 days not reviewed with engineering (100%, over 30%): Refund flow.',
        evidence: positionsOf(refunds),
      }),
    ]);
  });

  it('is not raised at exactly the threshold, and is just over it', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    for (let i = 1; i <= 7; i++) await handoff(org, payments, `Reviewed ${i}`, true);
    for (let i = 1; i <= 3; i++) await handoff(org, payments, `Unreviewed ${i}`, false);
    expect(await openOn(db, org, KIND, payments)).toEqual([]); // 3 of 10: exactly 30 %
    await handoff(org, payments, 'Unreviewed 4', false); // 4 of 11: 36 %
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);

    // 7 of 25 is exactly 28 %, though 7 / 25 × 100 is 28.000000000000004 in floating point.
    const checkout = await team(org, 'Checkout');
    for (let i = 1; i <= 18; i++) await handoff(org, checkout, `Reviewed ${i}`, true);
    for (let i = 1; i <= 7; i++) await handoff(org, checkout, `Unreviewed ${i}`, false);
    await org.run(setFrictionThresholds, { thresholds: { unreviewedHandoffPercent: 28 } });
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { unreviewedHandoffPercent: 27.9 } });
    expect(await openOn(db, org, KIND, checkout)).toEqual([
      expect.objectContaining({
        severity: 'MEDIUM',
        message: expect.stringContaining(
          '7 of 25 handoffs in the last 30 days not reviewed with engineering (28%, over 27.9%)',
        ),
      }),
    ]);
    // HIGH from exactly twice the threshold.
    await org.run(setFrictionThresholds, { thresholds: { unreviewedHandoffPercent: 14.1 } });
    expect((await openOn(db, org, KIND, checkout))[0]!.severity).toBe('MEDIUM');
    await org.run(setFrictionThresholds, { thresholds: { unreviewedHandoffPercent: 14 } });
    expect((await openOn(db, org, KIND, checkout))[0]!.severity).toBe('HIGH');
  });

  it('is HIGH from twice the threshold and lists the unreviewed handoffs', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const refunds = await handoff(org, payments, 'Refund flow', false);
    await handoff(org, payments, 'Checkout redesign', true);
    const chargebacks = await handoff(org, payments, 'Chargebacks', false);
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      severity: 'HIGH',
      message:
        'Payments had 2 of 3 handoffs in the last 30 days not reviewed with engineering (67%, over 30%): Chargebacks, Refund flow.',
      evidence: [...positionsOf(refunds), ...positionsOf(chargebacks)],
    });
  });

  it('resolves when the unreviewed handoffs leave the 30-day window', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const old = daysAgo(25);
    await handoff(org, payments, 'Refund flow', false, old);
    await handoff(org, payments, 'Checkout redesign', true, daysAgo(10));
    await handoff(org, payments, 'Invoices', true, daysAgo(10));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal!.severity).toBe('MEDIUM');

    await fireTimersAt(db, org, new Date());
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await fireTimersAt(db, org, new Date(Date.now() + 6 * DAY_MS));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved!.resolvedAt).toEqual(new Date(old.getTime() + 30 * DAY_MS));
  });

  it('is raised when reviewed handoffs leave the window', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const old = daysAgo(28);
    await handoff(org, payments, 'Checkout redesign', true, old);
    const refunds = await handoff(org, payments, 'Refund flow', false, daysAgo(10));
    await handoff(org, payments, 'Invoices', true, daysAgo(10));
    await handoff(org, payments, 'Receipts', true, daysAgo(10));
    expect(await openOn(db, org, KIND, payments)).toEqual([]); // 1 of 4

    await fireTimersAt(db, org, new Date(Date.now() + 3 * DAY_MS));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      message:
        'Payments had 1 of 3 handoffs in the last 30 days not reviewed with engineering (33%, over 30%): Refund flow.',
      evidence: positionsOf(refunds),
      raisedAt: new Date(old.getTime() + 30 * DAY_MS),
    });
  });

  it('follows the organization’s thresholds, re-evaluating when they change', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await handoff(org, payments, 'Refund flow', false, daysAgo(10));
    await handoff(org, payments, 'Checkout redesign', true, daysAgo(10));
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1); // 1 of 2: 50 %
    await org.run(setFrictionThresholds, { thresholds: { unreviewedHandoffPercent: 50 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { unreviewedHandoffPercent: null } });
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await org.run(setFrictionThresholds, { thresholds: { handoffWindowDays: 7 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('has no minimum number of handoffs to set', async () => {
    const org = await newOrganization(db);
    await expect(org.run(setFrictionThresholds, { thresholds: { handoffMinimum: 2 } })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });

  it('resolves when the team is archived', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    for (const title of ['Refund flow', 'Chargebacks', 'Invoices']) await handoff(org, payments, title, false);
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });
});
