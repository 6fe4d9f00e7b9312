// Vocabulary shared by the event catalogue: the enums of DOMAIN.md and the
// small zod pieces every payload uses. Changing a schema here changes the
// stored contract: add a schema version and an upcaster instead.
import { z } from 'zod';

export const GROWTH_PHASES = ['EXPERIMENTING', 'GETTING_TRACTION', 'HYPERGROWTH', 'OPTIMIZING'] as const;
export const DISCIPLINES = ['PRODUCT', 'ENGINEERING', 'DESIGN', 'QA', 'DATA', 'OPERATIONS', 'OTHER'] as const;
export const TEAM_KINDS = ['STREAM_ALIGNED', 'PLATFORM', 'ENABLING', 'COMPLICATED_SUBSYSTEM', 'LEADERSHIP'] as const;
export const INTERACTION_MODES = ['COLLABORATION', 'X_AS_A_SERVICE', 'FACILITATING'] as const;
export const DEPENDENCY_STATUSES = ['OK', 'SLOWING', 'BLOCKING'] as const;
export const METRIC_KINDS = ['VALUE', 'ACTIVITY'] as const;
export const AGREEMENT_STATUSES = ['DRAFT', 'RATIFIED', 'SUPERSEDED'] as const;
export const INTERACTION_KINDS = ['STATUS_UPDATE', 'JOINT_WORK'] as const;
export const OWNER_KINDS = ['PERSON', 'TEAM'] as const;
export const INVESTMENT_KINDS = ['PLANNED', 'ACTUAL'] as const;

/** Asset kinds and the category each one belongs to (DOMAIN.md "Asset"). */
export const ASSET_CATEGORY_BY_KIND = {
  LEAN_CANVAS: 'ECONOMIC_MODEL',
  BUSINESS_MODEL_CANVAS: 'ECONOMIC_MODEL',
  USER_JOURNEY: 'CUSTOMER_VALUE',
  SERVICE_BLUEPRINT: 'CUSTOMER_VALUE',
  PERSONA: 'CUSTOMER_VALUE',
  EMPATHY_MAP: 'CUSTOMER_VALUE',
  STORYBOARD: 'CUSTOMER_VALUE',
  JOBS_TO_BE_DONE: 'CUSTOMER_VALUE',
  PRODUCT_OVERVIEW: 'CUSTOMER_VALUE',
  FLYWHEEL: 'ECONOMIC_MODEL',
  VALUE_STREAM_MAP: 'STRATEGY',
  WARDLEY_MAP: 'STRATEGY',
  RETENTION_MODEL: 'ECONOMIC_MODEL',
  ACQUISITION_MODEL: 'ECONOMIC_MODEL',
  LIFETIME_VALUE_MODEL: 'ECONOMIC_MODEL',
  FINANCIAL_PROJECTION: 'ECONOMIC_MODEL',
  TARGET_CUSTOMER_PROFILE: 'CUSTOMER_VALUE',
  PROBLEM_TREE: 'STRATEGY',
  IMPACT_MAP: 'STRATEGY',
  OPPORTUNITY_SOLUTION_TREE: 'STRATEGY',
  CAUSAL_LOOP_DIAGRAM: 'STRATEGY',
  OTHER: 'STRATEGY',
} as const;
export type AssetKind = keyof typeof ASSET_CATEGORY_BY_KIND;
export const ASSET_KINDS = Object.keys(ASSET_CATEGORY_BY_KIND) as [AssetKind, ...AssetKind[]];
export const ASSET_CATEGORIES = ['CUSTOMER_VALUE', 'ECONOMIC_MODEL', 'STRATEGY'] as const;

export type GrowthPhase = (typeof GROWTH_PHASES)[number];
export type Discipline = (typeof DISCIPLINES)[number];
export type TeamKind = (typeof TEAM_KINDS)[number];
export type InteractionMode = (typeof INTERACTION_MODES)[number];
export type DependencyStatus = (typeof DEPENDENCY_STATUSES)[number];
export type MetricKind = (typeof METRIC_KINDS)[number];
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];
export type InteractionKind = (typeof INTERACTION_KINDS)[number];
export type OwnerKind = (typeof OWNER_KINDS)[number];
export type AssetCategory = (typeof ASSET_CATEGORIES)[number];

/**
 * A uuid, in lower case whatever case it was given in: PostgreSQL compares
 * uuids regardless of case, but replays, WorkingSets and stream ids compare
 * strings, so every id an event stores (and every id a command decides on:
 * command inputs use this schema) must have one spelling.
 */
export const id = z.uuid().toLowerCase();
/** A short human label: trimmed, 1..200 characters. */
export const label = z.string().trim().min(1).max(200);
/** Free text: up to 10,000 characters. */
export const text = z.string().max(10_000);
export const skill = z.string().trim().min(1).max(100);
export const skills = z.array(skill).max(100);
/** An investment period: a quarter (`2026-Q4`) or a month (`2026-11`). */
export const period = z.string().regex(/^\d{4}-(Q[1-4]|0[1-9]|1[0-2])$/, 'expected a period like 2026-Q4 or 2026-11');
export const owner = z.object({ kind: z.enum(OWNER_KINDS), id });
export type Owner = z.infer<typeof owner>;
