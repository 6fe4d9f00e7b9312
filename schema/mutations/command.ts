// What every mutation shares: the optional command fields of API.md
// (occurredAt, reason, expectedVersion, idempotencyKey), the actor taken from
// the token, and running the command handler in the caller's organization.

import type { InputFieldMap, ObjectRef } from '@pothos/core';
import { organizationOf } from '../../src/auth/tokens.ts';
import type { CommandHandler, CommandMeta } from '../../src/commands/command.ts';
import { type CommandOutcome, executeCommand, type ReadBack } from '../../src/commands/execute.ts';
import { builder } from '../builder.ts';
import type { GraphQLContext } from '../context.ts';
import { badInput } from '../errors.ts';
import { idOf } from '../ids.ts';
import { payloadTable } from './payloads.ts';

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

export function commandOptionFields(t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, 'InputObject'>) {
  return {
    occurredAt: t.field({
      type: 'DateTime',
      required: false,
      description: 'When it happened in the organization (back-dating); default now.',
    }),
    reason: t.string({ required: false, description: 'Why; recorded in the event metadata.' }),
    expectedVersion: t.int({
      required: false,
      description: 'The version the target object must be at; otherwise the command fails with CONFLICT.',
    }),
    idempotencyKey: t.string({
      required: false,
      description: 'A retry with the same key appends nothing new and returns the first result.',
    }),
  };
}

type CommandOptions = {
  occurredAt?: Date | null | undefined;
  reason?: string | null | undefined;
  expectedVersion?: number | null | undefined;
  idempotencyKey?: string | null | undefined;
};

const MAX_REASON = 2_000;
const MAX_KEY = 200;

export function commandMeta(context: GraphQLContext, options: CommandOptions): CommandMeta {
  const meta: CommandMeta = { actor: context.viewer?.label ?? 'anonymous', correlationId: context.requestId };
  if (options.occurredAt) meta.occurredAt = options.occurredAt;
  if (options.reason !== null && options.reason !== undefined) {
    if (options.reason.length > MAX_REASON) throw badInput(`reason is longer than ${MAX_REASON} characters`);
    meta.reason = options.reason;
  }
  if (options.expectedVersion !== null && options.expectedVersion !== undefined) {
    if (options.expectedVersion < 0) throw badInput('expectedVersion must not be negative');
    meta.expectedVersion = options.expectedVersion;
  }
  if (options.idempotencyKey !== null && options.idempotencyKey !== undefined) {
    if (options.idempotencyKey.length === 0 || options.idempotencyKey.length > MAX_KEY) {
      throw badInput(`idempotencyKey must have 1 to ${MAX_KEY} characters`);
    }
    meta.idempotencyKey = options.idempotencyKey;
  }
  return meta;
}

/** Runs a command in the caller's organization. */
export function runCommand<Input, Result>(
  context: GraphQLContext,
  handler: CommandHandler<Input, Result>,
  input: unknown,
  options: CommandOptions,
  readBack?: ReadBack,
): Promise<CommandOutcome<Result>> {
  return executeCommand(
    context.commands,
    handler,
    organizationOf(context.viewer),
    input,
    commandMeta(context, options),
    readBack,
  );
}

/** Copies only the fields a client actually sent (GraphQL gives null for omitted ones). */
export function present<T extends Record<string, unknown>>(input: T): { [K in keyof T]?: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) if (value !== null && value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], null> };
}

type InputFields = Parameters<Parameters<typeof builder.inputType>[1]['fields']>[0];

/**
 * A mutation on one existing object: `<Name>Input` holds the object's id
 * (`idField`, a global id of `idType`), the command's own fields and the
 * command options; the payload shows the object after the command.
 */
export function targetedMutation<Fields extends InputFieldMap, Input, Result>(options: {
  name: string;
  handler: CommandHandler<Input, Result>;
  idField: string;
  idType: string;
  payload: (name: string) => ObjectRef<BuilderTypes, { id: string; position: bigint | null; row?: object | undefined }>;
  fields?: (t: InputFields) => Fields;
  /** Turns the GraphQL input (ids still global) into the command's input. */
  toInput?: (input: Record<string, unknown>) => Record<string, unknown>;
}) {
  const pascal = options.name[0]!.toUpperCase() + options.name.slice(1);
  const Input = builder.inputType(`${pascal}Input`, {
    fields: (t) => ({
      [options.idField]: t.id({ required: true }),
      ...(options.fields?.(t) ?? {}),
      ...commandOptionFields(t),
    }),
  });
  builder.mutationField(options.name, (t) =>
    t.field({
      type: options.payload(`${pascal}Payload`),
      authScopes: { editor: true },
      args: { input: t.arg({ type: Input, required: true }) },
      resolve: async (_root, args, context) => {
        const input = (args as unknown as { input: Record<string, never> }).input;
        const { occurredAt, reason, expectedVersion, idempotencyKey, ...rest } = input;
        const id = idOf(String(rest[options.idField]), options.idType, options.idField);
        const commandInput = { ...(options.toInput ?? present)(rest), [options.idField]: id };
        const table = payloadTable(options.payload);
        const outcome = await runCommand(
          context,
          options.handler,
          commandInput,
          { occurredAt, reason, expectedVersion, idempotencyKey },
          table && { spec: table, key: { id } },
        );
        return { id, position: outcome.position, row: outcome.row };
      },
    }),
  );
}

/** `targetedMutation` bound to one kind of object: `(name, handler, fields?, toInput?)`. */
export function mutationsOn(target: {
  idField: string;
  idType: string;
  payload: (name: string) => ObjectRef<BuilderTypes, { id: string; position: bigint | null }>;
}) {
  return <Fields extends InputFieldMap, Input, Result>(
    name: string,
    handler: CommandHandler<Input, Result>,
    fields?: (t: InputFields) => Fields,
    toInput?: (input: Record<string, unknown>) => Record<string, unknown>,
  ) =>
    targetedMutation({
      name,
      handler,
      ...target,
      ...(fields ? { fields } : {}),
      ...(toInput ? { toInput } : {}),
    });
}
