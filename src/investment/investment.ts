// Investment mix: how a team splits its effort between features, tech debt,
// runway and developer experience in a period, as planned and as it turned out.
// Each statement is whole (four shares summing to 100); the latest in org time
// is the period's mix (projections/teams.ts).
import type { z } from 'zod';
import { InvestmentMixPlanned, type TeamEvent, teamStream } from '../../events/team.ts';
import { defineCommand } from '../commands/command.ts';
import { activeTeam } from '../commands/lookups.ts';

export type InvestmentMix = Omit<Extract<TeamEvent, { type: 'InvestmentMixPlanned' }>['data'], 'teamId'>;

const SHARES = ['features', 'techDebt', 'runway', 'developerExperience'] as const;

// --- decisions (pure) ---
// A mix is a fact about an active team, not a change decided against the
// team's state: the commands check the team through the read model and append
// with expected version ANY (no replay of the team's stream, no conflicts
// with the team's other commands).

export function decidePlanInvestmentMix(teamId: string, mix: InvestmentMix): TeamEvent[] {
  return [{ type: 'InvestmentMixPlanned', data: { teamId, ...mix } }];
}

export function decideReportInvestmentMix(teamId: string, mix: InvestmentMix): TeamEvent[] {
  return [{ type: 'InvestmentMixReported', data: { teamId, ...mix } }];
}

// --- commands ---

/** The four shares (integers 0..100) must sum to exactly 100. */
const mixInput = InvestmentMixPlanned.schema.superRefine((mix, context) => {
  const total = SHARES.reduce((sum, share) => sum + mix[share], 0);
  if (total !== 100) {
    context.addIssue({
      code: 'custom',
      message: `features, techDebt, runway and developerExperience must sum to 100, not ${total}`,
      path: [],
    });
  }
});

const mixOf = (input: z.infer<typeof mixInput>): InvestmentMix => ({
  period: input.period,
  features: input.features,
  techDebt: input.techDebt,
  runway: input.runway,
  developerExperience: input.developerExperience,
});

export const planInvestmentMix = defineCommand({
  name: 'planInvestmentMix',
  input: mixInput,
  target: (input) => teamStream(input.teamId),
  run: async (context, input) => {
    await activeTeam(context, input.teamId);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: 'ANY',
          events: decidePlanInvestmentMix(input.teamId, mixOf(input)),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});

export const reportInvestmentMix = defineCommand({
  name: 'reportInvestmentMix',
  input: mixInput,
  target: (input) => teamStream(input.teamId),
  run: async (context, input) => {
    await activeTeam(context, input.teamId);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: 'ANY',
          events: decideReportInvestmentMix(input.teamId, mixOf(input)),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});
