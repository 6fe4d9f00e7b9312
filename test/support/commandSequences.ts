// Random valid-looking command sequences for property tests: people, teams,
// memberships, first teams, reporting lines, team parents, renames, archives,
// offboarding, skills, growth phases, responsibilities changing hands and
// agreements, a third of them back-dated (corrections recorded late).
// Commands the domain rejects are part of a realistic sequence; they write nothing.
import fc from 'fast-check';
import { draftAgreement, ratifyAgreement } from '../../src/agreements/agreements.ts';
import type { CommandHandler } from '../../src/commands/command.ts';
import { changeGrowthPhase } from '../../src/organization/organization.ts';
import {
  changeReportingLine,
  chooseFirstTeam,
  offboardPerson,
  registerPerson,
  updatePersonSkills,
} from '../../src/people/people.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import {
  addTeamMember,
  alignTeam,
  archiveTeam,
  changeMembership,
  changeTeamParent,
  formTeam,
  removeTeamMember,
  renameTeam,
} from '../../src/teams/teams.ts';
import type { Commands } from './commands.ts';

export type Ids = { people: string[]; teams: string[]; responsibilities: string[] };
export type Step = {
  command: CommandHandler<never, unknown>;
  input: (ids: Ids) => unknown;
  backDateDays: number | null;
};

const pick = (list: string[], index: number) =>
  list[index % Math.max(1, list.length)] ?? '00000000-0000-7000-8000-000000000000';
const index = fc.nat(20);
const backDate = fc.option(fc.integer({ min: 1, max: 400 }), { nil: null, freq: 3 });

export const step: fc.Arbitrary<Step> = fc.oneof(
  fc
    .record({
      n: fc.nat(1000),
      discipline: fc.constantFrom('PRODUCT', 'ENGINEERING', 'DESIGN'),
      manager: index,
      backDateDays: backDate,
    })
    .map(({ n, discipline, manager, backDateDays }) => ({
      command: registerPerson as unknown as CommandHandler<never, unknown>,
      input: (ids: Ids) => ({
        name: `Person ${n}`,
        email: `p${n}@acme.test`,
        discipline,
        ...(ids.people.length > 0 && manager % 2 === 0 ? { managerId: pick(ids.people, manager) } : {}),
      }),
      backDateDays,
    })),
  fc
    .record({
      n: fc.nat(30),
      kind: fc.constantFrom('STREAM_ALIGNED', 'PLATFORM', 'LEADERSHIP'),
      backDateDays: backDate,
    })
    .map(({ n, kind, backDateDays }) => ({
      command: formTeam as unknown as CommandHandler<never, unknown>,
      input: () => ({ name: `Team ${n}`, kind }),
      backDateDays,
    })),
  ...(
    [
      [
        addTeamMember,
        (t: number, p: number, a: number) => (ids: Ids) => ({
          teamId: pick(ids.teams, t),
          personId: pick(ids.people, p),
          role: 'Engineer',
          allocation: a,
        }),
      ],
      [
        changeMembership,
        (t: number, p: number, a: number) => (ids: Ids) => ({
          teamId: pick(ids.teams, t),
          personId: pick(ids.people, p),
          allocation: a,
        }),
      ],
      [
        removeTeamMember,
        (t: number, p: number) => (ids: Ids) => ({ teamId: pick(ids.teams, t), personId: pick(ids.people, p) }),
      ],
      [
        chooseFirstTeam,
        (t: number, p: number) => (ids: Ids) => ({ teamId: pick(ids.teams, t), personId: pick(ids.people, p) }),
      ],
      [
        changeReportingLine,
        (t: number, p: number) => (ids: Ids) => ({
          personId: pick(ids.people, p),
          managerId: t % 3 === 0 ? null : pick(ids.people, t),
        }),
      ],
      [
        changeTeamParent,
        (t: number, p: number) => (ids: Ids) => ({
          teamId: pick(ids.teams, t),
          parentTeamId: p % 3 === 0 ? null : pick(ids.teams, p),
        }),
      ],
      [renameTeam, (t: number, p: number) => (ids: Ids) => ({ teamId: pick(ids.teams, t), name: `Renamed ${p}` })],
      [alignTeam, (t: number) => (ids: Ids) => ({ teamId: pick(ids.teams, t), valueStreamId: null })],
      [archiveTeam, (t: number) => (ids: Ids) => ({ teamId: pick(ids.teams, t) })],
      [offboardPerson, (_t: number, p: number) => (ids: Ids) => ({ personId: pick(ids.people, p) })],
      [
        assignResponsibility,
        (t: number, p: number) => (ids: Ids) => ({
          responsibilityId: pick(ids.responsibilities, t),
          ownerId: p % 2 === 0 ? pick(ids.people, p) : pick(ids.teams, p),
        }),
      ],
      [unassignResponsibility, (t: number) => (ids: Ids) => ({ responsibilityId: pick(ids.responsibilities, t) })],
      [
        draftAgreement,
        (t: number, p: number) => (ids: Ids) => ({
          teamId: pick(ids.teams, t),
          mission: `Mission ${p}`,
          responsibilityIds: ids.responsibilities.slice(0, p % 3),
        }),
      ],
      [
        ratifyAgreement,
        (t: number, p: number) => (ids: Ids) => ({ teamId: pick(ids.teams, t), ratifiedBy: [pick(ids.people, p)] }),
      ],
      [
        updatePersonSkills,
        (t: number, p: number) => (ids: Ids) => ({ personId: pick(ids.people, p), skills: [`skill-${t}`] }),
      ],
    ] as const
  ).map(([command, build]) =>
    fc
      .record({ t: index, p: index, a: fc.integer({ min: 1, max: 100 }), backDateDays: backDate })
      .map(({ t, p, a, backDateDays }) => ({
        command: command as unknown as CommandHandler<never, unknown>,
        input: build(t, p, a),
        backDateDays,
      })),
  ),
  fc.record({ n: fc.nat(50), backDateDays: backDate }).map(({ n, backDateDays }) => ({
    command: defineResponsibility as unknown as CommandHandler<never, unknown>,
    input: () => ({ title: `Duty ${n}` }),
    backDateDays,
  })),
  fc
    .record({ phase: fc.constantFrom('GETTING_TRACTION', 'HYPERGROWTH', 'OPTIMIZING'), backDateDays: backDate })
    .map(({ phase, backDateDays }) => ({
      command: changeGrowthPhase as unknown as CommandHandler<never, unknown>,
      input: () => ({ phase }),
      backDateDays,
    })),
);

/**
 * Runs `steps` in order; a back-dated step occurs `backDateDays` before `now`
 * (in ms since the epoch), the others at the clock. Rejected commands are skipped.
 */
export async function runSteps(
  org: Commands,
  steps: readonly Step[],
  now: number,
  ids?: Ids,
  /** Receives each step's outcome: the event types it appended, or the error code that rejected it. */
  outcomes?: string[],
): Promise<Ids> {
  const known: Ids = ids ?? { people: [], teams: [], responsibilities: [] };
  for (const { command, input, backDateDays } of steps) {
    const meta = backDateDays === null ? {} : { occurredAt: new Date(now - backDateDays * 86_400_000) };
    try {
      const { result, events } = await org.run(command, input(known), meta);
      outcomes?.push(events.map((event) => event.type).join(',') || 'no change');
      const created = result as { personId?: string; teamId?: string; responsibilityId?: string };
      if (command === (registerPerson as unknown) && created.personId) known.people.push(created.personId);
      if (command === (formTeam as unknown) && created.teamId) known.teams.push(created.teamId);
      if (command === (defineResponsibility as unknown) && created.responsibilityId)
        known.responsibilities.push(created.responsibilityId);
    } catch (error) {
      if (!(error instanceof Error) || !('code' in error)) throw error;
      outcomes?.push(`rejected: ${String(error.code)}`);
    }
  }
  return known;
}
