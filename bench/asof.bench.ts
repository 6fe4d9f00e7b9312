// `npm run bench:asof`: measurements to choose how `organization(asOf,
// knownAt)` (issue 7) is built, on the demo organization and the 10x one, in
// one run. Not the bench:audit (that needs the GraphQL field); this is
// what the choice rests on:
//
//   now         the current structure read from the read models (teams,
//               current memberships with people): what a query for now pays
//   intervals   the same structure at a past org time from the org-time
//               intervals the read models already keep (memberships
//               valid_from/valid_to, teams formed/archived, people
//               registered/offboarded): no record-time dimension (knownAt)
//   replay      every read model at (asOf, knownAt) rebuilt in memory from
//               exactly the events that qualify (occurredAt ≤ asOf and
//               recordedAt ≤ knownAt), with the projections' own code: both
//               dimensions, any field, no new tables
//
// asOf is the middle of each organization's history. Environment:
// BENCH_REPEAT (20), BENCH_DATABASE_URL (else an embedded PostgreSQL).
import type pg from 'pg';
import { createEventCatalog } from '../events/index.ts';
import { NoFrictionEngine } from '../projections/friction/engine.ts';
import { applyEvents } from '../projections/index.ts';
import { memberships } from '../projections/tables.ts';
import { createPool } from '../src/db/pool.ts';
import { seedDemoOrganization } from '../src/demo/demoOrganization.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import type { RecordedEvent } from '../src/eventStore/types.ts';
import { WorkingSet } from '../src/readModel/workingSet.ts';
import {
  describeMachine,
  envNumber,
  formatMachine,
  formatNumber,
  formatRatio,
  markdownTable,
  median,
  now,
  openBenchDatabase,
} from './support.ts';

const REPEAT = Math.round(envNumber('BENCH_REPEAT', 20));
const log = (line: string) => process.stdout.write(`${line}\n`);

const NOW_SQL = `SELECT t.id, t.name, m.person_id, p.name AS person, m.role, m.allocation
  FROM teams t
  JOIN memberships m ON m.team_id = t.id AND m.valid_to IS NULL
  JOIN people p ON p.id = m.person_id
  WHERE t.organization_id = $1 AND t.archived_at IS NULL`;

const INTERVALS_SQL = `SELECT t.id, t.name, m.person_id, p.name AS person, m.role, m.allocation
  FROM teams t
  JOIN memberships m ON m.team_id = t.id AND m.valid_from <= $2 AND (m.valid_to IS NULL OR m.valid_to > $2)
  JOIN people p ON p.id = m.person_id AND p.registered_at <= $2 AND (p.offboarded_at IS NULL OR p.offboarded_at > $2)
  WHERE t.organization_id = $1 AND t.formed_at <= $2 AND (t.archived_at IS NULL OR t.archived_at > $2)`;

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let value: T | undefined;
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const started = now();
    value = await run();
    times.push(now() - started);
  }
  return { ms: median(times), value: value as T };
}

/** Every read model of the organization at (asOf, knownAt), replayed in memory. */
async function replayAt(events: readonly RecordedEvent[], asOf: Date, knownAt: Date): Promise<WorkingSet> {
  const ws = new WorkingSet();
  const qualifying = events.filter((event) => event.occurredAt <= asOf && event.recordedAt <= knownAt);
  await applyEvents(ws, qualifying, new NoFrictionEngine(ws));
  return ws;
}

async function measure(pool: pg.Pool, store: EventStore, organizationId: string, label: string) {
  const range = await pool.query<{ first: Date; last: Date }>(
    'SELECT min(occurred_at) AS first, max(occurred_at) AS last FROM events WHERE organization_id = $1',
    [organizationId],
  );
  const { first, last } = range.rows[0]!;
  const asOf = new Date((first.getTime() + last.getTime()) / 2);
  const knownAt = new Date();
  const current = await timed(() => pool.query(NOW_SQL, [organizationId]));
  const intervals = await timed(() => pool.query(INTERVALS_SQL, [organizationId, asOf]));
  const read = await timed(async () => {
    const events: RecordedEvent[] = [];
    for (let from = 0n; ; ) {
      const batch = await store.readAll(organizationId, { from, limit: 10_000 });
      events.push(...batch);
      if (batch.length < 10_000) return events;
      from = batch.at(-1)!.position;
    }
  });
  const replay = await timed(() => replayAt(read.value, asOf, knownAt));
  // The two techniques must agree where both apply (memberships at asOf, everything known).
  const replayed = replay.value
    .rows(memberships)
    .filter((row) => row.to === null || row.to > asOf)
    .filter((row) => row.from <= asOf).length;
  return {
    label,
    events: read.value.length,
    nowMs: current.ms,
    nowRows: current.value.rowCount ?? 0,
    intervalsMs: intervals.ms,
    intervalsRows: intervals.value.rowCount ?? 0,
    readMs: read.ms,
    replayMs: replay.ms,
    replayedMemberships: replayed,
  };
}

async function main(): Promise<void> {
  const database = await openBenchDatabase(log);
  const pool = createPool(database.url, { max: 4 });
  try {
    const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    log(formatMachine(await describeMachine(version)));
    const store = new EventStore(pool, createEventCatalog());
    const rows = [];
    for (const scale of [1, 10]) {
      const seeded = await seedDemoOrganization({ pool, store }, { scale });
      rows.push(await measure(pool, store, seeded.organizationId, scale === 1 ? 'demo' : '10x'));
    }
    log(
      markdownTable(
        [
          'org',
          'events',
          'now: SQL ms (rows)',
          'intervals at asOf: SQL ms (rows)',
          'vs now',
          'replay: read log ms',
          'replay: project ms',
          'replay total vs now',
          'memberships at asOf (intervals / replay)',
        ],
        rows.map((row) => [
          row.label,
          String(row.events),
          `${formatNumber(row.nowMs, 2)} (${row.nowRows})`,
          `${formatNumber(row.intervalsMs, 2)} (${row.intervalsRows})`,
          formatRatio(row.intervalsMs / row.nowMs),
          formatNumber(row.readMs, 1),
          formatNumber(row.replayMs, 1),
          formatRatio((row.readMs + row.replayMs) / row.nowMs),
          `${row.intervalsRows} / ${row.replayedMemberships}`,
        ]),
      ),
    );
  } finally {
    await pool.end();
    await database.close();
  }
}

await main();
