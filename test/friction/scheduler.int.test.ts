// Time passing without events: the scheduler of every service process fires
// due timers against its clock, records that it did (FrictionTimersFired, so
// replays fire them in the same place), and wakes frictionSignalChanged
// followers. Two schedulers on one database do the work once.
import { describe, expect, it } from 'vitest';
import { followSignalChanges } from '../../projections/friction/feed.ts';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { startFrictionScheduler } from '../../projections/friction/scheduler.ts';
import { defineResponsibility } from '../../src/responsibilities/responsibilities.ts';
import { newOrganization } from '../support/commands.ts';
import { useTestDatabase } from '../support/fixtures.ts';
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
});
