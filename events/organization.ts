// Stream `organization-<id>`: the tenant itself.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { GROWTH_PHASES, id, label } from './common.ts';

export const OrganizationCreated = defineEvent({
  type: 'OrganizationCreated',
  schemaVersion: 1,
  schema: z.object({
    organizationId: id,
    name: label,
    slug: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes'),
    growthPhase: z.enum(GROWTH_PHASES),
  }),
});

export const GrowthPhaseChanged = defineEvent({
  type: 'GrowthPhaseChanged',
  schemaVersion: 1,
  schema: z.object({ organizationId: id, phase: z.enum(GROWTH_PHASES), previousPhase: z.enum(GROWTH_PHASES) }),
});

/** Per-organization overrides of friction-signal thresholds; `null` restores the default. */
export const FrictionThresholdsSet = defineEvent({
  type: 'FrictionThresholdsSet',
  schemaVersion: 1,
  schema: z.object({
    organizationId: id,
    thresholds: z.record(z.string().min(1).max(100), z.number().finite().nullable()),
  }),
});

export const organizationEvents = [OrganizationCreated, GrowthPhaseChanged, FrictionThresholdsSet] as const;
export type OrganizationEvent = EventOf<typeof organizationEvents>;
export const organizationStream = (organizationId: string) => `organization-${organizationId}`;
