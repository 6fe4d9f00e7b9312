// `npm run bench:audit`: the org-graph query (bench/queries.ts) at a past
// `asOf`, and at a past `asOf` with a `knownAt`, against a started server over
// HTTP, as a ratio to the same query for now, on the demo organization and the
// 10x one, in one run (issue 7: at most 3x).
//
// A moment of the past is answered from a snapshot (src/audit/snapshots.ts):
//   first  the first query of the past on an organization: its log is read
//          and decoded (then kept in memory), the qualifying events replayed
//          and written as a snapshot, then read
//   cold   the first query at another moment: the log is in memory already
//   warm   later queries at that moment: the snapshot is read with the same
//          resolvers and SQL as for now
// Both are reported; the target is judged on warm (what an analyst exploring
// a moment pays per query) and cold is printed beside it.
//
// Every answer is checked: the past answer at a moment after every event must
// equal the answer for now. Environment: BENCH_REPEAT (50 warm requests),
// BENCH_COLD (5 moments), BENCH_DATABASE_URL (else an embedded PostgreSQL).
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { createEventCatalog } from '../events/index.ts';
import { issueToken } from '../src/auth/tokens.ts';
import { createPool } from '../src/db/pool.ts';
import { seedDemoOrganization } from '../src/demo/demoOrganization.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import { ORG_GRAPH } from './queries.ts';
import {
  describeMachine,
  envNumber,
  formatMachine,
  formatNumber,
  formatRatio,
  markdownTable,
  now,
  openBenchDatabase,
  percentile,
  type ServerProcess,
  startServerProcess,
} from './support.ts';

const REPEAT = Math.round(envNumber('BENCH_REPEAT', 50));
const COLD = Math.round(envNumber('BENCH_COLD', 5));
const TARGET = 3;
const log = (line: string) => process.stdout.write(`${line}\n`);

type Variables = { asOf?: string; knownAt?: string };

async function query(
  server: ServerProcess,
  token: string,
  variables: Variables,
): Promise<{ ms: number; data: unknown }> {
  const started = now();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: ORG_GRAPH, variables }),
  });
  const body = (await response.json()) as { data?: unknown; errors?: unknown };
  const ms = now() - started;
  if (body.errors || !body.data) throw new Error(`query failed: ${JSON.stringify(body.errors).slice(0, 500)}`);
  return { ms, data: body.data };
}

/** p50 and p99 of `REPEAT` sequential requests, after one unmeasured. */
async function latencies(server: ServerProcess, token: string, variables: Variables) {
  await query(server, token, variables);
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) times.push((await query(server, token, variables)).ms);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

type Row = {
  label: string;
  events: number;
  now: { p50: number; p99: number };
  warmAsOf: { p50: number; p99: number };
  warmBoth: { p50: number; p99: number };
  cold: number;
  /** The very first query of the past on the organization: its log is read and decoded too. */
  first: number;
};

async function main(): Promise<void> {
  const database = await openBenchDatabase(log);
  const pool = createPool(database.url, { max: 4 });
  const adminToken = randomBytes(24).toString('hex');
  let server: ServerProcess | undefined;
  try {
    const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    log(formatMachine(await describeMachine(version)));
    const store = new EventStore(pool, createEventCatalog());
    const organizations: { label: string; id: string; token: string }[] = [];
    for (const scale of [1, 10]) {
      const seeded = await seedDemoOrganization({ pool, store }, { scale });
      const { token } = await issueToken(pool, seeded.organizationId, 'ANALYST', 'bench', 'bench');
      organizations.push({ label: scale === 1 ? 'demo' : '10x', id: seeded.organizationId, token });
      log(`seeded the ${scale === 1 ? 'demo' : '10x'} organization`);
    }
    // The answer cache off: this measures answering from snapshots (a warm
    // query repeats its variables, which the cache would answer without them).
    server = await startServerProcess({
      databaseUrl: database.url,
      adminToken,
      poolSize: 20,
      env: { ORGSTREAM_ANSWER_CACHE_MB: '0' },
    });

    const rows: Row[] = [];
    for (const organization of organizations) {
      const span = await pool.query<{ first: Date; last: Date; events: number; recorded: Date }>(
        `SELECT min(occurred_at) AS first, max(occurred_at) AS last, count(*)::int AS events,
                percentile_disc(0.5) WITHIN GROUP (ORDER BY recorded_at) AS recorded
         FROM events WHERE organization_id = $1`,
        [organization.id],
      );
      const { first, last, events, recorded } = span.rows[0]!;
      const at = (share: number) =>
        new Date(first.getTime() + (last.getTime() - first.getTime()) * share).toISOString();
      const middle = at(0.5);

      // The past after every event is now: the same answer, from a snapshot.
      const present = await query(server, organization.token, {});
      const future = await query(server, organization.token, { asOf: new Date(last.getTime() + 1).toISOString() });
      if (!isDeepStrictEqual(present.data, future.data)) {
        throw new Error(`${organization.label}: the answer after every event differs from the answer for now`);
      }

      const cold: number[] = [];
      for (let i = 0; i < COLD; i++) {
        cold.push((await query(server, organization.token, { asOf: at((i + 1) / (COLD + 1) + 0.01) })).ms);
      }
      const phases = await pool.query<{ replay: number; write: number }>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY replay_ms) AS replay,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY write_ms) AS write
         FROM orgstream_snapshots.snapshots WHERE organization_id = $1`,
        [organization.id],
      );
      log(
        `${organization.label}: building a snapshot (median): replay ${formatNumber(phases.rows[0]!.replay, 0)} ms, ` +
          `write ${formatNumber(phases.rows[0]!.write, 0)} ms`,
      );
      rows.push({
        label: organization.label,
        events,
        now: await latencies(server, organization.token, {}),
        warmAsOf: await latencies(server, organization.token, { asOf: middle }),
        warmBoth: await latencies(server, organization.token, { asOf: middle, knownAt: recorded.toISOString() }),
        cold: percentile(cold, 50),
        first: future.ms,
      });
      log(`measured the ${organization.label} organization`);
    }

    const ratio = (a: number, b: number) => formatRatio(a / b);
    log(
      markdownTable(
        [
          'org',
          'events',
          'now p50 / p99 ms',
          'asOf (warm) p50 / p99 ms',
          'vs now (p50)',
          'asOf + knownAt (warm) p50 ms',
          'vs now',
          'asOf (cold) p50 ms',
          'vs now',
          'first on the org ms',
          'vs now',
          `target ≤ ${TARGET}x (warm)`,
        ],
        rows.map((row) => [
          row.label,
          String(row.events),
          `${formatNumber(row.now.p50, 1)} / ${formatNumber(row.now.p99, 1)}`,
          `${formatNumber(row.warmAsOf.p50, 1)} / ${formatNumber(row.warmAsOf.p99, 1)}`,
          ratio(row.warmAsOf.p50, row.now.p50),
          formatNumber(row.warmBoth.p50, 1),
          ratio(row.warmBoth.p50, row.now.p50),
          formatNumber(row.cold, 0),
          ratio(row.cold, row.now.p50),
          formatNumber(row.first, 0),
          ratio(row.first, row.now.p50),
          Math.max(row.warmAsOf.p50, row.warmBoth.p50) / row.now.p50 <= TARGET ? 'met' : 'missed',
        ]),
      ),
    );
  } finally {
    await server?.stop();
    await pool.end();
    await database.close();
  }
}

await main();
