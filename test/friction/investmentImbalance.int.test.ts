// INVESTMENT_IMBALANCE: a team's actual investment mix above the features or
// technical ceiling of its growth phase, or off its plan (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { planInvestmentMix, reportInvestmentMix } from '../../src/investment/investment.ts';
import { changeGrowthPhase, setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { team, useTestDatabase } from '../support/fixtures.ts';
import { openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'INVESTMENT_IMBALANCE';

/** A mix with `features` and the rest split between tech debt, runway and developer experience. */
const mix = (period: string, features: number, techDebt = 100 - features, runway = 0, developerExperience = 0) => ({
  period,
  features,
  techDebt,
  runway,
  developerExperience,
});

const report = (org: Commands, teamId: string, shares: ReturnType<typeof mix>) =>
  org.run(reportInvestmentMix, { teamId, ...shares });
const plan = (org: Commands, teamId: string, shares: ReturnType<typeof mix>) =>
  org.run(planInvestmentMix, { teamId, ...shares });

const causes = async (org: Commands, teamId: string) =>
  (await openOn(db, org, KIND, teamId)).map((signal) => signal.cause).sort();

describe('INVESTMENT_IMBALANCE', () => {
  it('is raised (FEATURES_HEAVY) when features are over the phase ceiling for 2 periods in a row', async () => {
    const org = await newOrganization(db); // HYPERGROWTH: features ceiling 70 %
    const payments = await team(org, 'Payments');
    const third = await report(org, payments, mix('2026-Q3', 75));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const fourth = await report(org, payments, mix('2026-Q4', 80));

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      cause: 'FEATURES_HEAVY',
      severity: 'MEDIUM',
      message: 'Payments spent over 70% of its effort on features for 2 periods in a row (2026-Q3 75%, 2026-Q4 80%).',
      evidence: [...positionsOf(third), ...positionsOf(fourth)],
      teamIds: [payments],
    });
    expect(signal!.raisedAt).toEqual(fourth.events[0]!.occurredAt);

    // A later period back under the ceiling ends the run.
    const next = await report(org, payments, mix('2027-Q1', 70));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: next.events[0]!.occurredAt });
  });

  it('needs calendar-consecutive periods of one granularity, ending with the latest', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await report(org, payments, mix('2026-Q1', 90));
    await report(org, payments, mix('2026-Q3', 90)); // Q2 is missing: no run
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    // The latest period is now a month: only months make the run.
    const october = await report(org, payments, mix('2026-10', 85));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const november = await report(org, payments, mix('2026-11', 86));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: 'FEATURES_HEAVY',
      severity: 'HIGH', // 15+ points over the ceiling
      message: 'Payments spent over 70% of its effort on features for 2 periods in a row (2026-10 85%, 2026-11 86%).',
      evidence: [...positionsOf(october), ...positionsOf(november)],
    });

    // Restating the latest period's mix counts as its mix.
    await report(org, payments, mix('2026-11', 60));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('is raised (OVER_ENGINEERING) when the technical share of the latest period is over the phase ceiling', async () => {
    const org = await newOrganization(db); // HYPERGROWTH: technical ceiling 45 %
    const payments = await team(org, 'Payments');
    const latest = await report(org, payments, mix('2026-Q4', 50, 20, 20, 10));
    await report(org, payments, mix('2026-Q3', 20, 30, 30, 20)); // reported later, but an earlier period

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: 'OVER_ENGINEERING',
      severity: 'MEDIUM',
      message:
        'Payments spent 50% of its effort on technical work in 2026-Q4 (tech debt 20%, runway 20%, developer experience 10%), over the 45% ceiling.',
      evidence: positionsOf(latest),
    });

    await report(org, payments, mix('2026-Q4', 40, 60));
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({ id: signal!.id, severity: 'HIGH' });
    await report(org, payments, mix('2027-Q1', 55, 45));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('is raised (OFF_PLAN) when the latest actual mix is 20+ points off its plan', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const planned = await plan(org, payments, mix('2026-Q4', 50, 30, 10, 10));
    await plan(org, payments, mix('2027-Q1', 10, 90)); // another period's plan does not count
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const actual = await report(org, payments, mix('2026-Q4', 70, 10, 10, 10));

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: 'OFF_PLAN',
      severity: 'LOW',
      message:
        'Payments is off its 2026-Q4 plan by up to 20 points: features 70% (planned 50%), tech debt 10% (planned 30%).',
      evidence: [...positionsOf(planned), ...positionsOf(actual)],
    });

    // Re-planning the period to what happened resolves it.
    await plan(org, payments, mix('2026-Q4', 65, 15, 10, 10));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await plan(org, payments, mix('2026-Q4', 30, 50, 10, 10));
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({ cause: 'OFF_PLAN', severity: 'HIGH' });
  });

  it('raises one signal per cause when several hold at once', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await plan(org, payments, mix('2026-Q4', 40, 60));
    await report(org, payments, mix('2026-Q3', 20, 80));
    await report(org, payments, mix('2026-Q4', 75, 25));
    expect(await causes(org, payments)).toEqual(['OFF_PLAN']);
    await report(org, payments, mix('2026-Q3', 75, 25));
    expect(await causes(org, payments)).toEqual(['FEATURES_HEAVY', 'OFF_PLAN']);
    await report(org, payments, mix('2026-Q4', 10, 90));
    expect(await causes(org, payments)).toEqual(['OFF_PLAN', 'OVER_ENGINEERING']);
  });

  it('follows the growth phase', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    await report(org, payments, mix('2026-Q3', 75));
    await report(org, payments, mix('2026-Q4', 75));
    await report(org, search, mix('2026-Q4', 60, 10, 20, 10));
    expect(await causes(org, payments)).toEqual(['FEATURES_HEAVY']);
    expect(await causes(org, search)).toEqual([]);

    await org.run(changeGrowthPhase, { phase: 'GETTING_TRACTION' }); // features 80 %, technical 35 %
    expect(await causes(org, payments)).toEqual([]);
    const [signal] = await openOn(db, org, KIND, search);
    expect(signal).toMatchObject({
      cause: 'OVER_ENGINEERING',
      severity: 'MEDIUM',
      message:
        'Search spent 40% of its effort on technical work in 2026-Q4 (tech debt 10%, runway 20%, developer experience 10%), over the 35% ceiling.',
    });

    await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' }); // features 60 %, technical 55 %
    expect(await causes(org, payments)).toEqual(['FEATURES_HEAVY']);
    expect(await causes(org, search)).toEqual([]);
  });

  it('follows the organization’s thresholds, re-evaluating when they change', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await plan(org, payments, mix('2026-Q4', 50, 50));
    await report(org, payments, mix('2026-Q3', 75));
    await report(org, payments, mix('2026-Q4', 72, 28));
    expect(await causes(org, payments)).toEqual(['FEATURES_HEAVY', 'OFF_PLAN']);

    await org.run(setFrictionThresholds, { thresholds: { featuresCeilingPeriods: 3, planDeviationPoints: 25 } });
    expect(await causes(org, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { featuresCeilingPeriods: null, featuresCeilingPercent: 72 } });
    expect(await causes(org, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { technicalCeilingPercent: 20 } });
    expect(await causes(org, payments)).toEqual(['OVER_ENGINEERING']);
    await org.run(setFrictionThresholds, {
      thresholds: { featuresCeilingPercent: null, technicalCeilingPercent: null, planDeviationPoints: null },
    });
    expect(await causes(org, payments)).toEqual(['FEATURES_HEAVY', 'OFF_PLAN']);
  });

  it('resolves when the team is archived', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await report(org, payments, mix('2026-Q3', 90));
    await report(org, payments, mix('2026-Q4', 90));
    expect(await causes(org, payments)).toEqual(['FEATURES_HEAVY']);
    await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });
});
