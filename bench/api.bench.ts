import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { PrismaPg } from '@prisma/adapter-pg';
import autocannon from 'autocannon';
import { type DocumentNode, execute, parse } from 'graphql';
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { createEventCatalog } from '../events/index.ts';
import { teamStream } from '../events/team.ts';
import type { GraphQLContext } from '../schema/context.ts';
import { schema } from '../schema/index.ts';
import { issueToken } from '../src/auth/tokens.ts';
import { executeCommand } from '../src/commands/execute.ts';
import { createPool } from '../src/db/pool.ts';
import { seedDemoOrganization } from '../src/demo/demoOrganization.ts';
import { ConcurrencyError } from '../src/eventStore/errors.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import { PrismaClient } from '../src/generated/prisma/client.ts';
import { recordDeliveryMetrics } from '../src/metrics/deliveryMetrics.ts';
import { ORG_GRAPH } from './queries.ts';
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
  percentile,
  processCpuSeconds,
  runFor,
  type ServerProcess,
  startServerProcess,
} from './support.ts';

const SECONDS = envNumber('BENCH_SECONDS', 10);
const CONNECTIONS = Math.round(envNumber('BENCH_CONNECTIONS', 10));
const WARMUP_SECONDS = envNumber('BENCH_WARMUP_SECONDS', Math.min(2, SECONDS / 5));
const PROFILE_SECONDS = envNumber('BENCH_PROFILE_SECONDS', Math.min(3, SECONDS));
/**
 * BENCH_ROUNDS: the reads alternate between their candidates (GraphQL with the
 * answer cache, GraphQL without it, SQL) this many times, BENCH_SECONDS split
 * between the rounds, so that load from elsewhere on the machine falls on all of them.
 */
const ROUNDS = Math.max(1, Math.round(envNumber('BENCH_ROUNDS', 2)));
/** Connections of the server's pool (ORGSTREAM_DB_POOL_SIZE, its default) and of every baseline pool. */
const POOL_SIZE = 20;
/** BENCH_SCALES: the demo scales to seed and measure, e.g. "1" for a quick run (default "1,10"). */
const SCALES = (process.env.BENCH_SCALES || '1,10').split(',').map((scale) => Math.round(Number(scale)));
const SCENARIO_NAMES = ['orgGraph', 'teamPage', 'mutation', 'profile'] as const;
/**
 * BENCH_SCENARIOS: which parts to run, e.g. "orgGraph" or "orgGraph,profile"
 * (default: all of orgGraph, teamPage, mutation, profile). The profile part
 * profiles only the read scenarios selected.
 */
const SCENARIOS = new Set(
  (process.env.BENCH_SCENARIOS || SCENARIO_NAMES.join(',')).split(',').map((name) => {
    const trimmed = name.trim();
    if (!(SCENARIO_NAMES as readonly string[]).includes(trimmed)) {
      throw new Error(`BENCH_SCENARIOS: unknown scenario ${trimmed} (known: ${SCENARIO_NAMES.join(', ')})`);
    }
    return trimmed as (typeof SCENARIO_NAMES)[number];
  }),
);
for (const scale of SCALES) {
  if (!Number.isInteger(scale) || scale < 1) throw new Error(`BENCH_SCALES must list positive integers, got ${scale}`);
}
const ORG_GRAPH_TARGET = 2;
const MUTATION_TARGET = 500;

const log = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------
// The GraphQL operations
// ---------------------------------------------------------------------------

const TEAM_PAGE = `
  query TeamPage($id: ID!) {
    team(id: $id) {
      name kind version formedAt
      valueStream { name }
      members(first: 100) { edges { role allocation node { name discipline skills } } }
      agreement {
        version status mission norms skills ratifiedAt
        metrics { name kind target }
        ratifiedBy { name }
        responsibilities { title }
      }
      agreementHistory { version status draftedAt ratifiedAt }
      dependencies { description status mode statusSince to { name } }
      investmentMix {
        period
        planned { features techDebt runway developerExperience statedAt }
        actual { features techDebt runway developerExperience statedAt }
      }
      deliveryMetrics(last: 10) {
        observedAt leadTimeHours buildTimeMinutes incidents deploymentsPerWeek productivityPulse
      }
      ownedResponsibilities { title category }
    }
  }
`;

const RECORD_METRICS = `
  mutation Record($input: RecordDeliveryMetricsInput!) {
    recordDeliveryMetrics(input: $input) { position team { version } }
  }
`;

/** A different observation for every request (a command that changes nothing would be cheaper). */
function observation(n: number) {
  return {
    leadTimeHours: 12 + (n % 97) / 4,
    deploymentsPerWeek: 1 + (n % 13),
    incidents: n % 3,
    productivityPulse: 1 + (n % 5),
  };
}

// ---------------------------------------------------------------------------
// The SQL baselines: what a hand-written endpoint would run for the same data
// (a few statements, joins and `= ANY($1)`, independent ones in parallel),
// shaped like the GraphQL answer and serialised to JSON, as a server would.
// ---------------------------------------------------------------------------

type Titled = { title: string };

async function sqlOrgGraph(pool: pg.Pool, organizationId: string) {
  const [organization, teams] = await Promise.all([
    pool.query<{ name: string }>('SELECT name FROM organizations WHERE id = $1', [organizationId]),
    pool.query<{ id: string; name: string; kind: string }>(
      `SELECT id, name, kind FROM teams
       WHERE organization_id = $1 AND archived_at IS NULL
       ORDER BY name LIMIT 100`,
      [organizationId],
    ),
  ]);
  const teamIds = teams.rows.map((team) => team.id);
  const [members, memberships, agreements, owned] = await Promise.all([
    pool.query<{
      team_id: string;
      role: string;
      allocation: number;
      person_id: string;
      name: string;
      discipline: string;
    }>(
      `SELECT team_id, role, allocation, person_id, name, discipline FROM (
         SELECT m.team_id, m.role, m.allocation, m.person_id, p.name, p.discipline,
                row_number() OVER (PARTITION BY m.team_id ORDER BY m.valid_from, m.id) AS n
         FROM memberships m JOIN people p ON p.id = m.person_id
         WHERE m.team_id = ANY($1::uuid[]) AND m.valid_to IS NULL
       ) AS ranked
       WHERE n <= 100 ORDER BY team_id, n`,
      [teamIds],
    ),
    pool.query<{ person_id: string; role: string; allocation: number; team_name: string }>(
      `SELECT m.person_id, m.role, m.allocation, t.name AS team_name
       FROM memberships m JOIN teams t ON t.id = m.team_id
       WHERE m.valid_to IS NULL AND m.person_id IN (
         SELECT person_id FROM memberships WHERE team_id = ANY($1::uuid[]) AND valid_to IS NULL
       )
       ORDER BY m.person_id, m.valid_from, m.id`,
      [teamIds],
    ),
    pool.query<{ team_id: string; version: number; mission: string; titles: string[] }>(
      `SELECT DISTINCT ON (a.team_id) a.team_id, a.version, a.mission,
              ARRAY(SELECT r.title FROM unnest(a.responsibility_ids) WITH ORDINALITY AS u(id, ord)
                    JOIN responsibilities r ON r.id = u.id AND r.organization_id = a.organization_id
                    ORDER BY u.ord) AS titles
       FROM agreements a
       WHERE a.team_id = ANY($1::uuid[]) AND a.status = 'RATIFIED'
       ORDER BY a.team_id, a.version DESC`,
      [teamIds],
    ),
    pool.query<{ owner_team_id: string; title: string }>(
      'SELECT owner_team_id, title FROM responsibilities WHERE owner_team_id = ANY($1::uuid[]) ORDER BY title',
      [teamIds],
    ),
  ]);

  const membershipsOf = group(memberships.rows, (row) => row.person_id);
  const membersOf = group(members.rows, (row) => row.team_id);
  const agreementOf = new Map(agreements.rows.map((row) => [row.team_id, row]));
  const ownedBy = group(owned.rows, (row) => row.owner_team_id);
  const result = {
    organization: {
      name: organization.rows[0]?.name,
      teams: {
        edges: teams.rows.map((team) => {
          const agreement = agreementOf.get(team.id);
          return {
            node: {
              name: team.name,
              kind: team.kind,
              members: {
                edges: (membersOf.get(team.id) ?? []).map((member) => ({
                  role: member.role,
                  allocation: member.allocation,
                  node: {
                    name: member.name,
                    discipline: member.discipline,
                    memberships: (membershipsOf.get(member.person_id) ?? []).map((membership) => ({
                      role: membership.role,
                      allocation: membership.allocation,
                      team: { name: membership.team_name },
                    })),
                  },
                })),
              },
              agreement: agreement
                ? {
                    version: agreement.version,
                    mission: agreement.mission,
                    responsibilities: agreement.titles.map((title): Titled => ({ title })),
                  }
                : null,
              ownedResponsibilities: (ownedBy.get(team.id) ?? []).map((row): Titled => ({ title: row.title })),
            },
          };
        }),
      },
    },
  };
  return { data: result, json: JSON.stringify({ data: result }) };
}

type MixRow = {
  period: string;
  kind: string;
  features: number;
  tech_debt: number;
  runway: number;
  developer_experience: number;
  occurred_at: Date;
};

async function sqlTeamPage(pool: pg.Pool, organizationId: string, teamId: string) {
  const [team, members, agreements, dependencies, mixes, metrics, owned] = await Promise.all([
    pool.query<{ name: string; kind: string; version: number; formed_at: Date; value_stream: string | null }>(
      `SELECT t.name, t.kind, t.version, t.formed_at, vs.name AS value_stream
       FROM teams t LEFT JOIN value_streams vs ON vs.id = t.value_stream_id
       WHERE t.id = $1 AND t.organization_id = $2`,
      [teamId, organizationId],
    ),
    pool.query<{ role: string; allocation: number; name: string; discipline: string; skills: string[] }>(
      `SELECT m.role, m.allocation, p.name, p.discipline, p.skills
       FROM memberships m JOIN people p ON p.id = m.person_id
       WHERE m.team_id = $1 AND m.valid_to IS NULL
       ORDER BY m.valid_from, m.id LIMIT 100`,
      [teamId],
    ),
    pool.query<{
      version: number;
      status: string;
      mission: string;
      norms: string;
      skills: string[];
      metrics: { name: string; kind: string; target?: string | null }[];
      drafted_at: Date;
      ratified_at: Date | null;
      ratified_by: string[];
      titles: string[];
    }>(
      `SELECT a.version, a.status, a.mission, a.norms, a.skills, a.metrics, a.drafted_at, a.ratified_at,
              ARRAY(SELECT p.name FROM unnest(a.ratified_by) WITH ORDINALITY AS u(id, ord)
                    JOIN people p ON p.id = u.id AND p.organization_id = a.organization_id
                    ORDER BY u.ord) AS ratified_by,
              ARRAY(SELECT r.title FROM unnest(a.responsibility_ids) WITH ORDINALITY AS u(id, ord)
                    JOIN responsibilities r ON r.id = u.id AND r.organization_id = a.organization_id
                    ORDER BY u.ord) AS titles
       FROM agreements a WHERE a.team_id = $1 ORDER BY a.version`,
      [teamId],
    ),
    pool.query<{ description: string | null; status: string; mode: string; status_since: Date; to_name: string }>(
      `SELECT d.description, d.status, d.mode, d.status_since, t.name AS to_name
       FROM dependencies d JOIN teams t ON t.id = d.to_team_id
       WHERE d.from_team_id = $1 AND d.resolved_at IS NULL
       ORDER BY d.declared_at, d.id`,
      [teamId],
    ),
    pool.query<MixRow>(
      `SELECT period, kind, features, tech_debt, runway, developer_experience, occurred_at
       FROM investment_mixes WHERE team_id = $1`,
      [teamId],
    ),
    pool.query<{
      observed_at: Date;
      lead_time_hours: number | null;
      build_time_minutes: number | null;
      incidents: number | null;
      deployments_per_week: number | null;
      productivity_pulse: number | null;
    }>(
      `SELECT observed_at, lead_time_hours, build_time_minutes, incidents, deployments_per_week, productivity_pulse
       FROM delivery_metrics WHERE team_id = $1
       ORDER BY observed_at DESC, position DESC LIMIT 10`,
      [teamId],
    ),
    pool.query<{ title: string; category: string }>(
      'SELECT title, category FROM responsibilities WHERE owner_team_id = $1 ORDER BY title',
      [teamId],
    ),
  ]);
  const row = team.rows[0];
  const inForce = agreements.rows.filter((agreement) => agreement.status === 'RATIFIED').at(-1);
  const shares = (mix: MixRow | null) =>
    mix && {
      features: mix.features,
      techDebt: mix.tech_debt,
      runway: mix.runway,
      developerExperience: mix.developer_experience,
      statedAt: mix.occurred_at.toISOString(),
    };
  const latestMix = latestInvestmentMix(mixes.rows);
  const result = {
    team: row
      ? {
          name: row.name,
          kind: row.kind,
          version: row.version,
          formedAt: row.formed_at.toISOString(),
          valueStream: row.value_stream === null ? null : { name: row.value_stream },
          members: {
            edges: members.rows.map((member) => ({
              role: member.role,
              allocation: member.allocation,
              node: { name: member.name, discipline: member.discipline, skills: member.skills },
            })),
          },
          agreement: inForce
            ? {
                version: inForce.version,
                status: inForce.status,
                mission: inForce.mission,
                norms: inForce.norms,
                skills: inForce.skills,
                ratifiedAt: inForce.ratified_at?.toISOString() ?? null,
                metrics: inForce.metrics.map((metric) => ({
                  name: metric.name,
                  kind: metric.kind,
                  target: metric.target ?? null,
                })),
                ratifiedBy: inForce.ratified_by.map((name) => ({ name })),
                responsibilities: inForce.titles.map((title): Titled => ({ title })),
              }
            : null,
          agreementHistory: agreements.rows.map((agreement) => ({
            version: agreement.version,
            status: agreement.status,
            draftedAt: agreement.drafted_at.toISOString(),
            ratifiedAt: agreement.ratified_at?.toISOString() ?? null,
          })),
          dependencies: dependencies.rows.map((dependency) => ({
            description: dependency.description,
            status: dependency.status,
            mode: dependency.mode,
            statusSince: dependency.status_since.toISOString(),
            to: { name: dependency.to_name },
          })),
          investmentMix: latestMix && {
            period: latestMix.period,
            planned: shares(latestMix.planned),
            actual: shares(latestMix.actual),
          },
          deliveryMetrics: metrics.rows.map((metric) => ({
            observedAt: metric.observed_at.toISOString(),
            leadTimeHours: metric.lead_time_hours,
            buildTimeMinutes: metric.build_time_minutes,
            incidents: metric.incidents,
            deploymentsPerWeek: metric.deployments_per_week,
            productivityPulse: metric.productivity_pulse,
          })),
          ownedResponsibilities: owned.rows.map((responsibility) => ({
            title: responsibility.title,
            category: responsibility.category,
          })),
        }
      : null,
  };
  return { data: result, json: JSON.stringify({ data: result }) };
}

/** The latest period with a plan or a report (a month sorts after the quarter it ends), as Team.investmentMix. */
function latestInvestmentMix(rows: readonly MixRow[]) {
  const end = (period: string) => {
    const [year, part] = period.split('-') as [string, string];
    return Number(year) * 12 + (part.startsWith('Q') ? Number(part.slice(1)) * 3 : Number(part));
  };
  let latest: { period: string; planned: MixRow | null; actual: MixRow | null } | null = null;
  const byPeriod = new Map<string, { period: string; planned: MixRow | null; actual: MixRow | null }>();
  for (const row of rows) {
    const mix = byPeriod.get(row.period) ?? { period: row.period, planned: null, actual: null };
    if (row.kind === 'PLANNED') mix.planned = row;
    else mix.actual = row;
    byPeriod.set(row.period, mix);
  }
  for (const mix of byPeriod.values()) {
    if (
      !latest ||
      end(mix.period) > end(latest.period) ||
      (end(mix.period) === end(latest.period) && mix.period > latest.period)
    ) {
      latest = mix;
    }
  }
  return latest;
}

function group<Row>(rows: readonly Row[], key: (row: Row) => string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) {
    const list = groups.get(key(row));
    if (list) list.push(row);
    else groups.set(key(row), [row]);
  }
  return groups;
}

/**
 * Members and memberships are ordered by when they started, and several can
 * start at the same instant; PostgreSQL orders such ties as it likes, so
 * these lists are compared as sorted lists.
 */
function canonical(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) {
    const items = value.map((item) => canonical(item));
    if (key === 'members.edges' || key === 'memberships') {
      return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
    }
    return items;
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([name, item]) => [
        name,
        canonical(item, key === 'members' && name === 'edges' ? 'members.edges' : name),
      ]),
    );
  }
  return value;
}

/** Where two JSON values first differ (ties in start time aside), for a readable failure. */
function difference(left: unknown, right: unknown): string | undefined {
  return firstDifference(canonical(left), canonical(right));
}

function firstDifference(left: unknown, right: unknown, path = '$'): string | undefined {
  if (isDeepStrictEqual(left, right)) return undefined;
  if (typeof left === 'object' && left !== null && typeof right === 'object' && right !== null) {
    if (Array.isArray(left) && Array.isArray(right) && left.length !== right.length) {
      return `${path}: ${left.length} items vs ${right.length}`;
    }
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of keys) {
      const found = firstDifference(
        (left as Record<string, unknown>)[key],
        (right as Record<string, unknown>)[key],
        `${path}.${key}`,
      );
      if (found) return found;
    }
  }
  return `${path}: ${JSON.stringify(left)?.slice(0, 200)} vs ${JSON.stringify(right)?.slice(0, 200)}`;
}

// ---------------------------------------------------------------------------
// The server, in a child process
// ---------------------------------------------------------------------------

type Server = ServerProcess;

/** Busy and total CPU ticks of the whole machine, from /proc/stat. */
async function machineTicks(): Promise<{ busy: number; total: number }> {
  const stat = await readFile('/proc/stat', 'utf8').catch(() => '');
  const fields = (/^cpu\s+(.+)$/m.exec(stat)?.[1] ?? '').trim().split(/\s+/).map(Number);
  const total = fields.slice(0, 8).reduce((sum, value) => sum + (value || 0), 0);
  return { busy: total - (fields[3] ?? 0) - (fields[4] ?? 0), total };
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

type Measured = {
  requests: number;
  seconds: number;
  latencies: number[];
  errors: number;
  /** The server process's CPU over the run, in cores (1 = one core busy), when there is a server. */
  serverCores: number;
  /** Share of the whole machine busy over the run (0..1). */
  machineBusy: number;
  firstError?: string;
};

const rate = (measured: Measured) => measured.requests / measured.seconds;

/** Several runs of one candidate as one: their requests and latencies together, resources weighted by time. */
function merged(runs: readonly Measured[]): Measured {
  const seconds = runs.reduce((sum, run) => sum + run.seconds, 0);
  const weighted = (pick: (run: Measured) => number) =>
    runs.reduce((sum, run) => sum + pick(run) * run.seconds, 0) / seconds;
  const firstError = runs.find((run) => run.firstError !== undefined)?.firstError;
  return {
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    seconds,
    latencies: runs.flatMap((run) => run.latencies),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    serverCores: weighted((run) => run.serverCores),
    machineBusy: weighted((run) => run.machineBusy),
    ...(firstError !== undefined ? { firstError } : {}),
  };
}

/** The answer cache's lookups so far on a server (its /metrics). */
async function cacheLookups(server: Server): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const count = (result: string) =>
    Number(
      new RegExp(`^orgstream_answer_cache_lookups_total\\{result="${result}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0,
    );
  return { hit: count('hit'), miss: count('miss') };
}

type HttpLoad = {
  server: Server;
  token: string;
  /** The request body of the n-th request (all connections share one counter). */
  body: (n: number) => string;
  /** What a correct answer starts with, e.g. `{"data":{"team":{`. */
  expect: string;
};

async function withResources(
  server: Server | undefined,
  run: () => Promise<Omit<Measured, 'serverCores' | 'machineBusy'>>,
): Promise<Measured> {
  const cpuBefore = await processCpuSeconds(server?.child.pid);
  const ticksBefore = await machineTicks();
  const started = now();
  const measured = await run();
  const elapsed = (now() - started) / 1000;
  const cpuAfter = await processCpuSeconds(server?.child.pid);
  const ticksAfter = await machineTicks();
  return {
    ...measured,
    serverCores: server ? (cpuAfter - cpuBefore) / elapsed : Number.NaN,
    machineBusy: (ticksAfter.busy - ticksBefore.busy) / (ticksAfter.total - ticksBefore.total || Number.NaN),
  };
}

/** autocannon against /graphql for `seconds`; latencies are taken per response (autocannon's own histogram has 1 ms steps). */
async function httpLoad(load: HttpLoad, seconds: number, connections = CONNECTIONS): Promise<Measured> {
  return withResources(load.server, async () => {
    let counter = 0;
    let firstError: string | undefined;
    const latencies: number[] = [];
    let ok = 0;
    let bad = 0;
    const finished = new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: `${load.server.url}/graphql`,
          connections,
          duration: seconds,
          timeout: 30,
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${load.token}` },
          requests: [{ setupRequest: (request) => ({ ...request, body: load.body(counter++) }) }],
          verifyBody: (body) => {
            const text = String(body);
            const correct = text.startsWith(load.expect) && !text.includes('"errors":');
            if (!correct) firstError ??= text.slice(0, 500);
            return correct;
          },
        },
        (error: unknown, result: autocannon.Result) => (error ? reject(error) : resolve(result)),
      );
      instance.on('response', (_client, statusCode, _bytes, responseTime) => {
        if (statusCode >= 200 && statusCode < 300) {
          ok++;
          latencies.push(responseTime);
        } else {
          bad++;
          firstError ??= `HTTP ${statusCode}`;
        }
      });
    });
    const result = await finished;
    const measured: Omit<Measured, 'serverCores' | 'machineBusy'> = {
      requests: ok,
      seconds: (result.finish.getTime() - result.start.getTime()) / 1000,
      latencies,
      errors: bad + result.mismatches + result.errors + result.timeouts,
    };
    if (firstError !== undefined) measured.firstError = firstError;
    return measured;
  });
}

/** `connections` concurrent loops of `operation` in this process for `seconds`. */
async function loopLoad(
  seconds: number,
  operation: (n: number, worker: number) => Promise<unknown>,
  connections = CONNECTIONS,
): Promise<Measured> {
  return withResources(undefined, async () => {
    let counter = 0;
    let errors = 0;
    let firstError: string | undefined;
    const result = await runFor(connections, seconds, async (worker) => {
      try {
        await operation(counter++, worker);
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    });
    const measured: Omit<Measured, 'serverCores' | 'machineBusy'> = {
      requests: result.operations - errors,
      seconds: result.seconds,
      latencies: result.latencies,
      errors,
    };
    if (firstError !== undefined) measured.firstError = firstError;
    return measured;
  });
}

async function graphqlFetch(server: Server, token: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: unknown; errors?: unknown[] };
  if (!response.ok || body.errors) throw new Error(`GraphQL answered ${response.status}: ${text.slice(0, 1000)}`);
  return { data: body.data, text, bytes: Buffer.byteLength(text), cache: response.headers.get('x-orgstream-cache') };
}

// ---------------------------------------------------------------------------
// Where the time goes: one request at a time, GraphQL executed in this
// process (no HTTP), with every Prisma operation and every pg round trip
// timed; overlapping intervals (parallel loads) are counted once.
// ---------------------------------------------------------------------------

type Interval = [number, number];

function covered(intervals: readonly Interval[]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [Number.NaN, Number.NaN];
  for (const [from, to] of sorted) {
    if (!(from <= end)) {
      if (end > start) total += end - start;
      [start, end] = [from, to];
    } else if (to > end) end = to;
  }
  if (end > start) total += end - start;
  return total;
}

type Profiler = {
  /** Instrumented: every Prisma operation and pg round trip timed. */
  prisma: PrismaClient;
  pool: pg.Pool;
  /** The same, uninstrumented, as the server runs it. */
  plainPrisma: PrismaClient;
  plainPool: pg.Pool;
  sql: Interval[];
  orm: Interval[];
  statements: { count: number };
  close(): Promise<void>;
};

function createProfiler(url: string): Profiler {
  const sql: Interval[] = [];
  const orm: Interval[] = [];
  const statements = { count: 0 };
  const pool = createPool(url, { max: POOL_SIZE, applicationName: 'orgstream-bench-profile' });
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements.count++;
      const start = now();
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = (...results: unknown[]) => {
          sql.push([start, now()]);
          return (callback as (...results: unknown[]) => unknown)(...results);
        };
        return query(...args);
      }
      const result = query(...args);
      if (result instanceof Promise) return result.finally(() => sql.push([start, now()]));
      return result;
    };
  });
  const base = new PrismaClient({ adapter: new PrismaPg(pool) });
  const prisma = base.$extends({
    query: {
      async $allOperations({ args, query }) {
        const start = now();
        try {
          return await query(args);
        } finally {
          orm.push([start, now()]);
        }
      },
    },
  }) as unknown as PrismaClient;
  const plainPool = createPool(url, { max: POOL_SIZE, applicationName: 'orgstream-bench-profile' });
  const plainPrisma = new PrismaClient({ adapter: new PrismaPg(plainPool) });
  return {
    prisma,
    pool,
    plainPrisma,
    plainPool,
    sql,
    orm,
    statements,
    close: async () => {
      await base.$disconnect();
      await plainPrisma.$disconnect();
      await pool.end();
      await plainPool.end();
    },
  };
}

type Profile = {
  /** execute() without instrumentation, as the server runs it. */
  plain: number;
  /** The instrumented execute(), split into SQL + Prisma + GraphQL. */
  total: number;
  sql: number;
  prisma: number;
  graphql: number;
  serialise: number;
  statements: number;
  bytes: number;
};

async function profileExecution(
  profiler: Profiler,
  store: EventStore,
  organizationId: string,
  document: DocumentNode,
  variables: (n: number) => Record<string, unknown>,
): Promise<Profile> {
  const run = async (n: number, instrumented: boolean) => {
    profiler.sql.length = 0;
    profiler.orm.length = 0;
    profiler.statements.count = 0;
    const pool = instrumented ? profiler.pool : profiler.plainPool;
    const contextValue: GraphQLContext = {
      prisma: instrumented ? profiler.prisma : profiler.plainPrisma,
      pool,
      store,
      commands: { pool, store },
      viewer: { kind: 'token', tokenId: uuidv7(), organizationId, role: 'READER', label: 'bench-profile' },
      adminToken: undefined,
      requestId: `bench-profile-${n}`,
    };
    const started = now();
    const result = await execute({ schema, document, contextValue, variableValues: variables(n) });
    const executed = now();
    const json = JSON.stringify(result);
    const serialised = now();
    if (result.errors) throw new Error(`profile run failed: ${JSON.stringify(result.errors)}`);
    return { started, executed, serialised, bytes: Buffer.byteLength(json) };
  };
  // Half the time each, plain and instrumented, after a warm-up of both.
  const warmUntil = now() + Math.min(1, PROFILE_SECONDS / 3) * 1000;
  for (let n = 0; now() < warmUntil; n++) await run(n, n % 2 === 0);
  const plain: number[] = [];
  const samples: Omit<Profile, 'plain'>[] = [];
  const deadline = now() + PROFILE_SECONDS * 1000;
  for (let n = 0; now() < deadline || n < 10; n++) {
    if (n % 2 === 0) {
      const { started, executed } = await run(n, false);
      plain.push(executed - started);
      continue;
    }
    const { started, executed, serialised, bytes } = await run(n, true);
    const sqlTime = covered(profiler.sql);
    const prismaTime = covered(profiler.orm);
    samples.push({
      total: executed - started,
      sql: sqlTime,
      prisma: prismaTime - sqlTime,
      graphql: executed - started - prismaTime,
      serialise: serialised - executed,
      statements: profiler.statements.count,
      bytes,
    });
  }
  const pick = (key: keyof Omit<Profile, 'plain'>) => median(samples.map((sample) => sample[key]));
  return {
    plain: median(plain),
    total: pick('total'),
    sql: pick('sql'),
    prisma: pick('prisma'),
    graphql: pick('graphql'),
    serialise: pick('serialise'),
    statements: pick('statements'),
    bytes: pick('bytes'),
  };
}

/** Counts the appends refused for a stale expected version (executeCommand retries them). */
class ConflictCountingStore extends EventStore {
  conflicts = 0;

  override async appendMany(...args: Parameters<EventStore['appendMany']>): ReturnType<EventStore['appendMany']> {
    try {
      return await super.appendMany(...args);
    } catch (error) {
      if (error instanceof ConcurrencyError) this.conflicts++;
      throw error;
    }
  }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

type Org = {
  label: string;
  scale: number;
  id: string;
  teamIds: string[];
  reader: string;
  editor: string;
  summary: string;
};

type Row = {
  scenario: string;
  org: string;
  api: Measured;
  baselineName: string;
  baseline: Measured;
  target: string;
  met: (api: Measured, baseline: Measured) => boolean | undefined;
};

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 2 : 1) : '–');

function describeRun(what: string, measured: Measured): string {
  const errors = measured.errors > 0 ? `, ${measured.errors} ERRORS (first: ${measured.firstError})` : '';
  return (
    `  ${what}: ${formatNumber(rate(measured))}/s, p50 ${ms(percentile(measured.latencies, 50))} ms, ` +
    `p99 ${ms(percentile(measured.latencies, 99))} ms (${formatNumber(measured.requests)} in ${measured.seconds.toFixed(1)} s; ` +
    `machine ${(measured.machineBusy * 100).toFixed(0)}% busy` +
    (Number.isFinite(measured.serverCores) ? `, server ${(measured.serverCores * 100).toFixed(0)}% of a core` : '') +
    `, load ${loadavg()[0]!.toFixed(2)})${errors}`
  );
}

async function main() {
  const database = await openBenchDatabase(log);
  const pool = createPool(database.url, { max: POOL_SIZE, applicationName: 'orgstream-bench' });
  const store = new EventStore(pool, createEventCatalog());
  let server: Server | undefined;
  let uncachedServer: Server | undefined;
  let profiler: Profiler | undefined;
  try {
    const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    const machine = await describeMachine(version);
    log(formatMachine(machine));
    log(`database: ${database.description}`);
    log(
      `settings: BENCH_SECONDS=${SECONDS}, BENCH_CONNECTIONS=${CONNECTIONS}, BENCH_WARMUP_SECONDS=${WARMUP_SECONDS}, ` +
        `BENCH_PROFILE_SECONDS=${PROFILE_SECONDS}, BENCH_ROUNDS=${ROUNDS}, BENCH_SCALES=${SCALES.join(',')}, ` +
        `BENCH_SCENARIOS=${[...SCENARIOS].join(',')}; server and baseline pools ${POOL_SIZE} connections; ` +
        `NODE_ENV=${process.env.NODE_ENV ?? '(unset)'} (the server inherits it)`,
    );

    // --- the organizations, through commands ---
    const orgs: Org[] = [];
    for (const scale of SCALES) {
      const started = now();
      const seeded = await seedDemoOrganization({ pool, store }, { scale });
      const counts = (
        await pool.query<{ people: number; teams: number; memberships: number }>(
          `SELECT (SELECT count(*)::int FROM people WHERE organization_id = $1 AND offboarded_at IS NULL) AS people,
                  (SELECT count(*)::int FROM teams WHERE organization_id = $1 AND archived_at IS NULL) AS teams,
                  (SELECT count(*)::int FROM memberships WHERE organization_id = $1 AND valid_to IS NULL) AS memberships`,
          [seeded.organizationId],
        )
      ).rows[0]!;
      const teams = await pool.query<{ id: string }>(
        'SELECT id FROM teams WHERE organization_id = $1 AND archived_at IS NULL ORDER BY name',
        [seeded.organizationId],
      );
      const summary =
        `${formatNumber(seeded.events)} events, ${counts.people} people, ${counts.teams} teams, ` +
        `${counts.memberships} current memberships`;
      log(`seeded scale ${scale}: ${summary} in ${((now() - started) / 1000).toFixed(1)} s`);
      orgs.push({
        label: scale === 1 ? 'demo' : `${scale}x`,
        scale,
        id: seeded.organizationId,
        teamIds: teams.rows.map((team) => team.id),
        reader: (await issueToken(pool, seeded.organizationId, 'READER', 'bench-reader', 'bench')).token,
        editor: (await issueToken(pool, seeded.organizationId, 'EDITOR', 'bench-editor', 'bench')).token,
        summary,
      });
    }
    await pool.query('VACUUM ANALYZE');

    // The service as configured by default (the answer cache on), and a
    // second process on the same database with the cache off: the reads are
    // measured on both, the target judged on the first.
    const adminToken = `bench-platform-${randomBytes(16).toString('hex')}`;
    server = await startServerProcess({
      databaseUrl: database.url,
      adminToken,
      poolSize: POOL_SIZE,
      logLevel: 'silent',
    });
    log(`server: node src/main.ts (pid ${server.child.pid}) at ${server.url}, the service default (answer cache on)`);
    uncachedServer = await startServerProcess({
      databaseUrl: database.url,
      adminToken,
      poolSize: POOL_SIZE,
      logLevel: 'silent',
      env: { ORGSTREAM_ANSWER_CACHE_MB: '0' },
    });
    log(
      `server: node src/main.ts (pid ${uncachedServer.child.pid}) at ${uncachedServer.url}, ORGSTREAM_ANSWER_CACHE_MB=0`,
    );
    const uncached = uncachedServer;

    // --- correctness, before any timing ---
    // Every answer of the cached server is asked twice: the second must be a
    // hit and carry the same bytes as the answer of the server without cache.
    const cachedAndFresh = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      const first = await graphqlFetch(server!, token, query, variables);
      let again = await graphqlFetch(server!, token, query, variables);
      // A friction timer fired by a scheduler in between makes one more miss.
      if (again.cache === 'miss') again = await graphqlFetch(server!, token, query, variables);
      const fresh = await graphqlFetch(uncached, token, query, variables);
      if (first.cache !== 'miss' || again.cache !== 'hit' || fresh.cache !== null) {
        throw new Error(`answer cache: expected miss, hit, none; got ${first.cache}, ${again.cache}, ${fresh.cache}`);
      }
      if (again.text !== fresh.text) throw new Error('answer cache: the cached answer differs from a fresh one');
      return again;
    };
    for (const org of orgs) {
      const api = await cachedAndFresh(org.reader, ORG_GRAPH);
      const sql = await sqlOrgGraph(pool, org.id);
      const graphDifference = difference(api.data, sql.data);
      if (graphDifference) throw new Error(`org graph of ${org.label}: GraphQL and SQL differ at ${graphDifference}`);
      const edges = (sql.data.organization.teams.edges ?? []) as { node: { members: { edges: unknown[] } } }[];
      log(
        `checked org graph of ${org.label}: ${edges.length} teams, ` +
          `${edges.reduce((sum, edge) => sum + edge.node.members.edges.length, 0)} members, ` +
          `${formatNumber(api.bytes / 1024)} KiB over HTTP; GraphQL and SQL agree`,
      );
      for (const teamId of org.teamIds) {
        const page = await cachedAndFresh(org.reader, TEAM_PAGE, { id: encodeGlobalID('Team', teamId) });
        const direct = await sqlTeamPage(pool, org.id, teamId);
        const pageDifference = difference(page.data, direct.data);
        if (pageDifference) throw new Error(`team page ${teamId}: GraphQL and SQL differ at ${pageDifference}`);
      }
      log(
        `checked the team page of all ${org.teamIds.length} teams of ${org.label}: GraphQL and SQL agree; ` +
          'the answer cache answers again with the bytes of a fresh answer',
      );
      const mutation = await graphqlFetch(server, org.editor, RECORD_METRICS, {
        input: { teamId: encodeGlobalID('Team', org.teamIds[0]!), ...observation(0) },
      });
      const payload = (mutation.data as { recordDeliveryMetrics?: { position?: unknown } }).recordDeliveryMetrics;
      if (typeof payload?.position !== 'string')
        throw new Error(`unexpected mutation answer ${JSON.stringify(mutation)}`);
      log(`checked recordDeliveryMetrics on ${org.label}: ${JSON.stringify(payload)}`);
    }

    const rows: Row[] = [];
    const measure = async (what: string, run: (seconds: number) => Promise<Measured>) => {
      if (WARMUP_SECONDS > 0) await run(WARMUP_SECONDS);
      const measured = await run(SECONDS);
      log(describeRun(what, measured));
      return measured;
    };
    const running = server;

    // --- (a) and (b): reads, before any mutation changes the data ---
    // Three candidates, in turn (ROUNDS times each): the service default (the
    // answer cache on), the same server code with the cache off, and SQL.
    type Candidate = { what: string; run: (seconds: number) => Promise<Measured> };
    const measureInTurn = async (candidates: readonly Candidate[]): Promise<Measured[]> => {
      if (WARMUP_SECONDS > 0) for (const candidate of candidates) await candidate.run(WARMUP_SECONDS);
      const runs = candidates.map((): Measured[] => []);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [index, candidate] of candidates.entries()) runs[index]!.push(await candidate.run(SECONDS / ROUNDS));
      }
      return candidates.map((candidate, index) => {
        const measured = merged(runs[index]!);
        log(describeRun(candidate.what, measured));
        return measured;
      });
    };
    /** Measures the reads, with the share of the cached server's lookups that hit. */
    const measureRead = async (
      scenario: string,
      org: Org,
      read: Omit<HttpLoad, 'server' | 'token'>,
      sql: (n: number) => Promise<unknown>,
      target: { text: string; met: Row['met'] },
    ) => {
      const before = await cacheLookups(running);
      const [cachedRun, uncachedRun, sqlRun] = await measureInTurn([
        {
          what: 'GraphQL, answer cache on',
          run: (seconds) => httpLoad({ ...read, server: running, token: org.reader }, seconds),
        },
        {
          what: 'GraphQL, answer cache off',
          run: (seconds) => httpLoad({ ...read, server: uncached, token: org.reader }, seconds),
        },
        { what: 'SQL', run: (seconds) => loopLoad(seconds, sql) },
      ]);
      const after = await cacheLookups(running);
      const [hits, misses] = [after.hit - before.hit, after.miss - before.miss];
      log(`  answer cache: ${formatNumber(hits)} hits, ${formatNumber(misses)} misses (warm-up included)`);
      rows.push(
        {
          scenario,
          org: org.label,
          api: cachedRun!,
          baselineName: 'SQL',
          baseline: sqlRun!,
          target: target.text,
          met: target.met,
        },
        {
          scenario: `${scenario}, cache off`,
          org: org.label,
          api: uncachedRun!,
          baselineName: 'SQL',
          baseline: sqlRun!,
          target: '–',
          met: () => undefined,
        },
      );
    };
    const measureOrgGraph = async (org: Org) => {
      log(`\n(a) org graph, ${org.label}`);
      const orgGraphBody = JSON.stringify({ query: ORG_GRAPH });
      await measureRead(
        'org graph',
        org,
        { body: () => orgGraphBody, expect: '{"data":{"organization":{' },
        () => sqlOrgGraph(pool, org.id),
        {
          text: `p50 ≤ ${ORG_GRAPH_TARGET}x SQL`,
          met: (api, baseline) =>
            percentile(api.latencies, 50) / percentile(baseline.latencies, 50) <= ORG_GRAPH_TARGET && api.errors === 0,
        },
      );
    };
    const measureTeamPage = async (org: Org) => {
      log(`\n(b) team page, ${org.label} (cycling over ${org.teamIds.length} teams)`);
      const teamBodies = org.teamIds.map((id) =>
        JSON.stringify({ query: TEAM_PAGE, variables: { id: encodeGlobalID('Team', id) } }),
      );
      await measureRead(
        'team page',
        org,
        { body: (n) => teamBodies[n % teamBodies.length]!, expect: '{"data":{"team":{' },
        (n) => sqlTeamPage(pool, org.id, org.teamIds[n % org.teamIds.length]!),
        { text: '–', met: () => undefined },
      );
    };
    for (const org of orgs) {
      if (SCENARIOS.has('orgGraph')) await measureOrgGraph(org);
      if (SCENARIOS.has('teamPage')) await measureTeamPage(org);
    }

    // --- (c): the mutation, then the event store's own single append ---
    // The command folds the team's whole stream before it decides, and every
    // recording lengthens that stream: the mean length is logged around each run.
    const streamLength = async (org: Org) =>
      (
        await pool.query<{ length: number }>(
          'SELECT avg(version)::int AS length FROM streams WHERE organization_id = $1 AND stream_id = ANY($2)',
          [org.id, org.teamIds.map(teamStream)],
        )
      ).rows[0]!.length;
    const commandRuns: { org: string; measured: Measured; streams: string; conflicts: number }[] = [];
    for (const org of orgs) {
      if (!SCENARIOS.has('mutation')) break;
      log(`\n(c) recordDeliveryMetrics, ${org.label} (cycling over ${org.teamIds.length} teams)`);
      const teamIds = org.teamIds.map((id) => encodeGlobalID('Team', id));
      const lengthBefore = await streamLength(org);
      const api = await measure('GraphQL', (seconds) =>
        httpLoad(
          {
            server: running,
            token: org.editor,
            body: (n) =>
              JSON.stringify({
                query: RECORD_METRICS,
                variables: { input: { teamId: teamIds[n % teamIds.length], ...observation(n) } },
              }),
            expect: '{"data":{"recordDeliveryMetrics":{',
          },
          seconds,
        ),
      );
      log(`  mean team stream length: ${lengthBefore} events before, ${await streamLength(org)} after`);
      // A stream per loop, as the mutations spread over the teams' streams.
      const streams = Array.from({ length: CONNECTIONS }, () => uuidv7());
      const append = await measure('store.append (1 event)', (seconds) =>
        loopLoad(seconds, (n, worker) => {
          const teamId = streams[worker]!;
          return store.append(org.id, teamStream(teamId), [
            { type: 'DeliveryMetricsRecorded', data: { teamId, buildTimeMinutes: null, ...observation(n) } },
          ]);
        }),
      );
      rows.push({
        scenario: 'recordDeliveryMetrics',
        org: org.label,
        api,
        baselineName: 'store.append',
        baseline: append,
        target: `≥ ${MUTATION_TARGET}/s`,
        met: (measured) => rate(measured) >= MUTATION_TARGET && measured.errors === 0,
      });
      // Diagnostic: the same command without HTTP and GraphQL, counting the
      // appends that lost to a concurrent command on the same team (retried).
      const counting = new ConflictCountingStore(pool, createEventCatalog());
      const streamsBefore = await streamLength(org);
      const measured = await measure('executeCommand in this process (diagnostic)', (seconds) => {
        counting.conflicts = 0;
        return loopLoad(seconds, (n) =>
          executeCommand(
            { pool, store: counting },
            recordDeliveryMetrics,
            org.id,
            { teamId: org.teamIds[n % org.teamIds.length]!, ...observation(n) },
            { actor: 'bench' },
          ),
        );
      });
      commandRuns.push({
        org: org.label,
        measured,
        streams: `${streamsBefore} → ${await streamLength(org)}`,
        conflicts: counting.conflicts,
      });
    }

    // --- where the time goes, one request at a time ---
    const profiled = (['org graph', 'team page'] as const).filter((scenario) =>
      SCENARIOS.has(scenario === 'org graph' ? 'orgGraph' : 'teamPage'),
    );
    if (!SCENARIOS.has('profile')) profiled.length = 0;
    let floorP50 = Number.NaN;
    if (profiled.length > 0) {
      log(
        '\nprofile: one request at a time (HTTP via autocannon with 1 connection, to the server with the answer ' +
          'cache off unless "cached"; execute() in this process)',
      );
      const floor = await httpLoad(
        {
          server: uncached,
          token: orgs[0]!.reader,
          body: () => JSON.stringify({ query: '{ __typename }' }),
          expect: '{"data":{"__typename":"Query"}}',
        },
        PROFILE_SECONDS,
        1,
      );
      floorP50 = percentile(floor.latencies, 50);
      log(`  { __typename } over HTTP (token lookup, yoga, HTTP): p50 ${ms(floorP50)} ms`);
    }
    profiler = createProfiler(database.url);
    const orgGraphDocument = parse(ORG_GRAPH);
    const teamPageDocument = parse(TEAM_PAGE);
    const profiles: string[][] = [];
    for (const org of orgs) {
      for (const scenario of profiled) {
        const teamId = (n: number) => org.teamIds[n % org.teamIds.length]!;
        const teamBodies = org.teamIds.map((id) =>
          JSON.stringify({ query: TEAM_PAGE, variables: { id: encodeGlobalID('Team', id) } }),
        );
        const orgGraphBody = JSON.stringify({ query: ORG_GRAPH });
        const oneAtATime = (on: Server) =>
          httpLoad(
            {
              server: on,
              token: org.reader,
              body: scenario === 'org graph' ? () => orgGraphBody : (n) => teamBodies[n % teamBodies.length]!,
              expect: scenario === 'org graph' ? '{"data":{"organization":{' : '{"data":{"team":{',
            },
            PROFILE_SECONDS,
            1,
          );
        const http = await oneAtATime(uncached);
        const httpCached = await oneAtATime(running);
        const inProcess = await profileExecution(
          profiler,
          store,
          org.id,
          scenario === 'org graph' ? orgGraphDocument : teamPageDocument,
          scenario === 'org graph' ? () => ({}) : (n) => ({ id: encodeGlobalID('Team', teamId(n)) }),
        );
        const sql = await loopLoad(
          PROFILE_SECONDS,
          scenario === 'org graph' ? () => sqlOrgGraph(pool, org.id) : (n) => sqlTeamPage(pool, org.id, teamId(n)),
          1,
        );
        const httpP50 = percentile(http.latencies, 50);
        const cachedP50 = percentile(httpCached.latencies, 50);
        const sqlP50 = percentile(sql.latencies, 50);
        profiles.push([
          scenario,
          org.label,
          ms(httpP50),
          ms(cachedP50),
          ms(floorP50),
          ms(inProcess.plain),
          ms(inProcess.sql),
          ms(inProcess.prisma),
          ms(inProcess.graphql),
          ms(inProcess.serialise),
          formatNumber(inProcess.statements),
          formatNumber(inProcess.bytes / 1024),
          ms(sqlP50),
          scenario === 'org graph' ? '6' : '7',
          formatRatio(httpP50 / sqlP50),
          formatRatio(cachedP50 / sqlP50),
        ]);
        log(`  ${scenario}, ${org.label}: ${profiles.at(-1)!.slice(2).join(' | ')}`);
      }
    }

    // --- the report ---
    log('');
    log(formatMachine(machine));
    log(`database: ${database.description}`);
    for (const org of orgs) log(`org ${org.label} (scale ${org.scale}): ${org.summary}`);
    log(
      `${CONNECTIONS} connections (GraphQL: autocannon, HTTP/1.1 keep-alive, to node src/main.ts in a child process, ` +
        'the service default (answer cache on) and, for the rows "cache off", a second one with ORGSTREAM_ANSWER_CACHE_MB=0; ' +
        `baselines: ${CONNECTIONS} concurrent loops in the bench process), ${SECONDS} s per run after ${WARMUP_SECONDS} s of warm-up` +
        ` (reads: the three candidates in turn, ${ROUNDS} rounds of ${formatNumber(SECONDS / ROUNDS)} s each)`,
    );
    log('');
    log(
      markdownTable(
        [
          'scenario',
          'org',
          'req/s',
          'p50 ms',
          'p99 ms',
          'errors',
          'baseline',
          'baseline req/s',
          'baseline p50 / p99 ms',
          'p50 ratio',
          'p99 ratio',
          'req/s ratio',
          'target',
          'met',
        ],
        rows.map((row) => {
          const apiP50 = percentile(row.api.latencies, 50);
          const apiP99 = percentile(row.api.latencies, 99);
          const baseP50 = percentile(row.baseline.latencies, 50);
          const baseP99 = percentile(row.baseline.latencies, 99);
          const met = row.met(row.api, row.baseline);
          return [
            row.scenario,
            row.org,
            formatNumber(rate(row.api)),
            ms(apiP50),
            ms(apiP99),
            formatNumber(row.api.errors + row.baseline.errors),
            row.baselineName,
            formatNumber(rate(row.baseline)),
            `${ms(baseP50)} / ${ms(baseP99)}`,
            formatRatio(apiP50 / baseP50),
            formatRatio(apiP99 / baseP99),
            formatRatio(rate(row.api) / rate(row.baseline)),
            row.target,
            met === undefined ? '–' : met ? 'yes' : 'NO',
          ];
        }),
      ),
    );
    log('');
    log(
      'Resources during the GraphQL runs (server = the node src/main.ts process that answered; 1.00 = one core fully busy):',
    );
    log('');
    log(
      markdownTable(
        ['scenario', 'org', 'server CPU (cores)', 'server CPU ms / request', 'machine busy'],
        rows.map((row) => [
          row.scenario,
          row.org,
          row.api.serverCores.toFixed(2),
          ms((row.api.serverCores * 1000) / rate(row.api)),
          `${(row.api.machineBusy * 100).toFixed(0)}%`,
        ]),
      ),
    );
    if (commandRuns.length > 0) {
      log('');
      log('Diagnostic: recordDeliveryMetrics through executeCommand in the bench process (no HTTP, no GraphQL):');
      log('');
      log(
        markdownTable(
          ['org', 'commands/s', 'p50 ms', 'p99 ms', 'errors', 'conflicts retried', 'mean team stream length'],
          commandRuns.map(({ org, measured, streams, conflicts }) => [
            org,
            formatNumber(rate(measured)),
            ms(percentile(measured.latencies, 50)),
            ms(percentile(measured.latencies, 99)),
            formatNumber(measured.errors),
            formatNumber(conflicts),
            streams,
          ]),
        ),
      );
    }
    if (profiles.length > 0) {
      log('');
      log(
        'Where the time goes, one request at a time (medians, ms). HTTP: autocannon with 1 connection to the ' +
          'server with the answer cache off; cached: the same to the service default (answers from the cache); floor: ' +
          '`{ __typename }` over HTTP (token lookup, yoga, HTTP); execute: graphql execute() in the bench process, ' +
          'uninstrumented; SQL + Prisma + GraphQL: the same execute() instrumented (SQL = pg round trips, overlaps ' +
          'counted once; Prisma = its operations minus their SQL; GraphQL = the rest: resolvers, Pothos, graphql-js); ' +
          'JSON: JSON.stringify of the answer:',
      );
      log('');
      log(
        markdownTable(
          [
            'scenario',
            'org',
            'HTTP p50',
            'cached p50',
            'floor',
            'execute',
            'SQL',
            'Prisma',
            'GraphQL',
            'JSON',
            'statements',
            'KiB',
            'SQL baseline p50',
            'statements',
            'HTTP / SQL',
            'cached / SQL',
          ],
          profiles,
        ),
      );
    }

    const errors = rows.reduce((sum, row) => sum + row.api.errors + row.baseline.errors, 0);
    if (errors > 0) {
      log(`\n${errors} requests failed: the figures above are not valid.`);
      process.exitCode = 1;
    }
  } finally {
    await profiler?.close().catch(() => {});
    await server?.stop().catch(() => {});
    await uncachedServer?.stop().catch(() => {});
    await pool.end().catch(() => {});
    await database.close();
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
