// Stream `dependency-<id>`: one team depending on another.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { DEPENDENCY_STATUSES, INTERACTION_MODES, id, text } from './common.ts';

export const DependencyDeclared = defineEvent({
  type: 'DependencyDeclared',
  schemaVersion: 1,
  schema: z.object({
    dependencyId: id,
    fromTeamId: id,
    toTeamId: id,
    mode: z.enum(INTERACTION_MODES),
    description: text.nullable(),
    status: z.enum(DEPENDENCY_STATUSES),
    /** Discovered after the dependent work had started. */
    discoveredLate: z.boolean(),
    expectedDurationDays: z.number().int().min(1).max(3650).nullable(),
  }),
});

export const DependencyStatusChanged = defineEvent({
  type: 'DependencyStatusChanged',
  schemaVersion: 1,
  schema: z.object({
    dependencyId: id,
    status: z.enum(DEPENDENCY_STATUSES),
    previousStatus: z.enum(DEPENDENCY_STATUSES),
  }),
});

export const DependencyResolved = defineEvent({
  type: 'DependencyResolved',
  schemaVersion: 1,
  schema: z.object({ dependencyId: id }),
});

export const dependencyEvents = [DependencyDeclared, DependencyStatusChanged, DependencyResolved] as const;
export type DependencyEvent = EventOf<typeof dependencyEvents>;
export const dependencyStream = (dependencyId: string) => `dependency-${dependencyId}`;
