// Investment mix: per team and period, the planned and the actual split of
// effort. The read model keeps one row per (period, PLANNED | ACTUAL); here
// the two become one InvestmentMix per period.
import { period as periodFormat } from '../../events/common.ts';
import type { InvestmentMix as InvestmentMixRow } from '../../src/generated/prisma/client.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';

type MixShape = { period: string; planned: InvestmentMixRow | null; actual: InvestmentMixRow | null };

const InvestmentShares = builder.objectRef<InvestmentMixRow>('InvestmentShares').implement({
  description: 'Shares of effort in percent; the four sum to 100.',
  fields: (t) => ({
    features: t.exposeInt('features'),
    techDebt: t.exposeInt('techDebt'),
    runway: t.exposeInt('runway', { description: 'Scalability and platform work.' }),
    developerExperience: t.exposeInt('developerExperience'),
    statedAt: t.expose('occurredAt', { type: 'DateTime', description: 'When this statement was made (org time).' }),
    position: t.expose('position', { type: 'Position', description: 'The event that stated it.' }),
  }),
});

const InvestmentMix = builder.objectRef<MixShape>('InvestmentMix').implement({
  description: 'How a team splits its effort in one period, as planned and as it turned out.',
  fields: (t) => ({
    period: t.exposeString('period', { description: 'A quarter (2026-Q4) or a month (2026-11).' }),
    planned: t.field({ type: InvestmentShares, nullable: true, resolve: (mix) => mix.planned }),
    actual: t.field({ type: InvestmentShares, nullable: true, resolve: (mix) => mix.actual }),
  }),
});

/** The month a period ends in, counted from year 0: what "later" means between quarters and months. */
function periodEnd(period: string): number {
  const [year, part] = period.split('-') as [string, string];
  const month = part.startsWith('Q') ? Number(part.slice(1)) * 3 : Number(part);
  return Number(year) * 12 + month;
}

/** One mix per period, newest period first (a month before the quarter it ends). */
function mixesOf(rows: readonly InvestmentMixRow[]): MixShape[] {
  const byPeriod = new Map<string, MixShape>();
  for (const row of rows) {
    const mix = byPeriod.get(row.period) ?? { period: row.period, planned: null, actual: null };
    if (row.kind === 'PLANNED') mix.planned = row;
    else mix.actual = row;
    byPeriod.set(row.period, mix);
  }
  return [...byPeriod.values()].sort(
    (a, b) => periodEnd(b.period) - periodEnd(a.period) || (a.period < b.period ? 1 : a.period > b.period ? -1 : 0),
  );
}

builder.prismaObjectFields('Team', (t) => ({
  investmentMix: t.field({
    type: InvestmentMix,
    nullable: true,
    description: 'The mix of `period`, or of the latest period with one when omitted; null when none was stated.',
    args: { period: t.arg.string({ required: false }) },
    select: (args) => {
      if (args.period !== null && args.period !== undefined && !periodFormat.safeParse(args.period).success) {
        throw badInput('period must look like 2026-Q4 or 2026-11', { field: 'period' });
      }
      return { investmentMixes: args.period ? { where: { period: args.period } } : true };
    },
    resolve: (team) => mixesOf(team.investmentMixes)[0] ?? null,
  }),
  investmentMixes: t.field({
    type: [InvestmentMix],
    description: 'Every period with a plan or a report, newest first.',
    select: { investmentMixes: true },
    resolve: (team) => mixesOf(team.investmentMixes),
  }),
}));
