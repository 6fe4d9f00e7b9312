import { defineProjection, stamped } from './projection.ts';
import { valueStreams } from './tables.ts';

export const valueStreamsProjection = defineProjection({
  name: 'valueStreams',
  handlers: {
    ValueStreamDefined: async (ws, event) => {
      ws.put(valueStreams, {
        id: event.data.valueStreamId,
        organizationId: event.organizationId,
        name: event.data.name,
        description: event.data.description,
        customer: event.data.customer,
        parentId: event.data.parentId,
        definedAt: event.occurredAt,
        retiredAt: null,
        version: event.streamVersion,
        position: event.position,
      });
    },
    ValueStreamRetired: async (ws, event) => {
      const valueStream = await ws.get(valueStreams, { id: event.data.valueStreamId });
      if (valueStream) ws.put(valueStreams, stamped({ ...valueStream, retiredAt: event.occurredAt }, event));
    },
  },
});
