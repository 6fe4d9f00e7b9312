// Working agreements: one per team, versioned, kept on the team stream. A draft
// becomes version n+1 once ratified by named current members; re-drafting
// before ratification replaces the pending draft; a revisit is about the
// ratified version.
import { z } from 'zod';
import { id, label, skills, text } from '../../events/common.ts';
import { AgreementDrafted, agreementMetric, type TeamEvent, teamStream } from '../../events/team.ts';
import { people, responsibilities } from '../../projections/tables.ts';
import { type CommandContext, defineCommand } from '../commands/command.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { activeTeamState, currentMembers, type TeamState, teamAggregate } from '../teams/teams.ts';

export type AgreementDraftInput = Omit<Extract<TeamEvent, { type: 'AgreementDrafted' }>['data'], 'teamId' | 'version'>;

// --- decisions (pure) ---

/** `knownResponsibilityIds`: the ids among the draft's that are responsibilities of this organization. */
export function decideDraftAgreement(
  state: TeamState,
  teamId: string,
  draft: AgreementDraftInput,
  knownResponsibilityIds: ReadonlySet<string>,
): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  const unknown = draft.responsibilityIds.filter((responsibilityId) => !knownResponsibilityIds.has(responsibilityId));
  if (unknown.length > 0) {
    throw new NotFoundError(`Responsibility ${unknown.join(', ')} not found`, { ids: unknown });
  }
  // Always the version after the ratified one: a second draft replaces the pending one.
  const version = (team.ratifiedVersion ?? 0) + 1;
  return [{ type: 'AgreementDrafted', data: { teamId, version, ...draft } }];
}

/** `knownPeople`: name by id of the ratifiers that are people of this organization. */
export function decideRatifyAgreement(
  state: TeamState,
  teamId: string,
  ratifiedBy: readonly string[],
  knownPeople: ReadonlyMap<string, string>,
): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  if (!team.draft) throw new ConflictError(`${team.name} has no draft agreement to ratify`, { teamId });
  const unknown = ratifiedBy.filter((personId) => !knownPeople.has(personId));
  if (unknown.length > 0) throw new NotFoundError(`Person ${unknown.join(', ')} not found`, { ids: unknown });
  const members = currentMembers(team);
  const outsiders = ratifiedBy.filter((personId) => !members.has(personId));
  if (outsiders.length > 0) {
    const names = outsiders.map((personId) => knownPeople.get(personId) ?? personId);
    throw new ConflictError(
      `Only current members of ${team.name} can ratify its agreement; not members: ${names.join(', ')}`,
      { teamId, notMembers: outsiders },
    );
  }
  return [{ type: 'AgreementRatified', data: { teamId, version: team.draft.version, ratifiedBy: [...ratifiedBy] } }];
}

export function decideRevisitAgreement(state: TeamState, teamId: string, notes: string | null): TeamEvent[] {
  const team = activeTeamState(state, teamId);
  if (team.ratifiedVersion === null) {
    throw new ConflictError(`${team.name} has no ratified agreement to revisit`, { teamId });
  }
  return [{ type: 'AgreementRevisited', data: { teamId, version: team.ratifiedVersion, notes } }];
}

// --- commands ---

const teamTarget = (input: { teamId: string }) => teamStream(input.teamId);

const distinct = (ids: readonly string[]) => new Set(ids).size === ids.length;

const draftedFields = AgreementDrafted.schema.shape;

/** Responsibilities of this organization among `ids` (another organization's are not found). */
async function knownResponsibilities(context: CommandContext, ids: readonly string[]): Promise<Set<string>> {
  const known = new Set<string>();
  for (const responsibilityId of ids) {
    const responsibility = await context.reads.get(responsibilities, { id: responsibilityId });
    if (responsibility?.organizationId === context.organizationId) known.add(responsibilityId);
  }
  return known;
}

async function knownPeople(context: CommandContext, ids: readonly string[]): Promise<Map<string, string>> {
  const known = new Map<string, string>();
  for (const personId of ids) {
    const person = await context.reads.get(people, { id: personId });
    if (person?.organizationId === context.organizationId) known.set(personId, person.name);
  }
  return known;
}

export const draftAgreement = defineCommand({
  name: 'draftAgreement',
  input: z.object({
    teamId: id,
    name: label.nullish(),
    mission: draftedFields.mission,
    metrics: z
      .array(agreementMetric.extend({ target: agreementMetric.shape.target.optional() }))
      .max(50)
      .default([]),
    responsibilityIds: z.array(id).max(200).refine(distinct, 'a responsibility is listed more than once').default([]),
    skills: skills.default([]),
    norms: text.default(''),
  }),
  target: teamTarget,
  run: async (context, input) => {
    const { state, version } = await context.load(teamAggregate, input.teamId);
    const draft: AgreementDraftInput = {
      name: input.name ?? null,
      mission: input.mission,
      metrics: input.metrics.map((metric) => ({ name: metric.name, kind: metric.kind, target: metric.target ?? null })),
      responsibilityIds: input.responsibilityIds,
      skills: input.skills,
      norms: input.norms,
    };
    const known = await knownResponsibilities(context, input.responsibilityIds);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideDraftAgreement(state, input.teamId, draft, known),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});

export const ratifyAgreement = defineCommand({
  name: 'ratifyAgreement',
  input: z.object({
    teamId: id,
    ratifiedBy: z
      .array(id)
      .min(1, 'at least one member must ratify')
      .max(500)
      .refine(distinct, 'a person is listed more than once'),
  }),
  target: teamTarget,
  run: async (context, input) => {
    const { state, version } = await context.load(teamAggregate, input.teamId);
    const known = await knownPeople(context, input.ratifiedBy);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideRatifyAgreement(state, input.teamId, input.ratifiedBy, known),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});

export const revisitAgreement = defineCommand({
  name: 'revisitAgreement',
  input: z.object({ teamId: id, notes: text.nullish() }),
  target: teamTarget,
  run: async (context, input) => {
    const { state, version } = await context.load(teamAggregate, input.teamId);
    return {
      appends: [
        {
          streamId: teamStream(input.teamId),
          expectedVersion: version,
          events: decideRevisitAgreement(state, input.teamId, input.notes ?? null),
        },
      ],
      result: { teamId: input.teamId },
    };
  },
});
