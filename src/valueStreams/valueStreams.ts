// Value streams: what a group of teams delivers to whom. Names are unique
// among the organization's non-retired value streams (held as executor claims,
// released on retirement, so a retired name can be defined again).
//
// Parents form a tree without cycles by construction: a parent must already
// exist when its child is defined, and no event ever changes a parent
// afterwards, so no value stream can become its own ancestor. A parent retired
// while a child is being defined needs no lock: a live child of a retired
// parent is a state retiring the parent later reaches anyway.
import { z } from 'zod';
import { id, label, text } from '../../events/common.ts';
import { type ValueStreamEvent, valueStreamStream } from '../../events/valueStream.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { type Claim, defineCommand } from '../commands/command.ts';
import { normalizedName } from '../commands/lookups.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export type ValueStreamState =
  | { exists: false }
  | { exists: true; id: string; name: string; parentId: string | null; definedAt: Date; retired: boolean };

export const valueStreamAggregate = defineAggregate<ValueStreamState>({
  stream: valueStreamStream,
  initial: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ValueStreamDefined':
        return {
          exists: true,
          id: event.data.valueStreamId,
          name: event.data.name,
          parentId: event.data.parentId,
          definedAt: event.occurredAt,
          retired: false,
        };
      case 'ValueStreamRetired':
        return state.exists ? { ...state, retired: true } : state;
      default:
        return state;
    }
  },
});

/** The unique-name claim of a value stream: case and spacing do not make a name different. */
export function valueStreamNameClaim(name: string, valueStreamId: string): Claim {
  return { kind: 'value stream name', value: normalizedName(name), streamId: valueStreamStream(valueStreamId) };
}

// --- decisions (pure) ---

export type DefineValueStream = {
  valueStreamId: string;
  name: string;
  description: string | null;
  customer: string | null;
  parentId: string | null;
};

/**
 * `parent` is the state of `parentId`'s stream (ignored without a parent);
 * `at` is when the definition takes effect in org time (now, or back-dated).
 */
export function decideDefineValueStream(
  command: DefineValueStream,
  parent: ValueStreamState | undefined,
  at: Date,
): ValueStreamEvent[] {
  if (command.parentId !== null) {
    if (!parent?.exists) throw new NotFoundError('Parent value stream not found', { parentId: command.parentId });
    if (parent.retired) {
      throw new ConflictError('The parent value stream is retired', { parentId: command.parentId });
    }
    notBefore(parent, at, 'A value stream cannot be defined before its parent');
  }
  return [{ type: 'ValueStreamDefined', data: command }];
}

export function decideRetireValueStream(state: ValueStreamState, at: Date): ValueStreamEvent[] {
  const valueStream = existing(state);
  if (valueStream.retired) {
    throw new ConflictError('The value stream is already retired', { valueStreamId: valueStream.id });
  }
  notBefore(valueStream, at, 'A value stream cannot be retired before it was defined');
  return [{ type: 'ValueStreamRetired', data: { valueStreamId: valueStream.id } }];
}

function existing(state: ValueStreamState) {
  if (!state.exists) throw new NotFoundError('Value stream not found');
  return state;
}

function notBefore(valueStream: Extract<ValueStreamState, { exists: true }>, at: Date, message: string) {
  if (at.getTime() < valueStream.definedAt.getTime()) {
    throw new ConflictError(message, { valueStreamId: valueStream.id, definedAt: valueStream.definedAt.toISOString() });
  }
}

// --- commands ---

const customer = z.string().trim().max(200);

export const defineValueStream = defineCommand({
  name: 'defineValueStream',
  input: z.object({
    name: label,
    description: text.nullish(),
    customer: customer.nullish(),
    parentId: id.nullish(),
  }),
  run: async (context, input) => {
    const valueStreamId = context.newId();
    const parentId = input.parentId ?? null;
    // Another organization's value stream loads as an empty stream: not found.
    const parent = parentId === null ? undefined : (await context.load(valueStreamAggregate, parentId)).state;
    const events = decideDefineValueStream(
      {
        valueStreamId,
        name: input.name,
        description: input.description ?? null,
        customer: input.customer || null,
        parentId,
      },
      parent,
      context.now,
    );
    return {
      appends: [{ streamId: valueStreamStream(valueStreamId), expectedVersion: 'NO_STREAM', events }],
      claims: [valueStreamNameClaim(input.name, valueStreamId)],
      result: { valueStreamId },
    };
  },
});

export const retireValueStream = defineCommand({
  name: 'retireValueStream',
  input: z.object({ valueStreamId: id }),
  target: (input) => valueStreamStream(input.valueStreamId),
  run: async (context, input) => {
    const { state, version } = await context.load(valueStreamAggregate, input.valueStreamId);
    const events = decideRetireValueStream(state, context.now);
    return {
      appends: [{ streamId: valueStreamStream(input.valueStreamId), expectedVersion: version, events }],
      releases: state.exists ? [valueStreamNameClaim(state.name, input.valueStreamId)] : [],
      result: { valueStreamId: input.valueStreamId },
    };
  },
});
