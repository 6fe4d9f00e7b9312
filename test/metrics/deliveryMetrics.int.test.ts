// Given/when/then for delivery metrics: observations per team over time.
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { eventCount, rejection, rows, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

describe('recording delivery metrics', () => {
  it('keeps each observation, with the measures not given as null, at its org time', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const day = (d: number) => new Date(Date.UTC(2026, 9, d));

    const recorded = await org.run(
      recordDeliveryMetrics,
      { teamId: payments, leadTimeHours: 36.5, buildTimeMinutes: 12, incidents: 2, deploymentsPerWeek: 4.5 },
      { occurredAt: day(1) },
    );
    expect(recorded.result).toEqual({ teamId: payments });
    expect(recorded.events.map((e) => [e.type, e.data])).toEqual([
      [
        'DeliveryMetricsRecorded',
        {
          teamId: payments,
          leadTimeHours: 36.5,
          buildTimeMinutes: 12,
          incidents: 2,
          deploymentsPerWeek: 4.5,
          productivityPulse: null,
        },
      ],
    ]);
    await org.run(recordDeliveryMetrics, { teamId: payments, productivityPulse: 2 }, { occurredAt: day(8) });
    await org.run(recordDeliveryMetrics, { teamId: payments, incidents: 0 }, { occurredAt: day(15) });

    expect(
      await rows(
        db,
        `SELECT lead_time_hours, build_time_minutes, incidents, deployments_per_week, productivity_pulse, observed_at
         FROM delivery_metrics WHERE team_id = $1 ORDER BY observed_at`,
        [payments],
      ),
    ).toEqual([
      {
        lead_time_hours: 36.5,
        build_time_minutes: 12,
        incidents: 2,
        deployments_per_week: 4.5,
        productivity_pulse: null,
        observed_at: day(1),
      },
      {
        lead_time_hours: null,
        build_time_minutes: null,
        incidents: null,
        deployments_per_week: null,
        productivity_pulse: 2,
        observed_at: day(8),
      },
      {
        lead_time_hours: null,
        build_time_minutes: null,
        incidents: 0,
        deployments_per_week: null,
        productivity_pulse: null,
        observed_at: day(15),
      },
    ]);
    expect(await rows(db, 'SELECT version FROM teams WHERE id = $1', [payments])).toEqual([{ version: 4 }]);
  });
});

describe('rejections write nothing', () => {
  it('no measure at all, or one out of range', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const before = await eventCount(db);
    for (const measures of [
      {},
      { leadTimeHours: null },
      { productivityPulse: 0 },
      { productivityPulse: 6 },
      { productivityPulse: 3.5 },
      { incidents: -1 },
      { incidents: 1.5 },
      { leadTimeHours: -2 },
      { buildTimeMinutes: 'fast' },
    ]) {
      expect(await rejection(() => org.run(recordDeliveryMetrics, { teamId: payments, ...measures }))).toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await eventCount(db)).toBe(before);
  });

  it('a team of another organization is not found; an archived team is a conflict', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const theirs = await team(other, 'Payments');
    const archived = await team(org, 'Legacy');
    await org.run(archiveTeam, { teamId: archived });
    const before = await eventCount(db);
    expect(await rejection(() => org.run(recordDeliveryMetrics, { teamId: theirs, incidents: 1 }))).toBeInstanceOf(
      NotFoundError,
    );
    expect(await rejection(() => org.run(recordDeliveryMetrics, { teamId: archived, incidents: 1 }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await eventCount(db)).toBe(before);
  });
});
