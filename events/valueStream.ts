// Stream `value-stream-<id>`.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { id, label, text } from './common.ts';

export const ValueStreamDefined = defineEvent({
  type: 'ValueStreamDefined',
  schemaVersion: 1,
  schema: z.object({
    valueStreamId: id,
    name: label,
    description: text.nullable(),
    customer: z.string().trim().max(200).nullable(),
    parentId: id.nullable(),
  }),
});

/** Retired value streams keep their history; teams can no longer align to them. */
export const ValueStreamRetired = defineEvent({
  type: 'ValueStreamRetired',
  schemaVersion: 1,
  schema: z.object({ valueStreamId: id }),
});

export const valueStreamEvents = [ValueStreamDefined, ValueStreamRetired] as const;
export type ValueStreamEvent = EventOf<typeof valueStreamEvents>;
export const valueStreamStream = (valueStreamId: string) => `value-stream-${valueStreamId}`;
