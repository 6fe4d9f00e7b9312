// The organization (tenant): creation, growth phase, friction thresholds.
import { z } from 'zod';
import { GROWTH_PHASES, type GrowthPhase } from '../../events/common.ts';
import { OrganizationCreated, type OrganizationEvent, organizationStream } from '../../events/organization.ts';
import { thresholdProblems } from '../../projections/friction/thresholds.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { defineCommand } from '../commands/command.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';

export type OrganizationState =
  | { exists: false }
  | { exists: true; id: string; name: string; slug: string; phase: GrowthPhase; thresholds: Record<string, number> };

export const organizationAggregate = defineAggregate<OrganizationState>({
  stream: organizationStream,
  initial: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'OrganizationCreated':
        return {
          exists: true,
          id: event.data.organizationId,
          name: event.data.name,
          slug: event.data.slug,
          phase: event.data.growthPhase,
          thresholds: {},
        };
      case 'GrowthPhaseChanged':
        return state.exists ? { ...state, phase: event.data.phase } : state;
      case 'FrictionThresholdsSet': {
        if (!state.exists) return state;
        const thresholds = { ...state.thresholds };
        for (const [name, value] of Object.entries(event.data.thresholds)) {
          if (value === null) delete thresholds[name];
          else thresholds[name] = value;
        }
        return { ...state, thresholds };
      }
      default:
        return state;
    }
  },
});

// --- decisions (pure) ---

export function decideChangeGrowthPhase(state: OrganizationState, phase: GrowthPhase): OrganizationEvent[] {
  const organization = existing(state);
  if (organization.phase === phase) return [];
  return [
    {
      type: 'GrowthPhaseChanged',
      data: { organizationId: organization.id, phase, previousPhase: organization.phase },
    },
  ];
}

export function decideSetFrictionThresholds(
  state: OrganizationState,
  thresholds: Record<string, number | null>,
): OrganizationEvent[] {
  const organization = existing(state);
  const problems = thresholdProblems(thresholds);
  if (problems.length > 0) {
    throw new ValidationError(`Invalid friction thresholds: ${problems.join('; ')}`, { problems });
  }
  if (Object.keys(thresholds).length === 0) throw new ValidationError('Name at least one threshold to set');
  return [{ type: 'FrictionThresholdsSet', data: { organizationId: organization.id, thresholds } }];
}

function existing(state: OrganizationState) {
  if (!state.exists) throw new NotFoundError('Organization not found');
  return state;
}

// --- commands ---

const createInput = OrganizationCreated.schema.omit({ organizationId: true });

/** Creates a tenant; `organizationId` passed to the executor is the new organization's id. */
export const createOrganization = defineCommand({
  name: 'createOrganization',
  input: createInput,
  run: async (context, input) => {
    const { state } = await context.load(organizationAggregate, context.organizationId);
    if (state.exists) throw new ConflictError('Organization already exists');
    const streamId = organizationStream(context.organizationId);
    return {
      appends: [
        {
          streamId,
          expectedVersion: 'NO_STREAM',
          events: [{ type: 'OrganizationCreated', data: { organizationId: context.organizationId, ...input } }],
        },
      ],
      claims: [{ kind: 'organization slug', value: input.slug, streamId, platform: true }],
      result: { organizationId: context.organizationId },
    };
  },
});

export const changeGrowthPhase = defineCommand({
  name: 'changeGrowthPhase',
  input: z.object({ phase: z.enum(GROWTH_PHASES) }),
  target: (_input, organizationId) => organizationStream(organizationId),
  run: async (context, input) => {
    const { state, version } = await context.load(organizationAggregate, context.organizationId);
    return {
      appends: [
        {
          streamId: organizationStream(context.organizationId),
          expectedVersion: version,
          events: decideChangeGrowthPhase(state, input.phase),
        },
      ],
      result: { organizationId: context.organizationId },
    };
  },
});

export const setFrictionThresholds = defineCommand({
  name: 'setFrictionThresholds',
  target: (_input, organizationId) => organizationStream(organizationId),
  input: z.object({
    thresholds: z.record(z.string().min(1).max(100), z.number().finite().nullable()),
  }),
  run: async (context, input) => {
    const { state, version } = await context.load(organizationAggregate, context.organizationId);
    return {
      appends: [
        {
          streamId: organizationStream(context.organizationId),
          expectedVersion: version,
          events: decideSetFrictionThresholds(state, input.thresholds),
        },
      ],
      result: { organizationId: context.organizationId },
    };
  },
});
