// People: registration, reporting line, first team, skills, offboarding.
import { z } from 'zod';
import { type Discipline, id, skills } from '../../events/common.ts';
import { type PersonEvent, PersonRegistered, personStream } from '../../events/person.ts';
import { type TeamEvent, teamStream } from '../../events/team.ts';
import { memberships, people } from '../../projections/tables.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { type CommandContext, defineCommand, type StreamEvents } from '../commands/command.ts';
import { activePerson, activeTeam, chainFrom } from '../commands/lookups.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { currentMembers, teamAggregate } from '../teams/teams.ts';

export type PersonState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      name: string;
      email: string;
      discipline: Discipline;
      skills: string[];
      managerId: string | null;
      firstTeamId: string | null;
      offboarded: boolean;
    };

export const personAggregate = defineAggregate<PersonState>({
  stream: personStream,
  initial: { exists: false },
  evolve: (state, event) => {
    if (event.type === 'PersonRegistered') {
      return {
        exists: true,
        id: event.data.personId,
        name: event.data.name,
        email: event.data.email,
        discipline: event.data.discipline,
        skills: event.data.skills,
        managerId: event.data.managerId,
        firstTeamId: null,
        offboarded: false,
      };
    }
    if (!state.exists) return state;
    switch (event.type) {
      case 'ReportingLineChanged':
        return { ...state, managerId: event.data.managerId };
      case 'FirstTeamChosen':
        return { ...state, firstTeamId: event.data.teamId };
      case 'FirstTeamCleared':
        return { ...state, firstTeamId: null };
      case 'PersonSkillsChanged':
        return { ...state, skills: event.data.skills };
      case 'PersonOffboarded':
        return { ...state, offboarded: true };
      default:
        return state;
    }
  },
});

// --- decisions (pure) ---

type ActivePerson = Extract<PersonState, { exists: true }>;

export function activeState(state: PersonState, personId: string): ActivePerson {
  if (!state.exists) throw new NotFoundError(`Person ${personId} not found`, { id: personId });
  if (state.offboarded) throw new ConflictError(`${state.name} has been offboarded`, { id: personId });
  return state;
}

/** `managerChain`: the manager, their manager, ... as the read model has it now. */
export function decideChangeReportingLine(
  state: PersonState,
  personId: string,
  managerId: string | null,
  managerChain: readonly string[],
): PersonEvent[] {
  const person = activeState(state, personId);
  if (managerId === personId) throw new ConflictError('A person cannot report to themselves');
  if (managerId && managerChain.includes(personId)) {
    throw new ConflictError(`${person.name} would end up reporting to themselves (a cycle in the reporting line)`);
  }
  if (person.managerId === managerId) return [];
  return [{ type: 'ReportingLineChanged', data: { personId, managerId, previousManagerId: person.managerId } }];
}

export function decideChooseFirstTeam(
  state: PersonState,
  personId: string,
  teamId: string,
  isMember: boolean,
): PersonEvent[] {
  const person = activeState(state, personId);
  if (!isMember)
    throw new ConflictError(`${person.name} is not a member of that team; a first team must be one of theirs`);
  if (person.firstTeamId === teamId) return [];
  return [{ type: 'FirstTeamChosen', data: { personId, teamId, previousTeamId: person.firstTeamId } }];
}

// --- commands ---

const managerChain = (context: CommandContext, managerId: string) =>
  chainFrom(context, people, managerId, (person) => person.managerId);

const personInput = PersonRegistered.schema.omit({ personId: true, skills: true, managerId: true }).extend({
  skills: skills.default([]),
  managerId: id.nullable().optional(),
});

export const registerPerson = defineCommand({
  name: 'registerPerson',
  input: personInput,
  run: async (context, input) => {
    if (input.managerId) await activePerson(context, input.managerId, 'Manager');
    const personId = context.newId();
    const streamId = personStream(personId);
    return {
      appends: [
        {
          streamId,
          expectedVersion: 'NO_STREAM',
          events: [
            {
              type: 'PersonRegistered',
              data: { personId, ...input, email: input.email.toLowerCase(), managerId: input.managerId ?? null },
            },
          ],
        },
      ],
      claims: [{ kind: 'email', value: input.email.toLowerCase(), streamId }],
      result: { personId },
    };
  },
});

export const changeReportingLine = defineCommand({
  name: 'changeReportingLine',
  input: z.object({ personId: id, managerId: id.nullable() }),
  target: (input) => personStream(input.personId),
  run: async (context, input) => {
    // Two changes that only together close a cycle see each other: commands
    // of one organization run one at a time (src/commands/execute.ts).
    await activePerson(context, input.personId);
    if (input.managerId && input.managerId !== input.personId) await activePerson(context, input.managerId, 'Manager');
    const { state, version } = await context.load(personAggregate, input.personId);
    const chain = input.managerId ? await managerChain(context, input.managerId) : [];
    return {
      appends: [
        {
          streamId: personStream(input.personId),
          expectedVersion: version,
          events: decideChangeReportingLine(state, input.personId, input.managerId, chain),
        },
      ],
      result: { personId: input.personId },
    };
  },
});

export const chooseFirstTeam = defineCommand({
  name: 'chooseFirstTeam',
  input: z.object({ personId: id, teamId: id }),
  target: (input) => personStream(input.personId),
  run: async (context, input) => {
    await activePerson(context, input.personId);
    await activeTeam(context, input.teamId);
    const { state, version } = await context.load(personAggregate, input.personId);
    const team = await context.load(teamAggregate, input.teamId);
    const isMember = currentMembers(team.state).has(input.personId);
    return {
      appends: [
        {
          streamId: personStream(input.personId),
          expectedVersion: version,
          events: decideChooseFirstTeam(state, input.personId, input.teamId, isMember),
        },
      ],
      result: { personId: input.personId },
    };
  },
});

export const updatePersonSkills = defineCommand({
  name: 'updatePersonSkills',
  input: z.object({ personId: id, skills }),
  target: (input) => personStream(input.personId),
  run: async (context, input) => {
    await activePerson(context, input.personId);
    const { state, version } = await context.load(personAggregate, input.personId);
    const person = activeState(state, input.personId);
    const unchanged = JSON.stringify(person.skills) === JSON.stringify(input.skills);
    return {
      appends: [
        {
          streamId: personStream(input.personId),
          expectedVersion: version,
          events: unchanged
            ? []
            : [{ type: 'PersonSkillsChanged', data: { personId: input.personId, skills: input.skills } }],
        },
      ],
      result: { personId: input.personId },
    };
  },
});

/** Offboarding ends every membership and the first team, and frees the email for a re-hire. */
export const offboardPerson = defineCommand({
  name: 'offboardPerson',
  input: z.object({ personId: id }),
  target: (input) => personStream(input.personId),
  run: async (context, input) => {
    await activePerson(context, input.personId);
    const { state, version } = await context.load(personAggregate, input.personId);
    const person = activeState(state, input.personId);
    const personEvents: PersonEvent[] = [];
    if (person.firstTeamId) {
      personEvents.push({
        type: 'FirstTeamCleared',
        data: { personId: input.personId, teamId: person.firstTeamId, cause: 'OFFBOARDED' },
      });
    }
    personEvents.push({ type: 'PersonOffboarded', data: { personId: input.personId } });
    const appends: StreamEvents[] = [
      { streamId: personStream(input.personId), expectedVersion: version, events: personEvents },
    ];
    const current = (await context.reads.where(memberships, { personId: input.personId })).filter((m) => m.to === null);
    for (const teamId of new Set(current.map((membership) => membership.teamId))) {
      const team = await context.load(teamAggregate, teamId);
      const events: TeamEvent[] = [{ type: 'TeamMemberRemoved', data: { teamId, personId: input.personId } }];
      appends.push({ streamId: teamStream(teamId), expectedVersion: team.version, events });
    }
    return {
      appends,
      releases: [{ kind: 'email', value: person.email, streamId: personStream(input.personId) }],
      result: { personId: input.personId },
    };
  },
});
