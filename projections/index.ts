// The read models updated inline, in the transaction of every append, and by
// a rebuild from position 0. Both run `applyEvents` over a WorkingSet.
import type { RecordedEvent } from '../src/eventStore/types.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { assetsProjection } from './assets.ts';
import { collaborationProjection } from './collaboration.ts';
import { dependenciesProjection } from './dependencies.ts';
import type { FrictionEngine } from './friction/engine.ts';
import { organizationsProjection } from './organizations.ts';
import { peopleProjection } from './people.ts';
import type { DomainRecord, Projection } from './projection.ts';
import { referencesProjection } from './references.ts';
import { responsibilitiesProjection } from './responsibilities.ts';
import { teamsProjection } from './teams.ts';
import { valueStreamsProjection } from './valueStreams.ts';

export const projections: readonly Projection[] = [
  // First: it reads some rows as they were before the event (see references.ts).
  referencesProjection,
  organizationsProjection,
  peopleProjection,
  teamsProjection,
  valueStreamsProjection,
  responsibilitiesProjection,
  dependenciesProjection,
  assetsProjection,
  collaborationProjection,
];

type Handler = (ws: WorkingSet, event: DomainRecord) => Promise<void>;
const handlersByType = new Map<string, Handler[]>();
for (const projection of projections) {
  for (const [type, handler] of Object.entries(projection.handlers)) {
    const list = handlersByType.get(type) ?? [];
    list.push(handler as Handler);
    handlersByType.set(type, list);
  }
}

/**
 * Applies events, in the order given (position order), to the working set,
 * and evaluates the friction rules around each command (the events of one
 * transaction): timers due by the time it happened fire first, then its
 * events are applied, then the subjects they touched are evaluated once, so
 * a command that removes every member and then archives the team never shows
 * a signal that lived for no time at all.
 */
export async function applyEvents(
  ws: WorkingSet,
  events: readonly RecordedEvent[],
  friction: FrictionEngine,
): Promise<void> {
  for (let start = 0; start < events.length; ) {
    const first = events[start]!;
    let end = start + 1;
    while (end < events.length && sameCommand(first, events[end]!)) end++;
    await friction.beforeEvents(first);
    for (let index = start; index < end; index++) {
      const event = events[index]!;
      for (const handler of handlersByType.get(event.type) ?? []) await handler(ws, event as DomainRecord);
      await friction.collect(event);
    }
    await friction.evaluateCollected(events[end - 1]!);
    start = end;
  }
}

/** Whether two events belong to one command (one transaction of one organization), as applyEvents groups them. */
export function sameCommand(a: RecordedEvent, b: RecordedEvent): boolean {
  return a.transactionId !== undefined && a.transactionId === b.transactionId && a.organizationId === b.organizationId;
}
