// npm run bench:store — the event store against baselines measured in the same
// run on the same database:
//
//   (a) single-event appends, 1 and 16 writers   vs plain INSERT and Emmett
//   (b) batches of 100 events, 1 and 16 writers  vs multi-row INSERT and Emmett
//   (c) readAll over BENCH_EVENTS (1 M) events   vs raw keyset SELECT
//   (d) subscription lag p50/p99                 vs raw NOTIFY round trip
//
// Environment: BENCH_DATABASE_URL (server URL; default: embedded PostgreSQL
// with default durability), BENCH_SECONDS (5, per timed run), BENCH_ROUNDS
// (5; medians are reported), BENCH_EVENTS (1000000), BENCH_LAG_RATE
// (200 appends/s). See bench/RESULTS.md for recorded figures.
import { getPostgreSQLEventStore, type PostgresEventStore } from '@event-driven-io/emmett-postgresql';
import pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { createClient, createPool } from '../src/db/pool.ts';
import { defineEvent, EventCatalog } from '../src/eventStore/catalog.ts';
import { ALL_ORGANIZATIONS, EventStore, type OrganizationScope } from '../src/eventStore/eventStore.ts';
import { EventNotifier } from '../src/eventStore/notifier.ts';
import type { EventMetadata, NewEvent } from '../src/eventStore/types.ts';
import {
  type BenchDatabase,
  cpuBusy,
  cpuSnapshot,
  describeMachine,
  envNumber,
  formatLoad,
  formatMachine,
  formatNumber,
  formatRatio,
  markdownTable,
  median,
  now,
  openBenchDatabase,
  percentile,
  runFor,
  sleep,
} from './support.ts';

const SECONDS = envNumber('BENCH_SECONDS', 5);
const ROUNDS = Math.round(envNumber('BENCH_ROUNDS', 5));
const EVENTS = Math.round(envNumber('BENCH_EVENTS', 1_000_000));
const LAG_RATE = envNumber('BENCH_LAG_RATE', 200);
const WARMUP_SECONDS = Math.min(1, SECONDS / 5);
/** Connections per contender: the service's default ORGSTREAM_DB_POOL_SIZE, above the 16 writers. */
const POOL_SIZE = 20;
const WRITER_COUNTS = [1, 16] as const;
const BATCH = 100;
const LOAD_EVENTS_PER_CALL = 1_000;
const LOAD_STREAMS_PER_CALL = 10;
const LOAD_ORGANIZATIONS = 4;
const READ_LIMITS = [1_000, 10_000] as const;
const READ_REPETITIONS = 3;

const log = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------
// The catalogue and its payloads (~200 bytes of JSON each)
// ---------------------------------------------------------------------------

const PersonRegistered = defineEvent({
  type: 'PersonRegistered',
  schemaVersion: 1,
  schema: z.object({
    personId: z.uuid(),
    name: z.object({ given: z.string().min(1), family: z.string().min(1) }),
    email: z.email(),
    title: z.string(),
    team: z.string(),
    startsOn: z.iso.date(),
    employment: z.enum(['full_time', 'part_time', 'contractor']),
  }),
});

const TeamFormed = defineEvent({
  type: 'TeamFormed',
  schemaVersion: 1,
  schema: z.object({
    teamId: z.uuid(),
    name: z.string().min(1),
    kind: z.enum(['stream_aligned', 'platform', 'enabling', 'complicated_subsystem']),
    valueStream: z.string(),
    mission: z.string(),
    formedOn: z.iso.date(),
  }),
});

const ResponsibilityAssigned = defineEvent({
  type: 'ResponsibilityAssigned',
  schemaVersion: 1,
  schema: z.object({
    responsibilityId: z.uuid(),
    title: z.string().min(1),
    ownerId: z.uuid(),
    ownerKind: z.enum(['person', 'team']),
    area: z.enum(['product', 'technical']),
    since: z.iso.date(),
  }),
});

const catalog = new EventCatalog([PersonRegistered, TeamFormed, ResponsibilityAssigned]);

const GIVEN = ['Ada', 'Grace', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Edsger', 'Frances', 'Tim', 'Radia'];
const FAMILY = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Dijkstra', 'Allen', 'Perlman'];
const TEAMS = ['Checkout', 'Payments Platform', 'Onboarding', 'Search & Discovery', 'Data Platform', 'Identity'];

type Payload = { type: string; data: Record<string, unknown>; metadata: EventMetadata };

function personRegistered(i: number): Payload {
  const given = GIVEN[i % GIVEN.length]!;
  const family = FAMILY[(i * 7) % FAMILY.length]!;
  return {
    type: 'PersonRegistered',
    data: {
      personId: uuidv7(),
      name: { given, family },
      email: `${given}.${family}.${i}@example.com`.toLowerCase(),
      title: 'Staff Engineer',
      team: TEAMS[i % TEAMS.length]!,
      startsOn: `2025-${String((i % 12) + 1).padStart(2, '0')}-01`,
      employment: 'full_time',
    },
    metadata: { actor: `user:${uuidv7()}`, correlationId: uuidv7() },
  };
}

function teamFormed(i: number): Payload {
  return {
    type: 'TeamFormed',
    data: {
      teamId: uuidv7(),
      name: `${TEAMS[i % TEAMS.length]} ${i}`,
      kind: 'stream_aligned',
      valueStream: 'Buy & pay',
      mission: 'Make paying for an order fast, safe and boring for every customer.',
      formedOn: '2025-03-01',
    },
    metadata: { actor: `user:${uuidv7()}`, correlationId: uuidv7() },
  };
}

function responsibilityAssigned(i: number): Payload {
  return {
    type: 'ResponsibilityAssigned',
    data: {
      responsibilityId: uuidv7(),
      title: `On-call for ${TEAMS[i % TEAMS.length]} services`,
      ownerId: uuidv7(),
      ownerKind: i % 2 === 0 ? 'person' : 'team',
      area: i % 3 === 0 ? 'product' : 'technical',
      since: '2025-06-01',
    },
    metadata: { actor: `user:${uuidv7()}`, correlationId: uuidv7() },
  };
}

/** Pre-built so that building payloads is not timed; every contender cycles through the same ones. */
const PAYLOADS: readonly Payload[] = Array.from({ length: 1024 }, (_, i) => personRegistered(i));
const MIXED_PAYLOADS: readonly Payload[] = Array.from({ length: 3000 }, (_, i) =>
  i % 3 === 0 ? personRegistered(i) : i % 3 === 1 ? teamFormed(i) : responsibilityAssigned(i),
);
const payload = (i: number) => PAYLOADS[i % PAYLOADS.length]!;
const payloadBytes = Buffer.byteLength(JSON.stringify(PAYLOADS[0]!.data));
const metadataBytes = Buffer.byteLength(JSON.stringify(PAYLOADS[0]!.metadata));

// ---------------------------------------------------------------------------
// The contenders for (a) and (b)
// ---------------------------------------------------------------------------

type ContenderName = 'orgstream' | 'plain' | 'emmett';
const CONTENDERS: readonly ContenderName[] = ['plain', 'orgstream', 'emmett'];
const LABEL: Record<ContenderName, string> = { orgstream: 'Orgstream', plain: 'plain INSERT', emmett: 'Emmett' };

type Context = {
  organizationId: string;
  store: EventStore;
  storePool: pg.Pool;
  plainPool: pg.Pool;
  emmett: PostgresEventStore;
};

/**
 * One appending operation per writer: `batch` events to the writer's own
 * stream, with the exact expected version (the writer tracks it), as a
 * command handler that has just read its stream would.
 */
function appender(
  context: Context,
  contender: ContenderName,
  run: string,
  batch: number,
): (writer: number) => Promise<unknown> {
  const versions = new Map<number, number>();
  let counter = 0;
  const next = () => payload(counter++);
  const plainInsert = plainInsertSql(batch);
  return async (writer) => {
    const stream = `person-${run}-${writer}`;
    const version = versions.get(writer) ?? 0;
    versions.set(writer, version + batch);
    const payloads = Array.from({ length: batch }, next);
    switch (contender) {
      case 'orgstream':
        return context.store.append(context.organizationId, stream, payloads as NewEvent[], {
          expectedVersion: version,
        });
      case 'plain': {
        const values: unknown[] = [];
        for (const [i, p] of payloads.entries()) {
          const data = JSON.stringify(p.data);
          const metadata = JSON.stringify(p.metadata);
          values.push(uuidv7(), context.organizationId, stream, version + i + 1, p.type, 1, data, metadata);
        }
        return context.plainPool.query(plainInsert, values);
      }
      case 'emmett':
        return context.emmett.appendToStream(stream, payloads, { expectedStreamVersion: BigInt(version) });
    }
  };
}

const PLAIN_COLUMNS = 8;
function plainInsertSql(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, row) => {
    const p = (column: number) => `$${row * PLAIN_COLUMNS + column}`;
    return `(${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, now(), now(), pg_current_xact_id())`;
  });
  return `INSERT INTO bench_plain_events (event_id, organization_id, stream_id, stream_version, type, schema_version,
            data, metadata, occurred_at, recorded_at, transaction_id) VALUES ${tuples.join(', ')}`;
}

/** The same columns and indexes as `events` (prisma/migrations/*_event_store). */
const PLAIN_TABLE_SQL = `
  CREATE TABLE bench_plain_events (
    position bigserial PRIMARY KEY,
    event_id uuid NOT NULL,
    organization_id uuid NOT NULL,
    stream_id text NOT NULL,
    stream_version integer NOT NULL,
    type text NOT NULL,
    schema_version integer NOT NULL,
    data jsonb NOT NULL,
    metadata jsonb NOT NULL,
    occurred_at timestamptz(6) NOT NULL,
    recorded_at timestamptz(6) NOT NULL,
    transaction_id xid8 NOT NULL
  );
  CREATE UNIQUE INDEX bench_plain_events_event_id_key ON bench_plain_events (event_id);
  CREATE INDEX bench_plain_events_organization_position_idx ON bench_plain_events (organization_id, position);
  CREATE INDEX bench_plain_events_organization_type_position_idx ON bench_plain_events (organization_id, type, position);
  CREATE UNIQUE INDEX bench_plain_events_stream_version_key ON bench_plain_events (organization_id, stream_id, stream_version);
`;

type AppendFigures = {
  /** Rate of each contender in each round. */
  rates: Record<ContenderName, number[]>;
  /** Orgstream / baseline within each round (the rounds run under the same conditions). */
  ratios: { plain: number[]; emmett: number[] };
};

async function checkpoint(pool: pg.Pool): Promise<void> {
  // Start every timed run from a clean slate of dirty buffers; needs superuser (skipped otherwise).
  await pool.query('CHECKPOINT').catch(() => {});
}

async function appendScenario(context: Context, batch: number, writers: number): Promise<AppendFigures> {
  const rates = { orgstream: [], plain: [], emmett: [] } as Record<ContenderName, number[]>;
  const ratios = { plain: [] as number[], emmett: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order so no contender always runs first (or right after another's checkpoint debt).
    const order = CONTENDERS.map((_, i) => CONTENDERS[(i + round) % CONTENDERS.length]!);
    const rate = {} as Record<ContenderName, number>;
    for (const contender of order) {
      const run = `${batch}x${writers}-${round}-${contender}`;
      const operation = appender(context, contender, run, batch);
      await runFor(writers, WARMUP_SECONDS, operation);
      await checkpoint(context.storePool);
      const cpu = await cpuSnapshot();
      const result = await runFor(writers, SECONDS, operation);
      const busy = cpuBusy(cpu, await cpuSnapshot());
      rate[contender] = (result.operations * batch) / result.seconds;
      rates[contender].push(rate[contender]);
      log(
        `  round ${round + 1} ${LABEL[contender].padEnd(12)} ${formatNumber(rate[contender]).padStart(9)} ${batch === 1 ? 'appends' : 'events'}/s` +
          `  (${result.operations} appends; latency p50 ${percentile(result.latencies, 50).toFixed(2)} ms, ` +
          `p99 ${percentile(result.latencies, 99).toFixed(2)} ms; CPU ${(busy * 100).toFixed(0)}% busy)`,
      );
    }
    ratios.plain.push(rate.orgstream / rate.plain);
    ratios.emmett.push(rate.orgstream / rate.emmett);
  }
  return { rates, ratios };
}

// ---------------------------------------------------------------------------
// (c) readAll
// ---------------------------------------------------------------------------

async function loadEvents(store: EventStore, organizations: readonly string[], total: number): Promise<number> {
  const calls = Math.ceil(total / LOAD_EVENTS_PER_CALL);
  const perStream = LOAD_EVENTS_PER_CALL / LOAD_STREAMS_PER_CALL;
  let loaded = 0;
  let reported = 0;
  const start = now();
  // One loader per organization, each taking every n-th call: the organizations hold equal shares.
  await Promise.all(
    organizations.map(async (organizationId, loader) => {
      for (let call = loader; call < calls; call += organizations.length) {
        const count = Math.min(LOAD_EVENTS_PER_CALL, total - call * LOAD_EVENTS_PER_CALL);
        const requests = [];
        for (let s = 0; s * perStream < count; s++) {
          const events = Array.from({ length: Math.min(perStream, count - s * perStream) }, (_, i) => {
            const p = MIXED_PAYLOADS[(call * LOAD_EVENTS_PER_CALL + s * perStream + i) % MIXED_PAYLOADS.length]!;
            return p as NewEvent;
          });
          requests.push({ streamId: `load-${call}-${s}`, events, expectedVersion: 'NO_STREAM' as const });
        }
        await store.appendMany(organizationId, requests);
        loaded += count;
        if (loaded - reported >= total / 10) {
          reported = loaded;
          log(`  loaded ${formatNumber(loaded)} events (${formatNumber(loaded / ((now() - start) / 1000))} events/s)`);
        }
      }
    }),
  );
  return loaded / ((now() - start) / 1000);
}

/** `cpuMicros`: CPU time of this (Node) process while reading: the reader's own cost, less exposed to other load. */
type ReadFigures = { events: number; seconds: number; cpuMicros: number };

async function readAllWithStore(store: EventStore, scope: OrganizationScope, limit: number): Promise<ReadFigures> {
  const cpu = process.cpuUsage();
  const start = now();
  let from = 0n;
  let events = 0;
  for (;;) {
    const page = await store.readAll(scope, { from, limit });
    events += page.length;
    if (page.length < limit) break;
    from = page.at(-1)!.position;
  }
  const seconds = (now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { events, seconds, cpuMicros: used.user + used.system };
}

/** The baseline: the same columns, the same keyset paging, rows as pg returns them. */
async function readAllRaw(pool: pg.Pool, scope: OrganizationScope, limit: number): Promise<ReadFigures> {
  const byOrganization = scope !== ALL_ORGANIZATIONS;
  const text = `SELECT event_id, organization_id, stream_id, stream_version, position, type, schema_version, data, metadata,
                       occurred_at, recorded_at
                FROM events WHERE position > $1${byOrganization ? ' AND organization_id = $3' : ''}
                ORDER BY position LIMIT $2`;
  const cpu = process.cpuUsage();
  const start = now();
  let from = '0';
  let events = 0;
  for (;;) {
    const values: unknown[] = [from, limit];
    if (byOrganization) values.push(scope);
    const rows = (await pool.query<{ position: string }>(text, values)).rows;
    events += rows.length;
    if (rows.length < limit) break;
    from = rows.at(-1)!.position;
  }
  const seconds = (now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { events, seconds, cpuMicros: used.user + used.system };
}

type ReadResult = {
  scope: string;
  expected: number;
  limit: number;
  store: number[];
  raw: number[];
  /** Node CPU µs per event. */
  storeCpu: number[];
  rawCpu: number[];
};

async function readScenario(
  store: EventStore,
  pool: pg.Pool,
  scope: OrganizationScope,
  expected: number,
): Promise<ReadResult[]> {
  const results: ReadResult[] = [];
  const scopeLabel = scope === ALL_ORGANIZATIONS ? 'ALL_ORGANIZATIONS' : 'one organization';
  for (const limit of READ_LIMITS) {
    const result: ReadResult = { scope: scopeLabel, expected, limit, store: [], raw: [], storeCpu: [], rawCpu: [] };
    for (let repetition = 0; repetition < READ_REPETITIONS; repetition++) {
      // Alternate who goes first: the first reader may warm the caches for the second.
      const order = repetition % 2 === 0 ? (['raw', 'store'] as const) : (['store', 'raw'] as const);
      for (const who of order) {
        const figures =
          who === 'store' ? await readAllWithStore(store, scope, limit) : await readAllRaw(pool, scope, limit);
        if (figures.events !== expected) {
          throw new Error(`${who} read ${figures.events} events, expected ${expected}`);
        }
        const rate = figures.events / figures.seconds;
        const cpuPerEvent = figures.cpuMicros / figures.events;
        result[who].push(rate);
        result[who === 'store' ? 'storeCpu' : 'rawCpu'].push(cpuPerEvent);
        log(
          `  ${scopeLabel}, limit ${formatNumber(limit)}: ${who === 'store' ? 'Orgstream readAll' : 'raw SELECT       '} ` +
            `${formatNumber(rate).padStart(9)} events/s (${figures.seconds.toFixed(2)} s; Node CPU ${cpuPerEvent.toFixed(2)} µs/event)`,
        );
      }
    }
    results.push(result);
  }
  return results;
}

// ---------------------------------------------------------------------------
// (d) subscription lag
// ---------------------------------------------------------------------------

type LagFigures = { fromResolved: number[]; fromCall: number[]; missing: number };

/** Calls `operation(i)` `count` times, one at a time, starting the i-th no earlier than i / rate seconds in. */
async function paced(count: number, rate: number, operation: (i: number) => Promise<void>): Promise<void> {
  const start = now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - now();
    if (wait > 0) await sleep(wait);
    await operation(i);
  }
}

async function untilTrue(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = now() + timeoutMs;
  while (!condition() && now() < deadline) await sleep(5);
}

async function subscriptionLag(store: EventStore, organizationId: string, count: number): Promise<LagFigures> {
  const received = new Map<bigint, number>();
  const controller = new AbortController();
  const consuming = (async () => {
    for await (const event of store.subscribe(organizationId, { signal: controller.signal })) {
      received.set(event.position, now());
    }
  })();
  await sleep(300); // the subscription has read its (empty) catch-up and waits for a notification
  const sent: { position: bigint; called: number; resolved: number }[] = [];
  let version = 0;
  await paced(count, LAG_RATE, async (i) => {
    const called = now();
    const result = await store.append(organizationId, 'person-lag', [payload(i) as NewEvent], {
      expectedVersion: version++,
    });
    sent.push({ position: result.lastPosition, called, resolved: now() });
  });
  await untilTrue(() => received.size >= count, 10_000);
  controller.abort();
  await consuming;
  const figures: LagFigures = { fromResolved: [], fromCall: [], missing: 0 };
  for (const append of sent) {
    const at = received.get(append.position);
    if (at === undefined) {
      figures.missing++;
      continue;
    }
    figures.fromResolved.push(at - append.resolved);
    figures.fromCall.push(at - append.called);
  }
  return figures;
}

async function notifyLag(url: string, count: number): Promise<LagFigures> {
  const listener = createClient(url, 'bench-listen');
  const sender = createClient(url, 'bench-notify');
  await listener.connect();
  await sender.connect();
  try {
    const received = new Map<string, number>();
    listener.on('notification', (message) => {
      if (message.payload !== undefined) received.set(message.payload, now());
    });
    await listener.query('LISTEN bench');
    const sent: { payload: string; called: number; resolved: number }[] = [];
    await paced(count, LAG_RATE, async (i) => {
      const called = now();
      await sender.query("SELECT pg_notify('bench', $1)", [String(i)]);
      sent.push({ payload: String(i), called, resolved: now() });
    });
    await untilTrue(() => received.size >= count, 10_000);
    const figures: LagFigures = { fromResolved: [], fromCall: [], missing: 0 };
    for (const notification of sent) {
      const at = received.get(notification.payload);
      if (at === undefined) {
        figures.missing++;
        continue;
      }
      figures.fromResolved.push(at - notification.resolved);
      figures.fromCall.push(at - notification.called);
    }
    return figures;
  } finally {
    await listener.end();
    await sender.end();
  }
}

const describeLag = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(2)} ms, p99 ${percentile(values, 99).toFixed(2)} ms, max ${Math.max(...values).toFixed(2)} ms`;

// ---------------------------------------------------------------------------
// Emmett: its schema and pg's global type parsers
// ---------------------------------------------------------------------------

/** Text-format type parsers that Emmett's driver (dumbo) replaces process-wide: int8, json, jsonb. */
const PARSED_OIDS = [20, 114, 3802] as const;

async function openEmmett(url: string, pool: pg.Pool): Promise<PostgresEventStore> {
  const saved = PARSED_OIDS.map((oid) => [oid, pg.types.getTypeParser(oid, 'text')] as const);
  // On our pool (same size and settings as the others); the schema is created
  // (autoMigration CreateOrUpdate) here, before anything is timed.
  const emmett = getPostgreSQLEventStore(url, {
    connectionOptions: { pool },
    schema: { autoMigration: 'CreateOrUpdate' },
  });
  await emmett.schema.migrate();
  // dumbo sets int8 → BigInt and json(b) → JSON.parse with a reviver for every
  // pg client in the process; Orgstream and the baselines must keep pg's
  // defaults (Emmett's append does not depend on them: it converts itself).
  for (const [oid, parser] of saved) pg.types.setTypeParser(oid, 'text', parser);
  return emmett;
}

function assertDefaultParsers(): void {
  const probe = pg.types.getTypeParser(3802, 'text')('{"a":1}') as unknown;
  if (JSON.stringify(probe) !== '{"a":1}' || typeof pg.types.getTypeParser(20, 'text')('1') !== 'string') {
    throw new Error('pg type parsers are not the defaults');
  }
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

type Row = {
  scenario: string;
  orgstream: string;
  baseline: string;
  emmett: string;
  vsBaseline: string;
  vsEmmett: string;
  target: string;
  met: string;
};

/** Undone in reverse order at the end, on failure and on Ctrl-C. */
const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup(): Promise<void> {
  for (const step of cleanups.splice(0).reverse()) await step().catch((error: unknown) => log(`cleanup: ${error}`));
}

async function main(): Promise<void> {
  log('bench:store — Orgstream event store vs baselines measured in the same run');
  const database: BenchDatabase = await openBenchDatabase(log);
  cleanups.push(() => database.close());
  try {
    const storePool = createPool(database.url, { max: POOL_SIZE, applicationName: 'bench-orgstream' });
    const plainPool = createPool(database.url, { max: POOL_SIZE, applicationName: 'bench-plain' });
    const emmettPool = createPool(database.url, { max: POOL_SIZE, applicationName: 'bench-emmett' });
    cleanups.push(
      () => storePool.end(),
      () => plainPool.end(),
      () => emmettPool.end(),
    );
    const notifier = new EventNotifier(database.url);
    await notifier.start();
    cleanups.push(() => notifier.close());
    const store = new EventStore(storePool, catalog, notifier);
    await plainPool.query(PLAIN_TABLE_SQL);
    const emmett = await openEmmett(database.url, emmettPool);
    cleanups.push(() => emmett.close());
    assertDefaultParsers();

    const settings = await storePool.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
       WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method',
                      'shared_buffers', 'max_wal_size', 'commit_delay')`,
    );
    const setting = (name: string) => settings.rows.find((row) => row.name === name)?.setting ?? '?';
    const machine = await describeMachine(`${setting('server_version')}`);
    const durability =
      `fsync=${setting('fsync')}, synchronous_commit=${setting('synchronous_commit')}, ` +
      `full_page_writes=${setting('full_page_writes')}, wal_sync_method=${setting('wal_sync_method')}, ` +
      `shared_buffers=${Number(setting('shared_buffers')) / 128} MB, max_wal_size=${setting('max_wal_size')} MB`;
    log(`\n${formatMachine(machine)}\nDatabase:   ${database.description}; ${durability}`);
    log(
      `Settings:   BENCH_SECONDS=${SECONDS} BENCH_ROUNDS=${ROUNDS} BENCH_EVENTS=${EVENTS} BENCH_LAG_RATE=${LAG_RATE}; ` +
        `pool ${POOL_SIZE} connections per contender; payload ${payloadBytes} B data + ${metadataBytes} B metadata`,
    );

    const context: Context = { organizationId: uuidv7(), store, storePool, plainPool, emmett };
    const rows: Row[] = [];

    // (a) and (b)
    for (const batch of [1, BATCH]) {
      for (const writers of WRITER_COUNTS) {
        const title =
          batch === 1
            ? `(a) single-event appends, ${writers} writer${writers > 1 ? 's' : ''} (appends/s)`
            : `(b) batches of ${batch}, ${writers} writer${writers > 1 ? 's' : ''} (events/s)`;
        log(`\n${title}`);
        const figures = await appendScenario(context, batch, writers);
        const m = (contender: ContenderName) => median(figures.rates[contender]);
        const vsPlain = median(figures.ratios.plain);
        const vsEmmett = median(figures.ratios.emmett);
        const single = batch === 1;
        rows.push({
          scenario: title,
          orgstream: formatNumber(m('orgstream')),
          baseline: formatNumber(m('plain')),
          emmett: formatNumber(m('emmett')),
          vsBaseline: formatRatio(vsPlain),
          vsEmmett: formatRatio(vsEmmett),
          target: single ? '≥ 0.70x plain, > 1x Emmett' : '–',
          met: single ? (vsPlain >= 0.7 && vsEmmett > 1 ? 'yes' : 'NO') : '–',
        });
      }
    }
    // Free the disk and caches the append runs used before loading the log.
    await storePool.query('TRUNCATE events, streams, bench_plain_events');
    await emmett.schema.dangerous.truncate();
    await storePool.query('VACUUM events, streams, bench_plain_events');

    // (c)
    log(`\n(c) readAll over ${formatNumber(EVENTS)} events: loading (${LOAD_EVENTS_PER_CALL} events per appendMany)`);
    const organizations = Array.from({ length: LOAD_ORGANIZATIONS }, () => uuidv7());
    const loadRate = await loadEvents(store, organizations, EVENTS);
    log(`  load rate ${formatNumber(loadRate)} events/s (not the benchmark)`);
    const vacuumStart = now();
    await storePool.query('VACUUM (ANALYZE) events, streams');
    const size = await storePool.query<{ size: string }>(
      `SELECT pg_size_pretty(pg_total_relation_size('events')) AS size`,
    );
    log(
      `  VACUUM ANALYZE ${((now() - vacuumStart) / 1000).toFixed(1)} s; events table with indexes: ${size.rows[0]?.size}`,
    );
    assertDefaultParsers();
    const perOrganization = await storePool.query<{ organization_id: string; n: number }>(
      'SELECT organization_id, count(*)::int AS n FROM events GROUP BY 1 ORDER BY 1 LIMIT 1',
    );
    const oneOrganization = perOrganization.rows[0]!;
    const reads = [
      ...(await readScenario(store, plainPool, ALL_ORGANIZATIONS, EVENTS)),
      ...(await readScenario(store, plainPool, oneOrganization.organization_id, oneOrganization.n)),
    ];
    for (const read of reads) {
      const best = Math.max(...read.store);
      const raw = Math.max(...read.raw);
      const all = read.scope === 'ALL_ORGANIZATIONS';
      rows.push({
        scenario: `(c) readAll ${read.scope} (${formatNumber(read.expected)} events), limit ${formatNumber(read.limit)} (events/s)`,
        orgstream: formatNumber(best),
        baseline: formatNumber(raw),
        emmett: '–',
        vsBaseline: formatRatio(best / raw),
        vsEmmett: '–',
        target: all ? '≥ 200,000 events/s' : '–',
        met: all ? (best >= 200_000 ? 'yes' : 'NO') : '–',
      });
      if (all) {
        const ours = median(read.storeCpu);
        const base = median(read.rawCpu);
        rows.push({
          scenario: `    same, Node CPU per event (µs, median; lower is better)`,
          orgstream: ours.toFixed(2),
          baseline: base.toFixed(2),
          emmett: '–',
          vsBaseline: formatRatio(ours / base),
          vsEmmett: '–',
          target: '–',
          met: '–',
        });
      }
    }

    // (d)
    const lagCount = Math.round(LAG_RATE * SECONDS);
    log(`\n(d) subscription lag: ${lagCount} single-event appends at ${LAG_RATE}/s, one subscriber`);
    const lag = await subscriptionLag(store, uuidv7(), lagCount);
    log(`  Orgstream, append resolved → delivered: ${describeLag(lag.fromResolved)}; missing ${lag.missing}`);
    log(`  Orgstream, append called → delivered:   ${describeLag(lag.fromCall)}`);
    const notify = await notifyLag(database.url, lagCount);
    log(`  NOTIFY, pg_notify called → received:    ${describeLag(notify.fromCall)}; missing ${notify.missing}`);
    log(`  NOTIFY, pg_notify resolved → received:  ${describeLag(notify.fromResolved)}`);
    if (lag.missing > 0 || notify.missing > 0) throw new Error('Some events or notifications never arrived');
    for (const p of [50, 99]) {
      const ours = percentile(lag.fromResolved, p);
      const base = percentile(notify.fromCall, p);
      rows.push({
        scenario: `(d) subscription lag p${p} (ms; lower is better)`,
        orgstream: ours.toFixed(2),
        baseline: base.toFixed(2),
        emmett: '–',
        vsBaseline: formatRatio(ours / base),
        vsEmmett: '–',
        target: '–',
        met: '–',
      });
    }

    log(`\nLoad at the end: ${formatLoad()} (1/5/15 min)`);
    log(
      `\nResults: appends = median of ${ROUNDS} rounds, ratios = median of the per-round ratios; reads = best of ${READ_REPETITIONS}\n`,
    );
    log(
      markdownTable(
        ['Scenario', 'Orgstream', 'Baseline: plain SQL', 'Baseline: Emmett', 'vs plain', 'vs Emmett', 'Target', 'Met'],
        rows.map((row) => [
          row.scenario,
          row.orgstream,
          row.baseline,
          row.emmett,
          row.vsBaseline,
          row.vsEmmett,
          row.target,
          row.met,
        ]),
      ),
    );
    log(
      '\nBaselines: (a)/(b) plain = one autocommit INSERT (multi-row for batches) into bench_plain_events ' +
        '(same columns and indexes as events); Emmett = @event-driven-io/emmett-postgresql appendToStream; ' +
        '(c) raw SELECT of the same columns with the same keyset paging, no mapping; ' +
        '(d) orgstream: append() resolved → subscriber receives it; baseline: SELECT pg_notify() called → LISTEN client receives it.',
    );
  } finally {
    await cleanup();
  }
}

// A closed stdout (e.g. piped into `head`) must not leave the embedded server running.
process.stdout.on('error', () => {
  void cleanup().finally(() => process.exit(1));
});
process.once('SIGINT', () => {
  log('\ninterrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});

try {
  await main();
  // Every pool, client and server is closed now: the process ends by itself (exit code 0).
} catch (error) {
  process.stderr.write(`bench:store failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  await cleanup();
  process.exit(1);
}
