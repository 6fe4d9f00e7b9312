// DELIVERY_DEGRADING: lead time, build time or incidents worse by 20 %+ across
// a team's last 3 observations (DOMAIN.md): the latest of the three against the
// first, whatever lies between; exactly +20 % counts.
import { describe, expect, it } from 'vitest';
import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { day, team, useTestDatabase } from '../support/fixtures.ts';
import { openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'DELIVERY_DEGRADING';

type Observation = { leadTimeHours?: number; buildTimeMinutes?: number; incidents?: number };

const observe = (org: Commands, teamId: string, observation: Observation, occurredAt?: Date) =>
  org.run(recordDeliveryMetrics, { teamId, ...observation }, occurredAt ? { occurredAt } : {});

describe('DELIVERY_DEGRADING', () => {
  it('is raised when a metric gets 20 % worse across the last 3 observations, with them as evidence', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const first = await observe(org, payments, { leadTimeHours: 10 });
    const second = await observe(org, payments, { leadTimeHours: 11 });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const third = await observe(org, payments, { leadTimeHours: 12 });

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      severity: 'MEDIUM',
      message: 'Payments delivers worse over its last 3 observations, by 20% or more: lead time 10 → 11 → 12 h (+20%).',
      evidence: [...positionsOf(first), ...positionsOf(second), ...positionsOf(third)],
      teamIds: [payments],
    });
    expect(signal!.raisedAt).toEqual(third.events[0]!.occurredAt);

    // The window moves on: 11 → 12 → 12.5 is less than 20 % worse.
    const fourth = await observe(org, payments, { leadTimeHours: 12.5 });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: fourth.events[0]!.occurredAt });
  });

  it('compares the latest of the last 3 with the first, whatever lies between', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const first = await observe(org, payments, { buildTimeMinutes: 10 });
    const better = await observe(org, payments, { buildTimeMinutes: 8 });
    const latest = await observe(org, payments, { buildTimeMinutes: 13 }); // 13 ≥ 10 × 1.2

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      message:
        'Payments delivers worse over its last 3 observations, by 20% or more: build time 10 → 8 → 13 min (+30%).',
      evidence: [first, better, latest].flatMap(positionsOf),
    });
    expect(signal!.raisedAt).toEqual(latest.events[0]!.occurredAt);

    // The next observation brings it back: 8 → 13 → 9 is not worse than 8 by 20 %.
    const back = await observe(org, payments, { buildTimeMinutes: 9 });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: back.events[0]!.occurredAt });
  });

  it('counts exactly +20 % (in decimals, not floating point), and not just under it', async () => {
    const org = await newOrganization(db);
    const exactly = await team(org, 'Payments');
    for (const leadTimeHours of [8.5, 9, 10.2]) await observe(org, exactly, { leadTimeHours });
    expect((await openOn(db, org, KIND, exactly))[0]!.message).toBe(
      'Payments delivers worse over its last 3 observations, by 20% or more: lead time 8.5 → 9 → 10.2 h (+20%).',
    );
    const small = await team(org, 'Checkout');
    for (const buildTimeMinutes of [1, 1.1, 1.2]) await observe(org, small, { buildTimeMinutes });
    expect(await openOn(db, org, KIND, small)).toHaveLength(1);

    const under = await team(org, 'Search');
    for (const leadTimeHours of [8.5, 9, 10.19]) await observe(org, under, { leadTimeHours });
    for (const incidents of [5, 7, 5]) await observe(org, under, { incidents });
    expect(await openOn(db, org, KIND, under)).toEqual([]);
    await observe(org, under, { incidents: 6 }); // 7 → 5 → 6: better than the first
    expect(await openOn(db, org, KIND, under)).toEqual([]);
    await observe(org, under, { incidents: 6 }); // 5 → 6 → 6: exactly +20 %
    expect((await openOn(db, org, KIND, under))[0]!.message).toBe(
      'Search delivers worse over its last 3 observations, by 20% or more: incidents 5 → 6 → 6 (+20%).',
    );
  });

  it('looks at each metric in the observations that report it, and is HIGH for two or more', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const a = await observe(org, payments, { buildTimeMinutes: 10, incidents: 0 });
    const b = await observe(org, payments, { leadTimeHours: 40, incidents: 1 });
    const c = await observe(org, payments, { buildTimeMinutes: 12, leadTimeHours: 30 });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const d = await observe(org, payments, { buildTimeMinutes: 12.5, incidents: 1 });

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      severity: 'HIGH',
      message:
        'Payments delivers worse over its last 3 observations, by 20% or more: build time 10 → 12 → 12.5 min (+25%); incidents 0 → 1 → 1 (up from 0).',
      evidence: [a, b, c, d].flatMap(positionsOf),
    });

    // Incidents back to 0: 1 → 1 → 0 is not worse; one metric is left.
    await observe(org, payments, { incidents: 0 });
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({ id: signal!.id, severity: 'MEDIUM' });
  });

  it('orders observations by when they were observed', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const latest = await observe(org, payments, { incidents: 5 });
    const first = await observe(org, payments, { incidents: 2 }, day(1));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const second = await observe(org, payments, { incidents: 4 }, day(2));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      message: 'Payments delivers worse over its last 3 observations, by 20% or more: incidents 2 → 4 → 5 (+150%).',
      evidence: [...positionsOf(latest), ...positionsOf(first), ...positionsOf(second)],
    });
  });

  it('follows the organization’s thresholds, re-evaluating when they change', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await observe(org, payments, { leadTimeHours: 12 });
    await observe(org, payments, { leadTimeHours: 10 });
    await observe(org, payments, { leadTimeHours: 13 });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    await org.run(setFrictionThresholds, { thresholds: { degradationObservations: 2 } }); // 10 → 13: +30 %
    expect((await openOn(db, org, KIND, payments))[0]!.message).toBe(
      'Payments delivers worse over its last 2 observations, by 20% or more: lead time 10 → 13 h (+30%).',
    );
    await org.run(setFrictionThresholds, { thresholds: { degradationPercent: 35 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { degradationPercent: 30 } });
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await org.run(setFrictionThresholds, { thresholds: { degradationObservations: null } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('names the team as it is now, and resolves when the team is archived', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    for (const incidents of [1, 2, 3]) await observe(org, payments, { incidents });
    await org.run(renameTeam, { teamId: payments, name: 'Checkout' });
    expect((await openOn(db, org, KIND, payments))[0]!.message).toMatch(/^Checkout delivers worse/);
    await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });
});
