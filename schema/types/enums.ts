// The enums of API.md, with the values of DOMAIN.md (events/common.ts).

import {
  AGREEMENT_STATUSES,
  ASSET_CATEGORIES,
  ASSET_KINDS,
  DEPENDENCY_STATUSES,
  DISCIPLINES,
  GROWTH_PHASES,
  INTERACTION_KINDS,
  INTERACTION_MODES,
  METRIC_KINDS,
  TEAM_KINDS,
} from '../../events/common.ts';
import { ROLES } from '../../src/auth/tokens.ts';
import { builder } from '../builder.ts';

export const GrowthPhase = builder.enumType('GrowthPhase', { values: GROWTH_PHASES });
export const Discipline = builder.enumType('Discipline', { values: DISCIPLINES });
export const TeamKind = builder.enumType('TeamKind', { values: TEAM_KINDS });
export const Role = builder.enumType('Role', { values: ROLES });
export const InteractionMode = builder.enumType('InteractionMode', { values: INTERACTION_MODES });
export const DependencyStatus = builder.enumType('DependencyStatus', { values: DEPENDENCY_STATUSES });
export const MetricKind = builder.enumType('MetricKind', { values: METRIC_KINDS });
export const AgreementStatus = builder.enumType('AgreementStatus', { values: AGREEMENT_STATUSES });
export const AssetKind = builder.enumType('AssetKind', { values: ASSET_KINDS });
export const AssetCategory = builder.enumType('AssetCategory', { values: ASSET_CATEGORIES });
export const InteractionKind = builder.enumType('InteractionKind', { values: INTERACTION_KINDS });
