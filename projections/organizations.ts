import { defineProjection, stamped } from './projection.ts';
import { organizations } from './tables.ts';

export const organizationsProjection = defineProjection({
  name: 'organizations',
  handlers: {
    OrganizationCreated: async (ws, event) => {
      ws.put(organizations, {
        id: event.data.organizationId,
        name: event.data.name,
        slug: event.data.slug,
        growthPhase: event.data.growthPhase,
        thresholds: {},
        createdAt: event.occurredAt,
        version: event.streamVersion,
        position: event.position,
      });
    },
    GrowthPhaseChanged: async (ws, event) => {
      const organization = await ws.get(organizations, { id: event.data.organizationId });
      if (organization) ws.put(organizations, stamped({ ...organization, growthPhase: event.data.phase }, event));
    },
    FrictionThresholdsSet: async (ws, event) => {
      const organization = await ws.get(organizations, { id: event.data.organizationId });
      if (!organization) return;
      const thresholds: Record<string, unknown> = { ...(organization.thresholds as Record<string, unknown>) };
      for (const [name, value] of Object.entries(event.data.thresholds)) {
        if (value === null) delete thresholds[name];
        else thresholds[name] = value;
      }
      ws.put(organizations, stamped({ ...organization, thresholds: thresholds as never }, event));
    },
  },
});
