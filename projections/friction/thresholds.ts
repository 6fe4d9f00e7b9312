// The thresholds of every friction rule: one catalogue, assembled from the
// rules' own declarations, with phase-dependent defaults (DOMAIN.md) and the
// organization's overrides on top.
import { GROWTH_PHASES, type GrowthPhase } from '../../events/common.ts';
import type { Organization } from '../../src/generated/prisma/client.ts';
import type { FrictionRule, ThresholdDefinition } from './rule.ts';
import { frictionRules } from './rules/index.ts';

export type ThresholdEntry = ThresholdDefinition & { name: string; rule: FrictionRule['kind'] };

function catalogue(rules: readonly FrictionRule[]): ReadonlyMap<string, ThresholdEntry> {
  const entries = new Map<string, ThresholdEntry>();
  for (const rule of rules) {
    for (const [name, definition] of Object.entries(rule.thresholds)) {
      if (entries.has(name)) throw new Error(`Friction threshold ${name} is declared twice`);
      entries.set(name, { ...definition, name, rule: rule.kind });
    }
  }
  return entries;
}

export const thresholdCatalogue = catalogue(frictionRules);

export function defaultThreshold(entry: ThresholdDefinition, phase: GrowthPhase): number {
  return typeof entry.default === 'number' ? entry.default : entry.default[phase];
}

/** Every threshold's value for the organization: its override, else the default for its phase. */
export function effectiveThresholds(
  organization: Pick<Organization, 'growthPhase' | 'thresholds'>,
): Record<string, number> {
  const phase = (GROWTH_PHASES as readonly string[]).includes(organization.growthPhase)
    ? (organization.growthPhase as GrowthPhase)
    : 'EXPERIMENTING';
  const overrides = (organization.thresholds ?? {}) as Record<string, unknown>;
  const values: Record<string, number> = {};
  for (const [name, entry] of thresholdCatalogue) {
    const override = overrides[name];
    values[name] = typeof override === 'number' ? override : defaultThreshold(entry, phase);
  }
  return values;
}

/** What is wrong with a set of overrides (unknown names, values out of bounds); empty when nothing. */
export function thresholdProblems(overrides: Record<string, number | null>): string[] {
  const problems: string[] = [];
  for (const [name, value] of Object.entries(overrides)) {
    const entry = thresholdCatalogue.get(name);
    if (!entry) {
      problems.push(`unknown threshold "${name}"`);
      continue;
    }
    if (value === null) continue;
    const min = entry.min ?? 0;
    if (value < min || (entry.max !== undefined && value > entry.max)) {
      problems.push(`${name} must be between ${min} and ${entry.max ?? 'any number'}, got ${value}`);
    }
  }
  return problems;
}
