import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import { builder } from '../builder.ts';
import { decodeId } from '../ids.ts';
import { commandOptionFields, runCommand, targetedMutation } from './command.ts';
import { responsibilityPayload } from './payloads.ts';

const DefineResponsibilityInput = builder.inputType('DefineResponsibilityInput', {
  fields: (t) => ({
    title: t.string({ required: true }),
    description: t.string({ required: false }),
    category: t.string({ required: false, description: 'Free text; GENERAL when omitted.' }),
    ...commandOptionFields(t),
  }),
});

builder.mutationField('defineResponsibility', (t) =>
  t.field({
    type: responsibilityPayload('DefineResponsibilityPayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: DefineResponsibilityInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { title, description, category, ...options } = input;
      const outcome = await runCommand(
        context,
        defineResponsibility,
        { title, description, ...(category === null || category === undefined ? {} : { category }) },
        options,
      );
      return { id: outcome.result.responsibilityId, position: outcome.position };
    },
  }),
);

targetedMutation({
  name: 'assignResponsibility',
  handler: assignResponsibility,
  idField: 'responsibilityId',
  idType: 'Responsibility',
  payload: responsibilityPayload,
  fields: (t) => ({ ownerId: t.id({ required: true, description: 'A person or a team.' }) }),
  toInput: (input) => ({ ownerId: decodeId(String(input.ownerId), ['Person', 'Team'], 'ownerId').id }),
});

targetedMutation({
  name: 'unassignResponsibility',
  handler: unassignResponsibility,
  idField: 'responsibilityId',
  idType: 'Responsibility',
  payload: responsibilityPayload,
});
