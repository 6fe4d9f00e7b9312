// `npm run bench:signals`: what evaluating the friction rules adds to a
// command, per event, beside the append itself, measured in the same run on
// the same commands: the demo organization (scale 1) and the 10x one.
//
// Every command of a realistic mix (membership allocations, handoffs,
// interactions, dependency status, delivery metrics, investment reports,
// responsibility owners, agreement revisits, skills) runs through
// executeCommand, as the API runs it, with two probes:
//   append      the round trip that carries the append inside the command's
//               transaction (the event store's own cost: the PL/pgSQL append,
//               position reservation; on the service's path BEGIN, the lock
//               and the head check ride in the same round trip)
//   evaluation  what the friction engine adds to a command, measured A/B:
//               the same command mix on the same organization, alternating
//               between the real engine and none; the difference in mean
//               command latency per event (due timers, the rules of the touched
//               subjects, reconciling signals, writing their rows). With
//               BENCH_MODE=loaded, plus the per-command organization lock,
//               measured on its own; with resident read models (the default,
//               the service's path) every command takes that lock for its
//               resident copy anyway, in the round trip of its BEGIN, so
//               both sides pay it and it is not added
// A breakdown inside the engine (and per rule) is printed for diagnosis.
// The target (issue 6): evaluation adds under 0.5x to an append.
//
// Environment: BENCH_COMMANDS (600 per organization), BENCH_WARMUP (400 commands before
// measuring), BENCH_SCALES ("1,10"), BENCH_DATABASE_URL
// (else an embedded PostgreSQL with default durability). Results:
// bench/RESULTS.md, "Friction signals (bench:signals)".
import type pg from 'pg';
import { createEventCatalog } from '../events/index.ts';
import { FrictionEngine, NoFrictionEngine } from '../projections/friction/engine.ts';
import { frictionRules } from '../projections/friction/rules/index.ts';
import { revisitAgreement } from '../src/agreements/agreements.ts';
import { recordHandoff, recordInteraction } from '../src/collaboration/collaboration.ts';
import type { CommandHandler } from '../src/commands/command.ts';
import { type CommandDeps, executeCommand } from '../src/commands/execute.ts';
import { createPool } from '../src/db/pool.ts';
import { seedDemoOrganization } from '../src/demo/demoOrganization.ts';
import { changeDependencyStatus } from '../src/dependencies/dependencies.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import type { RecordedEvent } from '../src/eventStore/types.ts';
import { reportInvestmentMix } from '../src/investment/investment.ts';
import { recordDeliveryMetrics } from '../src/metrics/deliveryMetrics.ts';
import { updatePersonSkills } from '../src/people/people.ts';
import { ResidentModels } from '../src/readModel/resident.ts';
import type { WorkingSet } from '../src/readModel/workingSet.ts';
import { assignResponsibility, unassignResponsibility } from '../src/responsibilities/responsibilities.ts';
import { changeMembership } from '../src/teams/teams.ts';
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
} from './support.ts';

const COMMANDS = Math.round(envNumber('BENCH_COMMANDS', 600));
/** BENCH_SCALES: the demo scales to measure, e.g. "1" for a quick run. */
const SCALES = (process.env.BENCH_SCALES ?? '1,10').split(',').map((scale) => Math.round(Number(scale)));
const TARGET = 0.5;
/** BENCH_MODE: `resident` (the service's path: read models kept in memory) or `loaded` (read per command). */
const MODE = process.env.BENCH_MODE === 'loaded' ? 'loaded' : 'resident';
const BLOCK = 20;
/** BENCH_WARMUP: commands run (alternating sides) before measuring. */
const WARMUP = Math.round(envNumber('BENCH_WARMUP', 400));

const log = (line: string) => process.stdout.write(`${line}\n`);

/** Time spent in the probes, accumulated. */
class Probe {
  appendMs = 0;
  evaluationMs = 0;
  /** Parts of evaluationMs: timers and clock, collecting subjects, evaluating them. */
  beforeMs = 0;
  collectMs = 0;
  evaluateMs = 0;
  events = 0;
  changes = 0;
}

/** The probe of the side (engine or none) whose command runs now; commands run one at a time. */
let activeProbe: Probe | undefined;

/**
 * Times the round trip that carries each append, on every connection of the
 * pool: `store.appendMany`'s statement, or, on the service's path, the
 * command's first round trip, where the append rides with BEGIN, the lock
 * and the head check (src/commands/execute.ts); those ride along in it.
 */
function timeAppends(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as { query: unknown }).query = async (config: unknown, ...rest: unknown[]) => {
      const text = typeof config === 'string' ? config : (config as { text?: string }).text;
      const probe = text?.includes('orgstream_append') ? activeProbe : undefined;
      if (!probe) return query(config, ...rest);
      const started = now();
      try {
        return await query(config, ...rest);
      } finally {
        probe.appendMs += now() - started;
      }
    };
  });
}

/** The friction engine with its work timed (its rows are written with the command's other rows). */
class TimedEngine extends FrictionEngine {
  readonly #probe: Probe;

  constructor(ws: WorkingSet, client: pg.PoolClient | undefined, probe: Probe) {
    super(ws, client);
    this.#probe = probe;
  }

  override async beforeEvents(first: RecordedEvent): Promise<void> {
    const started = now();
    try {
      await super.beforeEvents(first);
    } finally {
      this.#probe.evaluationMs += now() - started;
      this.#probe.beforeMs += now() - started;
    }
  }

  override async collect(event: RecordedEvent): Promise<void> {
    const started = now();
    try {
      await super.collect(event);
    } finally {
      this.#probe.evaluationMs += now() - started;
      this.#probe.collectMs += now() - started;
      this.#probe.events += 1;
    }
  }

  override async evaluateCollected(last: RecordedEvent): Promise<void> {
    const started = now();
    const before = this.changes.length;
    try {
      await super.evaluateCollected(last);
      this.#probe.evaluateMs += now() - started;
    } finally {
      this.#probe.evaluationMs += now() - started;
      this.#probe.changes += this.changes.length - before;
    }
  }
}

/** Where evaluation time goes: each rule's evaluate and affects, timed in place. */
const ruleTimes = new Map<string, { evaluateMs: number; evaluations: number; affectsMs: number }>();
for (const rule of frictionRules) {
  const key = `${rule.kind}:${rule.subjectKind}`;
  const times = { evaluateMs: 0, evaluations: 0, affectsMs: 0 };
  ruleTimes.set(key, times);
  const evaluate = rule.evaluate.bind(rule);
  rule.evaluate = async (context, subjectId) => {
    const started = now();
    try {
      return await evaluate(context, subjectId);
    } finally {
      times.evaluateMs += now() - started;
      times.evaluations += 1;
    }
  };
  const affects = rule.affects as Record<string, (...args: unknown[]) => unknown>;
  for (const [type, affected] of Object.entries(affects)) {
    affects[type] = async (...args: unknown[]) => {
      const started = now();
      try {
        return await affected(...args);
      } finally {
        times.affectsMs += now() - started;
      }
    };
  }
}

/** A small seeded PRNG (mulberry32): the same mix on every run. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Step = { handler: CommandHandler<never, unknown>; input: unknown };

/** The command mix, drawn from the organization's current read models. */
async function workload(pool: pg.Pool, organizationId: string, count: number): Promise<Step[]> {
  const rows = async <Row>(sql: string) => (await pool.query(sql, [organizationId])).rows as Row[];
  const memberships = await rows<{ team_id: string; person_id: string; allocation: number }>(
    `SELECT m.team_id, m.person_id, m.allocation FROM memberships m JOIN teams t ON t.id = m.team_id
     WHERE m.organization_id = $1 AND m.valid_to IS NULL AND t.archived_at IS NULL ORDER BY m.id`,
  );
  const teams = await rows<{ id: string }>(
    'SELECT id FROM teams WHERE organization_id = $1 AND archived_at IS NULL ORDER BY id',
  );
  const ratified = await rows<{ team_id: string }>(
    `SELECT DISTINCT a.team_id FROM agreements a JOIN teams t ON t.id = a.team_id
     WHERE a.organization_id = $1 AND a.status = 'RATIFIED' AND t.archived_at IS NULL ORDER BY a.team_id`,
  );
  const dependencies = await rows<{ id: string }>(
    'SELECT id FROM dependencies WHERE organization_id = $1 AND resolved_at IS NULL ORDER BY id',
  );
  const responsibilities = await rows<{ id: string }>(
    'SELECT id FROM responsibilities WHERE organization_id = $1 ORDER BY id',
  );
  const people = await rows<{ id: string; skills: string[] }>(
    'SELECT id, skills FROM people WHERE organization_id = $1 AND offboarded_at IS NULL ORDER BY id',
  );
  const next = random(42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const owned = new Set<string>();
  const statuses = ['OK', 'SLOWING', 'BLOCKING'] as const;
  // Handlers differ in their input types; each step pairs one with an input it accepts.
  // biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of handlers
  const step = (handler: CommandHandler<any, unknown>, input: unknown): Step => ({
    handler: handler as unknown as CommandHandler<never, unknown>,
    input,
  });
  const makers: (() => Step)[] = [
    () => {
      const membership = pick(memberships);
      membership.allocation = membership.allocation >= 60 ? membership.allocation - 10 : membership.allocation + 10;
      return step(changeMembership, {
        teamId: membership.team_id,
        personId: membership.person_id,
        allocation: membership.allocation,
      });
    },
    () =>
      step(recordHandoff, {
        teamId: pick(teams).id,
        title: 'Bench requirement',
        reviewedWithEngineering: next() < 0.6,
        reviewedWithProduct: true,
      }),
    () => {
      const a = pick(teams).id;
      let b = pick(teams).id;
      if (b === a) b = teams[(teams.findIndex((team) => team.id === a) + 1) % teams.length]!.id;
      return step(recordInteraction, { teamIds: [a, b], kind: next() < 0.7 ? 'STATUS_UPDATE' : 'JOINT_WORK' });
    },
    () => step(changeDependencyStatus, { dependencyId: pick(dependencies).id, status: pick(statuses) }),
    () =>
      step(recordDeliveryMetrics, {
        teamId: pick(teams).id,
        leadTimeHours: Math.round(10 + next() * 50),
        buildTimeMinutes: Math.round(5 + next() * 20),
        incidents: Math.floor(next() * 4),
      }),
    () => {
      const features = 50 + Math.floor(next() * 40);
      const techDebt = Math.floor((100 - features) / 2);
      return step(reportInvestmentMix, {
        teamId: pick(teams).id,
        period: '2026-11',
        features,
        techDebt,
        runway: 100 - features - techDebt,
        developerExperience: 0,
      });
    },
    () => {
      const responsibility = pick(responsibilities).id;
      if (owned.has(responsibility)) {
        owned.delete(responsibility);
        return step(unassignResponsibility, { responsibilityId: responsibility });
      }
      owned.add(responsibility);
      return step(assignResponsibility, { responsibilityId: responsibility, ownerId: pick(people).id });
    },
    () => step(revisitAgreement, { teamId: pick(ratified).team_id, notes: 'Retro: kept as is' }),
    () => {
      const person = pick(people);
      person.skills = person.skills.includes('bench')
        ? person.skills.filter((s) => s !== 'bench')
        : [...person.skills, 'bench'];
      return step(updatePersonSkills, { personId: person.id, skills: person.skills });
    },
  ];
  return Array.from({ length: count }, () => pick(makers)());
}

type Row = {
  organization: string;
  events: number;
  appendUs: number;
  evaluationUs: number;
  lockUs: number;
  baselineP50: number;
  commandP50: number;
  commandP99: number;
  changes: number;
};

async function measure(pool: pg.Pool, organizationId: string, label: string): Promise<Row> {
  // A/B on the same organization and the same command mix, interleaved so
  // that drift (caches, autovacuum, the machine) hits both alike: commands
  // alternate between the real engine and none. The difference is what
  // evaluating the rules (and writing their rows) adds to a command.
  const store = new EventStore(pool, createEventCatalog());
  const probe = new Probe();
  const baselineStore = new EventStore(pool, createEventCatalog());
  const baselineProbe = new Probe();
  // Resident read models (the service's path): each side keeps its own copy,
  // so the sides alternate in blocks; the first command of a block reloads
  // the copy the other side made stale and is left out of both samples.
  const withFriction: CommandDeps =
    MODE === 'resident'
      ? { pool, store, resident: new ResidentModels({ engine: (ws) => new TimedEngine(ws, undefined, probe) }) }
      : { pool, store, frictionEngine: (ws, client) => new TimedEngine(ws, client, probe) };
  const without: CommandDeps =
    MODE === 'resident'
      ? { pool, store: baselineStore, resident: new ResidentModels({ engine: (ws) => new NoFrictionEngine(ws) }) }
      : { pool, store: baselineStore, frictionEngine: (ws, client) => new NoFrictionEngine(ws, client) };
  const block = MODE === 'resident' ? BLOCK : 1;
  const steps = await workload(pool, organizationId, COMMANDS * 2);
  // Warm-up, not measured: the JIT, and the statements each pool connection
  // prepares once per shape of write (a long-running service has them all;
  // with the engine there are more shapes, so a short warm-up charges their
  // preparation to evaluation).
  for (const [index, { handler, input }] of steps.slice(0, WARMUP).entries()) {
    await executeCommand(Math.floor(index / block) % 2 ? without : withFriction, handler, organizationId, input, {
      actor: 'bench',
    }).catch(() => {});
  }
  Object.assign(probe, new Probe());
  Object.assign(baselineProbe, new Probe());
  for (const times of ruleTimes.values()) Object.assign(times, { evaluateMs: 0, evaluations: 0, affectsMs: 0 });
  const latencies: number[] = [];
  const baseline: number[] = [];
  let events = 0;
  let baselineEvents = 0;
  let rejected = 0;
  for (const [index, { handler, input }] of steps.entries()) {
    const on = Math.floor(index / block) % 2 === 0;
    const counted = block === 1 || index % block !== 0;
    const started = now();
    const before = { ...probe };
    const baselineBefore = { ...baselineProbe };
    activeProbe = on ? probe : baselineProbe;
    try {
      const outcome = await executeCommand(on ? withFriction : without, handler, organizationId, input, {
        actor: 'bench',
      });
      if (on && counted) events += outcome.events.length;
      else if (counted) baselineEvents += outcome.events.length;
    } catch {
      rejected++;
    }
    if (!counted) {
      // Leave the reloading command out of the engine's probes too.
      Object.assign(probe, before);
      Object.assign(baselineProbe, baselineBefore);
      continue;
    }
    (on ? latencies : baseline).push(now() - started);
  }
  if (rejected > steps.length / 10) throw new Error(`${rejected} of ${steps.length} commands were rejected`);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const addedMs = mean(latencies) * latencies.length - mean(baseline) * latencies.length;
  // The organization lock each command takes, on its own.
  const client = await pool.connect();
  const lockTimes: number[] = [];
  try {
    for (let i = 0; i < 300; i++) {
      await client.query('BEGIN');
      const started = now();
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('friction:' || $1::text, 0))", [
        organizationId,
      ]);
      lockTimes.push(now() - started);
      await client.query('COMMIT');
    }
  } finally {
    client.release();
  }
  const perEvent = (ms: number) => formatNumber((ms / probe.events) * 1000);
  log(
    `\n${label}: inside the engine, per event: timers and clock ${perEvent(probe.beforeMs)} µs, collecting subjects ` +
      `${perEvent(probe.collectMs)} µs, evaluating ${perEvent(probe.evaluateMs)} µs (its rows are written with the read models')`,
  );
  log(`${label}: where rule time goes, per event`);
  log(
    markdownTable(
      ['rule', 'evaluations / event', 'evaluate µs / event', 'affects µs / event'],
      [...ruleTimes.entries()]
        .sort((a, b) => b[1].evaluateMs + b[1].affectsMs - (a[1].evaluateMs + a[1].affectsMs))
        .map(([rule, times]) => [
          rule,
          formatNumber(times.evaluations / probe.events, 2),
          formatNumber((times.evaluateMs / probe.events) * 1000),
          formatNumber((times.affectsMs / probe.events) * 1000),
        ]),
    ),
  );
  const appendMs = probe.appendMs + baselineProbe.appendMs;
  return {
    organization: label,
    events,
    appendUs: (appendMs / (events + baselineEvents)) * 1000,
    evaluationUs: (addedMs / events) * 1000,
    lockUs: ((median(lockTimes) * latencies.length) / events) * 1000,
    baselineP50: median(baseline),
    commandP50: median(latencies),
    commandP99: percentile(latencies, 99),
    changes: probe.changes,
  };
}

async function main(): Promise<void> {
  const database = await openBenchDatabase(log);
  const pool = createPool(database.url, { max: 4 });
  timeAppends(pool);
  try {
    const version = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
    const machine = await describeMachine(version);
    log(formatMachine(machine));
    log(`database: ${database.description}; ${COMMANDS} commands per organization; read models: ${MODE}`);
    const store = new EventStore(pool, createEventCatalog());
    const rows: Row[] = [];
    for (const scale of SCALES) {
      const started = now();
      const seeded = await seedDemoOrganization({ pool, store }, { scale });
      const signals = (
        await pool.query<{ open: number; all: number }>(
          `SELECT count(*) FILTER (WHERE status = 'OPEN')::int AS open, count(*)::int AS all
           FROM friction_signals WHERE organization_id = $1`,
          [seeded.organizationId],
        )
      ).rows[0]!;
      log(
        `seeded the ${scale === 1 ? 'demo' : `${scale}x`} organization: ${seeded.events} events in ${formatNumber((now() - started) / 1000, 1)} s; ` +
          `${signals.all} signals (${signals.open} open)`,
      );
      rows.push(
        await measure(pool, seeded.organizationId, scale === 1 ? 'demo (scale 1)' : `${scale}x (scale ${scale})`),
      );
    }
    log('');
    log(
      markdownTable(
        [
          'organization',
          'events',
          'append µs/event',
          'evaluation adds µs/event',
          'evaluation / append',
          `target ≤ ${TARGET}x`,
          'command p50 without / with, ms',
          'p99 with, ms',
          'signal changes',
        ],
        rows.map((row) => {
          const evaluation = row.evaluationUs + (MODE === 'loaded' ? row.lockUs : 0);
          const ratio = evaluation / row.appendUs;
          return [
            row.organization,
            String(row.events),
            formatNumber(row.appendUs),
            MODE === 'loaded'
              ? `${formatNumber(evaluation)} (lock ${formatNumber(row.lockUs)})`
              : formatNumber(evaluation),
            formatRatio(ratio),
            ratio <= TARGET ? 'met' : 'missed',
            `${formatNumber(row.baselineP50, 2)} / ${formatNumber(row.commandP50, 2)}`,
            formatNumber(row.commandP99, 2),
            String(row.changes),
          ];
        }),
      ),
    );
  } finally {
    await pool.end();
    await database.close();
  }
}

await main();
