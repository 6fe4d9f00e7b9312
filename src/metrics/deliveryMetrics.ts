// Delivery metrics: one observation per recording, kept as a series per team
// (lead time, build time, incidents, deployment frequency, productivity pulse).
import { z } from 'zod';
import { DeliveryMetricsRecorded, type TeamEvent, teamStream } from '../../events/team.ts';
import { defineCommand } from '../commands/command.ts';
import { activeTeamState, type TeamState, teamAggregate } from '../teams/teams.ts';

export type DeliveryObservation = Omit<Extract<TeamEvent, { type: 'DeliveryMetricsRecorded' }>['data'], 'teamId'>;

const MEASURES = ['leadTimeHours', 'buildTimeMinutes', 'incidents', 'deploymentsPerWeek', 'productivityPulse'] as const;

// --- decisions (pure) ---

export function decideRecordDeliveryMetrics(
  state: TeamState,
  teamId: string,
  observation: DeliveryObservation,
): TeamEvent[] {
  activeTeamState(state, teamId);
  return [{ type: 'DeliveryMetricsRecorded', data: { teamId, ...observation } }];
}

// --- commands ---

const measured = DeliveryMetricsRecorded.schema.shape;

export const recordDeliveryMetrics = defineCommand({
  name: 'recordDeliveryMetrics',
  input: z
    .object({
      teamId: measured.teamId,
      leadTimeHours: measured.leadTimeHours.optional(),
      buildTimeMinutes: measured.buildTimeMinutes.optional(),
      incidents: measured.incidents.optional(),
      deploymentsPerWeek: measured.deploymentsPerWeek.optional(),
      productivityPulse: measured.productivityPulse.optional(),
    })
    .refine((input) => MEASURES.some((measure) => input[measure] != null), {
      message: `give at least one of ${MEASURES.join(', ')}`,
    }),
  target: (input) => teamStream(input.teamId),
  run: async (context, input) => {
    const { state, version } = await context.load(teamAggregate, input.teamId);
    const observation: DeliveryObservation = {
      leadTimeHours: input.leadTimeHours ?? null,
      buildTimeMinutes: input.buildTimeMinutes ?? null,
      incidents: input.incidents ?? null,
      deploymentsPerWeek: input.deploymentsPerWeek ?? null,
      productivityPulse: input.productivityPulse ?? null,
    };
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideRecordDeliveryMetrics(state, input.teamId, observation),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});
