// The event catalogue of Orgstream: every event type the domain appends, with
// its zod schema, schema version and upcasters. One module per aggregate.
import { EventCatalog } from '../src/eventStore/catalog.ts';
import { type AssetEvent, assetEvents } from './asset.ts';
import { type CollaborationEvent, collaborationEvents } from './collaboration.ts';
import { type DependencyEvent, dependencyEvents } from './dependency.ts';
import { type FrictionEvent, frictionEvents } from './friction.ts';
import { type OrganizationEvent, organizationEvents } from './organization.ts';
import { type PersonEvent, personEvents } from './person.ts';
import { type ResponsibilityEvent, responsibilityEvents } from './responsibility.ts';
import { type TeamEvent, teamEvents } from './team.ts';
import { type ValueStreamEvent, valueStreamEvents } from './valueStream.ts';

export const allEventDefinitions = [
  ...organizationEvents,
  ...personEvents,
  ...teamEvents,
  ...valueStreamEvents,
  ...responsibilityEvents,
  ...dependencyEvents,
  ...assetEvents,
  ...collaborationEvents,
  ...frictionEvents,
] as const;

/** Any domain event as `{ type, data }`, discriminated by `type`. */
export type DomainEvent =
  | OrganizationEvent
  | PersonEvent
  | TeamEvent
  | ValueStreamEvent
  | ResponsibilityEvent
  | DependencyEvent
  | AssetEvent
  | CollaborationEvent
  | FrictionEvent;

export type DomainEventType = DomainEvent['type'];

export function createEventCatalog(): EventCatalog {
  return new EventCatalog(allEventDefinitions);
}
