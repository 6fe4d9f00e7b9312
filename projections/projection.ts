// What a projection is: handlers from event types to changes of read-model
// rows, applied through a WorkingSet (inline in the command's transaction, or
// in memory during a rebuild). Handlers are deterministic functions of the
// event and the rows they read: no clock, no randomness, no I/O of their own.
import type { DomainEvent, DomainEventType } from '../events/index.ts';
import type { RecordedEvent } from '../src/eventStore/types.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';

export type DomainRecord<E extends DomainEvent = DomainEvent> = Omit<RecordedEvent, 'type' | 'data'> & E;

type Handlers = {
  [Type in DomainEventType]?: (
    ws: WorkingSet,
    event: DomainRecord<Extract<DomainEvent, { type: Type }>>,
  ) => Promise<void>;
};

export type Projection = {
  name: string;
  handlers: Handlers;
};

export function defineProjection(projection: Projection): Projection {
  return projection;
}

/** Stamps a row with the event that last changed it (and its stream version). */
export function stamped<Row extends { version: number; position: bigint }>(row: Row, event: RecordedEvent): Row {
  return { ...row, version: event.streamVersion, position: event.position };
}

/** The aggregate id of a stream named `<kind>-<uuid>`. */
export function streamEntityId(streamId: string): string {
  return streamId.slice(-36);
}
