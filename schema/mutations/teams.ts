import {
  addTeamMember,
  alignTeam,
  archiveTeam,
  changeMembership,
  changeTeamParent,
  formTeam,
  removeTeamMember,
  renameTeam,
} from '../../src/teams/teams.ts';
import { builder } from '../builder.ts';
import { idOf, optionalIdOf } from '../ids.ts';
import { TeamKind } from '../types/enums.ts';
import { commandOptionFields, mutationsOn, present, runCommand } from './command.ts';
import { teamPayload } from './payloads.ts';

const FormTeamInput = builder.inputType('FormTeamInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    kind: t.field({ type: TeamKind, required: true }),
    valueStreamId: t.id({ required: false }),
    parentTeamId: t.id({ required: false }),
    ...commandOptionFields(t),
  }),
});

builder.mutationField('formTeam', (t) =>
  t.field({
    type: teamPayload('FormTeamPayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: FormTeamInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { name, kind, valueStreamId, parentTeamId, ...options } = input;
      const outcome = await runCommand(
        context,
        formTeam,
        {
          name,
          kind,
          valueStreamId: optionalIdOf(valueStreamId && String(valueStreamId), 'ValueStream', 'valueStreamId'),
          parentTeamId: optionalIdOf(parentTeamId && String(parentTeamId), 'Team', 'parentTeamId'),
        },
        options,
      );
      return { id: outcome.result.teamId, position: outcome.position };
    },
  }),
);

const teamMutation = mutationsOn({ idField: 'teamId', idType: 'Team', payload: teamPayload });

const personIdInput = (input: Record<string, unknown>) => ({
  ...present(input),
  personId: idOf(String(input.personId), 'Person', 'personId'),
});

teamMutation('renameTeam', renameTeam, (t) => ({ name: t.string({ required: true }) }));
teamMutation(
  'alignTeam',
  alignTeam,
  (t) => ({ valueStreamId: t.id({ required: false, description: 'Null: aligned to no value stream.' }) }),
  (input) => ({
    valueStreamId: optionalIdOf(input.valueStreamId as string | null, 'ValueStream', 'valueStreamId') ?? null,
  }),
);
teamMutation(
  'changeTeamParent',
  changeTeamParent,
  (t) => ({ parentTeamId: t.id({ required: false, description: 'Null: a top-level team.' }) }),
  (input) => ({ parentTeamId: optionalIdOf(input.parentTeamId as string | null, 'Team', 'parentTeamId') ?? null }),
);
teamMutation('archiveTeam', archiveTeam);
teamMutation(
  'addTeamMember',
  addTeamMember,
  (t) => ({
    personId: t.id({ required: true }),
    role: t.string({ required: true }),
    allocation: t.int({ required: true, description: 'Percent of their time, 1..100.' }),
  }),
  personIdInput,
);
teamMutation(
  'changeMembership',
  changeMembership,
  (t) => ({
    personId: t.id({ required: true }),
    role: t.string({ required: false }),
    allocation: t.int({ required: false }),
  }),
  personIdInput,
);
teamMutation('removeTeamMember', removeTeamMember, (t) => ({ personId: t.id({ required: true }) }), personIdInput);
