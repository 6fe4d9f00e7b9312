// How teams work together: interactions between teams (talking vs. working
// jointly) and requirement handoffs (reviewed with engineering and product
// before work started, or not). Each record is its own one-event stream.
import { z } from 'zod';
import {
  type CollaborationEvent,
  HandoffRecorded,
  handoffStream,
  InteractionRecorded,
  interactionStream,
} from '../../events/collaboration.ts';
import { defineCommand } from '../commands/command.ts';
import { activeTeam } from '../commands/lookups.ts';

export type RecordInteraction = Extract<CollaborationEvent, { type: 'InteractionRecorded' }>['data'];
export type RecordHandoff = Extract<CollaborationEvent, { type: 'HandoffRecorded' }>['data'];

// --- decisions (pure) ---

export function decideRecordInteraction(command: RecordInteraction): CollaborationEvent[] {
  return [{ type: 'InteractionRecorded', data: command }];
}

export function decideRecordHandoff(command: RecordHandoff): CollaborationEvent[] {
  return [{ type: 'HandoffRecorded', data: command }];
}

// --- commands ---

const interaction = InteractionRecorded.schema.shape;
const handoff = HandoffRecorded.schema.shape;

export const recordInteraction = defineCommand({
  name: 'recordInteraction',
  input: z.object({
    teamIds: interaction.teamIds.refine((ids) => new Set(ids).size === ids.length, 'a team is listed more than once'),
    kind: interaction.kind,
    note: interaction.note.optional(),
  }),
  run: async (context, input) => {
    for (const teamId of input.teamIds) await activeTeam(context, teamId);
    const interactionId = context.newId();
    const events = decideRecordInteraction({
      interactionId,
      teamIds: input.teamIds,
      kind: input.kind,
      note: input.note ?? null,
    });
    return {
      appends: [{ streamId: interactionStream(interactionId), expectedVersion: 'NO_STREAM', events }],
      result: { interactionId },
    };
  },
});

export const recordHandoff = defineCommand({
  name: 'recordHandoff',
  input: z.object({
    teamId: handoff.teamId,
    title: handoff.title,
    reviewedWithEngineering: handoff.reviewedWithEngineering,
    reviewedWithProduct: handoff.reviewedWithProduct,
    comment: handoff.comment.optional(),
  }),
  run: async (context, input) => {
    await activeTeam(context, input.teamId);
    const handoffId = context.newId();
    const events = decideRecordHandoff({
      handoffId,
      teamId: input.teamId,
      title: input.title,
      reviewedWithEngineering: input.reviewedWithEngineering,
      reviewedWithProduct: input.reviewedWithProduct,
      comment: input.comment ?? null,
    });
    return {
      appends: [{ streamId: handoffStream(handoffId), expectedVersion: 'NO_STREAM', events }],
      result: { handoffId },
    };
  },
});
