// Resident read models (src/readModel/resident.ts): commands read an
// organization's rows from a copy kept in memory. The copy must never serve
// rows the database does not hold: it is reused while current, loaded again
// when another process appended, and dropped when a command's transaction
// fails after changing it; and commands decide with it exactly as without it
// (the same events, the same rejections). Each case ends with the read models
// a rebuild from the log gives.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { fireDueTimers } from '../../projections/friction/scheduler.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { registerPerson } from '../../src/people/people.ts';
import { ResidentModels } from '../../src/readModel/resident.ts';
import { defineResponsibility } from '../../src/responsibilities/responsibilities.ts';
import { addTeamMember, formTeam, renameTeam } from '../../src/teams/teams.ts';
import { runSteps, step } from '../support/commandSequences.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { snapshotReadModels } from '../support/snapshot.ts';

async function expectRebuildEqualsInline(db: TestDatabase) {
  const inline = await snapshotReadModels(db.pool);
  await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
  expect(await snapshotReadModels(db.pool)).toEqual(inline);
}

type Case = { db: TestDatabase; resident: ResidentModels; org: Commands };

/**
 * A fresh database with an organization whose commands keep resident copies;
 * after `body`, a rebuild from the log must give exactly the inline rows.
 */
async function onFreshOrganization(body: (setup: Case) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  try {
    const resident = new ResidentModels();
    const org = await newOrganization(db, 'Acme', { resident });
    await body({ db, resident, org });
    await expectRebuildEqualsInline(db);
  } finally {
    await db.drop();
  }
}

const teamName = async (db: TestDatabase, teamId: string) =>
  (await db.pool.query<{ name: string }>('SELECT name FROM teams WHERE id = $1', [teamId])).rows[0]!.name;

/**
 * The next command must load the copy again (exactly once); the one after it
 * writes the team's row from that copy (a member added). Returns the team's
 * name in the table then.
 */
async function nameAfterReload({ db, resident, org }: Case, teamId: string, email: string): Promise<string> {
  const loads = resident.loads;
  const { personId } = (await org.run(registerPerson, { name: 'Newcomer', email, discipline: 'ENGINEERING' })).result;
  expect(resident.loads).toBe(loads + 1);
  await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 });
  return teamName(db, teamId);
}

describe('resident read models', () => {
  it('decide every command exactly as read models loaded per command do', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 60 }), async (steps) => {
        const db = await createTestDatabase();
        try {
          const outcomes = async (resident: boolean) => {
            const org = await newOrganization(db, resident ? 'Resident' : 'Loaded', { resident });
            const seen: string[] = [];
            await runSteps(org, steps, Date.UTC(2026, 10, 1), undefined, seen);
            return seen;
          };
          const [resident, loaded] = [await outcomes(true), await outcomes(false)];
          expect(resident).toEqual(loaded);
          await expectRebuildEqualsInline(db);
        } finally {
          await db.drop();
        }
      }),
      { numRuns: 12 },
    );
  });

  it('are loaded once and reused by the commands that follow', async () => {
    await onFreshOrganization(async ({ resident, org }) => {
      const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      for (let i = 0; i < 5; i++) {
        const { personId } = (
          await org.run(registerPerson, { name: `P${i}`, email: `p${i}@acme.test`, discipline: 'ENGINEERING' })
        ).result;
        await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 60 });
      }
      // The first command (creating the organization) loaded an empty copy; nothing since.
      expect(resident.loads).toBe(1);
    });
  });

  it('pass from command to command of one process when many arrive at once, without loading again', async () => {
    await onFreshOrganization(async ({ resident, org }) => {
      const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      const loads = resident.loads;
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          org.run(registerPerson, { name: `P${i}`, email: `p${i}@acme.test`, discipline: 'ENGINEERING' }),
        ),
      );
      await Promise.all(Array.from({ length: 20 }, (_, i) => org.run(renameTeam, { teamId, name: `Payments ${i}` })));
      expect(resident.loads).toBe(loads);
    });
  });

  it('serve the friction timer scheduler too, which runs as a command', async () => {
    await onFreshOrganization(async ({ db, resident, org }) => {
      await org.run(defineResponsibility, { title: 'On-call' });
      const timers = await db.pool.query('SELECT 1 FROM friction_timers WHERE organization_id = $1', [
        org.organizationId,
      ]);
      expect(timers.rows.length).toBeGreaterThan(0);
      const loads = resident.loads;
      const later = new Date(Date.now() + 400 * 86_400_000);
      const run = await fireDueTimers(db.pool, org.store, () => later, resident);
      expect(run.organizations).toBe(1);
      expect(run.changes).toBeGreaterThan(0);
      await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' });
      expect(resident.loads).toBe(loads);
    });
  });

  it('are loaded again after a projection rebuild swapped in new tables', async () => {
    await onFreshOrganization(async ({ db, resident, org }) => {
      const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      // Rows an older projection got wrong, in a copy loaded from them (a restart after a deploy)...
      await db.pool.query(`UPDATE teams SET name = 'OLD-CODE' WHERE id = $1`, [teamId]);
      resident.clear();
      await org.run(registerPerson, { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING' });
      // ...then the rebuild that fixes the tables, without appending an event.
      await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
      expect(await nameAfterReload({ db, resident, org }, teamId, 'grace@acme.test')).toBe('Payments');
    });
  });

  it('stay when a command is rejected before changing them', async () => {
    await onFreshOrganization(async ({ resident, org }) => {
      await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' });
      const loads = resident.loads;
      await expect(org.run(formTeam, { name: 'Payments', kind: 'PLATFORM' })).rejects.toThrow();
      await org.run(formTeam, { name: 'Search', kind: 'PLATFORM' });
      expect(resident.loads).toBe(loads);
    });
  });

  it('are loaded again when another process appended to the organization', async () => {
    await onFreshOrganization(async ({ db, resident: here, org }) => {
      const there = new ResidentModels();
      const other = org.as!(there);
      const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      // The other process renames the team; this one must see the new name.
      await other.run(renameTeam, { teamId, name: 'Payments Core' });
      const person = (await org.run(registerPerson, { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING' }))
        .result.personId;
      await other.run(addTeamMember, { teamId, personId: person, role: 'Engineer', allocation: 120 - 20 });
      await org.run(renameTeam, { teamId, name: 'Payments Platform' });
      expect(here.loads).toBeGreaterThanOrEqual(3);
      expect(there.loads).toBeGreaterThanOrEqual(2);
      expect(await teamName(db, teamId)).toBe('Payments Platform');
    });
  });

  it('are dropped when a command fails after changing them, so no phantom row survives', async () => {
    await onFreshOrganization(async ({ db, resident, org }) => {
      const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      // The projection's write fails (a constraint the database holds, not the domain):
      // the rename reached the copy in memory, never the database.
      await db.pool.query(`ALTER TABLE teams ADD CONSTRAINT test_short_name CHECK (length(name) < 20)`);
      await expect(org.run(renameTeam, { teamId, name: 'A name far too long for it' })).rejects.toThrow();
      await db.pool.query('ALTER TABLE teams DROP CONSTRAINT test_short_name');
      expect(await nameAfterReload({ db, resident, org }, teamId, 'ada@acme.test')).toBe('Payments');
    });
  });
});
