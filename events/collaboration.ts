// How teams work together: recorded interactions (`interaction-<id>`) and
// requirement handoffs (`handoff-<id>`). Each is a one-event stream.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { INTERACTION_KINDS, id, label, text } from './common.ts';

export const InteractionRecorded = defineEvent({
  type: 'InteractionRecorded',
  schemaVersion: 1,
  schema: z.object({
    interactionId: id,
    teamIds: z.array(id).min(2).max(20),
    kind: z.enum(INTERACTION_KINDS),
    note: text.nullable(),
  }),
});

export const HandoffRecorded = defineEvent({
  type: 'HandoffRecorded',
  schemaVersion: 1,
  schema: z.object({
    handoffId: id,
    teamId: id,
    title: label,
    reviewedWithEngineering: z.boolean(),
    reviewedWithProduct: z.boolean(),
    comment: text.nullable(),
  }),
});

export const collaborationEvents = [InteractionRecorded, HandoffRecorded] as const;
export type CollaborationEvent = EventOf<typeof collaborationEvents>;
export const interactionStream = (interactionId: string) => `interaction-${interactionId}`;
export const handoffStream = (handoffId: string) => `handoff-${handoffId}`;
