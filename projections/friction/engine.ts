// Evaluates the friction rules as events are applied, and keeps each signal's
// lifecycle: raised once per subject and cause, updated while it holds,
// resolved when the cause goes away, every change numbered per organization.
//
// Signals live in org time, like the history they judge. Each organization has
// a clock: the latest occurredAt of its events (and of FrictionTimersFired).
// It is not written with every command: it is the later of the occurredAt of
// the organization's last event (by position) and the clock kept in its
// friction state row, which is written only when a back-dated command makes
// the last event older than the clock.
// A change caused by an event happens at the clock once the event is applied
// (its occurredAt, unless it is back-dated behind the clock: then it is judged
// now, where window and deadline rules see the present); a change caused by
// time alone (a deadline, a sliding window) at the timer's due time.
//
// Determinism, so that a replay of the log gives the same signals with the
// same times as the live path:
// - before an event is applied, the timers of its organization due by its
//   occurredAt fire; time passing without events is itself recorded in the
//   log: the scheduler appends FrictionTimersFired (events/friction.ts), whose
//   occurredAt is how far it fired. Nothing depends on when a process ran;
// - commands of one organization take the organization's friction lock first
//   (see beginLocked), so they apply, evaluate and number changes in position
//   order, exactly as a replay does;
// - subjects, rules and timers are visited in a fixed order.
import type pg from 'pg';
import { v5 as uuidv5 } from 'uuid';
import { ValidationError } from '../../src/errors.ts';
import { assertOrganizationId } from '../../src/eventStore/eventStore.ts';
import type { Queryable, RecordedEvent } from '../../src/eventStore/types.ts';
import type {
  FrictionSignal,
  FrictionSignalChange,
  FrictionState,
  FrictionTimer,
  Organization,
} from '../../src/generated/prisma/client.ts';
import { fromDatabaseRow, jsonSelectList, prepared, readModelVersionSql } from '../../src/readModel/table.ts';
import type { WorkingSet } from '../../src/readModel/workingSet.ts';
import type { DomainRecord } from '../projection.ts';
import {
  assets,
  frictionSignalChanges,
  frictionSignals,
  frictionStates,
  frictionTimers,
  organizations,
  people,
  responsibilities,
  teams,
  valueStreams,
} from '../tables.ts';
import type { Evaluation, Finding, FrictionRule, Lookup, SubjectKind } from './rule.ts';
import { frictionRules } from './rules/index.ts';
import { effectiveThresholds } from './thresholds.ts';

/** Namespace of the signal ids: uuid v5 of `<organization>:<sequence of the raise>`. */
const SIGNAL_NAMESPACE = '6f1d8a52-3c0e-4c55-9a43-2f0b6a7d9e11';

/**
 * A rule's identity: its kind and subject kind (ASSET_WALLPAPER judges assets
 * and value streams with two rules). Timers are kept under it.
 */
export const ruleKey = (rule: FrictionRule) => `${rule.kind}:${rule.subjectKind}`;
const rulesByKey = new Map(frictionRules.map((rule) => [ruleKey(rule), rule]));
const keysOfRules = new Map(frictionRules.map((rule) => [rule, ruleKey(rule)]));
if (rulesByKey.size !== frictionRules.length) throw new Error('Two friction rules share a kind and a subject kind');
const rulesByEventType = new Map<string, FrictionRule[]>();
for (const rule of frictionRules) {
  for (const type of Object.keys(rule.affects)) {
    const list = rulesByEventType.get(type) ?? [];
    list.push(rule);
    rulesByEventType.set(type, list);
  }
}

/** Rules whose outcome the growth phase can change: phase defaults, or a rule that reads the phase itself. */
const phaseRules = frictionRules.filter(
  (rule) =>
    'GrowthPhaseChanged' in rule.affects ||
    Object.values(rule.thresholds).some((threshold) => typeof threshold.default !== 'number'),
);

/**
 * The lock a rebuild's swap takes exclusively and every command's transaction
 * shares (beginLocked): the swap waits for the commands in flight to end, and
 * the next ones wait for the swap, so no command's writes straddle it (its
 * rows computed from the tables before, written into the tables after).
 */
export const REBUILD_FENCE = 'orgstream:rebuild-fence';

/**
 * Opens a command's transaction, takes the organization's friction lock (it
 * serializes the writers of one organization, commands and the timer
 * scheduler's command, until the transaction ends) and
 * reads the organization's last committed position, in one round trip (the
 * statements of one simple query: each sees what committed before it ran, so
 * the position is read after the lock is held). Returns that position.
 *
 * `expect`: the head and generation the caller's resident copy has; instead
 * of reading them, the transaction checks them and fails with OS005
 * (orgstream_expect_head) when they are not the organization's, before
 * `next` runs. `next`: one more statement for the same simple query, run in
 * the transaction after the head was read or checked (a
 * command that decided on its resident copy sends its append here); its rows
 * are returned.
 */
export async function beginLocked(
  db: Pick<pg.ClientBase, 'query'>,
  organizationId: string,
  options: { expect?: { head: bigint; generation: string }; next?: string | undefined } = {},
): Promise<{ head: bigint; generation: string; rows?: pg.QueryResultRow[] }> {
  // Inlined (a simple query takes no parameters): only a uuid gets here, and
  // in lower case only: another spelling would take another lock and another
  // resident copy.
  assertOrganizationId(organizationId);
  if (organizationId !== organizationId.toLowerCase()) {
    throw new ValidationError(`Not a lower-case organization id: ${JSON.stringify(organizationId)}`);
  }
  // READ COMMITTED whatever the database's default: each statement must see
  // what committed before it, so the head is read after the lock is held.
  // Generic plans for every parameterized statement of the transaction: a
  // command's statements (its write of the read models, the rows it reads,
  // claims, stream reads, the append) are prepared and run a few times per
  // connection each; left to its default, PostgreSQL plans each of the first
  // five runs anew, which for a write of several tables costs more than
  // running it (bench/RESULTS.md, "Generic plans and the rows written with
  // the COMMIT"). They are key and
  // prefix lookups whose plans do not depend on the values (checked on a
  // skewed organization). SET LOCAL ends with the transaction.
  // The generation is the read models' table identity: a rebuild swaps in
  // new tables (new oids) without appending an event.
  const { expect, next } = options;
  if (expect && !/^\d+$/.test(expect.generation)) throw new Error(`Not a table generation: ${expect.generation}`);
  const statements = [
    'BEGIN ISOLATION LEVEL READ COMMITTED',
    'SET LOCAL plan_cache_mode = force_generic_plan',
    // The rebuild fence first (shared: commands do not wait for each other on
    // it), then the organization's lock.
    `SELECT pg_advisory_xact_lock_shared(hashtextextended('${REBUILD_FENCE}', 0)),
            pg_advisory_xact_lock(hashtextextended('friction:' || '${organizationId}', 0))`,
    // The check reads the head and the generation itself: with it, they are
    // the expected ones or the transaction has failed.
    expect
      ? `SELECT orgstream_expect_head('${organizationId}'::uuid, ${expect.head}, ${expect.generation}::oid)`
      : `SELECT ${readModelVersionSql(`'${organizationId}'::uuid`)}`,
  ];
  if (next !== undefined) statements.push(next);
  const results = (await db.query(statements.join(';\n'))) as unknown as { rows: pg.QueryResultRow[] }[];
  const row = results[3]?.rows[0] as { head?: string | null; generation?: string } | undefined;
  const opened = expect ?? { head: BigInt(row?.head ?? 0), generation: row?.generation ?? '' };
  return next === undefined ? opened : { ...opened, rows: results.at(-1)?.rows ?? [] };
}

/** The error orgstream_expect_head raises: the caller's resident copy is not current. */
export function isStaleCopyError(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'OS005';
}

/** Organizations with friction timers due by `now` (in the tables the search path finds first). */
export async function organizationsWithDueTimers(db: Queryable, now: Date): Promise<string[]> {
  const result = await db.query<{ organization_id: string }>(
    'SELECT DISTINCT organization_id FROM friction_timers WHERE due_at <= $1 ORDER BY organization_id',
    [now],
  );
  return result.rows.map((row) => row.organization_id);
}

/** Stands for "every subject of the rule" among pending subjects (a phase or threshold change). */
const EVERY_SUBJECT = '*';

type DueRow = { rule: string; subject_id: string; due_at: string };

type Timer = { organizationId: string; rule: string; subjectId: string; dueAt: Date };

const compareTimers = (a: Timer, b: Timer) =>
  a.dueAt.getTime() - b.dueAt.getTime() || compareText(a.rule, b.rule) || compareText(a.subjectId, b.subjectId);
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export class FrictionEngine {
  readonly #ws: WorkingSet;
  /** Inline mode: the command's (or scheduler's) transaction. Memory mode (rebuild): none. */
  readonly #db: Queryable | undefined;
  /** Memory mode: per organization, every timer set, earliest first (stale entries are skipped when popped). */
  readonly #heaps = new Map<string, TimerHeap>();
  readonly #thresholds = new WeakMap<Organization, Record<string, number>>();
  /** Per organization, its clock once known (see the top of this file). */
  readonly #clocks = new Map<string, Date>();
  /** Per organization, when its last event before the ones being applied happened (read from the database). */
  readonly #lastOccurred = new Map<string, Date>();
  /** The evaluation time of the command being applied (set by beforeEvents). */
  #eventAt: Date | undefined;
  /** Per rule, the subjects the command's events touched so far. */
  readonly #pending = new Map<FrictionRule, Set<string>>();
  /** The changes this engine made, in order (for notifications after commit). */
  readonly changes: FrictionSignalChange[] = [];

  /**
   * Judges every subject of every rule after each command, not only those the
   * command's events affect: what incremental evaluation must agree with
   * (a test checks that the rules' `affects` miss nothing). Memory mode.
   */
  readonly #everySubject: boolean;
  /**
   * The events are a selection of the log, not all of it up to a point (a
   * view as of a date keeps the events that had happened by then, so a
   * back-dated change can come without the join before it): `affects` may
   * not count on what commands allow, and withOpenSignal prunes nothing.
   */
  readonly #partialLog: boolean;

  constructor(ws: WorkingSet, db?: Queryable, options: { everySubject?: boolean; partialLog?: boolean } = {}) {
    this.#ws = ws;
    this.#db = db;
    this.#everySubject = options.everySubject ?? false;
    this.#partialLog = options.partialLog ?? false;
  }

  /**
   * Memory mode over rows loaded from the database (a resident copy of an
   * organization, src/readModel/resident.ts): the timers those rows hold.
   */
  adoptTimers(timers: readonly FrictionTimer[]): void {
    if (this.#db) throw new Error('adoptTimers is for memory mode');
    for (const timer of timers) this.#heapOf(timer.organizationId).push({ ...timer });
  }

  /**
   * When the organization's last event happened, for an engine that did not
   * apply it (a resident copy loaded from the tables): part of its clock.
   */
  adoptLastEvent(organizationId: string, occurredAt: Date | null): void {
    if (occurredAt) this.#lastOccurred.set(organizationId, occurredAt);
  }

  /**
   * Before a command's events are applied: move the organization's clock to
   * the time they happened (a back-dated command does not move it back: it is
   * judged at the clock, where window and deadline rules see the present) and
   * fire the timers due by then.
   */
  async beforeEvents(first: RecordedEvent): Promise<void> {
    const organizationId = first.organizationId;
    if (!this.#db) {
      const at = await this.#advanceClock(organizationId, first.occurredAt);
      this.#eventAt = at;
      await this.#fireDueInMemory(organizationId, at);
      return;
    }
    // Inline: the organization, its friction state and the timers due by the
    // command's time, in one round trip.
    await this.#ws.flushTables([frictionTimers, frictionStates] as never, this.#db);
    const start = await this.#db.query<{
      state: object | null;
      organization: object | null;
      last: Date | null;
      due: DueRow[] | null;
    }>(
      prepared(
        `WITH last AS (SELECT occurred_at FROM events WHERE organization_id = $1 AND position < $3
                       ORDER BY position DESC LIMIT 1)
         SELECT
         (SELECT row_to_json(s) FROM (SELECT ${jsonSelectList(frictionStates)} FROM friction_states
                                      WHERE organization_id = $1) s) AS state,
         (SELECT row_to_json(o) FROM (SELECT ${jsonSelectList(organizations)} FROM organizations WHERE id = $1) o)
           AS organization,
         (SELECT occurred_at FROM last) AS last,
         (SELECT json_agg(t ORDER BY t.due_at, t.rule COLLATE "C", t.subject_id) FROM (
            SELECT rule, subject_id, due_at FROM friction_timers
            WHERE organization_id = $1 AND due_at <= greatest($2::timestamptz,
              (SELECT clock FROM friction_states WHERE organization_id = $1),
              (SELECT occurred_at FROM last))) t) AS due`,
        [organizationId, first.occurredAt, first.position.toString()],
      ),
    );
    const { state, organization, last, due } = start.rows[0]!;
    if (last) this.#lastOccurred.set(organizationId, last);
    this.#ws.adopt(frictionStates, state ? [fromDatabaseRow(frictionStates, state as never)] : [], [
      { organizationId },
    ]);
    this.#ws.adopt(organizations, organization ? [fromDatabaseRow(organizations, organization as never)] : [], [
      { id: organizationId },
    ]);
    const at = await this.#advanceClock(organizationId, first.occurredAt);
    this.#eventAt = at;
    await this.#fireQueue(
      (due ?? []).map((row) => ({
        organizationId,
        rule: row.rule,
        subjectId: row.subject_id,
        dueAt: new Date(row.due_at),
      })),
      at,
    );
  }

  /** After an event is applied to the read models: note the subjects it may have changed. */
  async collect(event: RecordedEvent): Promise<void> {
    const record = event as DomainRecord;
    const organizationId = event.organizationId;
    const everySubjectOf = new Set<FrictionRule>();
    if (record.type === 'GrowthPhaseChanged') for (const rule of phaseRules) everySubjectOf.add(rule);
    if (record.type === 'FrictionThresholdsSet') {
      const names = Object.keys(record.data.thresholds);
      for (const rule of frictionRules) if (names.some((name) => name in rule.thresholds)) everySubjectOf.add(rule);
    }
    if (this.#everySubject) for (const rule of frictionRules) everySubjectOf.add(rule);
    for (const rule of everySubjectOf) this.#pendingSubjects(rule).add(EVERY_SUBJECT);
    for (const rule of rulesByEventType.get(record.type) ?? []) {
      if (everySubjectOf.has(rule)) continue;
      const affects = rule.affects[record.type] as (
        event: DomainRecord,
        lookup: unknown,
      ) => readonly string[] | Promise<readonly string[]>;
      const lookup: Lookup = {
        ws: this.#ws,
        organizationId,
        withOpenSignal: (subjectIds) => this.#withOpenSignal(rule, organizationId, subjectIds),
      };
      // Most answer at once, from the event alone: no await for those.
      const answer = affects(record, lookup);
      const ids = answer instanceof Promise ? await answer : answer;
      if (ids.length > 0) {
        const pending = this.#pendingSubjects(rule);
        for (const id of ids) pending.add(id);
      }
    }
  }

  /**
   * Of these subjects, those with an open signal of the rule. Inline, the
   * signals are not at hand (each would be a query): all of them; over a
   * partial log, all of them too (see #partialLog).
   */
  async #withOpenSignal(rule: FrictionRule, organizationId: string, subjectIds: readonly string[]) {
    if (this.#db || this.#partialLog) return subjectIds;
    const open: string[] = [];
    for (const subjectId of subjectIds) {
      if ((await this.#openSignals(organizationId, rule, subjectId)).length > 0) open.push(subjectId);
    }
    return open;
  }

  /** The subject's open signals of the rule. */
  #openSignals(organizationId: string, rule: FrictionRule, subjectId: string): Promise<FrictionSignal[]> {
    return this.#ws.where(frictionSignals, { organizationId, kind: rule.kind, subjectId, status: 'OPEN' });
  }

  /** After the last event of a command: evaluate every subject its events touched, once. */
  async evaluateCollected(last: RecordedEvent): Promise<void> {
    const organizationId = last.organizationId;
    const work: [FrictionRule, string[]][] = [];
    for (const rule of frictionRules) {
      const pending = this.#pending.get(rule);
      if (!pending) continue;
      const ids = pending.has(EVERY_SUBJECT) ? await this.#subjectsOf(rule, organizationId) : [...pending];
      work.push([rule, ids.sort(compareText)]);
    }
    this.#pending.clear();
    // Inline: the subjects' open signals and timers in one query, not two per rule and subject.
    if (this.#db) await this.#preloadSubjects(organizationId, [...new Set(work.flatMap(([, ids]) => ids))]);
    const at = this.#eventAt ?? last.occurredAt;
    for (const [rule, subjectIds] of work) {
      for (const subjectId of subjectIds) await this.#evaluate(organizationId, rule, subjectId, at, last.position);
    }
  }

  async #preloadSubjects(organizationId: string, subjectIds: string[]): Promise<void> {
    if (!this.#db || subjectIds.length === 0) return;
    const loaded = await this.#db.query<{ signals: object[] | null; timers: object[] | null }>(
      prepared(
        `SELECT
         (SELECT json_agg(s) FROM (SELECT ${jsonSelectList(frictionSignals)} FROM friction_signals
            WHERE organization_id = $1 AND status = 'OPEN' AND subject_id = ANY($2::uuid[])) s) AS signals,
         (SELECT json_agg(t) FROM (SELECT ${jsonSelectList(frictionTimers)} FROM friction_timers
            WHERE organization_id = $1 AND subject_id = ANY($2::uuid[])) t) AS timers`,
        [organizationId, subjectIds],
      ),
    );
    const { signals, timers } = loaded.rows[0]!;
    this.#ws.adopt(
      frictionSignals,
      (signals ?? []).map((row) => fromDatabaseRow(frictionSignals, row as never)),
      subjectIds.map((subjectId) => ({ organizationId, status: 'OPEN', subjectId })),
    );
    this.#ws.adopt(
      frictionTimers,
      (timers ?? []).map((row) => fromDatabaseRow(frictionTimers, row as never)),
      subjectIds.map((subjectId) => ({ organizationId, subjectId })),
    );
  }

  #pendingSubjects(rule: FrictionRule): Set<string> {
    let pending = this.#pending.get(rule);
    if (!pending) {
      pending = new Set();
      this.#pending.set(rule, pending);
    }
    return pending;
  }

  /**
   * Memory mode: fires the organization's timers due by `upTo`, earliest
   * first, each evaluated at its own due time (inline, beforeEvents reads the
   * due ones with the command's start query and fires them with #fireQueue).
   */
  async #fireDueInMemory(organizationId: string, upTo: Date): Promise<void> {
    const heap = this.#heaps.get(organizationId);
    for (let timer = heap?.peek(); heap && timer && timer.dueAt <= upTo; timer = heap.peek()) {
      heap.pop();
      const current = await this.#ws.get(frictionTimers, timer);
      if (current && current.dueAt.getTime() === timer.dueAt.getTime()) await this.#fire(timer);
    }
  }

  /** Fires `due` (read from the database) earliest first, and what their evaluations set due by `upTo`. */
  async #fireQueue(due: Timer[], upTo: Date): Promise<void> {
    const queue = new TimerHeap();
    for (const timer of due) queue.push(timer);
    for (let timer = queue.pop(); timer; timer = queue.pop()) {
      const next = await this.#fire(timer);
      if (next && next <= upTo) queue.push({ ...timer, dueAt: next });
    }
  }

  async #fire(timer: Timer): Promise<Date | null> {
    const rule = rulesByKey.get(timer.rule);
    if (!rule) {
      this.#ws.delete(frictionTimers, timer);
      return null;
    }
    return this.#evaluate(timer.organizationId, rule, timer.subjectId, timer.dueAt, null);
  }

  /** Every subject of the rule's kind in the organization, and every one it has an open signal on. */
  async #subjectsOf(rule: FrictionRule, organizationId: string): Promise<string[]> {
    const ids = new Set<string>();
    for (const id of await subjectsOfKind(this.#ws, rule.subjectKind, organizationId)) ids.add(id);
    for (const open of await this.#ws.where(frictionSignals, { organizationId, kind: rule.kind, status: 'OPEN' })) {
      if (open.subjectKind === rule.subjectKind) ids.add(open.subjectId);
    }
    return [...ids].sort(compareText);
  }

  /** Evaluates one subject at `at` and reconciles its signals; returns the timer it leaves, if any. */
  async #evaluate(
    organizationId: string,
    rule: FrictionRule,
    subjectId: string,
    at: Date,
    position: bigint | null,
  ): Promise<Date | null> {
    const organization = await this.#ws.get(organizations, { id: organizationId });
    if (!organization) {
      // No organization row (never created, or gone from the read models):
      // nothing to judge by. None of its timers may stay, or the scheduler
      // would find them due and fire them again on every run.
      for (const timer of await this.#ws.where(frictionTimers, { organizationId })) {
        this.#ws.delete(frictionTimers, timer);
      }
      return null;
    }
    let thresholds = this.#thresholds.get(organization);
    if (!thresholds) {
      thresholds = effectiveThresholds(organization);
      this.#thresholds.set(organization, thresholds);
    }
    const evaluation: Evaluation = await rule.evaluate(
      { ws: this.#ws, organizationId, organization, thresholds, at },
      subjectId,
    );

    const open = await this.#openSignals(organizationId, rule, subjectId);
    // Nothing found and nothing open (most evaluations): no signal to change.
    if (evaluation.findings.length > 0 || open.length > 0) {
      await this.#reconcile(organizationId, rule, subjectId, evaluation.findings, open, at, position);
    }

    const key = { organizationId, rule: keysOfRules.get(rule) ?? ruleKey(rule), subjectId };
    const recheckAt = evaluation.recheckAt && evaluation.recheckAt > at ? evaluation.recheckAt : null;
    const timer = await this.#ws.get(frictionTimers, key);
    if (recheckAt) {
      if (timer?.dueAt.getTime() !== recheckAt.getTime()) {
        this.#ws.put(frictionTimers, { ...key, dueAt: recheckAt });
        if (!this.#db) this.#heapOf(organizationId).push({ ...key, dueAt: recheckAt });
      }
    } else if (timer) {
      this.#ws.delete(frictionTimers, key);
    }
    return recheckAt;
  }

  /** Raises, updates and resolves the subject's signals so that the open ones are those found. */
  async #reconcile(
    organizationId: string,
    rule: FrictionRule,
    subjectId: string,
    found: readonly Finding[],
    open: readonly FrictionSignal[],
    at: Date,
    position: bigint | null,
  ): Promise<void> {
    const openByCause = new Map(open.map((signal) => [signal.cause, signal]));
    const findings = [...found].sort((a, b) => compareText(a.cause ?? '', b.cause ?? ''));
    const held = new Set<string>();
    for (const finding of findings) {
      const cause = finding.cause ?? '';
      if (held.has(cause)) throw new Error(`${rule.kind} found cause "${cause}" twice on ${subjectId}`);
      held.add(cause);
      const shape = signalShape(rule.subjectKind, subjectId, finding);
      const existing = openByCause.get(cause);
      if (!existing) {
        const sequence = await this.#nextSequence(organizationId);
        const signal: FrictionSignal = {
          id: uuidv5(`${organizationId}:${sequence}`, SIGNAL_NAMESPACE),
          organizationId,
          kind: rule.kind,
          subjectKind: rule.subjectKind,
          subjectId,
          cause,
          status: 'OPEN',
          ...shape,
          raisedAt: at,
          updatedAt: at,
          resolvedAt: null,
          sequence,
        };
        this.#ws.put(frictionSignals, signal);
        this.#record(signal, 'RAISED', at, position);
      } else if (!sameShape(existing, shape)) {
        const sequence = await this.#nextSequence(organizationId);
        const when = notBefore(at, existing.updatedAt);
        const signal = { ...existing, ...shape, updatedAt: when, sequence };
        this.#ws.put(frictionSignals, signal);
        this.#record(signal, 'UPDATED', when, position);
      }
    }
    // Resolved in cause order: the order rows come back in differs between the database and memory.
    for (const signal of [...open].sort((a, b) => compareText(a.cause, b.cause))) {
      if (held.has(signal.cause)) continue;
      const sequence = await this.#nextSequence(organizationId);
      const when = notBefore(at, signal.updatedAt);
      const resolved = { ...signal, status: 'RESOLVED', resolvedAt: when, updatedAt: when, sequence };
      this.#ws.put(frictionSignals, resolved);
      this.#record(resolved, 'RESOLVED', when, position);
    }
  }

  #heapOf(organizationId: string): TimerHeap {
    let heap = this.#heaps.get(organizationId);
    if (!heap) {
      heap = new TimerHeap();
      this.#heaps.set(organizationId, heap);
    }
    return heap;
  }

  async #frictionState(organizationId: string): Promise<FrictionState> {
    return (
      (await this.#ws.get(frictionStates, { organizationId })) ?? { organizationId, sequence: 0n, clock: new Date(0) }
    );
  }

  async #nextSequence(organizationId: string): Promise<bigint> {
    const state = await this.#frictionState(organizationId);
    const sequence = state.sequence + 1n;
    this.#ws.put(frictionStates, { ...state, sequence });
    return sequence;
  }

  /** The organization's clock before the events being applied. */
  async #clock(organizationId: string): Promise<Date> {
    const known = this.#clocks.get(organizationId);
    if (known) return known;
    const { clock: kept } = await this.#frictionState(organizationId);
    const last = this.#lastOccurred.get(organizationId);
    return last && last > kept ? last : kept;
  }

  /**
   * The organization's clock after an event that happened at `occurredAt`.
   * A later event moves it, and is then the last event: nothing to write. A
   * back-dated one leaves it, and will be the last event while being older:
   * the clock is kept in the friction state row.
   */
  async #advanceClock(organizationId: string, occurredAt: Date): Promise<Date> {
    const clock = await this.#clock(organizationId);
    if (occurredAt >= clock) {
      this.#clocks.set(organizationId, occurredAt);
      return occurredAt;
    }
    this.#clocks.set(organizationId, clock);
    const state = await this.#frictionState(organizationId);
    if (state.clock < clock) this.#ws.put(frictionStates, { ...state, clock });
    return clock;
  }

  #record(signal: FrictionSignal, change: string, at: Date, position: bigint | null): void {
    const row: FrictionSignalChange = {
      organizationId: signal.organizationId,
      sequence: signal.sequence,
      signalId: signal.id,
      kind: signal.kind,
      change,
      severity: signal.severity,
      message: signal.message,
      evidence: signal.evidence,
      at,
      position,
    };
    this.#ws.put(frictionSignalChanges, row);
    this.changes.push(row);
  }
}

const notBefore = (at: Date, earliest: Date) => (at < earliest ? earliest : at);

type Shape = Pick<FrictionSignal, 'severity' | 'message' | 'evidence' | 'teamIds'>;

function signalShape(subjectKind: SubjectKind, subjectId: string, finding: Finding): Shape {
  const teamIds = new Set(finding.teamIds ?? []);
  if (subjectKind === 'TEAM') teamIds.add(subjectId);
  return {
    severity: finding.severity,
    message: finding.message,
    evidence: [...new Set(finding.evidence)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
    teamIds: [...teamIds].sort(compareText),
  };
}

function sameShape(signal: FrictionSignal, shape: Shape): boolean {
  return (
    signal.severity === shape.severity &&
    signal.message === shape.message &&
    signal.evidence.length === shape.evidence.length &&
    signal.evidence.every((position, index) => position === shape.evidence[index]) &&
    signal.teamIds.length === shape.teamIds.length &&
    signal.teamIds.every((id, index) => id === shape.teamIds[index])
  );
}

async function subjectsOfKind(ws: WorkingSet, kind: SubjectKind, organizationId: string): Promise<string[]> {
  switch (kind) {
    case 'ORGANIZATION':
      return [organizationId];
    case 'TEAM':
      return (await ws.where(teams, { organizationId })).map((row) => row.id);
    case 'PERSON':
      return (await ws.where(people, { organizationId })).map((row) => row.id);
    case 'RESPONSIBILITY':
      return (await ws.where(responsibilities, { organizationId })).map((row) => row.id);
    case 'VALUE_STREAM':
      return (await ws.where(valueStreams, { organizationId })).map((row) => row.id);
    case 'ASSET':
      return (await ws.where(assets, { organizationId })).map((row) => row.id);
  }
}

/** A binary min-heap of timers in (due, kind, subject) order. */
class TimerHeap {
  readonly #items: Timer[] = [];

  push(timer: Timer): void {
    const items = this.#items;
    items.push(timer);
    for (let i = items.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (compareTimers(items[i]!, items[parent]!) >= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  peek(): Timer | undefined {
    return this.#items[0];
  }

  pop(): Timer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      for (let i = 0; ; ) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && compareTimers(items[left]!, items[smallest]!) < 0) smallest = left;
        if (right < items.length && compareTimers(items[right]!, items[smallest]!) < 0) smallest = right;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest]!, items[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

/**
 * An engine that evaluates nothing: for replays that want the read models
 * alone (as-of reconstructions) and for measuring what the engine costs.
 */
export class NoFrictionEngine extends FrictionEngine {
  override async beforeEvents(): Promise<void> {}
  override async collect(): Promise<void> {}
  override async evaluateCollected(): Promise<void> {}
}
