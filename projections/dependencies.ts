import { defineProjection, stamped } from './projection.ts';
import { dependencies } from './tables.ts';

export const dependenciesProjection = defineProjection({
  name: 'dependencies',
  handlers: {
    DependencyDeclared: async (ws, event) => {
      ws.put(dependencies, {
        id: event.data.dependencyId,
        organizationId: event.organizationId,
        fromTeamId: event.data.fromTeamId,
        toTeamId: event.data.toTeamId,
        mode: event.data.mode,
        description: event.data.description,
        status: event.data.status,
        discoveredLate: event.data.discoveredLate,
        expectedDurationDays: event.data.expectedDurationDays,
        declaredAt: event.occurredAt,
        statusSince: event.occurredAt,
        resolvedAt: null,
        version: event.streamVersion,
        position: event.position,
      });
    },
    DependencyStatusChanged: async (ws, event) => {
      const dependency = await ws.get(dependencies, { id: event.data.dependencyId });
      if (dependency) {
        ws.put(
          dependencies,
          stamped({ ...dependency, status: event.data.status, statusSince: event.occurredAt }, event),
        );
      }
    },
    DependencyResolved: async (ws, event) => {
      const dependency = await ws.get(dependencies, { id: event.data.dependencyId });
      if (dependency) ws.put(dependencies, stamped({ ...dependency, resolvedAt: event.occurredAt }, event));
    },
  },
});
