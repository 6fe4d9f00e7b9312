import type { CommandHandler } from '../../src/commands/command.ts';
import { planInvestmentMix, reportInvestmentMix } from '../../src/investment/investment.ts';
import { targetedMutation } from './command.ts';
import { teamPayload } from './payloads.ts';

/** planInvestmentMix and reportInvestmentMix take the same statement: a period and four shares summing to 100. */
const mixMutation = <Input, Result>(name: string, handler: CommandHandler<Input, Result>) =>
  targetedMutation({
    name,
    handler,
    idField: 'teamId',
    idType: 'Team',
    payload: teamPayload,
    fields: (t) => ({
      period: t.string({ required: true, description: 'A quarter (2026-Q4) or a month (2026-11).' }),
      features: t.int({ required: true, description: 'Percent, 0..100.' }),
      techDebt: t.int({ required: true, description: 'Percent, 0..100.' }),
      runway: t.int({ required: true, description: 'Percent, 0..100: scalability and platform work.' }),
      developerExperience: t.int({ required: true, description: 'Percent, 0..100.' }),
    }),
  });

mixMutation('planInvestmentMix', planInvestmentMix);
mixMutation('reportInvestmentMix', reportInvestmentMix);
