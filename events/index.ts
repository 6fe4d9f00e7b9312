// The event catalogue of Orgstream: every event type the domain appends, with
// its zod schema, schema version and upcasters. One module per aggregate.
import { EventCatalog } from '../src/eventStore/catalog.ts';

export function createEventCatalog(): EventCatalog {
  return new EventCatalog([]);
}
