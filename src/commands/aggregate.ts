// An aggregate's current state: its stream folded with a pure `evolve`.
import type { DomainEvent } from '../../events/index.ts';
import type { RecordedEvent } from '../eventStore/types.ts';

export type Aggregate<State> = {
  /** `team` for streams `team-<id>`. */
  stream: (id: string) => string;
  initial: State;
  evolve: (state: State, event: Omit<RecordedEvent, 'type' | 'data'> & DomainEvent) => State;
};

export function defineAggregate<State>(aggregate: Aggregate<State>): Aggregate<State> {
  return aggregate;
}
