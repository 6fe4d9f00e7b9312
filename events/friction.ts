// Stream `friction-<organization id>`: time passing, as far as the friction
// signals are concerned. Some signals change by time alone (a responsibility
// unowned for 7 days); the timer scheduler records here up to which org time
// it fired the due timers, so a replay of the log fires them at exactly the
// same place and arrives at the same signals with the same times.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { id } from './common.ts';

export const FrictionTimersFired = defineEvent({
  type: 'FrictionTimersFired',
  schemaVersion: 1,
  /** Timers due by this event's occurredAt fired before it; the data only names the organization. */
  schema: z.object({ organizationId: id }),
});

export const frictionEvents = [FrictionTimersFired] as const;
export type FrictionEvent = EventOf<typeof frictionEvents>;
export const frictionStream = (organizationId: string) => `friction-${organizationId}`;
