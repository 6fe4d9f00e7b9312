import { defineProjection } from './projection.ts';
import { handoffs, interactions } from './tables.ts';

export const collaborationProjection = defineProjection({
  name: 'collaboration',
  handlers: {
    InteractionRecorded: async (ws, event) => {
      ws.put(interactions, {
        id: event.data.interactionId,
        organizationId: event.organizationId,
        teamIds: event.data.teamIds,
        kind: event.data.kind,
        note: event.data.note,
        occurredAt: event.occurredAt,
        position: event.position,
      });
    },
    HandoffRecorded: async (ws, event) => {
      ws.put(handoffs, {
        id: event.data.handoffId,
        organizationId: event.organizationId,
        teamId: event.data.teamId,
        title: event.data.title,
        reviewedWithEngineering: event.data.reviewedWithEngineering,
        reviewedWithProduct: event.data.reviewedWithProduct,
        comment: event.data.comment,
        occurredAt: event.occurredAt,
        position: event.position,
      });
    },
  },
});
