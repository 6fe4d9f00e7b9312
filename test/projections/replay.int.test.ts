// Replaying the log from position 0 gives exactly the rows the inline path
// produced, for random command sequences (with back-dated commands), and the
// rebuild swaps them in while commands keep arriving.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { beginLocked } from '../../projections/friction/engine.ts';
import { fireDueTimers } from '../../projections/friction/scheduler.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import { readModelTables } from '../../projections/tables.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { changeGrowthPhase } from '../../src/organization/organization.ts';
import { registerPerson } from '../../src/people/people.ts';
import { addTeamMember, formTeam, renameTeam } from '../../src/teams/teams.ts';
import { runSteps, step } from '../support/commandSequences.ts';
import { newOrganization } from '../support/commands.ts';
import { createTestDatabase } from '../support/database.ts';
import { snapshotReadModels } from '../support/snapshot.ts';

describe.each([
  ['resident read models', true],
  ['read models loaded per command', false],
])('replay equals inline (%s)', (_mode, resident) => {
  it('a rebuild from position 0 reproduces the inline read models exactly', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        const db = await createTestDatabase();
        try {
          const org = await newOrganization(db, 'Acme', { resident });
          await runSteps(org, steps, Date.UTC(2026, 10, 1));
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

  it('swaps in tables as the migrations made them, with autovacuum on and planner statistics gathered', async () => {
    const db = await createTestDatabase();
    try {
      const org = await newOrganization(db);
      await org.run(formTeam, { name: 'Core', kind: 'PLATFORM' });
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
      const tables = await db.pool.query<{
        table: string;
        options: string[] | null;
        toast: string[] | null;
        tuples: number;
      }>(
        `SELECT c.relname AS table, c.reloptions AS options, t.reloptions AS toast, c.reltuples AS tuples
         FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
         WHERE c.relnamespace = 'public'::regnamespace AND c.relname = ANY($1) ORDER BY c.relname`,
        [readModelTables.map((spec) => spec.table)],
      );
      expect(tables.rows.map((row) => row.table)).toEqual(readModelTables.map((spec) => spec.table).sort());
      for (const row of tables.rows) {
        // Autovacuum was kept off the copies while they loaded; the swap gives it back.
        expect({ table: row.table, options: row.options, toast: row.toast }).toEqual({
          table: row.table,
          options: null,
          toast: null,
        });
        // -1: never analyzed. The rebuild analyzes the copies before the swap.
        expect({ table: row.table, tuples: row.tuples }).not.toEqual({ table: row.table, tuples: -1 });
      }
      // Neither the copies' schema nor the one the old tables were moved into is left behind.
      const schemas = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild%'");
      expect(schemas.rows).toEqual([]);
    } finally {
      await db.drop();
    }
  });

  it('runs one rebuild at a time, and drops what a crashed one left behind', async () => {
    const db = await createTestDatabase();
    const holder = await db.pool.connect();
    try {
      const org = await newOrganization(db);
      await org.run(formTeam, { name: 'Core', kind: 'PLATFORM' });
      const inline = await snapshotReadModels(db.pool);
      // A crashed rebuild: its copies' schema, and the schema its swap moved the old tables into.
      await db.pool.query(
        `CREATE SCHEMA rebuild_crashed; CREATE TABLE rebuild_crashed.teams (LIKE public.teams);
         COMMENT ON SCHEMA rebuild_crashed IS 'orgstream rebuild';
         CREATE SCHEMA rebuild_crashed_retired; CREATE TABLE rebuild_crashed_retired.teams (LIKE public.teams);
         COMMENT ON SCHEMA rebuild_crashed_retired IS 'orgstream rebuild'`,
      );
      // Someone else's schema, named alike: not the rebuild's to drop.
      await db.pool.query('CREATE SCHEMA rebuild_backup; CREATE TABLE rebuild_backup.teams (LIKE public.teams)');
      // Another rebuild holds the lock.
      await holder.query("SELECT pg_advisory_lock(hashtextextended('orgstream:rebuild', 0))");
      await expect(rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()))).rejects.toThrow(
        /Another rebuild of the read models is running/,
      );
      await holder.query("SELECT pg_advisory_unlock(hashtextextended('orgstream:rebuild', 0))");
      const lines: string[] = [];
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()), {
        log: (line) => lines.push(line),
      });
      expect(lines).toContain('dropped rebuild_crashed, left behind by an earlier rebuild');
      const schemas = await db.pool.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rebuild%'");
      expect(schemas.rows).toEqual([{ nspname: 'rebuild_backup' }]);
      expect(await snapshotReadModels(db.pool)).toEqual(inline);
    } finally {
      holder.release();
      await db.drop();
    }
  });

  it('swaps only once the commands in flight have ended: none writes rows from the old tables into the new', async () => {
    const db = await createTestDatabase();
    const command = await db.pool.connect();
    try {
      const org = await newOrganization(db);
      await org.run(formTeam, { name: 'Core', kind: 'PLATFORM' });
      // A command's transaction, opened as commands open theirs, still in flight.
      await beginLocked(command, org.organizationId);
      let swapped = false;
      const rebuild = rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog())).then(() => {
        swapped = true;
      });
      // The swap waits at the fence for that command.
      const waiting = async () =>
        (
          await db.pool.query(
            `SELECT count(*)::int AS n FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
          )
        ).rows[0].n as number;
      const deadline = Date.now() + 10_000;
      while ((await waiting()) === 0) {
        if (Date.now() > deadline || swapped) throw new Error('the swap did not wait for the command in flight');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(swapped).toBe(false);
      await command.query('COMMIT');
      await rebuild;
      expect(swapped).toBe(true);
    } finally {
      await command.query('ROLLBACK').catch(() => {});
      command.release();
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
      const lines: string[] = [];
      for (let i = 0; i < 2; i++) {
        await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()), {
          log: (line) => lines.push(line),
        });
      }
      writing = false;
      const renames = await writer;
      // What committed during the replay went into the copies before the swap took its lock.
      expect(lines.join('\n')).toMatch(/caught up \d+ events committed during the rebuild, before the swap/);
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
