// Every friction rule of DOMAIN.md, in the order they are evaluated.
import type { FrictionRule } from '../rule.ts';
import { assetWallpaper, valueStreamWithoutCustomerValue } from './assetWallpaper.ts';
import { communicatingNotCollaborating } from './communicatingNotCollaborating.ts';
import { contestedOwnership } from './contestedOwnership.ts';
import { deliveryDegrading } from './deliveryDegrading.ts';
import { fingerPointing } from './fingerPointing.ts';
import { firstTeamMisaligned } from './firstTeamMisaligned.ts';
import { investmentImbalance } from './investmentImbalance.ts';
import { leadershipSilo } from './leadershipSilo.ts';
import { missedDependency } from './missedDependency.ts';
import { missingContext } from './missingContext.ts';
import { notCrossFunctional } from './notCrossFunctional.ts';
import { overallocation } from './overallocation.ts';
import { skillGap } from './skillGap.ts';
import { staleAgreement } from './staleAgreement.ts';
import { workSlipping } from './workSlipping.ts';

export const frictionRules: readonly FrictionRule[] = [
  workSlipping,
  contestedOwnership,
  investmentImbalance,
  staleAgreement,
  skillGap,
  notCrossFunctional,
  firstTeamMisaligned,
  leadershipSilo,
  missedDependency,
  missingContext,
  communicatingNotCollaborating,
  assetWallpaper,
  valueStreamWithoutCustomerValue,
  overallocation,
  deliveryDegrading,
  fingerPointing,
];
