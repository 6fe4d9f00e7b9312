// Mutation payloads: the affected object, read from the read models (which
// the command updated in its own transaction, so they show the write), and
// the position of the last event the command appended.
//
// The payload of a mutation on an existing object (targetedMutation) that
// asks only for the object's own columns (`team { version }`) is answered
// from the row the command left in its organization's resident copy
// (`CommandOutcome.row`): the very row it wrote with its COMMIT, so the same
// answer as a read of the table right after it, without the query. One that
// asks for more (a relation), a creation's payload, or a command without a
// copy reads the table through Prisma.
import { people, responsibilities, teams, valueStreams } from '../../projections/tables.ts';
import type { TableSpec } from '../../src/readModel/table.ts';
import { builder } from '../builder.ts';
import { tenant } from '../types/tenancy.ts';

type Payload = { id: string; position: bigint | null; row?: object | undefined };

/**
 * `row` when `query` (the selection Pothos planned for the payload's object)
 * asks for columns only: selected ones, each of which the row has, or (a
 * type without a selection of its own) all of them, nothing included; else
 * undefined.
 */
function ownColumns(query: { select?: object; include?: object }, row: object | undefined): never | undefined {
  if (!row || query.include) return undefined;
  if (!query.select) return Object.keys(query).length === 0 ? (row as never) : undefined;
  for (const [field, wanted] of Object.entries(query.select)) if (wanted !== true || !(field in row)) return undefined;
  return row as never;
}

/** The table whose row a payload shows, for the payloads that can show the row a command left. */
const payloadTables = new Map<unknown, TableSpec<object>>();

/** The table of the object `payload` shows, when it can be answered from the row the command left. */
export function payloadTable(payload: unknown): TableSpec<object> | undefined {
  return payloadTables.get(payload);
}

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
          ownColumns(query, payload.row) ??
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
          ownColumns(query, payload.row) ??
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
          ownColumns(query, payload.row) ??
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
          ownColumns(query, payload.row) ??
          context.prisma.responsibility.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', positionField),
    }),
  });

payloadTables.set(teamPayload, teams as TableSpec<object>);
payloadTables.set(personPayload, people as TableSpec<object>);
payloadTables.set(valueStreamPayload, valueStreams as TableSpec<object>);
payloadTables.set(responsibilityPayload, responsibilities as TableSpec<object>);
