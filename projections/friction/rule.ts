// What a friction rule is (DOMAIN.md, "Friction signals"): for one subject,
// from the read models as they are after an event, the signals that hold now
// and, when time alone can change that, the moment to look again.
//
// Rules are deterministic functions of the rows they read, the organization's
// thresholds and the evaluation time `at` they are given: no clock of their
// own, no I/O besides the WorkingSet. That is what makes a replay of the log
// produce the very signals, with the very times, the live path produced.
import type { GrowthPhase } from '../../events/common.ts';
import type { DomainEvent, DomainEventType } from '../../events/index.ts';
import type { Organization } from '../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../src/readModel/workingSet.ts';
import type { DomainRecord } from '../projection.ts';

export const FRICTION_SIGNAL_KINDS = [
  'WORK_SLIPPING',
  'CONTESTED_OWNERSHIP',
  'INVESTMENT_IMBALANCE',
  'STALE_AGREEMENT',
  'SKILL_GAP',
  'NOT_CROSS_FUNCTIONAL',
  'FIRST_TEAM_MISALIGNED',
  'LEADERSHIP_SILO',
  'MISSED_DEPENDENCY',
  'MISSING_CONTEXT',
  'COMMUNICATING_NOT_COLLABORATING',
  'ASSET_WALLPAPER',
  'OVERALLOCATION',
  'DELIVERY_DEGRADING',
  'FINGER_POINTING',
] as const;
export type FrictionSignalKind = (typeof FRICTION_SIGNAL_KINDS)[number];

export const FRICTION_SEVERITIES = ['LOW', 'MEDIUM', 'HIGH'] as const;
export type FrictionSeverity = (typeof FRICTION_SEVERITIES)[number];

export const SUBJECT_KINDS = ['ORGANIZATION', 'TEAM', 'PERSON', 'RESPONSIBILITY', 'VALUE_STREAM', 'ASSET'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];

/** One signal a rule finds on its subject. */
export type Finding = {
  /**
   * Tells apart several signals of one kind on one subject (a dependency id,
   * the other team of a pair, a sub-rule); omitted when there is one.
   */
  cause?: string;
  severity: FrictionSeverity;
  message: string;
  /** Positions of the events behind the finding (the rows' `position`s). */
  evidence: readonly bigint[];
  /** Teams the signal concerns besides a team subject (shown on their pages too). */
  teamIds?: readonly string[];
};

export type Evaluation = {
  findings: Finding[];
  /**
   * When time alone may change the outcome (a deadline, a sliding window),
   * the next moment to evaluate again; strictly after `at`.
   */
  recheckAt?: Date | null;
};

export type RuleContext = {
  ws: WorkingSet;
  organizationId: string;
  organization: Organization;
  /** The effective thresholds: the organization's overrides, else the phase defaults. */
  thresholds: Readonly<Record<string, number>>;
  /** The evaluation time (org time): the event's occurredAt, or the due time of a timer. */
  at: Date;
};

/** A threshold's default: one number, or one per growth phase. */
export type ThresholdDefault = number | Readonly<Record<GrowthPhase, number>>;

export type ThresholdDefinition = {
  description: string;
  default: ThresholdDefault;
  /** Inclusive bounds a value set with setFrictionThresholds must respect. */
  min?: number;
  max?: number;
};

/** What an `affects` entry may consult besides the event. */
export type Lookup = {
  ws: WorkingSet;
  organizationId: string;
  /**
   * Of `subjectIds`, those with an open signal of the rule (all of them
   * where the engine does not hold the signals at hand, or replays a
   * selection of the log that commands did not write as such, like a view
   * as of a date). For an event that, in a log commands wrote, can change a
   * held signal's evidence but cannot raise one: every pruning that counts
   * on what commands allow goes through it.
   */
  withOpenSignal(subjectIds: readonly string[]): Promise<readonly string[]>;
};

type Affects = {
  [Type in DomainEventType]?: (
    event: DomainRecord<Extract<DomainEvent, { type: Type }>>,
    lookup: Lookup,
  ) => readonly string[] | Promise<readonly string[]>;
};

export type FrictionRule = {
  kind: FrictionSignalKind;
  subjectKind: SubjectKind;
  /** What the rule looks for, in a sentence (shown in the API's descriptions). */
  description: string;
  thresholds: Readonly<Record<string, ThresholdDefinition>>;
  /**
   * For each event type that can change the outcome, the ids of the subjects
   * to evaluate again (incremental evaluation touches nothing else). Growth
   * phase and threshold changes re-evaluate every subject of every rule.
   */
  affects: Affects;
  evaluate(context: RuleContext, subjectId: string): Promise<Evaluation>;
};

export function defineRule(rule: FrictionRule): FrictionRule {
  return rule;
}

export const DAY_MS = 86_400_000;

export function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * DAY_MS);
}

/** Whole or fractional days from `from` to `to`. */
export function daysBetween(from: Date, to: Date): number {
  return (to.getTime() - from.getTime()) / DAY_MS;
}

/** The earliest of the dates that lie strictly after `at`, or null. */
export function nextAfter(at: Date, ...dates: (Date | null | undefined)[]): Date | null {
  let next: Date | null = null;
  for (const date of dates) {
    if (date && date.getTime() > at.getTime() && (!next || date.getTime() < next.getTime())) next = date;
  }
  return next;
}

/** Sorted, distinct positions. */
export function positions(...values: (bigint | null | undefined)[]): bigint[] {
  const distinct = [...new Set(values.filter((value): value is bigint => typeof value === 'bigint'))];
  return distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Compares the product of `left` with the product of `right` (−1, 0 or 1),
 * exactly: each number counts as the decimal it prints as (12.5, 0.36, 33.3),
 * not as its binary approximation, so a boundary the rules state in percent
 * ("over 30 %", "by 20 %+") falls on the side DOMAIN.md puts it (in floating
 * point, 1.2 × 100 < 1 × 120). Finite numbers only.
 */
export function compareProducts(left: readonly number[], right: readonly number[]): -1 | 0 | 1 {
  // In floating point first, when every factor is zero or of a moderate
  // size (so no product of three leaves the normal range): each factor is
  // then within 2^-53 of its decimal and each multiplication adds as little,
  // so products further apart than a billionth of their size compare the
  // same way exactly. Near-ties (the boundaries the rules state) and extreme
  // magnitudes take the exact path.
  if (moderate(left) && moderate(right)) {
    let leftProduct = 1;
    let rightProduct = 1;
    for (const factor of left) leftProduct *= factor;
    for (const factor of right) rightProduct *= factor;
    if (Math.abs(leftProduct - rightProduct) > 1e-9 * Math.max(Math.abs(leftProduct), Math.abs(rightProduct))) {
      return leftProduct < rightProduct ? -1 : 1;
    }
  }
  const [a, aExponent] = product(left);
  const [b, bExponent] = product(right);
  const exponent = Math.min(aExponent, bExponent);
  const x = a * 10n ** BigInt(aExponent - exponent);
  const y = b * 10n ** BigInt(bExponent - exponent);
  return x < y ? -1 : x > y ? 1 : 0;
}

const moderate = (factors: readonly number[]) =>
  factors.length <= 3 &&
  factors.every((factor) => factor === 0 || (Math.abs(factor) >= 1e-90 && Math.abs(factor) <= 1e90));

/** The exact product of numbers taken as decimals: digits × 10^exponent. */
function product(factors: readonly number[]): [bigint, number] {
  let digits = 1n;
  let exponent = 0;
  for (const factor of factors) {
    // The shortest digits that print as the number: 0.36 → "3.6e-1".
    const [mantissa = '', power = ''] = factor.toExponential().split('e');
    const [whole = '', fraction = ''] = mantissa.split('.');
    digits *= BigInt(whole + fraction);
    exponent += Number(power) - fraction.length;
  }
  return [digits, exponent];
}
