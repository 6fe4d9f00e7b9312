import { draftAgreement, ratifyAgreement, revisitAgreement } from '../../src/agreements/agreements.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { idOf } from '../ids.ts';
import { MetricKind } from '../types/enums.ts';
import { present, targetedMutation } from './command.ts';
import { teamPayload } from './payloads.ts';

const AgreementMetricInput = builder.inputType('AgreementMetricInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: MetricKind, required: true }),
    target: t.string({ required: false }),
  }),
});

/** Global ids of `type` in a list field, decoded; a list is capped before decoding so a huge one fails fast. */
function idsOf(value: unknown, type: string, field: string): string[] {
  const ids = value as readonly string[];
  if (ids.length > 500) throw badInput(`${field} lists more than 500 ids`, { field });
  return ids.map((globalId) => idOf(String(globalId), type, field));
}

targetedMutation({
  name: 'draftAgreement',
  handler: draftAgreement,
  idField: 'teamId',
  idType: 'Team',
  payload: teamPayload,
  fields: (t) => ({
    mission: t.string({ required: true }),
    name: t.string({ required: false }),
    metrics: t.field({ type: [AgreementMetricInput], required: false }),
    responsibilityIds: t.idList({ required: false }),
    skills: t.stringList({ required: false, description: 'Skills the team needs.' }),
    norms: t.string({ required: false }),
  }),
  toInput: (input) => ({
    ...present(input),
    ...(input.responsibilityIds
      ? { responsibilityIds: idsOf(input.responsibilityIds, 'Responsibility', 'responsibilityIds') }
      : {}),
  }),
});

targetedMutation({
  name: 'ratifyAgreement',
  handler: ratifyAgreement,
  idField: 'teamId',
  idType: 'Team',
  payload: teamPayload,
  fields: (t) => ({
    ratifiedBy: t.idList({ required: true, description: 'The current members who ratify the pending draft.' }),
  }),
  toInput: (input) => ({ ratifiedBy: idsOf(input.ratifiedBy, 'Person', 'ratifiedBy') }),
});

targetedMutation({
  name: 'revisitAgreement',
  handler: revisitAgreement,
  idField: 'teamId',
  idType: 'Team',
  payload: teamPayload,
  fields: (t) => ({ notes: t.string({ required: false }) }),
});
