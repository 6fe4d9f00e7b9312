// Stream `person-<id>`: a person, their reporting line and first team.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { DISCIPLINES, id, label, skills } from './common.ts';

export const PersonRegistered = defineEvent({
  type: 'PersonRegistered',
  schemaVersion: 1,
  schema: z.object({
    personId: id,
    name: label,
    email: z.email().max(254),
    discipline: z.enum(DISCIPLINES),
    skills,
    managerId: id.nullable(),
  }),
});

export const ReportingLineChanged = defineEvent({
  type: 'ReportingLineChanged',
  schemaVersion: 1,
  schema: z.object({ personId: id, managerId: id.nullable(), previousManagerId: id.nullable() }),
});

export const FirstTeamChosen = defineEvent({
  type: 'FirstTeamChosen',
  schemaVersion: 1,
  schema: z.object({ personId: id, teamId: id, previousTeamId: id.nullable() }),
});

/** The first team stopped being valid: the person left it, it was archived, or they left the org. */
export const FirstTeamCleared = defineEvent({
  type: 'FirstTeamCleared',
  schemaVersion: 1,
  schema: z.object({ personId: id, teamId: id, cause: z.enum(['LEFT_TEAM', 'TEAM_ARCHIVED', 'OFFBOARDED']) }),
});

export const PersonSkillsChanged = defineEvent({
  type: 'PersonSkillsChanged',
  schemaVersion: 1,
  schema: z.object({ personId: id, skills }),
});

export const PersonOffboarded = defineEvent({
  type: 'PersonOffboarded',
  schemaVersion: 1,
  schema: z.object({ personId: id }),
});

export const personEvents = [
  PersonRegistered,
  ReportingLineChanged,
  FirstTeamChosen,
  FirstTeamCleared,
  PersonSkillsChanged,
  PersonOffboarded,
] as const;
export type PersonEvent = EventOf<typeof personEvents>;
export const personStream = (personId: string) => `person-${personId}`;
