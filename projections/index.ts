// The read models updated inline, in the transaction of every append, and by
// a rebuild from position 0. Both run `applyEvents` over a WorkingSet.
import type { RecordedEvent } from '../src/eventStore/types.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { assetsProjection } from './assets.ts';
import { collaborationProjection } from './collaboration.ts';
import { dependenciesProjection } from './dependencies.ts';
import { organizationsProjection } from './organizations.ts';
import { peopleProjection } from './people.ts';
import type { DomainRecord, Projection } from './projection.ts';
import { responsibilitiesProjection } from './responsibilities.ts';
import { teamsProjection } from './teams.ts';
import { valueStreamsProjection } from './valueStreams.ts';

export const projections: readonly Projection[] = [
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

/** Applies events, in the order given (position order), to the working set. */
export async function applyEvents(ws: WorkingSet, events: readonly RecordedEvent[]): Promise<void> {
  for (const event of events) {
    for (const handler of handlersByType.get(event.type) ?? []) await handler(ws, event as DomainRecord);
  }
}
