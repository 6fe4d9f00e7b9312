// Friction signals are deterministic: for random command sequences touching
// every rule (back-dated or not, with time passing in between), a rebuild
// from position 0 reproduces exactly the signals, their changes, timers and
// times that the live path produced. And the rules' `affects` are complete:
// judging every subject after every command finds the same signals as
// judging only those the events affect.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { FrictionEngine } from '../../projections/friction/engine.ts';
import { fireDueTimers } from '../../projections/friction/scheduler.ts';
import { applyEvents } from '../../projections/index.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import { frictionSignalChanges, frictionSignals } from '../../projections/tables.ts';
import { draftAgreement, ratifyAgreement, revisitAgreement } from '../../src/agreements/agreements.ts';
import { publishAsset, reviseAsset } from '../../src/assets/assets.ts';
import { recordHandoff, recordInteraction } from '../../src/collaboration/collaboration.ts';
import type { CommandHandler } from '../../src/commands/command.ts';
import { changeDependencyStatus, declareDependency, resolveDependency } from '../../src/dependencies/dependencies.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import type { RecordedEvent } from '../../src/eventStore/types.ts';
import { planInvestmentMix, reportInvestmentMix } from '../../src/investment/investment.ts';
import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { changeGrowthPhase, setFrictionThresholds } from '../../src/organization/organization.ts';
import {
  changeReportingLine,
  chooseFirstTeam,
  offboardPerson,
  registerPerson,
  updatePersonSkills,
} from '../../src/people/people.ts';
import { WorkingSet } from '../../src/readModel/workingSet.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import { addTeamMember, archiveTeam, changeMembership, formTeam, removeTeamMember } from '../../src/teams/teams.ts';
import { defineValueStream } from '../../src/valueStreams/valueStreams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { snapshotReadModels } from '../support/snapshot.ts';

type Ids = {
  people: string[];
  teams: string[];
  responsibilities: string[];
  dependencies: string[];
  assets: string[];
  valueStreams: string[];
};

/** What a step does with the ids made so far: a command and its input, or time passing. */
type Action =
  | { kind: 'command'; handler: CommandHandler<never, unknown>; input: unknown; created?: keyof Ids }
  | { kind: 'tick' };
type Step = { build: (ids: Ids, db: TestDatabase, org: Commands) => Promise<Action>; backDateDays: number | null };

const NOBODY = '00000000-0000-7000-8000-000000000000';
const pick = (list: string[], index: number) => list[index % Math.max(1, list.length)] ?? NOBODY;
const SKILLS = ['payments', 'search', 'ml', 'design systems'];

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of handlers
const run = (handler: CommandHandler<any, unknown>, input: unknown, created?: keyof Ids): Action => ({
  kind: 'command',
  handler: handler as unknown as CommandHandler<never, unknown>,
  input,
  ...(created ? { created } : {}),
});

/** Current members of a team (to ratify with people who can). */
async function membersOf(db: TestDatabase, teamId: string): Promise<string[]> {
  const result = await db.pool.query('SELECT person_id FROM memberships WHERE team_id = $1 AND valid_to IS NULL', [
    teamId,
  ]);
  return result.rows.map((row) => row.person_id as string);
}

const n = fc.nat(50);
const backDate = fc.option(fc.integer({ min: 1, max: 200 }), { nil: null, freq: 3 });

const builders: fc.Arbitrary<Step['build']>[] = [
  fc.record({ i: n, discipline: fc.constantFrom('PRODUCT', 'ENGINEERING', 'DESIGN'), manager: n }).map(
    ({ i, discipline, manager }) =>
      async (ids: Ids) =>
        run(
          registerPerson,
          {
            name: `Person ${i}`,
            email: `p${i}-${ids.people.length}@acme.test`,
            discipline,
            skills: [SKILLS[i % SKILLS.length]!],
            ...(ids.people.length > 0 && manager % 2 === 0 ? { managerId: pick(ids.people, manager) } : {}),
          },
          'people',
        ),
  ),
  fc.record({ i: n, kind: fc.constantFrom('STREAM_ALIGNED', 'STREAM_ALIGNED', 'PLATFORM', 'LEADERSHIP') }).map(
    ({ i, kind }) =>
      async () =>
        run(formTeam, { name: `Team ${i}`, kind }, 'teams'),
  ),
  fc.record({ t: n, p: n, allocation: fc.integer({ min: 10, max: 100 }) }).map(
    ({ t, p, allocation }) =>
      async (ids: Ids) =>
        run(addTeamMember, { teamId: pick(ids.teams, t), personId: pick(ids.people, p), role: 'Member', allocation }),
  ),
  // A current membership's allocation or role (a random pair is rarely a member).
  fc
    .record({ m: n, allocation: fc.integer({ min: 10, max: 100 }), lead: fc.boolean() })
    .map(({ m, allocation, lead }) => async (_ids: Ids, db: TestDatabase) => {
      const current = await db.pool.query<{ team_id: string; person_id: string }>(
        'SELECT team_id, person_id FROM memberships WHERE valid_to IS NULL ORDER BY team_id, person_id',
      );
      const membership = current.rows[m % Math.max(1, current.rows.length)];
      return run(changeMembership, {
        teamId: membership?.team_id ?? NOBODY,
        personId: membership?.person_id ?? NOBODY,
        ...(lead ? { role: 'Lead' } : { allocation }),
      });
    }),
  fc.record({ t: n, p: n }).map(
    ({ t, p }) =>
      async (ids: Ids) =>
        run(removeTeamMember, { teamId: pick(ids.teams, t), personId: pick(ids.people, p) }),
  ),
  fc.record({ t: n, p: n }).map(
    ({ t, p }) =>
      async (ids: Ids) =>
        run(chooseFirstTeam, { teamId: pick(ids.teams, t), personId: pick(ids.people, p) }),
  ),
  fc.record({ p: n, m: n }).map(
    ({ p, m }) =>
      async (ids: Ids) =>
        run(changeReportingLine, {
          personId: pick(ids.people, p),
          managerId: m % 3 === 0 ? null : pick(ids.people, m),
        }),
  ),
  n.map((p) => async (ids: Ids) => run(offboardPerson, { personId: pick(ids.people, p) })),
  n.map((t) => async (ids: Ids) => run(archiveTeam, { teamId: pick(ids.teams, t) })),
  fc.record({ p: n, s: n }).map(
    ({ p, s }) =>
      async (ids: Ids) =>
        run(updatePersonSkills, { personId: pick(ids.people, p), skills: [SKILLS[s % SKILLS.length]!] }),
  ),
  n.map((i) => async () => run(defineResponsibility, { title: `Duty ${i}` }, 'responsibilities')),
  fc.record({ r: n, o: n, team: fc.boolean() }).map(
    ({ r, o, team }) =>
      async (ids: Ids) =>
        run(assignResponsibility, {
          responsibilityId: pick(ids.responsibilities, r),
          ownerId: team ? pick(ids.teams, o) : pick(ids.people, o),
        }),
  ),
  n.map((r) => async (ids: Ids) => run(unassignResponsibility, { responsibilityId: pick(ids.responsibilities, r) })),
  fc.record({ t: n, r: n, s: n, blame: fc.boolean() }).map(
    ({ t, r, s, blame }) =>
      async (ids: Ids) =>
        run(draftAgreement, {
          teamId: pick(ids.teams, t),
          mission: 'Ship value',
          responsibilityIds: ids.responsibilities.length > 0 ? [pick(ids.responsibilities, r)] : [],
          skills: [SKILLS[s % SKILLS.length]!],
          norms: blame ? 'When it breaks it is their fault, not our problem.' : 'We pair on hard problems.',
        }),
  ),
  n.map((t) => async (ids: Ids, db: TestDatabase) => {
    const teamId = pick(ids.teams, t);
    const members = await membersOf(db, teamId);
    return run(ratifyAgreement, { teamId, ratifiedBy: members.length > 0 ? members : [NOBODY] });
  }),
  n.map((t) => async (ids: Ids) => run(revisitAgreement, { teamId: pick(ids.teams, t), notes: 'Retro' })),
  fc.record({ a: n, b: n, late: fc.boolean(), status: fc.constantFrom('OK', 'SLOWING', 'BLOCKING') }).map(
    ({ a, b, late, status }) =>
      async (ids: Ids) =>
        run(
          declareDependency,
          {
            fromTeamId: pick(ids.teams, a),
            toTeamId: pick(ids.teams, b),
            mode: 'X_AS_A_SERVICE',
            status,
            discoveredLate: late,
          },
          'dependencies',
        ),
  ),
  fc.record({ d: n, status: fc.constantFrom('OK', 'SLOWING', 'BLOCKING') }).map(
    ({ d, status }) =>
      async (ids: Ids) =>
        run(changeDependencyStatus, { dependencyId: pick(ids.dependencies, d), status }),
  ),
  n.map((d) => async (ids: Ids) => run(resolveDependency, { dependencyId: pick(ids.dependencies, d) })),
  fc.record({ t: n, reviewed: fc.boolean(), blame: fc.boolean() }).map(
    ({ t, reviewed, blame }) =>
      async (ids: Ids) =>
        run(recordHandoff, {
          teamId: pick(ids.teams, t),
          title: 'Requirement',
          reviewedWithEngineering: reviewed,
          reviewedWithProduct: true,
          ...(blame ? { comment: 'Thrown over the wall again, us vs them' } : {}),
        }),
  ),
  fc.record({ a: n, b: n, joint: fc.boolean() }).map(
    ({ a, b, joint }) =>
      async (ids: Ids) =>
        run(recordInteraction, {
          teamIds: [pick(ids.teams, a), pick(ids.teams, b + 1)],
          kind: joint ? 'JOINT_WORK' : 'STATUS_UPDATE',
        }),
  ),
  fc
    .record({
      t: n,
      features: fc.integer({ min: 20, max: 100 }),
      planned: fc.boolean(),
      month: fc.integer({ min: 1, max: 4 }),
    })
    .map(
      ({ t, features, planned, month }) =>
        async (ids: Ids) =>
          run(planned ? planInvestmentMix : reportInvestmentMix, {
            teamId: pick(ids.teams, t),
            period: `2026-0${month}`,
            features,
            techDebt: 100 - features,
            runway: 0,
            developerExperience: 0,
          }),
    ),
  fc.record({ t: n, lead: fc.integer({ min: 1, max: 100 }), incidents: fc.nat(5) }).map(
    ({ t, lead, incidents }) =>
      async (ids: Ids) =>
        run(recordDeliveryMetrics, { teamId: pick(ids.teams, t), leadTimeHours: lead, incidents }),
  ),
  fc.record({ t: n, v: n, kind: fc.constantFrom('PERSONA', 'LEAN_CANVAS'), linked: fc.boolean() }).map(
    ({ t, v, kind, linked }) =>
      async (ids: Ids) =>
        run(
          publishAsset,
          {
            kind,
            title: 'Canvas',
            teamIds: linked && ids.teams.length > 0 ? [pick(ids.teams, t)] : [],
            valueStreamIds: linked && ids.valueStreams.length > 0 ? [pick(ids.valueStreams, v)] : [],
          },
          'assets',
        ),
  ),
  n.map((a) => async (ids: Ids) => run(reviseAsset, { assetId: pick(ids.assets, a), rationale: 'Learned more' })),
  n.map((i) => async () => run(defineValueStream, { name: `Stream ${i}` }, 'valueStreams')),
  fc
    .constantFrom('EXPERIMENTING', 'GETTING_TRACTION', 'HYPERGROWTH', 'OPTIMIZING')
    .map((phase) => async () => run(changeGrowthPhase, { phase })),
  fc.record({ days: fc.integer({ min: 1, max: 30 }), percent: fc.integer({ min: 80, max: 150 }) }).map(
    ({ days, percent }) =>
      async () =>
        run(setFrictionThresholds, { thresholds: { overallocationPercent: percent, unownedDays: days } }),
  ),
  fc.constant(async (): Promise<Action> => ({ kind: 'tick' })),
];

const step: fc.Arbitrary<Step> = fc.record({ build: fc.oneof(...builders), backDateDays: backDate });

/** A small organization to start from, so that random steps mostly hit things that exist. */
async function prologue(org: Commands): Promise<Ids> {
  const ids: Ids = { people: [], teams: [], responsibilities: [], dependencies: [], assets: [], valueStreams: [] };
  const at = { occurredAt: new Date(Date.now() - 300 * 86_400_000) };
  for (const [i, discipline] of ['PRODUCT', 'ENGINEERING', 'DESIGN', 'ENGINEERING'].entries()) {
    const { result } = await org.run(
      registerPerson,
      { name: `Founder ${i}`, email: `f${i}@acme.test`, discipline, skills: [SKILLS[i]!] },
      at,
    );
    ids.people.push(result.personId);
  }
  for (const [i, kind] of ['STREAM_ALIGNED', 'STREAM_ALIGNED', 'PLATFORM'].entries()) {
    const { result } = await org.run(formTeam, { name: `Founding team ${i}`, kind }, at);
    ids.teams.push(result.teamId);
  }
  for (const [p, personId] of ids.people.entries()) {
    await org.run(addTeamMember, { teamId: ids.teams[p % 3]!, personId, role: 'Member', allocation: 60 }, at);
  }
  ids.responsibilities.push((await org.run(defineResponsibility, { title: 'On-call' }, at)).result.responsibilityId);
  ids.valueStreams.push((await org.run(defineValueStream, { name: 'Checkout' }, at)).result.valueStreamId);
  return ids;
}

/** The signals and their changes a replay of `events` in memory leaves. */
async function replaySignals(events: readonly RecordedEvent[], options: { everySubject: boolean }) {
  const ws = new WorkingSet();
  await applyEvents(ws, events, new FrictionEngine(ws, undefined, options));
  const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return { signals: ws.rows(frictionSignals).sort(byId), changes: ws.rows(frictionSignalChanges) };
}

describe.each([
  ['resident read models', true],
  ['read models loaded per command', false],
])('friction signals: replay equals inline (%s)', (_mode, resident) => {
  it('a rebuild from position 0 reproduces every signal, change, timer and time', async () => {
    const kindsSeen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 30, maxLength: 90 }), async (steps) => {
        const db = await createTestDatabase();
        try {
          const org = await newOrganization(db, 'Acme', { resident });
          const ids = await prologue(org);
          for (const { build, backDateDays } of steps) {
            const action = await build(ids, db, org);
            if (action.kind === 'tick') {
              await fireDueTimers(db.pool, org.store);
              continue;
            }
            const meta = backDateDays === null ? {} : { occurredAt: new Date(Date.now() - backDateDays * 86_400_000) };
            try {
              const { result } = await org.run(action.handler, action.input, meta);
              if (action.created) {
                const id = Object.values(result as Record<string, string>)[0];
                if (id) ids[action.created].push(id);
              }
            } catch (error) {
              // Rejected commands are part of a realistic sequence; they write nothing.
              if (!(error instanceof Error) || !('code' in error)) throw error;
            }
          }
          await fireDueTimers(db.pool, org.store);
          const inline = await snapshotReadModels(db.pool);
          for (const row of inline.friction_signals as { kind: string }[]) kindsSeen.add(row.kind);
          await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
          expect(await snapshotReadModels(db.pool)).toEqual(inline);
          // Incremental evaluation misses nothing: judging every subject of
          // every rule after every command finds the very same signals.
          const events = await org.store.readAll(org.organizationId, { limit: 100_000 });
          const everySubject = await replaySignals(events, { everySubject: true });
          expect(everySubject.changes.length).toBeGreaterThan(0);
          expect(everySubject).toEqual(await replaySignals(events, { everySubject: false }));
        } finally {
          await db.drop();
        }
      }),
      { numRuns: 12 },
    );
    // The sequences reach most rules, or the property says little.
    expect(kindsSeen.size).toBeGreaterThanOrEqual(10);
    // 12 organizations, each replayed three times (one judging every subject): 5–10 s alone,
    // past the default 30 s now and then when the whole suite shares the machine's 2 cores.
  }, 120_000);
});
