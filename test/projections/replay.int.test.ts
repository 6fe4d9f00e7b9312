// Replaying the log from position 0 gives exactly the rows the inline path
// produced, for random command sequences (with back-dated commands), and the
// rebuild swaps them in while commands keep arriving.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { fireDueTimers } from '../../projections/friction/scheduler.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import type { CommandHandler } from '../../src/commands/command.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { changeGrowthPhase } from '../../src/organization/organization.ts';
import {
  changeReportingLine,
  chooseFirstTeam,
  offboardPerson,
  registerPerson,
  updatePersonSkills,
} from '../../src/people/people.ts';
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
import { newOrganization } from '../support/commands.ts';
import { createTestDatabase } from '../support/database.ts';
import { snapshotReadModels } from '../support/snapshot.ts';

type Ids = { people: string[]; teams: string[] };
type Step = { command: CommandHandler<never, unknown>; input: (ids: Ids) => unknown; backDateDays: number | null };

const pick = (list: string[], index: number) =>
  list[index % Math.max(1, list.length)] ?? '00000000-0000-7000-8000-000000000000';
const index = fc.nat(20);
const backDate = fc.option(fc.integer({ min: 1, max: 400 }), { nil: null, freq: 3 });

const step: fc.Arbitrary<Step> = fc.oneof(
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
  fc
    .record({ phase: fc.constantFrom('GETTING_TRACTION', 'HYPERGROWTH', 'OPTIMIZING'), backDateDays: backDate })
    .map(({ phase, backDateDays }) => ({
      command: changeGrowthPhase as unknown as CommandHandler<never, unknown>,
      input: () => ({ phase }),
      backDateDays,
    })),
);

describe('replay equals inline', () => {
  it('a rebuild from position 0 reproduces the inline read models exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        const db = await createTestDatabase();
        try {
          const org = await newOrganization(db);
          const ids: Ids = { people: [], teams: [] };
          const now = Date.UTC(2026, 10, 1);
          for (const { command, input, backDateDays } of steps) {
            const meta = backDateDays === null ? {} : { occurredAt: new Date(now - backDateDays * 86_400_000) };
            try {
              const { result } = await org.run(command, input(ids), meta);
              const created = result as { personId?: string; teamId?: string };
              if (command === (registerPerson as unknown) && created.personId) ids.people.push(created.personId);
              if (command === (formTeam as unknown) && created.teamId) ids.teams.push(created.teamId);
            } catch (error) {
              // Rejected commands are part of a realistic sequence; they must write nothing.
              if (!(error instanceof Error) || !('code' in error)) throw error;
            }
          }
          // Time moves on after the last command: the scheduler fires what is due
          // (and records so in the log, which the rebuild replays).
          await fireDueTimers(db.pool, org.store);
          const inline = await snapshotReadModels(db.pool);
          await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
          const rebuilt = await snapshotReadModels(db.pool);
          expect(rebuilt).toEqual(inline);
        } finally {
          await db.drop();
        }
      }),
      { numRuns: 15 },
    );
  });

  it('replays organizations on worker threads and arrives at the same rows as one thread', async () => {
    const db = await createTestDatabase();
    try {
      for (const name of ['Acme', 'Globex', 'Initech']) {
        const org = await newOrganization(db, name);
        const teamId = (await org.run(formTeam, { name: `${name} core`, kind: 'STREAM_ALIGNED' })).result.teamId;
        for (let i = 0; i < 5; i++) {
          const personId = (
            await org.run(
              registerPerson,
              { name: `${name} ${i}`, email: `p${i}@${name.toLowerCase()}.test`, discipline: 'ENGINEERING' },
              { occurredAt: new Date(Date.now() - (40 - i) * 86_400_000) },
            )
          ).result.personId;
          await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 60 + i * 10 });
        }
        await org.run(changeGrowthPhase, { phase: 'OPTIMIZING' });
      }
      await fireDueTimers(db.pool, new EventStore(db.pool, createEventCatalog()));
      const inline = await snapshotReadModels(db.pool);
      const threads: string[] = [];
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()), {
        workers: 2,
        log: (line) => threads.push(line),
      });
      expect(threads.join('\n')).toContain('on 2 thread(s)');
      expect(await snapshotReadModels(db.pool)).toEqual(inline);
    } finally {
      await db.drop();
    }
  });

  it('keeps the index names the migrations created, so Prisma sees no drift after a swap', async () => {
    const db = await createTestDatabase();
    try {
      const indexes = () =>
        db.pool.query(
          "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY tablename, indexname",
        );
      const before = (await indexes()).rows;
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
      expect((await indexes()).rows).toEqual(before);
    } finally {
      await db.drop();
    }
  });

  it('swaps in while commands keep arriving, losing none of them', async () => {
    const db = await createTestDatabase();
    try {
      const org = await newOrganization(db);
      const teamIds: string[] = [];
      for (let i = 0; i < 30; i++)
        teamIds.push((await org.run(formTeam, { name: `Team ${i}`, kind: 'PLATFORM' })).result.teamId);
      let writing = true;
      const writer = (async () => {
        let n = 0;
        while (writing) {
          await org.run(renameTeam, { teamId: teamIds[n % teamIds.length]!, name: `Team ${n % teamIds.length} v${n}` });
          n++;
        }
        return n;
      })();
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
      writing = false;
      const renames = await writer;
      // Every rename the writer saw succeed is in the swapped-in tables.
      const names = await db.pool.query('SELECT count(*)::int AS n FROM teams WHERE name LIKE $1', ['% v%']);
      expect(names.rows[0].n).toBeGreaterThan(0);
      expect(renames).toBeGreaterThan(0);
      const afterLive = await snapshotReadModels(db.pool);
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
      expect(await snapshotReadModels(db.pool)).toEqual(afterLive);
    } finally {
      await db.drop();
    }
  });
});
