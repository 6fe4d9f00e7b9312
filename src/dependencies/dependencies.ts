// Dependencies between teams: declared open, their status moves between OK,
// SLOWING and BLOCKING, and once resolved they are closed for good. The read
// model keeps only the latest status, so a change may be back-dated but not
// before the dependency's last change: history is never rewritten in the middle.
import { z } from 'zod';
import {
  DEPENDENCY_STATUSES,
  type DependencyStatus,
  INTERACTION_MODES,
  type InteractionMode,
  id,
  text,
} from '../../events/common.ts';
import { type DependencyEvent, dependencyStream } from '../../events/dependency.ts';
import { teams } from '../../projections/tables.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { type CommandContext, defineCommand } from '../commands/command.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export type DependencyState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      fromTeamId: string;
      toTeamId: string;
      status: DependencyStatus;
      resolved: boolean;
      /** Org time of the latest event: later changes may not be dated before it. */
      changedAt: Date;
    };

export const dependencyAggregate = defineAggregate<DependencyState>({
  stream: dependencyStream,
  initial: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'DependencyDeclared':
        return {
          exists: true,
          id: event.data.dependencyId,
          fromTeamId: event.data.fromTeamId,
          toTeamId: event.data.toTeamId,
          status: event.data.status,
          resolved: false,
          changedAt: event.occurredAt,
        };
      case 'DependencyStatusChanged':
        return state.exists
          ? { ...state, status: event.data.status, changedAt: later(state, event.occurredAt) }
          : state;
      case 'DependencyResolved':
        return state.exists ? { ...state, resolved: true, changedAt: later(state, event.occurredAt) } : state;
      default:
        return state;
    }
  },
});

const later = (state: { changedAt: Date }, at: Date) =>
  at.getTime() > state.changedAt.getTime() ? at : state.changedAt;

/** A team as the read models know it; undefined when it is not in the organization. */
export type TeamSnapshot = { id: string; archived: boolean };

// --- decisions (pure) ---

export type DeclareDependency = {
  dependencyId: string;
  fromTeamId: string;
  toTeamId: string;
  mode: InteractionMode;
  description: string | null;
  status: DependencyStatus;
  discoveredLate: boolean;
  expectedDurationDays: number | null;
};

export function decideDeclareDependency(
  command: DeclareDependency,
  from: TeamSnapshot | undefined,
  to: TeamSnapshot | undefined,
): DependencyEvent[] {
  for (const [team, teamId] of [
    [from, command.fromTeamId],
    [to, command.toTeamId],
  ] as const) {
    if (!team) throw new NotFoundError('Team not found', { teamId });
    if (team.archived) throw new ConflictError('The team is archived', { teamId });
  }
  return [{ type: 'DependencyDeclared', data: command }];
}

/** `at` is when the change takes effect in org time (now, or back-dated). */
export function decideChangeDependencyStatus(
  state: DependencyState,
  status: DependencyStatus,
  at: Date,
): DependencyEvent[] {
  const dependency = open(state, at);
  if (dependency.status === status) return [];
  return [
    {
      type: 'DependencyStatusChanged',
      data: { dependencyId: dependency.id, status, previousStatus: dependency.status },
    },
  ];
}

export function decideResolveDependency(state: DependencyState, at: Date): DependencyEvent[] {
  const dependency = open(state, at);
  return [{ type: 'DependencyResolved', data: { dependencyId: dependency.id } }];
}

function open(state: DependencyState, at: Date) {
  if (!state.exists) throw new NotFoundError('Dependency not found');
  if (state.resolved) throw new ConflictError('The dependency is resolved', { dependencyId: state.id });
  if (at.getTime() < state.changedAt.getTime()) {
    throw new ConflictError('A dependency change cannot be dated before its last change', {
      dependencyId: state.id,
      lastChangedAt: state.changedAt.toISOString(),
    });
  }
  return state;
}

// --- commands ---

async function findTeam(context: CommandContext, teamId: string): Promise<TeamSnapshot | undefined> {
  const team = await context.reads.get(teams, { id: teamId });
  // Another organization's team is reported exactly like an unknown one.
  if (team?.organizationId !== context.organizationId) return undefined;
  return { id: team.id, archived: team.archivedAt !== null };
}

export const declareDependency = defineCommand({
  name: 'declareDependency',
  input: z
    .object({
      fromTeamId: id,
      toTeamId: id,
      mode: z.enum(INTERACTION_MODES),
      description: text.nullish(),
      status: z.enum(DEPENDENCY_STATUSES).default('OK'),
      discoveredLate: z.boolean().default(false),
      expectedDurationDays: z.number().int().min(1).max(3650).nullish(),
    })
    .refine((input) => input.fromTeamId !== input.toTeamId, {
      message: 'a team cannot depend on itself',
      path: ['toTeamId'],
    }),
  run: async (context, input) => {
    const dependencyId = context.newId();
    const events = decideDeclareDependency(
      {
        dependencyId,
        fromTeamId: input.fromTeamId,
        toTeamId: input.toTeamId,
        mode: input.mode,
        description: input.description ?? null,
        status: input.status,
        discoveredLate: input.discoveredLate,
        expectedDurationDays: input.expectedDurationDays ?? null,
      },
      await findTeam(context, input.fromTeamId),
      await findTeam(context, input.toTeamId),
    );
    return {
      appends: [{ streamId: dependencyStream(dependencyId), expectedVersion: 'NO_STREAM', events }],
      result: { dependencyId },
    };
  },
});

export const changeDependencyStatus = defineCommand({
  name: 'changeDependencyStatus',
  input: z.object({ dependencyId: id, status: z.enum(DEPENDENCY_STATUSES) }),
  target: (input) => dependencyStream(input.dependencyId),
  run: async (context, input) => {
    const { state, version } = await context.load(dependencyAggregate, input.dependencyId);
    return {
      appends: [
        {
          streamId: dependencyStream(input.dependencyId),
          expectedVersion: version,
          events: decideChangeDependencyStatus(state, input.status, context.now),
        },
      ],
      result: { dependencyId: input.dependencyId },
    };
  },
});

export const resolveDependency = defineCommand({
  name: 'resolveDependency',
  input: z.object({ dependencyId: id }),
  target: (input) => dependencyStream(input.dependencyId),
  run: async (context, input) => {
    const { state, version } = await context.load(dependencyAggregate, input.dependencyId);
    return {
      appends: [
        {
          streamId: dependencyStream(input.dependencyId),
          expectedVersion: version,
          events: decideResolveDependency(state, context.now),
        },
      ],
      result: { dependencyId: input.dependencyId },
    };
  },
});
