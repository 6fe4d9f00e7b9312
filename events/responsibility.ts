// Stream `responsibility-<id>`: a responsibility and who owns it over time.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { id, label, owner, text } from './common.ts';

export const ResponsibilityDefined = defineEvent({
  type: 'ResponsibilityDefined',
  schemaVersion: 1,
  schema: z.object({
    responsibilityId: id,
    title: label,
    description: text.nullable(),
    category: z.string().trim().min(1).max(100),
  }),
});

export const ResponsibilityAssigned = defineEvent({
  type: 'ResponsibilityAssigned',
  schemaVersion: 1,
  schema: z.object({ responsibilityId: id, owner, previousOwner: owner.nullable() }),
});

export const ResponsibilityUnassigned = defineEvent({
  type: 'ResponsibilityUnassigned',
  schemaVersion: 1,
  schema: z.object({ responsibilityId: id, previousOwner: owner }),
});

export const responsibilityEvents = [ResponsibilityDefined, ResponsibilityAssigned, ResponsibilityUnassigned] as const;
export type ResponsibilityEvent = EventOf<typeof responsibilityEvents>;
export const responsibilityStream = (responsibilityId: string) => `responsibility-${responsibilityId}`;
