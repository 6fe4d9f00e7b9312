// Time alone changes some signals (a responsibility unowned for 7 days, an
// agreement not revisited for 90). Every event fires the due timers of its
// organization before it is applied; this scheduler records that time went on
// when no event came (FrictionTimersFired), every organization on its own short
// transaction, against an injectable clock.
// Several service processes may run it at once: the organization's friction
// lock makes them take turns, and the second finds nothing left to do.
import type pg from 'pg';
import { frictionStream } from '../../events/friction.ts';
import { withTransaction } from '../../src/db/pool.ts';
import type { EventStore } from '../../src/eventStore/eventStore.ts';
import { WorkingSet } from '../../src/readModel/workingSet.ts';
import { applyEvents } from '../index.ts';
import { FrictionEngine, lockFriction, organizationsWithDueTimers } from './engine.ts';

export type TimerRun = {
  organizations: number;
  changes: number;
  /** The kind and change of each signal change made. */
  signalChanges: { kind: string; change: string }[];
};

export const SCHEDULER_ACTOR = 'friction-scheduler';

/**
 * Fires every timer due by the clock's now, organization by organization:
 * appends FrictionTimersFired at that org time (so a replay fires the same
 * timers at the same place) and applies it, which fires them.
 */
export async function fireDueTimers(
  pool: pg.Pool,
  store: EventStore,
  clock: () => Date = () => new Date(),
): Promise<TimerRun> {
  const run: TimerRun = { organizations: 0, changes: 0, signalChanges: [] };
  for (const organizationId of await organizationsWithDueTimers(pool, clock())) {
    const changes = await withTransaction(pool, async (client) => {
      await lockFriction(client, organizationId);
      // Now, read under the lock; a command that held it may have fired them meanwhile.
      const now = clock();
      const due = await client.query(
        'SELECT 1 FROM friction_timers WHERE organization_id = $1 AND due_at <= $2 LIMIT 1',
        [organizationId, now],
      );
      if (due.rows.length === 0) return -1;
      const appended = await store.appendMany(
        organizationId,
        [
          {
            streamId: frictionStream(organizationId),
            expectedVersion: 'ANY',
            events: [
              {
                type: 'FrictionTimersFired',
                data: { organizationId },
                metadata: { actor: SCHEDULER_ACTOR },
                occurredAt: now,
              },
            ],
          },
        ],
        { within: client },
      );
      const ws = new WorkingSet(client);
      const engine = new FrictionEngine(ws, client);
      await applyEvents(ws, appended.recorded, engine);
      await ws.flush();
      for (const { kind, change } of engine.changes) run.signalChanges.push({ kind, change });
      return engine.changes.length;
    });
    if (changes < 0) continue;
    run.organizations++;
    run.changes += changes;
    // Wakes subscribers (events, frictionSignalChanged) in this process and the others.
    store.notifyAppended(organizationId);
  }
  return run;
}

export type SchedulerOptions = {
  intervalMs: number;
  clock?: () => Date;
  onError?: (error: unknown) => void;
  onRun?: (run: TimerRun) => void;
};

/** Runs fireDueTimers every `intervalMs` until stopped; runs never overlap. */
export function startFrictionScheduler(
  pool: pg.Pool,
  store: EventStore,
  options: SchedulerOptions,
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<void> | undefined;
  const tick = () => {
    if (stopped || running) return;
    running = fireDueTimers(pool, store, options.clock)
      .then((run) => options.onRun?.(run))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        running = undefined;
      });
  };
  const interval = setInterval(tick, options.intervalMs);
  interval.unref();
  tick();
  return {
    async stop() {
      stopped = true;
      clearInterval(interval);
      await running;
    },
  };
}
