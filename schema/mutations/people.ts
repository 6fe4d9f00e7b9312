import {
  changeReportingLine,
  chooseFirstTeam,
  offboardPerson,
  registerPerson,
  updatePersonSkills,
} from '../../src/people/people.ts';
import { builder } from '../builder.ts';
import { idOf, optionalIdOf } from '../ids.ts';
import { Discipline } from '../types/enums.ts';
import { commandOptionFields, mutationsOn, runCommand } from './command.ts';
import { personPayload } from './payloads.ts';

const RegisterPersonInput = builder.inputType('RegisterPersonInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string({ required: true }),
    discipline: t.field({ type: Discipline, required: true }),
    skills: t.stringList({ required: false }),
    managerId: t.id({ required: false }),
    ...commandOptionFields(t),
  }),
});

builder.mutationField('registerPerson', (t) =>
  t.field({
    type: personPayload('RegisterPersonPayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: RegisterPersonInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { name, email, discipline, skills, managerId, ...options } = input;
      const outcome = await runCommand(
        context,
        registerPerson,
        {
          name,
          email,
          discipline,
          ...(skills ? { skills } : {}),
          managerId: optionalIdOf(managerId && String(managerId), 'Person', 'managerId'),
        },
        options,
      );
      return { id: outcome.result.personId, position: outcome.position };
    },
  }),
);

const personMutation = mutationsOn({ idField: 'personId', idType: 'Person', payload: personPayload });

personMutation(
  'changeReportingLine',
  changeReportingLine,
  (t) => ({ managerId: t.id({ required: false, description: 'Null: reports to nobody.' }) }),
  (input) => ({ managerId: optionalIdOf(input.managerId as string | null, 'Person', 'managerId') ?? null }),
);
personMutation(
  'chooseFirstTeam',
  chooseFirstTeam,
  (t) => ({ teamId: t.id({ required: true }) }),
  (input) => ({ teamId: idOf(String(input.teamId), 'Team', 'teamId') }),
);
personMutation('offboardPerson', offboardPerson);
personMutation('updatePersonSkills', updatePersonSkills, (t) => ({ skills: t.stringList({ required: true }) }));
