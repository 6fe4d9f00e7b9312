// Interactions and handoffs are records, not objects that change: their
// payloads carry the new record's id and the position of its event.
import { recordHandoff, recordInteraction } from '../../src/collaboration/collaboration.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { idOf } from '../ids.ts';
import { InteractionKind } from '../types/enums.ts';
import { tenant } from '../types/tenancy.ts';
import { commandOptionFields, runCommand } from './command.ts';

type Recorded = { id: string; position: bigint | null };

const position = (recorded: Recorded) => {
  // These commands always append, and a replayed key answers with the first position.
  if (recorded.position === null) throw new Error('A recording command appended no event');
  return recorded.position;
};

const RecordInteractionInput = builder.inputType('RecordInteractionInput', {
  fields: (t) => ({
    teamIds: t.idList({ required: true, description: 'The teams involved: 2 to 20.' }),
    kind: t.field({ type: InteractionKind, required: true }),
    note: t.string({ required: false }),
    ...commandOptionFields(t),
  }),
});

const RecordInteractionPayload = builder.objectRef<Recorded>('RecordInteractionPayload').implement({
  fields: (t) => ({
    interactionId: t.globalID({ resolve: (recorded) => ({ type: 'Interaction', id: recorded.id }) }),
    interaction: t.prismaField({
      type: 'Interaction',
      resolve: (query, recorded, _args, context) =>
        context.prisma.interaction.findFirstOrThrow({ ...query, where: { id: recorded.id, ...tenant(context) } }),
    }),
    position: t.field({ type: 'Position', description: 'The event that recorded it.', resolve: position }),
  }),
});

builder.mutationField('recordInteraction', (t) =>
  t.field({
    type: RecordInteractionPayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordInteractionInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { teamIds, kind, note, ...options } = input;
      if (teamIds.length > 20) throw badInput('teamIds lists more than 20 teams', { field: 'teamIds' });
      const outcome = await runCommand(
        context,
        recordInteraction,
        {
          teamIds: teamIds.map((teamId) => idOf(String(teamId), 'Team', 'teamIds')),
          kind,
          ...(note === null || note === undefined ? {} : { note }),
        },
        options,
      );
      return { id: outcome.result.interactionId, position: outcome.position };
    },
  }),
);

const RecordHandoffInput = builder.inputType('RecordHandoffInput', {
  fields: (t) => ({
    teamId: t.id({ required: true, description: 'The team the requirement was handed to.' }),
    title: t.string({ required: true }),
    reviewedWithEngineering: t.boolean({ required: true, description: 'Before work started.' }),
    reviewedWithProduct: t.boolean({ required: true, description: 'Before work started.' }),
    comment: t.string({ required: false }),
    ...commandOptionFields(t),
  }),
});

const RecordHandoffPayload = builder.objectRef<Recorded>('RecordHandoffPayload').implement({
  fields: (t) => ({
    handoffId: t.globalID({ resolve: (recorded) => ({ type: 'Handoff', id: recorded.id }) }),
    handoff: t.prismaField({
      type: 'Handoff',
      resolve: (query, recorded, _args, context) =>
        context.prisma.handoff.findFirstOrThrow({ ...query, where: { id: recorded.id, ...tenant(context) } }),
    }),
    position: t.field({ type: 'Position', description: 'The event that recorded it.', resolve: position }),
  }),
});

builder.mutationField('recordHandoff', (t) =>
  t.field({
    type: RecordHandoffPayload,
    authScopes: { editor: true },
    args: { input: t.arg({ type: RecordHandoffInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { teamId, title, reviewedWithEngineering, reviewedWithProduct, comment, ...options } = input;
      const outcome = await runCommand(
        context,
        recordHandoff,
        {
          teamId: idOf(String(teamId), 'Team', 'teamId'),
          title,
          reviewedWithEngineering,
          reviewedWithProduct,
          ...(comment === null || comment === undefined ? {} : { comment }),
        },
        options,
      );
      return { id: outcome.result.handoffId, position: outcome.position };
    },
  }),
);
