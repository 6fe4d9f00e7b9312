// Delivery metrics: one observation per recording, kept as a series per team
// (lead time, build time, incidents, deployment frequency, productivity pulse).
import { z } from 'zod';
import { DeliveryMetricsRecorded, type TeamEvent, teamStream } from '../../events/team.ts';
import { defineCommand } from '../commands/command.ts';
import { activeTeam } from '../commands/lookups.ts';

export type DeliveryObservation = Omit<Extract<TeamEvent, { type: 'DeliveryMetricsRecorded' }>['data'], 'teamId'>;

const MEASURES = ['leadTimeHours', 'buildTimeMinutes', 'incidents', 'deploymentsPerWeek', 'productivityPulse'] as const;

// --- decisions (pure) ---

/**
 * An observation is a fact about an active team, not a change decided against
 * the team's state: the command checks the team through the read model and
 * appends with expected version ANY (no replay of the team's stream, no
 * conflicts with the team's other commands).
 */
export function decideRecordDeliveryMetrics(teamId: string, observation: DeliveryObservation): TeamEvent[] {
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
    await activeTeam(context, input.teamId);
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
          expectedVersion: 'ANY',
          events: decideRecordDeliveryMetrics(input.teamId, observation),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});
