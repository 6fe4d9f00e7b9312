// INVESTMENT_IMBALANCE ("tech-debt negotiation breakdown"): a team's actual
// investment mix against its growth phase and its own plan (DOMAIN.md).
//
// Three causes, each its own signal on the team (several may hold at once):
// - FEATURES_HEAVY: the actual features share above the phase ceiling in each
//   of the last `featuresCeilingPeriods` actual periods, calendar-consecutive.
//   The run is taken among the actual periods of the latest one's granularity
//   (quarters `2026-Q4` or months `2026-11`, never mixed) and must end with the
//   latest actual period; a missing period breaks the run.
// - OVER_ENGINEERING: in the latest actual period, the technical share
//   (100 − features: tech debt + runway + developer experience) above the phase ceiling.
// - OFF_PLAN: the latest actual period against the plan for the same period,
//   some share off by `planDeviationPoints` or more.
// The latest actual period is the one that ends last; of a quarter and a month
// ending together (2026-Q4, 2026-12) the month, which starts later.
//
// Severity: FEATURES_HEAVY and OVER_ENGINEERING are MEDIUM, HIGH when the
// (latest) share is 15+ points over the ceiling; OFF_PLAN is LOW, MEDIUM from
// 1.5 times the allowed deviation, HIGH from twice it.
import type { InvestmentMix } from '../../../src/generated/prisma/client.ts';
import { investmentMixes, teams } from '../../tables.ts';
import { defineRule, type Finding, type FrictionSeverity, positions } from '../rule.ts';

const team = (event: { data: { teamId: string } }) => [event.data.teamId];

const SHARES = [
  ['features', 'features'],
  ['techDebt', 'tech debt'],
  ['runway', 'runway'],
  ['developerExperience', 'developer experience'],
] as const;

/** Points over a ceiling from which FEATURES_HEAVY and OVER_ENGINEERING are HIGH. */
const HIGH_EXCESS = 15;

type Period = { granularity: 'QUARTER' | 'MONTH'; index: number; firstMonth: number; lastMonth: number };

/** `2026-Q4` or `2026-11` (the event schema guarantees one of the two). */
function parsePeriod(period: string): Period {
  const year = Number(period.slice(0, 4));
  const rest = period.slice(5);
  if (rest.startsWith('Q')) {
    const quarter = Number(rest.slice(1));
    const firstMonth = year * 12 + (quarter - 1) * 3;
    return { granularity: 'QUARTER', index: year * 4 + quarter - 1, firstMonth, lastMonth: firstMonth + 2 };
  }
  const month = year * 12 + Number(rest) - 1;
  return { granularity: 'MONTH', index: month, firstMonth: month, lastMonth: month };
}

/** Later periods last: by the month they end, then by the month they start. */
const byPeriod = (a: Period, b: Period) => a.lastMonth - b.lastMonth || a.firstMonth - b.firstMonth;

export const investmentImbalance = defineRule({
  kind: 'INVESTMENT_IMBALANCE',
  subjectKind: 'TEAM',
  description:
    'A team whose actual features share stays above its growth phase’s ceiling, whose technical share is above its ceiling, or whose actual mix is off its plan.',
  thresholds: {
    featuresCeilingPercent: {
      description: 'The highest actual features share, in percent, before periods count as features-heavy.',
      default: { EXPERIMENTING: 90, GETTING_TRACTION: 80, HYPERGROWTH: 70, OPTIMIZING: 60 },
      min: 0,
      max: 100,
    },
    featuresCeilingPeriods: {
      description: 'How many consecutive actual periods above the features ceiling raise the signal.',
      default: 2,
      min: 1,
      max: 12,
    },
    technicalCeilingPercent: {
      description:
        'The highest technical share (tech debt, runway and developer experience), in percent, of the latest actual period.',
      default: { EXPERIMENTING: 30, GETTING_TRACTION: 35, HYPERGROWTH: 45, OPTIMIZING: 55 },
      min: 0,
      max: 100,
    },
    planDeviationPoints: {
      description: 'How many points a share of the latest actual mix may be off its plan before it counts.',
      default: 20,
      min: 1,
      max: 100,
    },
  },
  affects: {
    InvestmentMixPlanned: team,
    InvestmentMixReported: team,
    TeamArchived: team,
    TeamRenamed: team,
  },
  async evaluate({ ws, thresholds }, teamId) {
    const subject = await ws.get(teams, { id: teamId });
    if (!subject || subject.archivedAt) return { findings: [] };
    const mixes = await ws.where(investmentMixes, { teamId });
    const actual = mixes
      .filter((mix) => mix.kind === 'ACTUAL')
      .map((mix) => ({ mix, period: parsePeriod(mix.period) }))
      .sort((a, b) => byPeriod(a.period, b.period));
    const latest = actual.at(-1);
    if (!latest) return { findings: [] };
    const findings: Finding[] = [];

    // FEATURES_HEAVY: the run of the last N periods of the latest one's granularity.
    const featuresCeiling = thresholds.featuresCeilingPercent!;
    const runLength = Math.max(1, Math.floor(thresholds.featuresCeilingPeriods!));
    const run = actual.filter(({ period }) => period.granularity === latest.period.granularity).slice(-runLength);
    const inARow =
      run.length === runLength &&
      run.every(({ period }, i) => i === 0 || period.index === run[i - 1]!.period.index + 1);
    if (inARow && run.every(({ mix }) => mix.features > featuresCeiling)) {
      const severity: FrictionSeverity = latest.mix.features - featuresCeiling >= HIGH_EXCESS ? 'HIGH' : 'MEDIUM';
      const shares = run.map(({ mix }) => `${mix.period} ${mix.features}%`).join(', ');
      const periods = runLength === 1 ? '1 period' : `${runLength} periods in a row`;
      findings.push({
        cause: 'FEATURES_HEAVY',
        severity,
        message: `${subject.name} spent over ${featuresCeiling}% of its effort on features for ${periods} (${shares}).`,
        evidence: positions(...run.map(({ mix }) => mix.position)),
      });
    }

    // OVER_ENGINEERING: the technical share of the latest actual period.
    const technicalCeiling = thresholds.technicalCeilingPercent!;
    const technical = 100 - latest.mix.features;
    if (technical > technicalCeiling) {
      const severity: FrictionSeverity = technical - technicalCeiling >= HIGH_EXCESS ? 'HIGH' : 'MEDIUM';
      const split = SHARES.slice(1)
        .map(([share, label]) => `${label} ${latest.mix[share]}%`)
        .join(', ');
      findings.push({
        cause: 'OVER_ENGINEERING',
        severity,
        message: `${subject.name} spent ${technical}% of its effort on technical work in ${latest.mix.period} (${split}), over the ${technicalCeiling}% ceiling.`,
        evidence: positions(latest.mix.position),
      });
    }

    // OFF_PLAN: the latest actual period against its plan.
    const plan = mixes.find((mix) => mix.kind === 'PLANNED' && mix.period === latest.mix.period);
    const allowed = thresholds.planDeviationPoints!;
    if (plan) {
      const off = offPlan(latest.mix, plan, allowed);
      if (off.length > 0) {
        const largest = Math.max(...off.map(({ points }) => points));
        const severity: FrictionSeverity =
          largest >= allowed * 2 ? 'HIGH' : largest >= allowed * 1.5 ? 'MEDIUM' : 'LOW';
        const shares = off.map(({ label, actual, planned }) => `${label} ${actual}% (planned ${planned}%)`).join(', ');
        findings.push({
          cause: 'OFF_PLAN',
          severity,
          message: `${subject.name} is off its ${plan.period} plan by up to ${largest} points: ${shares}.`,
          evidence: positions(plan.position, latest.mix.position),
        });
      }
    }
    return { findings };
  },
});

/** The shares of `actual` at least `allowed` points away from `plan`, in the fixed share order. */
function offPlan(actual: InvestmentMix, plan: InvestmentMix, allowed: number) {
  return SHARES.map(([share, label]) => ({
    label,
    actual: actual[share],
    planned: plan[share],
    points: Math.abs(actual[share] - plan[share]),
  })).filter(({ points }) => points >= allowed);
}
