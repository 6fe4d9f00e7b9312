// Responsibilities and who owns them. At most one owner at a time holds by
// construction: an assignment replaces the owner, an unassignment ends it.
// Ownership is kept in org time (events may be back-dated), so a decision
// looks at the owner holding when the command takes effect, not the last one
// recorded; the ledger itself is built by projections/responsibilities.ts.
import { z } from 'zod';
import { id, label, type Owner, text } from '../../events/common.ts';
import { type ResponsibilityEvent, responsibilityStream } from '../../events/responsibility.ts';
import { people, teams } from '../../projections/tables.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { type CommandContext, defineCommand } from '../commands/command.ts';
import { type ChangePoint, valueAt } from '../domain/timeline.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export type ResponsibilityState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      title: string;
      definedAt: Date;
      /** Every change of owner (null: unassigned), in recorded order; read them through timeline.ts. */
      ownership: readonly ChangePoint<Owner>[];
    };

export const responsibilityAggregate = defineAggregate<ResponsibilityState>({
  stream: responsibilityStream,
  initial: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'ResponsibilityDefined':
        return {
          exists: true,
          id: event.data.responsibilityId,
          title: event.data.title,
          definedAt: event.occurredAt,
          ownership: [],
        };
      case 'ResponsibilityAssigned':
      case 'ResponsibilityUnassigned': {
        if (!state.exists) return state;
        const value = event.type === 'ResponsibilityAssigned' ? event.data.owner : null;
        const point = { id: event.eventId, occurredAt: event.occurredAt, position: event.position, value };
        return { ...state, ownership: [...state.ownership, point] };
      }
      default:
        return state;
    }
  },
});

/** The owner holding at `at` in org time (null: nobody). */
export function ownerAt(state: ResponsibilityState, at: Date): Owner | null {
  return state.exists ? valueAt(state.ownership, at) : null;
}

/** A would-be owner as the read models know it; undefined when it is not in the organization. */
export type OwnerCandidate = { owner: Owner; gone: boolean };

// --- decisions (pure) ---

export function decideDefineResponsibility(command: {
  responsibilityId: string;
  title: string;
  description: string | null;
  category: string;
}): ResponsibilityEvent[] {
  return [{ type: 'ResponsibilityDefined', data: command }];
}

/** `at` is when the assignment takes effect in org time (now, or the back-dated moment). */
export function decideAssignResponsibility(
  state: ResponsibilityState,
  candidate: OwnerCandidate | undefined,
  ownerId: string,
  at: Date,
): ResponsibilityEvent[] {
  const responsibility = existingAt(state, at);
  if (!candidate) throw new NotFoundError('No person or team with this id', { ownerId });
  if (candidate.gone) {
    const what = candidate.owner.kind === 'PERSON' ? 'The person was offboarded' : 'The team is archived';
    throw new ConflictError(`${what}; it cannot own a responsibility`, { ownerId });
  }
  const previousOwner = ownerAt(responsibility, at);
  if (previousOwner && sameOwner(previousOwner, candidate.owner)) return [];
  return [
    {
      type: 'ResponsibilityAssigned',
      data: { responsibilityId: responsibility.id, owner: candidate.owner, previousOwner },
    },
  ];
}

export function decideUnassignResponsibility(state: ResponsibilityState, at: Date): ResponsibilityEvent[] {
  const responsibility = existingAt(state, at);
  const previousOwner = ownerAt(responsibility, at);
  if (!previousOwner) {
    throw new ConflictError('The responsibility has no owner to unassign', { responsibilityId: responsibility.id });
  }
  return [{ type: 'ResponsibilityUnassigned', data: { responsibilityId: responsibility.id, previousOwner } }];
}

function existingAt(state: ResponsibilityState, at: Date) {
  if (!state.exists) throw new NotFoundError('Responsibility not found');
  // Back-dating before the responsibility existed would open the ledger before its definition.
  if (at.getTime() < state.definedAt.getTime()) {
    throw new ConflictError('The responsibility was not defined yet at that time', {
      responsibilityId: state.id,
      definedAt: state.definedAt.toISOString(),
    });
  }
  return state;
}

const sameOwner = (a: Owner, b: Owner) => a.kind === b.kind && a.id === b.id;

// --- commands ---

/** Finds `ownerId` among the organization's people, then its teams (other organizations' rows do not exist here). */
async function findOwner(context: CommandContext, ownerId: string): Promise<OwnerCandidate | undefined> {
  const person = await context.reads.get(people, { id: ownerId });
  if (person?.organizationId === context.organizationId) {
    return { owner: { kind: 'PERSON', id: ownerId }, gone: person.offboardedAt !== null };
  }
  const team = await context.reads.get(teams, { id: ownerId });
  if (team?.organizationId === context.organizationId) {
    return { owner: { kind: 'TEAM', id: ownerId }, gone: team.archivedAt !== null };
  }
  return undefined;
}

export const defineResponsibility = defineCommand({
  name: 'defineResponsibility',
  input: z.object({
    title: label,
    description: text.nullish(),
    category: z.string().trim().min(1).max(100).default('GENERAL'),
  }),
  run: async (context, input) => {
    const responsibilityId = context.newId();
    const events = decideDefineResponsibility({
      responsibilityId,
      title: input.title,
      description: input.description ?? null,
      category: input.category,
    });
    return {
      appends: [{ streamId: responsibilityStream(responsibilityId), expectedVersion: 'NO_STREAM', events }],
      result: { responsibilityId },
    };
  },
});

export const assignResponsibility = defineCommand({
  name: 'assignResponsibility',
  input: z.object({ responsibilityId: id, ownerId: id }),
  target: (input) => responsibilityStream(input.responsibilityId),
  run: async (context, input) => {
    const { state, version } = await context.load(responsibilityAggregate, input.responsibilityId);
    const candidate = state.exists ? await findOwner(context, input.ownerId) : undefined;
    const events = decideAssignResponsibility(state, candidate, input.ownerId, context.now);
    return {
      appends: [{ streamId: responsibilityStream(input.responsibilityId), expectedVersion: version, events }],
      result: { responsibilityId: input.responsibilityId },
    };
  },
});

export const unassignResponsibility = defineCommand({
  name: 'unassignResponsibility',
  input: z.object({ responsibilityId: id }),
  target: (input) => responsibilityStream(input.responsibilityId),
  run: async (context, input) => {
    const { state, version } = await context.load(responsibilityAggregate, input.responsibilityId);
    const events = decideUnassignResponsibility(state, context.now);
    return {
      appends: [{ streamId: responsibilityStream(input.responsibilityId), expectedVersion: version, events }],
      result: { responsibilityId: input.responsibilityId },
    };
  },
});
