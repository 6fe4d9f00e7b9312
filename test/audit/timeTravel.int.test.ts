// The time-travel oracle: for random command sequences with back-dated
// events (corrections recorded late), the read models at random
// (asOf, knownAt) pairs, as the snapshots behind `organization(asOf, knownAt)`
// give them, equal a naive replay of exactly the events that qualify
// (occurred by asOf, recorded by knownAt), filtered here in JavaScript and
// applied in position order to an empty in-memory working set.
//
// Moments are asked for twice: after a first batch of commands and again
// after more commands (some back-dated before those moments), so a snapshot
// reused or rebuilt after new events must still agree with the oracle.
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { FrictionEngine } from '../../projections/friction/engine.ts';
import { applyEvents } from '../../projections/index.ts';
import {
  prepareSnapshots,
  SNAPSHOT_SETTING,
  SNAPSHOT_TABLES,
  SnapshotStore,
  TIME_TRAVEL_SCHEMA,
  type TimeView,
} from '../../src/audit/snapshots.ts';
import type { RecordedEvent } from '../../src/eventStore/types.ts';
import { registerPerson } from '../../src/people/people.ts';
import { fromDatabaseRow, keyOf, type TableSpec } from '../../src/readModel/table.ts';
import { WorkingSet } from '../../src/readModel/workingSet.ts';
import { addTeamMember, changeMembership, formTeam } from '../../src/teams/teams.ts';
import { runSteps, step } from '../support/commandSequences.ts';
import { newOrganization } from '../support/commands.ts';
import { createTestDatabase } from '../support/database.ts';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 1);
const MOMENTS_PER_ROUND = 60;

type Rows = Record<string, unknown[]>;

const sortedRows = (spec: TableSpec<object>, rows: object[]) =>
  rows
    .map((row) => ({ key: keyOf(spec, row), row }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ row }) => row);

/**
 * The naive side: exactly the qualifying events, replayed from nothing, with
 * every subject of every rule judged after every command (events as of a date
 * are not a log commands wrote: no `affects` pruning may count on them).
 */
async function oracle(events: readonly RecordedEvent[], view: TimeView): Promise<Rows> {
  const qualifying = events.filter(
    (event) =>
      (!view.asOf || event.occurredAt.getTime() <= view.asOf.getTime()) &&
      (!view.knownAt || event.recordedAt.getTime() <= view.knownAt.getTime()),
  );
  const ws = new WorkingSet();
  await applyEvents(ws, qualifying, new FrictionEngine(ws, undefined, { everySubject: true }));
  const rows: Rows = {};
  for (const spec of SNAPSHOT_TABLES as readonly TableSpec<object>[])
    rows[spec.table] = sortedRows(spec, ws.rows(spec));
  return rows;
}

/** The implementation's side: the snapshot, read through the views GraphQL reads. */
async function fromSnapshot(pool: pg.Pool, snapshots: SnapshotStore, organizationId: string, view: TimeView) {
  const snapshot = await snapshots.snapshotFor(organizationId, view, { signals: true });
  const client = await pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await client.query(`SELECT set_config('${SNAPSHOT_SETTING}', $1, true)`, [snapshot.id.toString()]);
    const rows: Rows = {};
    for (const spec of SNAPSHOT_TABLES as readonly TableSpec<object>[]) {
      const result = await client.query(`SELECT * FROM ${TIME_TRAVEL_SCHEMA}."${spec.table}"`);
      rows[spec.table] = sortedRows(
        spec,
        result.rows.map((record) => fromDatabaseRow(spec, record)),
      );
    }
    await client.query('COMMIT');
    return { rows, built: snapshot.built };
  } finally {
    client.release();
  }
}

/** Moments around the log's own times: each event's occurredAt and recordedAt, a millisecond either side, and none. */
function candidates(events: readonly RecordedEvent[]) {
  const around = (times: number[]) => [
    undefined,
    ...[...new Set(times.flatMap((time) => [time - 1, time, time + 1]))].sort((a, b) => a - b).map((t) => new Date(t)),
  ];
  return {
    asOf: around(events.map((event) => event.occurredAt.getTime())),
    knownAt: around(events.map((event) => event.recordedAt.getTime())),
  };
}

function moments(events: readonly RecordedEvent[], picks: readonly [number, number][]): TimeView[] {
  const { asOf, knownAt } = candidates(events);
  return picks
    .map(([a, k]) => ({ asOf: asOf[a % asOf.length], knownAt: knownAt[k % knownAt.length] }))
    .filter((view) => view.asOf || view.knownAt);
}

describe('organization(asOf, knownAt) against a naive replay', () => {
  it('gives the rows a replay of exactly the qualifying events gives, before and after more events', async () => {
    let cases = 0;
    let reused = 0;
    const pick = fc.tuple(fc.nat(10_000), fc.nat(10_000));
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 5, maxLength: 30 }),
        fc.array(step, { minLength: 1, maxLength: 12 }),
        fc.array(pick, { minLength: MOMENTS_PER_ROUND, maxLength: MOMENTS_PER_ROUND }),
        fc.array(pick, { minLength: MOMENTS_PER_ROUND, maxLength: MOMENTS_PER_ROUND }),
        async (first, more, firstPicks, laterPicks) => {
          const db = await createTestDatabase();
          try {
            await prepareSnapshots(db.pool);
            const org = await newOrganization(db, 'Acme', { occurredAt: new Date(NOW - 500 * DAY) });
            const snapshots = new SnapshotStore(db.pool, org.store, { maxSnapshots: 1_000 });
            const check = async (events: readonly RecordedEvent[], view: TimeView) => {
              const answer = await fromSnapshot(db.pool, snapshots, org.organizationId, view);
              expect(answer.rows, JSON.stringify(view)).toEqual(await oracle(events, view));
              cases++;
              if (!answer.built) reused++;
            };

            const ids = await runSteps(org, first, NOW);
            const before = await org.store.readAll(org.organizationId, { limit: 10_000 });
            const asked = moments(before, firstPicks);
            for (const view of asked) await check(before, view);

            await runSteps(org, more, NOW + DAY, ids);
            const after = await org.store.readAll(org.organizationId, { limit: 10_000 });
            for (const view of [...asked, ...moments(after, laterPicks)]) await check(after, view);
          } finally {
            await db.drop();
          }
        },
      ),
      { numRuns: 12 },
    );
    // Thousands of moments, and the reuse path taken, not only fresh replays.
    expect(cases).toBeGreaterThanOrEqual(2_000);
    expect(reused).toBeGreaterThan(0);
  }, 120_000);

  it('builds several moments of one organization at once, each like the naive replay', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { minLength: 5, maxLength: 20 }),
        fc.array(step, { minLength: 3, maxLength: 12 }),
        fc.array(fc.tuple(fc.nat(10_000), fc.nat(10_000)), { minLength: 6, maxLength: 6 }),
        async (first, more, picks) => {
          const db = await createTestDatabase();
          try {
            await prepareSnapshots(db.pool);
            const org = await newOrganization(db, 'Acme', { occurredAt: new Date(NOW - 500 * DAY) });
            const snapshots = new SnapshotStore(db.pool, org.store, { maxSnapshots: 1_000 });
            const ids = await runSteps(org, first, NOW);
            // One build caches the decoded log; then the log grows.
            await snapshots.snapshotFor(org.organizationId, { asOf: new Date(NOW) }, { signals: true });
            await runSteps(org, more, NOW + DAY, ids);
            const events = await org.store.readAll(org.organizationId, { limit: 10_000 });
            const views = moments(events, picks);
            const answers = await Promise.all(
              views.map((view) => fromSnapshot(db.pool, snapshots, org.organizationId, view)),
            );
            for (const [index, view] of views.entries()) {
              expect(answers[index]!.rows, JSON.stringify(view)).toEqual(await oracle(events, view));
            }
          } finally {
            await db.drop();
          }
        },
      ),
      { numRuns: 8 },
    );
  });

  it('judges a back-dated membership change that, as of a date, comes without the join before it', async () => {
    const db = await createTestDatabase();
    try {
      await prepareSnapshots(db.pool);
      const at = (days: number) => ({ occurredAt: new Date(Date.now() - days * DAY) });
      const org = await newOrganization(db, 'Acme', at(200));
      const snapshots = new SnapshotStore(db.pool, org.store, { maxSnapshots: 10 });
      const { result: team } = await org.run(formTeam, { name: 'Checkout', kind: 'STREAM_ALIGNED' }, at(100));
      const { result: person } = await org.run(
        registerPerson,
        { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING', skills: [] },
        at(100),
      );
      const member = { teamId: team.teamId, personId: person.personId };
      await org.run(addTeamMember, { ...member, role: 'Engineer', allocation: 100 });
      // Recorded now, as having happened 60 days ago: as of 10 days ago the join (today) had not
      // happened, so this change alone makes Ada a member, of a team with no product member.
      await org.run(changeMembership, { ...member, allocation: 50 }, at(60));
      await org.run(registerPerson, { name: 'Bo', email: 'bo@acme.test', discipline: 'DESIGN', skills: [] }, at(20));
      const view = { asOf: new Date(Date.now() - 10 * DAY) };
      const events = await org.store.readAll(org.organizationId, { limit: 10_000 });
      const { rows } = await fromSnapshot(db.pool, snapshots, org.organizationId, view);
      expect(rows).toEqual(await oracle(events, view));
      expect(rows.friction_signals).toContainEqual(
        expect.objectContaining({ kind: 'NOT_CROSS_FUNCTIONAL', subjectId: team.teamId, status: 'OPEN' }),
      );
    } finally {
      await db.drop();
    }
  });
});
