// Time passing without events: the scheduler of every service process fires
// due timers against its clock, records that it did (FrictionTimersFired, so
// replays fire them in the same place), and wakes frictionSignalChanged
// followers. Two schedulers on one database do the work once.
import { describe, expect, it } from 'vitest';
import { followSignalChanges } from '../../projections/friction/feed.ts';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { fireDueTimers, startFrictionScheduler, TimerRunError } from '../../projections/friction/scheduler.ts';
import { defineResponsibility } from '../../src/responsibilities/responsibilities.ts';
import { newOrganization } from '../support/commands.ts';
import { member, team, useTestDatabase } from '../support/fixtures.ts';
import { openOn } from '../support/friction.ts';

const db = useTestDatabase();

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the friction timer scheduler', () => {
  it('raises what time alone raises, once, however many processes run it, and tells followers', async () => {
    const org = await newOrganization(db);
    const defined = await org.run(defineResponsibility, { title: 'GDPR data requests' });
    const responsibilityId = defined.result.responsibilityId;
    const due = new Date(defined.events[0]!.occurredAt.getTime() + 7 * DAY_MS);
    expect(await openOn(db, org, 'WORK_SLIPPING', responsibilityId)).toEqual([]);

    const stop = new AbortController();
    const followed = followSignalChanges(db.pool, org.store, org.organizationId, {
      kinds: ['WORK_SLIPPING'],
      signal: stop.signal,
      pollIntervalMs: 50,
    });
    const first = followed.next();

    // Eight days on, as far as these two "processes" can tell.
    const clock = () => new Date(Date.now() + 8 * DAY_MS);
    const errors: unknown[] = [];
    const schedulers = [1, 2].map(() =>
      startFrictionScheduler(db.pool, org.store, { intervalMs: 30, clock, onError: (error) => errors.push(error) }),
    );
    try {
      const [signal] = await eventually(async () => {
        const open = await openOn(db, org, 'WORK_SLIPPING', responsibilityId);
        return open.length > 0 ? open : undefined;
      });
      expect(signal).toMatchObject({ severity: 'MEDIUM', raisedAt: due });
      const change = await first;
      expect(change.value).toMatchObject({ change: 'RAISED', kind: 'WORK_SLIPPING', signalId: signal!.id });

      await new Promise((resolve) => setTimeout(resolve, 200));
      const fired = await db.pool.query(
        `SELECT metadata->>'actor' AS actor FROM events WHERE organization_id = $1 AND type = 'FrictionTimersFired'`,
        [org.organizationId],
      );
      // The 7-day timer fired once; the next one (14 days: HIGH) is not due yet.
      expect(fired.rows).toEqual([{ actor: 'friction-scheduler' }]);
      expect(errors).toEqual([]);
    } finally {
      await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
      stop.abort();
      await followed.return();
    }
  });

  it('fires the timers of every organization when one of them fails, and names the one that failed', async () => {
    const failing = await newOrganization(db);
    const healthy = await newOrganization(db);
    // Organizations are visited in id order: the failing one comes first.
    expect(failing.organizationId < healthy.organizationId).toBe(true);
    await failing.run(defineResponsibility, { title: 'Broken' });
    const defined = await healthy.run(defineResponsibility, { title: 'GDPR data requests' });
    // The first organization's appends fail in the database (as a damaged row or a full disk would).
    await db.pool.query(
      `CREATE FUNCTION refuse_events() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
       CREATE TRIGGER refuse_events BEFORE INSERT ON events FOR EACH ROW
       WHEN (NEW.organization_id = '${failing.organizationId}') EXECUTE FUNCTION refuse_events()`,
    );
    try {
      const eightDaysOn = () => new Date(Date.now() + 8 * DAY_MS);
      const error = await fireDueTimers(db.pool, healthy.store, eightDaysOn).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(error).toBeInstanceOf(TimerRunError);
      expect((error as Error).message).toContain(failing.organizationId);
      // What the others did comes with it (the scheduler still counts it).
      expect((error as TimerRunError).run).toMatchObject({ organizations: 1 });
      expect((error as TimerRunError).run.signalChanges).toContainEqual({ kind: 'WORK_SLIPPING', change: 'RAISED' });
      expect((error as Error).message).not.toContain(healthy.organizationId);
      // The organization after it was still done.
      const [signal] = await openOn(db, healthy, 'WORK_SLIPPING', defined.result.responsibilityId);
      expect(signal).toMatchObject({ severity: 'MEDIUM' });
    } finally {
      await db.pool.query('DROP TRIGGER refuse_events ON events; DROP FUNCTION refuse_events()');
    }
  });

  it('drops the timers of an organization whose row is missing instead of firing them forever', async () => {
    const org = await newOrganization(db);
    const timers = async () =>
      (
        await db.pool.query('SELECT rule FROM friction_timers WHERE organization_id = $1 ORDER BY rule', [
          org.organizationId,
        ])
      ).rows.map((row) => row.rule as string);
    await org.run(defineResponsibility, { title: 'GDPR data requests' }); // unowned: looks again in 7 days
    await member(org, await team(org, 'Payments'), 'Ada'); // no ratified agreement: looks again in 30 days
    expect(await timers()).toEqual(expect.arrayContaining(['STALE_AGREEMENT:TEAM', 'WORK_SLIPPING:RESPONSIBILITY']));
    // The organization's row is gone (say, read models restored without it); its timers are not.
    await db.pool.query('DELETE FROM organizations WHERE id = $1', [org.organizationId]);

    const fired = async () =>
      (
        await db.pool.query(
          `SELECT count(*)::int AS n FROM events WHERE organization_id = $1 AND type = 'FrictionTimersFired'`,
          [org.organizationId],
        )
      ).rows[0].n as number;
    const later = new Date(Date.now() + 8 * DAY_MS);
    await fireDueTimers(db.pool, org.store, () => later);
    expect(await fired()).toBe(1);
    // Nothing to judge them by: every timer of the organization goes, the due one and the later one.
    expect(await timers()).toEqual([]);
    await fireDueTimers(db.pool, org.store, () => new Date(later.getTime() + 60 * DAY_MS));
    expect(await fired()).toBe(1);
  });
});
