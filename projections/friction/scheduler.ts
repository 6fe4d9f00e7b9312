// Time alone changes some signals (a responsibility unowned for 7 days, an
// agreement not revisited for 90). Every event fires the due timers of its
// organization before it is applied; this scheduler records that time went on
// when no event came (FrictionTimersFired), every organization on its own short
// transaction, against an injectable clock.
// Several service processes may run it at once: the organization's friction
// lock makes them take turns, and the second finds nothing left to do.
import type pg from 'pg';
import { z } from 'zod';
import { frictionStream } from '../../events/friction.ts';
import { defineCommand } from '../../src/commands/command.ts';
import { type CommandDeps, executeCommand } from '../../src/commands/execute.ts';
import type { EventStore } from '../../src/eventStore/eventStore.ts';
import type { ResidentModels } from '../../src/readModel/resident.ts';
import { frictionTimers } from '../tables.ts';
import { organizationsWithDueTimers } from './engine.ts';

export type TimerRun = {
  organizations: number;
  changes: number;
  /** The kind and change of each signal change made. */
  signalChanges: { kind: string; change: string }[];
};

export const SCHEDULER_ACTOR = 'friction-scheduler';

/**
 * The command the scheduler runs for an organization: under the
 * organization's lock (a command that held it may have fired them
 * meanwhile), FrictionTimersFired at the command's org time when a timer is
 * due by then, nothing otherwise. Run like every command (executeCommand), so
 * it also applies to the resident read models.
 */
const fireFrictionTimers = defineCommand({
  name: 'fireFrictionTimers',
  input: z.object({}),
  run: async (context) => {
    const timers = await context.reads.where(frictionTimers, { organizationId: context.organizationId });
    const due = timers.some((timer) => timer.dueAt.getTime() <= context.now.getTime());
    return {
      appends: due
        ? [
            {
              streamId: frictionStream(context.organizationId),
              expectedVersion: 'ANY' as const,
              events: [{ type: 'FrictionTimersFired' as const, data: { organizationId: context.organizationId } }],
            },
          ]
        : [],
      result: { fired: due },
    };
  },
});

/**
 * Fires every timer due by the clock's now, organization by organization:
 * appends FrictionTimersFired at that org time (so a replay fires the same
 * timers at the same place) and applies it, which fires them. When some
 * organizations fail, the others are still done; then it throws a
 * TimerRunError (an AggregateError) naming the ones that failed, with the run.
 */
export async function fireDueTimers(
  pool: pg.Pool,
  store: EventStore,
  clock: () => Date = () => new Date(),
  resident?: ResidentModels,
): Promise<TimerRun> {
  const run: TimerRun = { organizations: 0, changes: 0, signalChanges: [] };
  // One organization's failure (its database rows, a bug in a rule) must not
  // hold back the others' signals: each is tried, and the failures reported
  // together at the end.
  const failures: { organizationId: string; error: unknown }[] = [];
  for (const organizationId of await organizationsWithDueTimers(pool, clock())) {
    const changes: { kind: string; change: string }[] = [];
    const deps: CommandDeps = {
      pool,
      store,
      clock,
      ...(resident ? { resident } : {}),
      onFrictionChanges: (made) => changes.push(...made.map(({ kind, change }) => ({ kind, change }))),
    };
    let fired: boolean;
    try {
      const outcome = await executeCommand(deps, fireFrictionTimers, organizationId, {}, { actor: SCHEDULER_ACTOR });
      fired = outcome.result.fired;
    } catch (error) {
      failures.push({ organizationId, error });
      continue;
    }
    if (!fired) continue;
    run.organizations++;
    run.changes += changes.length;
    run.signalChanges.push(...changes);
  }
  if (failures.length > 0) throw new TimerRunError(failures, run);
  return run;
}

/** Some organizations failed; `run` is what the others did. */
export class TimerRunError extends AggregateError {
  readonly run: TimerRun;

  constructor(failures: { organizationId: string; error: unknown }[], run: TimerRun) {
    super(
      failures.map(({ error }) => error),
      `Firing friction timers failed for ${failures.length} organization(s): ${failures
        .map(({ organizationId, error }) => `${organizationId} (${error instanceof Error ? error.message : error})`)
        .join('; ')}`,
    );
    this.run = run;
  }
}

export type SchedulerOptions = {
  intervalMs: number;
  clock?: () => Date;
  /** The resident read models the service's commands use (src/readModel/resident.ts). */
  resident?: ResidentModels;
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
    running = fireDueTimers(pool, store, options.clock, options.resident)
      .then((run) => options.onRun?.(run))
      .catch((error: unknown) => {
        // What the other organizations did still counts.
        try {
          if (error instanceof TimerRunError) options.onRun?.(error.run);
        } finally {
          options.onError?.(error);
        }
      })
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
