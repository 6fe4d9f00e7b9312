// Commands that decide on their organization's resident copy before their
// transaction (src/commands/execute.ts): two round trips when the copy is
// current (BEGIN, the lock, the head check and the append; then the write with
// the COMMIT), a rollback and a second decision on a reloaded copy when it is
// not, so a copy another process made stale never shows in an answer, and
// commands of one process applied in the order they arrived.
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import type { CommandHandler } from '../../src/commands/command.ts';
import { executeCommand } from '../../src/commands/execute.ts';
import { createPool } from '../../src/db/pool.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { createOrganization } from '../../src/organization/organization.ts';
import { chooseFirstTeam, registerPerson } from '../../src/people/people.ts';
import { ResidentModels } from '../../src/readModel/resident.ts';
import { addTeamMember, formTeam, removeTeamMember, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const ORGANIZATION = '01a21400-0000-7000-8000-00000000d0c1';

type TwoProcesses = { db: TestDatabase; here: ResidentModels; org: Commands; other: Omit<Commands, 'as'> };

/** A fresh database with an organization whose commands run in this process (`here`) and in another one. */
async function withTwoProcesses(
  body: (setup: TwoProcesses) => Promise<void>,
  options?: ConstructorParameters<typeof ResidentModels>[0],
): Promise<void> {
  const db = await createTestDatabase();
  try {
    const here = new ResidentModels(options);
    const org = await newOrganization(db, 'Acme', { resident: here });
    await body({ db, here, org, other: org.as!(new ResidentModels()) });
  } finally {
    await db.drop();
  }
}

/** The incidents recorded for a team, in log order. */
async function incidentsOf(db: TestDatabase, teamId: string): Promise<number[]> {
  const recorded = await db.pool.query<{ incidents: number }>(
    'SELECT incidents FROM delivery_metrics WHERE team_id = $1 ORDER BY position',
    [teamId],
  );
  return recorded.rows.map((row) => row.incidents);
}

/** A team with one recording (1 incident), made through the organization's commands. */
async function teamRecordedOnce(org: Pick<Commands, 'run'>): Promise<string> {
  const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
  await org.run(recordDeliveryMetrics, { teamId, incidents: 1 });
  return teamId;
}

/**
 * Makes the COMMIT of a transaction that records a metric with `incidents`
 * take `seconds`, and then fail when `fail` (a deferred trigger runs at COMMIT).
 */
async function slowCommitOf(db: TestDatabase, incidents: number, seconds: number, fail = false): Promise<void> {
  await db.pool.query(`
    CREATE FUNCTION test_slow_commit_${incidents}() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.incidents = ${incidents} THEN
        PERFORM pg_sleep(${seconds});
        ${fail ? "RAISE EXCEPTION 'the commit fails';" : ''}
      END IF;
      RETURN NULL;
    END $$;
    CREATE CONSTRAINT TRIGGER test_slow_commit_${incidents} AFTER INSERT ON delivery_metrics
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_slow_commit_${incidents}();`);
}

describe('a command decided on the resident copy', () => {
  it('takes two round trips once its connection has the append and the write prepared', async () => {
    const db = await createTestDatabase();
    // One connection, so every command's statements go through the one client watched here.
    const pool = createPool(db.url, { max: 1, applicationName: 'orgstream-test' });
    try {
      const sent: string[] = [];
      const client = await pool.connect();
      const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
      (client as unknown as { query: unknown }).query = (config: unknown, ...rest: unknown[]) => {
        sent.push(typeof config === 'string' ? config : (config as { text: string }).text);
        return query(config, ...rest);
      };
      client.release();

      const resident = new ResidentModels();
      const deps = { pool, store: new EventStore(pool, createEventCatalog()), resident };
      const run = <Input, Result>(handler: CommandHandler<Input, Result>, input: unknown) =>
        executeCommand(deps, handler, ORGANIZATION, input, { actor: 'test' });
      await run(createOrganization, { name: 'Acme', slug: 'acme', growthPhase: 'HYPERGROWTH' });
      const { teamId } = (await run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      await run(recordDeliveryMetrics, { teamId, leadTimeHours: 30 });

      sent.length = 0;
      const outcome = await run(recordDeliveryMetrics, { teamId, leadTimeHours: 20 });
      // (The NOTIFY after the commit is not part of the command.)
      const command = sent.filter((text) => !text.startsWith('SELECT pg_notify'));
      expect(command).toHaveLength(2);
      expect(command[0]).toMatch(
        /^BEGIN ISOLATION LEVEL READ COMMITTED;.*pg_advisory_xact_lock.*EXECUTE orgstream_append\(/s,
      );
      expect(command[1]).toMatch(/^EXECUTE rm_[0-9a-f]+\(.*\); COMMIT$/s);
      expect(outcome.events.map((event) => event.type)).toEqual(['DeliveryMetricsRecorded']);
      const rows = await db.pool.query<{ lead_time_hours: number; position: string }>(
        'SELECT lead_time_hours, position::text AS position FROM delivery_metrics WHERE team_id = $1 ORDER BY position',
        [teamId],
      );
      expect(rows.rows).toEqual([
        { lead_time_hours: 30, position: expect.any(String) },
        { lead_time_hours: 20, position: String(outcome.position) },
      ]);
      expect(resident.loads).toBe(1);
    } finally {
      await pool.end();
      await db.drop();
    }
  });

  it('is decided again on a reloaded copy when another process appended, never rejected by the stale one', async () => {
    await withTwoProcesses(async ({ db, here, org, other }) => {
      const { personId } = (
        await org.run(registerPerson, { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING' })
      ).result;
      // A team this process's copy has never seen: deciding on the copy alone would answer NOT_FOUND.
      const { teamId } = (await other.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      const loads = here.loads;
      const added = await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 });
      expect(added.events.map((event) => event.type)).toContain('TeamMemberAdded');
      expect(here.loads).toBe(loads + 1);
      const memberships = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE organization_id = $1 AND type = 'TeamMemberAdded'`,
        [org.organizationId],
      );
      expect(memberships.rows[0]!.n).toBe(1);
      // Rejected for its own reason, not the copy's: the person is a member now.
      await expect(org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 })).rejects.toThrow(
        /already/i,
      );
    });
  });

  it('is checked under the lock first for a while once another process writes to the organization too', async () => {
    await withTwoProcesses(
      async ({ db, here, org, other }) => {
        const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
        for (let i = 0; i < 10; i++) {
          await other.run(recordDeliveryMetrics, { teamId, incidents: i });
          await org.run(recordDeliveryMetrics, { teamId, incidents: i + 100 });
        }
        // Only the first found its copy stale; the rest read the head before deciding.
        expect(here.staleDecisions).toBe(1);
        expect(await incidentsOf(db, teamId)).toEqual(Array.from({ length: 10 }, (_, i) => [i, i + 100]).flat());
      },
      // A window no run of this test outlasts (the service's is a second).
      { contendedMs: 600_000 },
    );
  });

  it('never appends on a stale copy: the check fails before the append, so the log has no gap', async () => {
    await withTwoProcesses(async ({ db, here, org, other }) => {
      const teamId = await teamRecordedOnce(org);
      await other.run(recordDeliveryMetrics, { teamId, incidents: 2 });
      // Decided on a copy without the other process's recording: it would append, were it not checked first.
      await org.run(recordDeliveryMetrics, { teamId, incidents: 3 });
      expect(here.staleDecisions).toBe(1);
      // Positions come from a sequence: an append rolled back would have left a gap.
      const log = await db.pool.query<{ n: string; first: string; last: string }>(
        'SELECT count(*)::text AS n, min(position)::text AS first, max(position)::text AS last FROM events',
      );
      const { n, first, last } = log.rows[0]!;
      expect(BigInt(last) - BigInt(first) + 1n).toBe(BigInt(n));
      expect(await incidentsOf(db, teamId)).toEqual([1, 2, 3]);
    });
  });

  it('is not decided again when its COMMIT failed: it may have committed, so the failure is reported', async () => {
    await withTwoProcesses(async ({ db, here, org }) => {
      const teamId = await teamRecordedOnce(org);
      // The next COMMIT that inserts a metric fails, once (a sequence is not rolled back).
      await db.pool.query(`
        CREATE SEQUENCE test_commits;
        CREATE FUNCTION test_fail_first_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF nextval('test_commits') = 1 THEN RAISE EXCEPTION 'the first commit fails'; END IF;
          RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER test_fail_first_commit AFTER INSERT ON delivery_metrics
          DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_first_commit();`);
      await expect(org.run(recordDeliveryMetrics, { teamId, incidents: 2 })).rejects.toThrow(/the first commit fails/);
      // The copy that applied it is gone: nothing decides on what did not commit.
      expect(here.lend(org.organizationId)).toBeUndefined();
      await org.run(recordDeliveryMetrics, { teamId, incidents: 3 });
      expect(await incidentsOf(db, teamId)).toEqual([1, 3]);
      await db.pool.query('DROP TRIGGER test_fail_first_commit ON delivery_metrics');
    });
  });

  it('takes turns with the commands of its process that arrived with it: in arrival order, one connection at a time', async () => {
    const db = await createTestDatabase();
    const pool = createPool(db.url, { max: 30, applicationName: 'orgstream-test' });
    try {
      const deps = { pool, store: new EventStore(pool, createEventCatalog()), resident: new ResidentModels() };
      const run = <Input, Result>(handler: CommandHandler<Input, Result>, input: unknown) =>
        executeCommand(deps, handler, ORGANIZATION, input, { actor: 'test' });
      await run(createOrganization, { name: 'Acme', slug: 'acme', growthPhase: 'HYPERGROWTH' });
      const { teamId } = (await run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      const names = Array.from({ length: 20 }, (_, i) => `Payments ${i}`);
      await Promise.all(names.map((name) => run(renameTeam, { teamId, name })));
      const renamed = await pool.query<{ name: string }>(
        `SELECT data->>'name' AS name FROM events WHERE organization_id = $1 AND type = 'TeamRenamed' ORDER BY position`,
        [ORGANIZATION],
      );
      expect(renamed.rows.map((row) => row.name)).toEqual(names);
      // Waiting commands held no connection: one command committing, the
      // next at the lock (see below), one more may have carried a NOTIFY, and
      // a third command may have begun before the first gave its connection back.
      expect(pool.totalCount).toBeLessThanOrEqual(4);
    } finally {
      await pool.end();
      await db.drop();
    }
  });

  it('is decided, and waits at the lock with its append, while the previous command’s COMMIT is in flight', async () => {
    await withTwoProcesses(async ({ db, here, org }) => {
      const teamId = await teamRecordedOnce(org);
      await slowCommitOf(db, 99, 1);
      const loads = here.loads;
      const first = org.run(recordDeliveryMetrics, { teamId, incidents: 99 });
      const second = org.run(recordDeliveryMetrics, { teamId, incidents: 2 });
      let firstDone = false;
      void first.finally(() => (firstDone = true));
      // While the first COMMIT sleeps, the second transaction has sent its
      // check and append and waits for the organization's lock.
      let waitedAtLock = false;
      while (!firstDone && !waitedAtLock) {
        const waiting = await db.pool.query(
          `SELECT 1 FROM pg_stat_activity
           WHERE wait_event_type = 'Lock' AND wait_event = 'advisory' AND query LIKE '%orgstream_expect_head%'`,
        );
        waitedAtLock = waiting.rowCount! > 0;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      expect(waitedAtLock).toBe(true);
      const [one, two] = await Promise.all([first, second]);
      expect(two.position! > one.position!).toBe(true);
      expect(await incidentsOf(db, teamId)).toEqual([1, 99, 2]);
      // Decided on the copy showing the first command's events, which committed: no reload, no second decision.
      expect(here.loads).toBe(loads);
      expect(here.staleDecisions).toBe(0);
    });
  });

  it('is decided again when the previous command, whose events its copy showed, did not commit', async () => {
    await withTwoProcesses(async ({ db, here, org }) => {
      const teamId = await teamRecordedOnce(org);
      await slowCommitOf(db, 98, 0.3, true);
      const loads = here.loads;
      const first = org.run(recordDeliveryMetrics, { teamId, incidents: 98 });
      const second = org.run(recordDeliveryMetrics, { teamId, incidents: 2 });
      await expect(first).rejects.toThrow(/the commit fails/);
      await second;
      await org.run(recordDeliveryMetrics, { teamId, incidents: 3 });
      expect(await incidentsOf(db, teamId)).toEqual([1, 2, 3]);
      // The copy that showed the failed command's events was dropped and loaded again ...
      expect(here.loads).toBe(loads + 1);
      // ... without taking this process's own failure for another process writing.
      expect(here.staleDecisions).toBe(0);
      // ... so the read model agrees with the log: the team's version is its stream's.
      const versions = await db.pool.query<{ model: number; log: number }>(
        `SELECT (SELECT version FROM teams WHERE id = $1) AS model,
                (SELECT max(stream_version) FROM events WHERE stream_id = $2) AS log`,
        [teamId, `team-${teamId}`],
      );
      expect(versions.rows[0]!.model).toBe(versions.rows[0]!.log);
      expect(versions.rows[0]!.model).toBe(4);
    });
  });

  it('reads the database for its decision only once the previous command’s COMMIT is done', async () => {
    await withTwoProcesses(async ({ db, org }) => {
      const { personId } = (
        await org.run(registerPerson, { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING' })
      ).result;
      const { teamId } = (await org.run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED' })).result;
      const other = (await org.run(formTeam, { name: 'Search', kind: 'STREAM_ALIGNED' })).result.teamId;
      await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 });
      await org.run(chooseFirstTeam, { personId, teamId });
      await slowCommitOf(db, 99, 0.5);
      // Leaving one's first team clears it: the decision reads the person's stream version from the database.
      const reads: number[] = [];
      const streamVersion = org.store.streamVersion.bind(org.store);
      org.store.streamVersion = (...args) => {
        reads.push(performance.now());
        return streamVersion(...args);
      };
      const started = performance.now();
      const first = org.run(recordDeliveryMetrics, { teamId: other, incidents: 99 });
      const removed = await org.run(removeTeamMember, { teamId, personId });
      await first;
      expect(removed.events.map((event) => event.type)).toEqual(['TeamMemberRemoved', 'FirstTeamCleared']);
      expect(reads).toHaveLength(1);
      // Not before the first COMMIT (0.5 s) was done: it would not have seen that command's events.
      expect(reads[0]! - started).toBeGreaterThanOrEqual(450);
    });
  });

  it('answers a duplicate of a command in flight with the first one’s result, without reloading the copy', async () => {
    await withTwoProcesses(async ({ db, here, org }) => {
      const teamId = await teamRecordedOnce(org);
      await slowCommitOf(db, 99, 0.3);
      const loads = here.loads;
      // (Either may take its turn first: each looks the key up before it waits for its turn.)
      const outcomes = await Promise.all([
        org.run(recordDeliveryMetrics, { teamId, incidents: 99 }, { idempotencyKey: 'k1' }),
        org.run(recordDeliveryMetrics, { teamId, incidents: 99 }, { idempotencyKey: 'k1' }),
      ]);
      const first = outcomes.find((outcome) => !outcome.replayed);
      const retry = outcomes.find((outcome) => outcome.replayed);
      expect(retry).toMatchObject({ replayed: true, position: first!.position });
      expect(await incidentsOf(db, teamId)).toEqual([1, 99]);
      // The duplicate failed on the key before it changed the copy: nothing to reload.
      expect(here.loads).toBe(loads);
      await org.run(recordDeliveryMetrics, { teamId, incidents: 2 });
      expect(await incidentsOf(db, teamId)).toEqual([1, 99, 2]);
      expect(here.loads).toBe(loads);
    });
  });

  it('answers a duplicate whose own decision would fail (the name the first one took) with the first result', async () => {
    await withTwoProcesses(async ({ db, org }) => {
      await teamRecordedOnce(org);
      // The second decides while the first's COMMIT is in flight, on a copy where the name is taken.
      const outcomes = await Promise.all([
        org.run(formTeam, { name: 'Search', kind: 'STREAM_ALIGNED' }, { idempotencyKey: 'form-search' }),
        org.run(formTeam, { name: 'Search', kind: 'STREAM_ALIGNED' }, { idempotencyKey: 'form-search' }),
      ]);
      const first = outcomes.find((outcome) => !outcome.replayed);
      const retry = outcomes.find((outcome) => outcome.replayed);
      expect(retry).toMatchObject({ replayed: true, result: first!.result, position: first!.position });
      const formed = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM events WHERE organization_id = $1 AND type = 'TeamFormed' AND data->>'name' = 'Search'`,
        [org.organizationId],
      );
      expect(formed.rows[0]!.n).toBe(1);
    });
  });
});
