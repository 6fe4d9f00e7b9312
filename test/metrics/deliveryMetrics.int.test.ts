// Given/when/then for delivery metrics: observations per team over time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { archiveTeam, formTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

const team = async (org: Commands, name: string) =>
  (await org.run(formTeam, { name, kind: 'STREAM_ALIGNED' })).result.teamId;
const eventCount = async () => (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
const rows = async (sql: string, values: unknown[]) => (await db.pool.query(sql, values)).rows;

async function rejection(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

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
    expect(await rows('SELECT version FROM teams WHERE id = $1', [payments])).toEqual([{ version: 4 }]);
  });
});

describe('rejections write nothing', () => {
  it('no measure at all, or one out of range', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const before = await eventCount();
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
    expect(await eventCount()).toBe(before);
  });

  it('a team of another organization is not found; an archived team is a conflict', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const theirs = await team(other, 'Payments');
    const archived = await team(org, 'Legacy');
    await org.run(archiveTeam, { teamId: archived });
    const before = await eventCount();
    expect(await rejection(() => org.run(recordDeliveryMetrics, { teamId: theirs, incidents: 1 }))).toBeInstanceOf(
      NotFoundError,
    );
    expect(await rejection(() => org.run(recordDeliveryMetrics, { teamId: archived, incidents: 1 }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await eventCount()).toBe(before);
  });
});
