import { defineValueStream, retireValueStream } from '../../src/valueStreams/valueStreams.ts';
import { builder } from '../builder.ts';
import { optionalIdOf } from '../ids.ts';
import { commandOptionFields, runCommand, targetedMutation } from './command.ts';
import { valueStreamPayload } from './payloads.ts';

const DefineValueStreamInput = builder.inputType('DefineValueStreamInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'Unique among the organization’s active value streams.' }),
    description: t.string({ required: false }),
    customer: t.string({ required: false, description: 'The customer or persona it serves.' }),
    parentId: t.id({ required: false, description: 'The value stream this one is part of.' }),
    ...commandOptionFields(t),
  }),
});

builder.mutationField('defineValueStream', (t) =>
  t.field({
    type: valueStreamPayload('DefineValueStreamPayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: DefineValueStreamInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { name, description, customer, parentId, ...options } = input;
      const outcome = await runCommand(
        context,
        defineValueStream,
        {
          name,
          description,
          customer,
          parentId: optionalIdOf(parentId && String(parentId), 'ValueStream', 'parentId'),
        },
        options,
      );
      return { id: outcome.result.valueStreamId, position: outcome.position };
    },
  }),
);

targetedMutation({
  name: 'retireValueStream',
  handler: retireValueStream,
  idField: 'valueStreamId',
  idType: 'ValueStream',
  payload: valueStreamPayload,
});
