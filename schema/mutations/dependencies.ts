import { changeDependencyStatus, declareDependency, resolveDependency } from '../../src/dependencies/dependencies.ts';
import { builder } from '../builder.ts';
import { idOf } from '../ids.ts';
import { DependencyStatus, InteractionMode } from '../types/enums.ts';
import { tenant } from '../types/tenancy.ts';
import { commandOptionFields, runCommand, targetedMutation } from './command.ts';

type Payload = { id: string; position: bigint | null };

const dependencyPayload = (name: string) =>
  builder.objectRef<Payload>(name).implement({
    fields: (t) => ({
      dependency: t.prismaField({
        type: 'Dependency',
        resolve: (query, payload, _args, context) =>
          context.prisma.dependency.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', {
        type: 'Position',
        nullable: true,
        description: 'The last event the command appended.',
      }),
    }),
  });

const DeclareDependencyInput = builder.inputType('DeclareDependencyInput', {
  fields: (t) => ({
    fromTeamId: t.id({ required: true, description: 'The team that depends.' }),
    toTeamId: t.id({ required: true, description: 'The team depended on.' }),
    mode: t.field({ type: InteractionMode, required: true }),
    description: t.string({ required: false }),
    status: t.field({ type: DependencyStatus, required: false, description: 'OK when omitted.' }),
    discoveredLate: t.boolean({
      required: false,
      description: 'Discovered after the work started; false when omitted.',
    }),
    expectedDurationDays: t.int({ required: false, description: '1..3650.' }),
    ...commandOptionFields(t),
  }),
});

builder.mutationField('declareDependency', (t) =>
  t.field({
    type: dependencyPayload('DeclareDependencyPayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: DeclareDependencyInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { fromTeamId, toTeamId, mode, description, status, discoveredLate, expectedDurationDays, ...options } =
        input;
      const outcome = await runCommand(
        context,
        declareDependency,
        {
          fromTeamId: idOf(String(fromTeamId), 'Team', 'fromTeamId'),
          toTeamId: idOf(String(toTeamId), 'Team', 'toTeamId'),
          mode,
          description,
          expectedDurationDays,
          ...(status ? { status } : {}),
          ...(discoveredLate === null || discoveredLate === undefined ? {} : { discoveredLate }),
        },
        options,
      );
      return { id: outcome.result.dependencyId, position: outcome.position };
    },
  }),
);

targetedMutation({
  name: 'changeDependencyStatus',
  handler: changeDependencyStatus,
  idField: 'dependencyId',
  idType: 'Dependency',
  payload: dependencyPayload,
  fields: (t) => ({ status: t.field({ type: DependencyStatus, required: true }) }),
});

targetedMutation({
  name: 'resolveDependency',
  handler: resolveDependency,
  idField: 'dependencyId',
  idType: 'Dependency',
  payload: dependencyPayload,
});
