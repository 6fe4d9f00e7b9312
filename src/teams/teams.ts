// Teams: forming, naming, alignment to a value stream, teams of teams,
// archiving, and membership (role and allocation, kept in org time).
import { z } from 'zod';
import { id, label, type TeamKind } from '../../events/common.ts';
import { type PersonEvent, personStream } from '../../events/person.ts';
import { type TeamEvent, TeamFormed, teamStream } from '../../events/team.ts';
import { people, teams } from '../../projections/tables.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { type CommandContext, defineCommand, type StreamEvents } from '../commands/command.ts';
import { activePerson, activeTeam, activeValueStream, chainFrom, normalizedName } from '../commands/lookups.ts';
import { type ChangePoint, current } from '../domain/timeline.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export type MemberValue = { role: string; allocation: number };

export type AgreementDraft = {
  version: number;
  mission: string;
  responsibilityIds: string[];
  skills: string[];
};

export type TeamState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      name: string;
      kind: TeamKind;
      valueStreamId: string | null;
      parentTeamId: string | null;
      archived: boolean;
      /** Membership change points per person, in org time (see src/domain/timeline.ts). */
      members: Readonly<Record<string, readonly ChangePoint<MemberValue>[]>>;
      /** The draft awaiting ratification, if any. */
      draft: AgreementDraft | null;
      ratifiedVersion: number | null;
      latestVersion: number;
    };

export const teamAggregate = defineAggregate<TeamState>({
  stream: teamStream,
  initial: { exists: false },
  evolve: (state, event) => {
    if (event.type === 'TeamFormed') {
      return {
        exists: true,
        id: event.data.teamId,
        name: event.data.name,
        kind: event.data.kind,
        valueStreamId: event.data.valueStreamId,
        parentTeamId: event.data.parentTeamId,
        archived: false,
        members: {},
        draft: null,
        ratifiedVersion: null,
        latestVersion: 0,
      };
    }
    if (!state.exists) return state;
    const point = (value: MemberValue | null): ChangePoint<MemberValue> => ({
      id: event.eventId,
      occurredAt: event.occurredAt,
      position: event.position,
      value,
    });
    const withPoint = (personId: string, value: MemberValue | null) => ({
      ...state,
      members: { ...state.members, [personId]: [...(state.members[personId] ?? []), point(value)] },
    });
    switch (event.type) {
      case 'TeamRenamed':
        return { ...state, name: event.data.name };
      case 'TeamAligned':
        return { ...state, valueStreamId: event.data.valueStreamId };
      case 'TeamParentChanged':
        return { ...state, parentTeamId: event.data.parentTeamId };
      case 'TeamArchived':
        return { ...state, archived: true };
      case 'TeamMemberAdded':
      case 'MembershipChanged':
        return withPoint(event.data.personId, { role: event.data.role, allocation: event.data.allocation });
      case 'TeamMemberRemoved':
        return withPoint(event.data.personId, null);
      case 'AgreementDrafted':
        return {
          ...state,
          draft: {
            version: event.data.version,
            mission: event.data.mission,
            responsibilityIds: event.data.responsibilityIds,
            skills: event.data.skills,
          },
          latestVersion: Math.max(state.latestVersion, event.data.version),
        };
      case 'AgreementRatified':
        return { ...state, draft: null, ratifiedVersion: event.data.version };
      default:
        return state;
    }
  },
});

/** Who is a member now (org time), with their role and allocation. */
export function currentMembers(state: TeamState): Map<string, MemberValue> {
  const members = new Map<string, MemberValue>();
  if (!state.exists) return members;
  for (const [personId, points] of Object.entries(state.members)) {
    const value = current(points);
    if (value) members.set(personId, value);
  }
  return members;
}

// --- decisions (pure) ---

type ActiveTeam = Extract<TeamState, { exists: true }>;

export function activeTeamState(state: TeamState, teamId: string): ActiveTeam {
  if (!state.exists) throw new NotFoundError(`Team ${teamId} not found`, { id: teamId });
  if (state.archived) throw new ConflictError(`Team ${state.name} is archived`, { id: teamId });
  return state;
}

export function decideAddMember(state: TeamState, teamId: string, personId: string, value: MemberValue): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  if (currentMembers(team).has(personId)) {
    throw new ConflictError('Already a member of this team; use changeMembership to change role or allocation');
  }
  return [{ type: 'TeamMemberAdded', data: { teamId, personId, ...value } }];
}

export function decideChangeMembership(
  state: TeamState,
  teamId: string,
  personId: string,
  change: Partial<MemberValue>,
): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  const existing = currentMembers(team).get(personId);
  if (!existing) throw new ConflictError('Not a member of this team');
  const next = { role: change.role ?? existing.role, allocation: change.allocation ?? existing.allocation };
  if (next.role === existing.role && next.allocation === existing.allocation) return [];
  return [{ type: 'MembershipChanged', data: { teamId, personId, ...next } }];
}

export function decideRemoveMember(state: TeamState, teamId: string, personId: string): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  if (!currentMembers(team).has(personId)) throw new ConflictError('Not a member of this team');
  return [{ type: 'TeamMemberRemoved', data: { teamId, personId } }];
}

/** `parentChain`: the proposed parent, its parent, ... as the read model has it now. */
export function decideChangeParent(
  state: TeamState,
  teamId: string,
  parentTeamId: string | null,
  parentChain: readonly string[],
): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  if (parentTeamId === teamId || (parentTeamId && parentChain.includes(teamId))) {
    throw new ConflictError(`${team.name} cannot be inside itself (a cycle of teams of teams)`);
  }
  if (team.parentTeamId === parentTeamId) return [];
  return [{ type: 'TeamParentChanged', data: { teamId, parentTeamId, previousParentTeamId: team.parentTeamId } }];
}

// --- commands ---

const teamTarget = (input: { teamId: string }) => teamStream(input.teamId);

const parentChain = (context: CommandContext, parentTeamId: string) =>
  chainFrom(context, teams, parentTeamId, (team) => team.parentTeamId);

async function loadActive(context: CommandContext, teamId: string) {
  // Streams are per organization: another organization's team is simply not found.
  const loaded = await context.load(teamAggregate, teamId);
  return { team: activeTeamState(loaded.state, teamId), version: loaded.version };
}

const nameClaim = (name: string, teamId: string) => ({
  kind: 'team name',
  value: normalizedName(name),
  streamId: teamStream(teamId),
});

export const formTeam = defineCommand({
  name: 'formTeam',
  input: TeamFormed.schema.omit({ teamId: true, valueStreamId: true, parentTeamId: true }).extend({
    valueStreamId: id.nullable().optional(),
    parentTeamId: id.nullable().optional(),
  }),
  run: async (context, input) => {
    if (input.valueStreamId) await activeValueStream(context, input.valueStreamId);
    if (input.parentTeamId) await activeTeam(context, input.parentTeamId, 'Parent team');
    const teamId = context.newId();
    return {
      appends: [
        {
          streamId: teamStream(teamId),
          expectedVersion: 'NO_STREAM',
          events: [
            {
              type: 'TeamFormed',
              data: {
                teamId,
                name: input.name,
                kind: input.kind,
                valueStreamId: input.valueStreamId ?? null,
                parentTeamId: input.parentTeamId ?? null,
              },
            },
          ],
        },
      ],
      claims: [nameClaim(input.name, teamId)],
      result: { teamId },
    };
  },
});

export const renameTeam = defineCommand({
  name: 'renameTeam',
  input: z.object({ teamId: id, name: label }),
  target: teamTarget,
  run: async (context, input) => {
    const { team, version } = await loadActive(context, input.teamId);
    const unchanged = team.name === input.name;
    const sameClaim = normalizedName(team.name) === normalizedName(input.name);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: unchanged
            ? []
            : [{ type: 'TeamRenamed', data: { teamId: input.teamId, name: input.name, previousName: team.name } }],
        },
      ],
      claims: sameClaim ? [] : [nameClaim(input.name, input.teamId)],
      releases: sameClaim ? [] : [nameClaim(team.name, input.teamId)],
      result: { teamId: input.teamId },
    };
  },
});

export const alignTeam = defineCommand({
  name: 'alignTeam',
  input: z.object({ teamId: id, valueStreamId: id.nullable() }),
  target: teamTarget,
  run: async (context, input) => {
    const { team, version } = await loadActive(context, input.teamId);
    if (input.valueStreamId) await activeValueStream(context, input.valueStreamId);
    const events: TeamEvent[] =
      team.valueStreamId === input.valueStreamId
        ? []
        : [
            {
              type: 'TeamAligned',
              data: {
                teamId: input.teamId,
                valueStreamId: input.valueStreamId,
                previousValueStreamId: team.valueStreamId,
              },
            },
          ];
    return {
      appends: [{ streamId: teamStream(input.teamId), expectedVersion: version, events }],
      result: { teamId: input.teamId },
    };
  },
});

export const changeTeamParent = defineCommand({
  name: 'changeTeamParent',
  input: z.object({ teamId: id, parentTeamId: id.nullable() }),
  target: teamTarget,
  run: async (context, input) => {
    // Two changes that only together close a cycle see each other: commands
    // of one organization run one at a time (src/commands/execute.ts).
    const { team, version } = await loadActive(context, input.teamId);
    if (input.parentTeamId && input.parentTeamId !== input.teamId) {
      await activeTeam(context, input.parentTeamId, 'Parent team');
    }
    const chain = input.parentTeamId ? await parentChain(context, input.parentTeamId) : [];
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideChangeParent(team, input.teamId, input.parentTeamId, chain),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});

/** Archiving ends every membership, clears it as anyone's first team and frees the name. */
export const archiveTeam = defineCommand({
  name: 'archiveTeam',
  input: z.object({ teamId: id }),
  target: teamTarget,
  run: async (context, input) => {
    const { team, version } = await loadActive(context, input.teamId);
    const events: TeamEvent[] = [...currentMembers(team).keys()].map((personId) => ({
      type: 'TeamMemberRemoved',
      data: { teamId: input.teamId, personId },
    }));
    events.push({ type: 'TeamArchived', data: { teamId: input.teamId } });
    const appends: StreamEvents[] = [{ streamId: teamStream(input.teamId), expectedVersion: version, events }];
    for (const person of await context.reads.where(people, { firstTeamId: input.teamId })) {
      appends.push(await clearFirstTeam(context, person.id, input.teamId, 'TEAM_ARCHIVED'));
    }
    return {
      appends,
      releases: [nameClaim(team.name, input.teamId)],
      result: { teamId: input.teamId },
    };
  },
});

async function clearFirstTeam(
  context: CommandContext,
  personId: string,
  teamId: string,
  cause: 'LEFT_TEAM' | 'TEAM_ARCHIVED',
): Promise<StreamEvents> {
  const version = await context.streamVersion(personStream(personId));
  const events: PersonEvent[] = [{ type: 'FirstTeamCleared', data: { personId, teamId, cause } }];
  return { streamId: personStream(personId), expectedVersion: version, events };
}

const role = z.string().trim().min(1).max(100);
const allocation = z.number().int().min(1).max(100);

export const addTeamMember = defineCommand({
  name: 'addTeamMember',
  input: z.object({ teamId: id, personId: id, role, allocation }),
  target: teamTarget,
  run: async (context, input) => {
    const { team, version } = await loadActive(context, input.teamId);
    await activePerson(context, input.personId);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideAddMember(team, input.teamId, input.personId, {
            role: input.role,
            allocation: input.allocation,
          }),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});

export const changeMembership = defineCommand({
  name: 'changeMembership',
  input: z
    .object({ teamId: id, personId: id, role: role.optional(), allocation: allocation.optional() })
    .refine((input) => input.role !== undefined || input.allocation !== undefined, 'give a role or an allocation'),
  target: teamTarget,
  run: async (context, input) => {
    const { team, version } = await loadActive(context, input.teamId);
    const change: Partial<MemberValue> = {};
    if (input.role !== undefined) change.role = input.role;
    if (input.allocation !== undefined) change.allocation = input.allocation;
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideChangeMembership(team, input.teamId, input.personId, change),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});

/** Leaving a team that was the person's first team clears their first team. */
export const removeTeamMember = defineCommand({
  name: 'removeTeamMember',
  input: z.object({ teamId: id, personId: id }),
  target: teamTarget,
  run: async (context, input) => {
    const { team, version } = await loadActive(context, input.teamId);
    const appends: StreamEvents[] = [
      {
        streamId: teamStream(input.teamId),
        expectedVersion: version,
        events: decideRemoveMember(team, input.teamId, input.personId),
      },
    ];
    const person = await context.reads.get(people, { id: input.personId });
    if (person?.firstTeamId === input.teamId) {
      appends.push(await clearFirstTeam(context, input.personId, input.teamId, 'LEFT_TEAM'));
    }
    return { appends, result: { teamId: input.teamId } };
  },
});
