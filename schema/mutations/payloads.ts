// Mutation payloads: the affected object, read from the read models (which
// the command updated in its own transaction, so they show the write), and
// the position of the last event the command appended.
import { builder } from '../builder.ts';
import { tenant } from '../types/tenancy.ts';

type Payload = { id: string; position: bigint | null };

const positionField = {
  type: 'Position',
  nullable: true,
  description: 'The last event the command appended.',
} as const;

export const teamPayload = (name: string) =>
  builder.objectRef<Payload>(name).implement({
    fields: (t) => ({
      team: t.prismaField({
        type: 'Team',
        resolve: (query, payload, _args, context) =>
          context.prisma.team.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', positionField),
    }),
  });

export const personPayload = (name: string) =>
  builder.objectRef<Payload>(name).implement({
    fields: (t) => ({
      person: t.prismaField({
        type: 'Person',
        resolve: (query, payload, _args, context) =>
          context.prisma.person.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', positionField),
    }),
  });

export const valueStreamPayload = (name: string) =>
  builder.objectRef<Payload>(name).implement({
    fields: (t) => ({
      valueStream: t.prismaField({
        type: 'ValueStream',
        resolve: (query, payload, _args, context) =>
          context.prisma.valueStream.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', positionField),
    }),
  });

export const responsibilityPayload = (name: string) =>
  builder.objectRef<Payload>(name).implement({
    fields: (t) => ({
      responsibility: t.prismaField({
        type: 'Responsibility',
        resolve: (query, payload, _args, context) =>
          context.prisma.responsibility.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', positionField),
    }),
  });
