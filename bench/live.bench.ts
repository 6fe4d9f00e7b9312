// `npm run bench:live`: live delivery to many WebSocket subscribers, against a
// real server (`src/main.ts` in a child process, so the subscribers and the
// server do not share an event loop), beside the raw NOTIFY round trip
// measured in the same run on the same database:
//
//   (a) delay: BENCH_EVENTS mutations (recordDeliveryMetrics over HTTP), one
//       at a time, each only after every subscriber has the previous one and
//       a pause, so nothing queues; for every subscriber × event, the time
//       its `events` subscription pushes the event minus the time the
//       mutation's response arrived (both in this process, one clock; it can
//       be slightly negative: the NOTIFY goes out at commit, with the response)
//   (b) throughput: BENCH_WRITERS concurrent writers send mutations back to
//       back for BENCH_SECONDS; the event rate delivered to all N subscribers
//       (every subscriber received every event) from the first write until
//       the last subscriber has the last event, and the lag at the end. The
//       mutations share the server's pool with the subscribers' reads, so how
//       fast the writers get through is part of the result (their latency
//       under load is printed); more writers (BENCH_WRITERS) offer more
//   baseline: one pg client LISTENs, another calls pg_notify (a position as
//       the payload): pg_notify called → notification received, one at a time
//
// The subscribers: BENCH_SUBSCRIBERS graphql-ws clients (graphql-transport-ws
// over `ws`), one socket each, as separate integrations would connect, all in
// this process, each with a READER token and
// `subscription { events { position type streamId data } }` (only new
// events). They connect in batches of 50 so the server is not flooded. Every
// subscriber must receive every event of the organization exactly once and in
// order (checked against the events table at the end); anything else, a
// closed socket or a subscription error fails the run (exit code 1).
//
// Both processes need a file descriptor per socket: the soft RLIMIT_NOFILE
// (`ulimit -n`) must exceed BENCH_SUBSCRIBERS with room to spare; it is
// checked before anything starts.
//
// Environment: BENCH_SUBSCRIBERS (1000), BENCH_EVENTS (50), BENCH_INTERVAL_MS
// (100, the pause between the events of (a)), BENCH_SECONDS (10, for (b)),
// BENCH_WRITERS (4), BENCH_NOTIFY_SAMPLES (200), BENCH_DATABASE_URL (else an
// embedded PostgreSQL with default durability). Results: bench/RESULTS.md.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type Client, createClient as createWsClient } from 'graphql-ws';
import type pg from 'pg';
import WebSocket from 'ws';
import { createClient, createPool } from '../src/db/pool.ts';
import {
  type BenchDatabase,
  type CpuSnapshot,
  cpuBusy,
  cpuSnapshot,
  describeMachine,
  envNumber,
  formatLoad,
  formatMachine,
  formatNumber,
  formatRatio,
  markdownTable,
  now,
  openBenchDatabase,
  processCpuSeconds,
  type ServerProcess,
  sleep,
  startServerProcess,
} from './support.ts';

const SUBSCRIBERS = Math.round(envNumber('BENCH_SUBSCRIBERS', 1000));
const EVENTS = Math.round(envNumber('BENCH_EVENTS', 50));
const INTERVAL_MS = envNumber('BENCH_INTERVAL_MS', 100);
const SECONDS = envNumber('BENCH_SECONDS', 10);
const WRITERS = Math.round(envNumber('BENCH_WRITERS', 4));
const NOTIFY_SAMPLES = Math.round(envNumber('BENCH_NOTIFY_SAMPLES', 200));
/** Sockets opened at a time (each waits for its connection_ack before the next batch). */
const CONNECT_BATCH = 50;
/** Events sent and delivered to everyone before anything is measured (JIT, pools, caches). */
const WARMUP_EVENTS = 5;
/** The server's pool (ORGSTREAM_DB_POOL_SIZE, its default). */
const POOL_SIZE = 20;
/** Longest wait for every subscriber to have an event (a) or the last event of (b). */
const DELIVERY_TIMEOUT_MS = 60_000;
const TARGET_P99_MS = 100;

const SUBSCRIPTION = 'subscription Live { events { position type streamId data } }';
const RECORD_METRICS = `
  mutation Record($input: RecordDeliveryMetricsInput!) {
    recordDeliveryMetrics(input: $input) { position }
  }
`;

const log = (line: string) => process.stdout.write(`${line}\n`);

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
// The server, in a child process
// ---------------------------------------------------------------------------

/** The soft limit on open files of this process (the server child inherits it); Infinity when unknown. */
async function openFileLimit(): Promise<number> {
  const limits = await readFile('/proc/self/limits', 'utf8').catch(() => '');
  const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
  return soft === undefined || soft === 'unlimited' ? Number.POSITIVE_INFINITY : Number(soft);
}

type Usage = {
  at: number;
  server: number;
  bench: NodeJS.CpuUsage;
  /** CPU seconds of each PostgreSQL process (pg_stat_activity: backends and background processes). */
  postgres: Map<number, number>;
  machine: CpuSnapshot;
};
type Resources = {
  serverCores: number;
  benchCores: number;
  /** NaN when the database's processes are not on this machine (BENCH_DATABASE_URL elsewhere). */
  postgresCores: number;
  machineBusy: number;
  serverCpuSeconds: number;
};

async function usage(server: ServerProcess, pool: pg.Pool): Promise<Usage> {
  const pids = (await pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity')).rows.map((row) => row.pid);
  const postgres = new Map(await Promise.all(pids.map(async (pid) => [pid, await processCpuSeconds(pid)] as const)));
  return {
    at: now(),
    server: await processCpuSeconds(server.child.pid),
    bench: process.cpuUsage(),
    postgres,
    machine: await cpuSnapshot(),
  };
}

/** Resources used since `before`; PostgreSQL processes that ended in between are not counted. */
async function resourcesSince(server: ServerProcess, pool: pg.Pool, before: Usage): Promise<Resources> {
  const after = await usage(server, pool);
  const seconds = (after.at - before.at) / 1000;
  const bench = process.cpuUsage(before.bench);
  let postgres = 0;
  for (const [pid, cpu] of after.postgres) postgres += cpu - (before.postgres.get(pid) ?? 0);
  return {
    serverCpuSeconds: after.server - before.server,
    serverCores: (after.server - before.server) / seconds,
    benchCores: (bench.user + bench.system) / 1e6 / seconds,
    postgresCores: postgres / seconds,
    machineBusy: cpuBusy(before.machine, after.machine),
  };
}

// ---------------------------------------------------------------------------
// GraphQL over HTTP
// ---------------------------------------------------------------------------

async function graphql<Data>(
  server: ServerProcess,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Data> {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  }).catch((error: unknown) => {
    if (server.exited()) throw new Error(`the server exited:\n${server.stderr()}`, { cause: error });
    throw error;
  });
  const text = await response.text();
  const body = JSON.parse(text) as { data?: Data; errors?: unknown[] };
  if (!response.ok || body.errors || !body.data) {
    throw new Error(`GraphQL answered ${response.status}: ${text.slice(0, 1000)}`);
  }
  return body.data;
}

/** A mutation and the moment its response arrived (body read). */
type Sent = { position: number; sentAt: number; respondedAt: number };

async function recordMetrics(server: ServerProcess, token: string, teamId: string, n: number): Promise<Sent> {
  const sentAt = now();
  const data = await graphql<{ recordDeliveryMetrics: { position: string } }>(server, token, RECORD_METRICS, {
    input: { teamId, ...observation(n) },
  });
  const respondedAt = now();
  return { position: toPosition(data.recordDeliveryMetrics.position), sentAt, respondedAt };
}

function toPosition(value: unknown): number {
  const position = Number(value);
  if (typeof value !== 'string' || !Number.isSafeInteger(position) || position <= 0) {
    throw new Error(`not a position: ${JSON.stringify(value)}`);
  }
  return position;
}

// ---------------------------------------------------------------------------
// The subscribers
// ---------------------------------------------------------------------------

type Subscriber = {
  client: Client;
  /** What the subscription pushed, in arrival order, and when (now()). */
  positions: number[];
  times: number[];
  /** The last position received (0: none yet). */
  last: number;
  errors: string[];
};

type EventPayload = { events: { position: string; type: string; streamId: string; data: unknown } };

let disposing = false;

function openSubscriber(server: ServerProcess, token: string): Promise<Subscriber> {
  return new Promise((resolve, reject) => {
    let connected = false;
    const timer = setTimeout(() => reject(new Error('no connection_ack within 30 s')), 30_000);
    const client = createWsClient({
      url: `${server.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
      lazy: true,
      on: {
        connected: () => {
          connected = true;
          clearTimeout(timer);
          resolve(subscriber);
        },
        closed: (event) => {
          if (disposing) return;
          const { code, reason } = event as { code?: number; reason?: string };
          const message = `socket closed: ${code} ${reason ?? ''}`.trim();
          subscriber.errors.push(message);
          if (!connected) {
            clearTimeout(timer);
            reject(new Error(message));
          }
        },
      },
    });
    const subscriber: Subscriber = { client, positions: [], times: [], last: 0, errors: [] };
    client.subscribe<EventPayload>(
      { query: SUBSCRIPTION },
      {
        next: (result) => {
          const at = now();
          if (result.errors) {
            subscriber.errors.push(JSON.stringify(result.errors).slice(0, 500));
            return;
          }
          const event = result.data?.events;
          if (!event) {
            subscriber.errors.push(`unexpected result ${JSON.stringify(result).slice(0, 500)}`);
            return;
          }
          const position = Number(event.position);
          subscriber.positions.push(position);
          subscriber.times.push(at);
          subscriber.last = position;
        },
        error: (error) => {
          if (!disposing) subscriber.errors.push(`subscription error: ${describeError(error)}`);
        },
        complete: () => {
          if (!disposing) subscriber.errors.push('subscription completed by the server');
        },
      },
    );
  });
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  const close = error as { code?: unknown; reason?: unknown };
  if (close && typeof close === 'object' && 'code' in close) return `close ${close.code} ${close.reason ?? ''}`.trim();
  return JSON.stringify(error)?.slice(0, 500) ?? String(error);
}

async function openSubscribers(server: ServerProcess, token: string, count: number): Promise<Subscriber[]> {
  const subscribers: Subscriber[] = [];
  const started = now();
  for (let first = 0; first < count; first += CONNECT_BATCH) {
    const size = Math.min(CONNECT_BATCH, count - first);
    subscribers.push(...(await Promise.all(Array.from({ length: size }, () => openSubscriber(server, token)))));
    if (server.exited()) throw new Error(`the server exited while subscribers connected:\n${server.stderr()}`);
  }
  log(
    `opened ${formatNumber(count)} sockets in ${((now() - started) / 1000).toFixed(1)} s ` +
      `(batches of ${CONNECT_BATCH}, each after the previous batch's connection_ack)`,
  );
  return subscribers;
}

function closeSubscribers(subscribers: readonly Subscriber[]): Promise<void> {
  disposing = true;
  return Promise.all(subscribers.map((subscriber) => subscriber.client.dispose())).then(() => {});
}

/** Waits until every subscriber has `position` (true) or `timeoutMs` passes (false). */
async function untilAllHave(
  subscribers: readonly Subscriber[],
  position: number,
  timeoutMs: number,
  server: ServerProcess,
): Promise<boolean> {
  const deadline = now() + timeoutMs;
  let from = 0;
  for (;;) {
    while (from < subscribers.length && subscribers[from]!.last >= position) from++;
    if (from === subscribers.length) return true;
    const failed = subscribers.find((subscriber) => subscriber.errors.length > 0);
    if (failed) throw new Error(`a subscriber failed: ${failed.errors[0]}`);
    if (server.exited()) throw new Error(`the server exited:\n${server.stderr()}`);
    if (now() > deadline) return false;
    await sleep(1);
  }
}

// ---------------------------------------------------------------------------
// Deliveries of a set of mutations to every subscriber
// ---------------------------------------------------------------------------

type Deliveries = {
  /** Receipt − response, every subscriber × event (sorted). */
  delays: Float64Array;
  /** Per event: the first and the last subscriber's receipt − response (sorted). */
  first: Float64Array;
  last: Float64Array;
  /** Per event, in send order: when the last subscriber received it (now()). */
  allAt: Float64Array;
  /** Subscriber × event pairs that never arrived. */
  missing: number;
};

function deliveries(subscribers: readonly Subscriber[], sent: readonly Sent[]): Deliveries {
  const index = new Map(sent.map((event, i) => [event.position, i]));
  const firstAt = new Float64Array(sent.length).fill(Number.POSITIVE_INFINITY);
  const lastAt = new Float64Array(sent.length).fill(Number.NEGATIVE_INFINITY);
  const counts = new Uint32Array(sent.length);
  const delays = new Float64Array(subscribers.length * sent.length);
  let samples = 0;
  for (const subscriber of subscribers) {
    for (let j = 0; j < subscriber.positions.length; j++) {
      const i = index.get(subscriber.positions[j]!);
      if (i === undefined) continue;
      const at = subscriber.times[j]!;
      if (samples < delays.length) delays[samples++] = at - sent[i]!.respondedAt;
      counts[i]!++;
      if (at < firstAt[i]!) firstAt[i] = at;
      if (at > lastAt[i]!) lastAt[i] = at;
    }
  }
  let missing = 0;
  for (const count of counts) missing += Math.max(0, subscribers.length - count);
  const responded = Float64Array.from(sent, (event) => event.respondedAt);
  return {
    delays: delays.subarray(0, samples).sort(),
    first: firstAt.map((at, i) => at - responded[i]!).sort(),
    last: lastAt.map((at, i) => at - responded[i]!).sort(),
    allAt: lastAt,
    missing,
  };
}

/** The p-th percentile of sorted values, as support.ts `percentile` computes it (nearest rank). */
function rank(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(Math.abs(value) < 10 ? 2 : 1) : '–');

const describeDelays = (sorted: Float64Array) =>
  `p50 ${ms(rank(sorted, 50))} ms, p99 ${ms(rank(sorted, 99))} ms, max ${ms(rank(sorted, 100))} ms`;

const cores = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : '–');

const describeResources = (resources: Resources) =>
  `CPU in cores: server ${cores(resources.serverCores)}, PostgreSQL ${cores(resources.postgresCores)}, ` +
  `bench process ${cores(resources.benchCores)}; machine ${(resources.machineBusy * 100).toFixed(0)}% busy, ` +
  `load ${formatLoad().split(' / ')[0]}`;

// ---------------------------------------------------------------------------
// The baseline: the raw NOTIFY round trip
// ---------------------------------------------------------------------------

async function notifyRoundTrip(url: string, samples: number, firstPayload: number): Promise<Float64Array> {
  const listener = createClient(url, 'bench-live-listen');
  const sender = createClient(url, 'bench-live-notify');
  await listener.connect();
  await sender.connect();
  try {
    const waiting = new Map<string, (at: number) => void>();
    listener.on('notification', (message) => {
      const at = now();
      if (message.payload !== undefined) waiting.get(message.payload)?.(at);
    });
    await listener.query('LISTEN bench_live');
    const times: number[] = [];
    for (let i = 0; i < samples; i++) {
      const payload = String(firstPayload + i);
      const received = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`notification ${payload} did not arrive within 10 s`)), 10_000);
        waiting.set(payload, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      });
      const called = now();
      await sender.query("SELECT pg_notify('bench_live', $1)", [payload]);
      times.push((await received) - called);
      waiting.delete(payload);
      await sleep(5);
    }
    return Float64Array.from(times).sort();
  } finally {
    await listener.end();
    await sender.end();
  }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

/** Undone in reverse order at the end, on failure and on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];
let child: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;
/** Runs once; every caller (the end, a failure, Ctrl-C) waits for the same run. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.splice(0).reverse()) await step().catch((error: unknown) => log(`cleanup: ${error}`));
  })();
  return cleaning;
}

async function main(): Promise<void> {
  log('bench:live — events delivered to WebSocket subscribers vs the raw NOTIFY round trip, in the same run');
  const limit = await openFileLimit();
  if (limit < SUBSCRIBERS + 256) {
    throw new Error(
      `${SUBSCRIBERS} subscribers need a socket each in this process and in the server: the open-file limit ` +
        `(ulimit -n) is ${limit}; raise it above ${SUBSCRIBERS + 256} or lower BENCH_SUBSCRIBERS`,
    );
  }
  const database: BenchDatabase = await openBenchDatabase(log);
  cleanups.push(() => database.close());
  const pool: pg.Pool = createPool(database.url, { max: 2, applicationName: 'bench-live' });
  cleanups.push(() => pool.end());

  const version = (await pool.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
  const machine = await describeMachine(version);
  log(`\n${formatMachine(machine)}`);
  log(`Database:   ${database.description}`);
  log(
    `Settings:   BENCH_SUBSCRIBERS=${SUBSCRIBERS} BENCH_EVENTS=${EVENTS} BENCH_INTERVAL_MS=${INTERVAL_MS} ` +
      `BENCH_SECONDS=${SECONDS} BENCH_WRITERS=${WRITERS} BENCH_NOTIFY_SAMPLES=${NOTIFY_SAMPLES}; ` +
      `server pool ${POOL_SIZE} connections; open-file limit ${limit}\n`,
  );

  const adminToken = `bench-platform-${randomBytes(16).toString('hex')}`;
  const server = await startServerProcess({ databaseUrl: database.url, adminToken, poolSize: POOL_SIZE });
  child = server.child;
  cleanups.push(() => server.stop());
  log(`server: node src/main.ts (pid ${server.child.pid}) at ${server.url}`);

  // --- the organization, its tokens and teams, over GraphQL ---
  const slug = `bench-live-${randomBytes(4).toString('hex')}`;
  const created = await graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    server,
    adminToken,
    'mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH }) { adminToken organization { id } } }',
    { slug },
  );
  const admin = created.createOrganization.adminToken;
  const organization = created.createOrganization.organization.id;
  const issue = async (role: 'READER' | 'EDITOR') =>
    (
      await graphql<{ issueApiToken: { token: string } }>(
        server,
        admin,
        'mutation($org: ID!, $role: Role!, $label: String!) { issueApiToken(input: { organizationId: $org, role: $role, label: $label }) { token } }',
        { org: organization, role, label: `bench-${role.toLowerCase()}` },
      )
    ).issueApiToken.token;
  const reader = await issue('READER');
  const editor = await issue('EDITOR');
  // One team per writer, so concurrent writers do not conflict on a stream; (a) writes to the first.
  const teams: string[] = [];
  for (let i = 0; i < Math.max(1, WRITERS); i++) {
    const formed = await graphql<{ formTeam: { team: { id: string } } }>(
      server,
      editor,
      'mutation($name: String!) { formTeam(input: { name: $name, kind: STREAM_ALIGNED }) { team { id } } }',
      { name: `Bench team ${i + 1}` },
    );
    teams.push(formed.formTeam.team.id);
  }
  const organizationId = (await pool.query<{ id: string }>('SELECT id FROM organizations WHERE slug = $1', [slug]))
    .rows[0]!.id;
  log(`organization ${slug}: READER token for the subscribers, EDITOR token for the mutations, ${teams.length} teams`);

  // --- the subscribers ---
  const subscribers = await openSubscribers(server, reader, SUBSCRIBERS);
  cleanups.push(() => closeSubscribers(subscribers));
  // A subscription without `from` starts at the head when the server starts it:
  // mutate until every subscriber has received one event, then warm up.
  let synced = 0;
  let firstLive = 0;
  for (let attempt = 0; attempt < 30 && synced < SUBSCRIBERS; attempt++) {
    const sent = await recordMetrics(server, editor, teams[0]!, attempt);
    if (await untilAllHave(subscribers, sent.position, 2_000, server)) synced = SUBSCRIBERS;
    else synced = subscribers.filter((subscriber) => subscriber.last >= sent.position).length;
  }
  if (synced < SUBSCRIBERS) throw new Error(`only ${synced} of ${SUBSCRIBERS} subscribers receive events`);
  for (let i = 0; i < WARMUP_EVENTS; i++) {
    const sent = await recordMetrics(server, editor, teams[0]!, 1000 + i);
    firstLive ||= sent.position;
    if (!(await untilAllHave(subscribers, sent.position, DELIVERY_TIMEOUT_MS, server))) {
      throw new Error(`warm-up event ${sent.position} did not reach every subscriber within ${DELIVERY_TIMEOUT_MS} ms`);
    }
    await sleep(INTERVAL_MS);
  }
  log(`all ${formatNumber(SUBSCRIBERS)} subscriptions live; ${WARMUP_EVENTS} warm-up events delivered to all`);

  // --- baseline: NOTIFY round trip (subscribers connected, idle) ---
  log(`\nbaseline: raw NOTIFY round trip, ${NOTIFY_SAMPLES} notifications one at a time`);
  const notify = await notifyRoundTrip(database.url, NOTIFY_SAMPLES, firstLive);
  log(`  pg_notify called → LISTEN client receives: ${describeDelays(notify)}`);

  // --- (a) delay, one event at a time ---
  log(
    `\n(a) delay: ${EVENTS} mutations one at a time, each after all ${SUBSCRIBERS} have the previous and ${INTERVAL_MS} ms`,
  );
  const latencySent: Sent[] = [];
  const latencyUsage = await usage(server, pool);
  for (let i = 0; i < EVENTS; i++) {
    const sent = await recordMetrics(server, editor, teams[0]!, 2000 + i);
    latencySent.push(sent);
    if (!(await untilAllHave(subscribers, sent.position, DELIVERY_TIMEOUT_MS, server))) {
      throw new Error(`event ${sent.position} did not reach every subscriber within ${DELIVERY_TIMEOUT_MS} ms`);
    }
    await sleep(INTERVAL_MS);
  }
  const latencyResources = await resourcesSince(server, pool, latencyUsage);
  const latency = deliveries(subscribers, latencySent);
  const mutationTimes = Float64Array.from(latencySent, (sent) => sent.respondedAt - sent.sentAt).sort();
  log(
    `  mutation response → each subscriber receives (${formatNumber(latency.delays.length)} samples): ${describeDelays(latency.delays)}`,
  );
  log(`  mutation response → first subscriber receives: ${describeDelays(latency.first)}`);
  log(`  mutation response → last subscriber receives:  ${describeDelays(latency.last)}`);
  log(`  the mutation itself (request → response):      ${describeDelays(mutationTimes)}`);
  log(
    `  ${describeResources(latencyResources)}; server CPU ${ms((latencyResources.serverCpuSeconds * 1e3) / EVENTS)} ms per event, ` +
      `${ms((latencyResources.serverCpuSeconds * 1e6) / (EVENTS * SUBSCRIBERS))} µs per delivery`,
  );

  // --- (b) throughput ---
  log(
    `\n(b) throughput: ${WRITERS} writers back to back for ${SECONDS} s, then until every subscriber has the last event`,
  );
  const throughputSent: Sent[] = [];
  let counter = 0;
  const throughputUsage = await usage(server, pool);
  const start = now();
  const deadline = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, writer) => {
      while (now() < deadline) throughputSent.push(await recordMetrics(server, editor, teams[writer]!, counter++));
    }),
  );
  const writesDone = Math.max(...throughputSent.map((sent) => sent.respondedAt));
  const lastPosition = Math.max(...throughputSent.map((sent) => sent.position));
  if (!(await untilAllHave(subscribers, lastPosition, DELIVERY_TIMEOUT_MS, server))) {
    throw new Error(`the last event ${lastPosition} did not reach every subscriber within ${DELIVERY_TIMEOUT_MS} ms`);
  }
  const throughputResources = await resourcesSince(server, pool, throughputUsage);
  const throughput = deliveries(subscribers, throughputSent);
  const allDone = Math.max(...throughput.allAt);
  const writeRate = throughputSent.length / ((writesDone - start) / 1000);
  const deliveredRate = throughputSent.length / ((allDone - start) / 1000);
  const inWindow = throughput.allAt.filter((at) => at <= deadline).length;
  const finalLag = allDone - writesDone;
  log(
    `  ${formatNumber(throughputSent.length)} mutations in ${((writesDone - start) / 1000).toFixed(2)} s: ` +
      `${formatNumber(writeRate)}/s`,
  );
  log(
    `  delivered to all ${SUBSCRIBERS}: ${formatNumber(deliveredRate)} events/s (first write → last subscriber has the last event, ` +
      `${((allDone - start) / 1000).toFixed(2)} s), ${formatNumber(deliveredRate * SUBSCRIBERS)} deliveries/s; ` +
      `${formatNumber(inWindow)} events delivered to all within the ${SECONDS} s window`,
  );
  const loadedMutationTimes = Float64Array.from(throughputSent, (sent) => sent.respondedAt - sent.sentAt).sort();
  log(`  final lag (last response → last subscriber has it): ${ms(finalLag)} ms`);
  log(`  the mutation itself (request → response), under load:     ${describeDelays(loadedMutationTimes)}`);
  log(`  mutation response → each subscriber receives, under load: ${describeDelays(throughput.delays)}`);
  log(`  mutation response → last subscriber receives, under load:  ${describeDelays(throughput.last)}`);
  log(
    `  ${describeResources(throughputResources)}; server CPU ` +
      `${ms((throughputResources.serverCpuSeconds * 1e6) / (throughputSent.length * SUBSCRIBERS))} µs per delivery`,
  );

  // --- every subscriber got every event exactly once, in order ---
  const logged = (
    await pool.query<{ position: string }>(
      'SELECT position::text AS position FROM events WHERE organization_id = $1 AND position >= $2 ORDER BY events.position',
      [organizationId, firstLive],
    )
  ).rows.map((row) => Number(row.position));
  const problems: string[] = [];
  const missing = latency.missing + throughput.missing;
  if (missing > 0) problems.push(`${missing} subscriber × event deliveries missing`);
  subscribers.forEach((subscriber, i) => {
    for (const error of subscriber.errors) problems.push(`subscriber ${i}: ${error}`);
    const from = subscriber.positions.indexOf(firstLive);
    if (from < 0) {
      problems.push(`subscriber ${i} never received the first warm-up event ${firstLive}`);
      return;
    }
    const received = subscriber.positions.slice(from);
    const expected = logged.slice(0, received.length);
    const at = received.findIndex((position, j) => position !== expected[j]);
    if (at >= 0) {
      problems.push(`subscriber ${i}: received ${received[at]} where the log has ${expected[at] ?? 'nothing'}`);
    } else if (received.length < logged.length && logged[received.length]! <= lastPosition) {
      problems.push(`subscriber ${i}: stops at ${received.at(-1)}, before ${logged[received.length]}`);
    }
  });
  const extra = logged.length - WARMUP_EVENTS - latencySent.length - throughputSent.length;
  log(
    `\nchecked: every subscriber received the ${formatNumber(logged.length)} events of the log from position ` +
      `${firstLive} ${problems.length === 0 ? 'exactly once, in order' : 'WITH PROBLEMS'}` +
      (extra > 0 ? ` (${extra} of them not from the bench's mutations)` : ''),
  );

  // --- the report ---
  log('');
  log(formatMachine(machine));
  log(`Database:   ${database.description}`);
  log(`Load:       ${formatLoad()} (1/5/15 min) at the end`);
  log(
    `${formatNumber(SUBSCRIBERS)} graphql-ws subscribers (one socket each, in the bench process) on ` +
      `\`events { position type streamId data }\` of one organization; server: node src/main.ts in a child process, ` +
      `pool ${POOL_SIZE}; mutations: recordDeliveryMetrics over HTTP (fetch, keep-alive)`,
  );
  log('');
  const notifyP50 = rank(notify, 50);
  const notifyP99 = rank(notify, 99);
  const row = (what: string, sorted: Float64Array, target = '–', met = '–') => [
    what,
    formatNumber(sorted.length),
    ms(rank(sorted, 50)),
    ms(rank(sorted, 99)),
    ms(rank(sorted, 100)),
    formatRatio(rank(sorted, 50) / notifyP50),
    formatRatio(rank(sorted, 99) / notifyP99),
    target,
    met,
  ];
  const p99 = rank(latency.delays, 99);
  log(
    markdownTable(
      ['delay (ms)', 'samples', 'p50', 'p99', 'max', 'p50 vs NOTIFY', 'p99 vs NOTIFY', 'target', 'met'],
      [
        row('baseline: pg_notify called → LISTEN client receives', notify),
        row(
          `(a) response → each of ${SUBSCRIBERS} subscribers receives`,
          latency.delays,
          `p99 < ${TARGET_P99_MS} ms`,
          p99 < TARGET_P99_MS && problems.length === 0 ? 'yes' : 'NO',
        ),
        row('(a) response → first subscriber receives (per event)', latency.first),
        row('(a) response → last subscriber receives (per event)', latency.last),
        row('(a) the mutation itself: request → response', mutationTimes),
        row(`(b) response → each subscriber receives, ${WRITERS} writers`, throughput.delays),
        row(`(b) response → last subscriber receives (per event)`, throughput.last),
        row(`(b) the mutation itself: request → response`, loadedMutationTimes),
      ],
    ),
  );
  log('');
  log(
    markdownTable(
      [
        'throughput',
        'mutations/s',
        `events/s to all ${SUBSCRIBERS} subscribers`,
        'deliveries/s',
        'final lag ms',
        'mutation p50 / p99 ms',
      ],
      [
        [
          `(b) ${WRITERS} writers, ${SECONDS} s`,
          formatNumber(writeRate),
          formatNumber(deliveredRate),
          formatNumber(deliveredRate * SUBSCRIBERS),
          ms(finalLag),
          `${ms(rank(loadedMutationTimes, 50))} / ${ms(rank(loadedMutationTimes, 99))}`,
        ],
      ],
    ),
  );
  log('');
  log(
    markdownTable(
      ['CPU (cores; 1.00 = one core)', 'server', 'PostgreSQL', 'bench process', 'machine busy', 'server µs / delivery'],
      (
        [
          ['(a) delay', latencyResources, EVENTS],
          ['(b) throughput', throughputResources, throughputSent.length],
        ] as const
      ).map(([what, used, events]) => [
        what,
        cores(used.serverCores),
        cores(used.postgresCores),
        cores(used.benchCores),
        `${(used.machineBusy * 100).toFixed(0)}%`,
        ms((used.serverCpuSeconds * 1e6) / (events * SUBSCRIBERS)),
      ]),
    ),
  );
  log(
    '\n(a): mutations one at a time; delay = the subscriber’s receipt − the arrival of the mutation’s response, ' +
      'both in the bench process. (b): events/s to all = mutations ÷ (first write → the last subscriber has the ' +
      'last event); final lag = last response → last subscriber has the last event. The subscribers’ own ' +
      'processing (one event loop for all of them, on the same cores as the server and PostgreSQL) is part of ' +
      'every delay: bench CPU above.',
  );
  if (problems.length > 0) {
    log(`\n${problems.length} problems (first 20):`);
    for (const problem of problems.slice(0, 20)) log(`  ${problem}`);
    process.exitCode = 1;
  }
  if (server.exited()) {
    log(`\nthe server exited during the run:\n${server.stderr()}`);
    process.exitCode = 1;
  } else if (server.stderr().trim() !== '') {
    log(`\nthe server logged (warnings and errors):\n${server.stderr().trim().slice(0, 4000)}`);
  }
}

// A closed stdout (e.g. piped into `head`) must not leave the server or the database running.
process.stdout.on('error', () => {
  void cleanup().finally(() => process.exit(1));
});
process.once('SIGINT', () => {
  interrupted = true;
  log('\ninterrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});
// Last resort: never leave the server process behind.
process.once('exit', () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

try {
  await main();
  await cleanup();
  process.exit(process.exitCode ?? 0);
} catch (error) {
  if (!interrupted) {
    process.stderr.write(`bench:live failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  }
  await cleanup();
  process.exit(interrupted ? 130 : 1);
}
