// Runs a command: validate, decide against current state, append, claim
// unique values, update the read models, all in one transaction. Read-your-
// writes: when this returns, queries already show the change.
//
// A decision made against a stream that moved meanwhile is retried from
// scratch (the append's expected version catches it), unless the caller
// pinned `expectedVersion`, in which case the conflict is theirs to see.
import type pg from 'pg';
import { v7 as uuidv7 } from 'uuid';
import { z } from 'zod';
import { beginLocked, FrictionEngine, isStaleCopyError } from '../../projections/friction/engine.ts';
import { applyEvents } from '../../projections/index.ts';
import { executeSql } from '../db/prepared.ts';
import { ConflictError, ValidationError } from '../errors.ts';
import { ConcurrencyError } from '../eventStore/errors.ts';
import type { AppendRow, EventStore } from '../eventStore/eventStore.ts';
import type { AppendRequest, AppendResult, EventMetadata, Queryable, RecordedEvent } from '../eventStore/types.ts';
import type { Resident, ResidentModels } from '../readModel/resident.ts';
import type { TableSpec } from '../readModel/table.ts';
import { WorkingSet } from '../readModel/workingSet.ts';
import type { Aggregate } from './aggregate.ts';
import type { Claim, CommandContext, CommandHandler, CommandMeta, Decision } from './command.ts';

export type CommandDeps = {
  pool: pg.Pool;
  store: EventStore;
  /** Injectable for tests; defaults to the wall clock. */
  clock?: () => Date;
  /** Called after a command committed, with the events it appended (metrics, live notifications). */
  onCommitted?: (events: readonly RecordedEvent[]) => void;
  /** Called after a command committed, with the friction signal changes it made (metrics). */
  onFrictionChanges?: (changes: readonly { kind: string; change: string }[]) => void;
  /** Makes the friction engine of a command without a resident copy (instrumentation: bench:signals times it). */
  frictionEngine?: (ws: WorkingSet, client: pg.PoolClient) => FrictionEngine;
  /**
   * Resident copies of organizations' read models (src/readModel/resident.ts):
   * commands read rows from memory instead of one query per lookup. Without
   * it every command loads what it reads from the database.
   */
  resident?: ResidentModels;
};

export type CommandOutcome<Result> = {
  result: Result;
  /** The last event appended (or, for a command that changed nothing, the target stream's last event). */
  position: bigint | null;
  events: RecordedEvent[];
  /** True when an earlier command with the same idempotency key answered. */
  replayed: boolean;
  /**
   * The row `readBack` asked for, as this command left it: read from the
   * resident copy it committed (undefined without one, or when the row is
   * gone). Rows are never changed in place, so later commands do not alter it.
   */
  row?: object | undefined;
};

/** A read-model row a caller wants back from a command (a mutation's payload), by table and key. */
export type ReadBack = { spec: TableSpec<object>; key: object };

const MAX_ATTEMPTS = 5;
/** Clocks of clients and servers disagree a little; more than this is a mistake. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export async function executeCommand<Input, Result>(
  deps: CommandDeps,
  handler: CommandHandler<Input, Result>,
  organizationId: string,
  rawInput: unknown,
  meta: CommandMeta,
  readBack?: ReadBack,
): Promise<CommandOutcome<Result>> {
  const parsed = handler.input.safeParse(rawInput);
  if (!parsed.success) {
    throw new ValidationError(`Invalid input for ${handler.name}: ${z.prettifyError(parsed.error)}`, {
      issues: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    });
  }
  const input = parsed.data;
  const now = deps.clock?.() ?? new Date();
  if (meta.occurredAt) {
    if (Number.isNaN(meta.occurredAt.getTime())) throw new ValidationError('occurredAt is not a date');
    if (meta.occurredAt.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw new ValidationError('occurredAt is in the future: events record what happened, not plans');
    }
  }

  if (meta.idempotencyKey !== undefined) {
    const previous = await findCommandResult<Result>(deps.pool, organizationId, meta.idempotencyKey, handler.name);
    if (previous) return previous;
  }

  const run = (endTurn?: () => void) =>
    runCommand(deps, handler, organizationId, input, meta, meta.occurredAt ?? now, readBack, endTurn);
  // Commands of one organization take turns in this process before they take
  // a connection: the resident copy is free when a command's turn comes. A
  // command ends its turn once its COMMIT is sent (see `settle`).
  return deps.resident ? deps.resident.turn(organizationId, run) : run();
}

async function runCommand<Input, Result>(
  deps: CommandDeps,
  handler: CommandHandler<Input, Result>,
  organizationId: string,
  input: Input,
  meta: CommandMeta,
  /** Org time of the command: back-dated, or the clock's now. Every event gets it. */
  occurredAt: Date,
  readBack: ReadBack | undefined,
  /** Ends the command's turn (ResidentModels.turn) before it returns. */
  endTurn: (() => void) | undefined,
): Promise<CommandOutcome<Result>> {
  // First try: decide on the resident copy as it is, then open the
  // transaction, take the lock, check the copy is current and append, in one
  // round trip. Anything unexpected on that path (a stale copy, a conflict, a
  // domain error the copy may have caused) sends the command down the
  // checked path, which reads the head under the lock before deciding.
  let decideFirst = deps.resident !== undefined;
  let client = await deps.pool.connect();
  /** A rollback that failed: the connection could still hold the transaction, so it is not reused. */
  let broken: Error | undefined;
  try {
    for (let attempt = 1; ; ) {
      if (broken) {
        client.release(broken);
        broken = undefined;
        client = await deps.pool.connect();
      }
      const outcome = await attemptCommand(attempt);
      if (outcome === RETRY) attempt++;
      else if (outcome !== AGAIN) return outcome;
    }
  } finally {
    client.release(broken);
  }

  async function attemptCommand(attempt: number): Promise<CommandOutcome<Result> | typeof RETRY | typeof AGAIN> {
    let resident = decideFirst ? deps.resident!.lend(organizationId) : undefined;
    const tryingFirst = resident !== undefined;
    /** A transaction may be open (BEGIN sent). */
    let began = false;
    /** The COMMIT was sent: it may have committed. */
    let committing = false;
    try {
      const friction: FrictionEngine[] = [];
      let step: Step;
      let decided: Decided<Result>;
      let appended: AppendResult | undefined;
      if (resident) {
        // The organization's previous command may still be committing what
        // the copy shows (its turn ended when it sent its COMMIT).
        step = { deps, client, organizationId, meta, reads: resident.ws, resident, previous: resident.settled };
        decided = await decide(step, handler, input, occurredAt);
        const append =
          decided.requests.length > 0 ? deps.store.prepareAppend(organizationId, decided.requests) : undefined;
        // The check that the copy is current, then the append (it rides
        // along once this connection has it prepared): a stale copy fails
        // the check and the append never runs.
        began = true;
        const opened = await beginLocked(client, organizationId, {
          expect: { head: resident.position, generation: resident.generation },
          next: append && executeSql(client, append.query),
        }).catch(async (error: unknown) => {
          // Another process wrote, unless the copy was stale because the
          // previous command here did not commit.
          if (isStaleCopyError(error) && (await (step.previous ?? true))) deps.resident!.stale(organizationId);
          throw error;
        });
        if (append) {
          appended = opened.rows
            ? append.result(opened.rows as AppendRow[])
            : await deps.store.appendPrepared(organizationId, append, { within: client });
        }
      } else {
        // Commands of one organization run one after the other, from their
        // first read: the friction rules evaluate live what a replay of the
        // log evaluates (position order), and a decision never rests on reads
        // that a concurrent command of the organization (another stream, or
        // another process) makes stale, such as adding a member who is being
        // offboarded. (Under the lock the previous command's transaction has
        // ended, and a copy at the head read here holds only committed
        // events: positions are never reused, so nothing is left to wait for.)
        began = true;
        const at = await beginLocked(client, organizationId);
        if (meta.idempotencyKey !== undefined) {
          // Under the lock, a command with the same key that went first has
          // committed: answer with its result rather than decide again (a
          // second decision could fail where the first succeeded, e.g. on
          // the team name the first one took).
          const previous = await findCommandResult<Result>(client, organizationId, meta.idempotencyKey, handler.name);
          if (previous) {
            await client.query('ROLLBACK');
            began = false;
            return previous;
          }
        }
        resident = await deps.resident?.checkout(client, organizationId, at);
        step = {
          deps,
          client,
          organizationId,
          meta,
          reads: resident?.ws ?? new WorkingSet(client),
          resident,
          previous: undefined,
        };
        decided = await decide(step, handler, input, occurredAt);
        if (decided.requests.length > 0) {
          appended = await deps.store.appendMany(organizationId, decided.requests, { within: client });
        }
      }
      const outcome = await apply(step, handler.name, decided, appended, friction);
      // This transaction got the lock once the previous command's had ended,
      // so PostgreSQL knows that COMMIT's outcome (its answer may still be on
      // its way here). Had it failed, the check would have failed too (its
      // positions are never reused), but nothing here commits on a copy that
      // shows what did not commit.
      await afterPrevious(step.previous);
      // (The copy's engine starts afresh for the next command.)
      const changes = friction.flatMap((engine) => [...engine.changes]);
      if (readBack && resident) outcome.row = await resident.ws.get(readBack.spec, readBack.key);
      // The rows the command's events changed, with the COMMIT: one round
      // trip. Once it is sent, the copy shows this command's events and the
      // organization's next command may decide on it (`settle`).
      committing = true;
      const commit = step.reads.flushAndCommit(client);
      if (resident) {
        deps.resident!.settle(resident, outcome.events, commit);
        resident = undefined;
        endTurn?.();
      }
      await commit;
      if (outcome.events.length > 0) {
        deps.store.notifyAppended(organizationId);
        deps.onCommitted?.(outcome.events);
      }
      if (changes.length > 0) deps.onFrictionChanges?.(changes);
      return outcome;
    } catch (error) {
      if (began) await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
      if (resident) deps.resident!.release(resident);
      resident = undefined;
      if (meta.idempotencyKey !== undefined && isUniqueViolation(error, 'command_results_pkey')) {
        // A concurrent retry with the same key won; answer with its result
        // (on this connection, unless its rollback failed).
        const previous = await findCommandResult<Result>(
          broken ? deps.pool : client,
          organizationId,
          meta.idempotencyKey,
          handler.name,
        );
        if (previous) return previous;
      }
      if (tryingFirst && !committing) {
        // Not an attempt: decide again, on a copy checked under the lock.
        // (Not after the COMMIT was sent: it may have committed.)
        decideFirst = false;
        return AGAIN;
      }
      const retry = error instanceof ConcurrencyError && meta.expectedVersion === undefined && attempt < MAX_ATTEMPTS;
      if (retry) return RETRY;
      throw error;
    }
  }
}

/** An attempt that lost to a concurrent command: the next attempt. */
const RETRY = Symbol('retry');
/** A decision on the resident copy that failed: the same attempt again, on the checked path. */
const AGAIN = Symbol('again');

/** The organization's previous command did not commit: the copy this one decided on showed its events. */
class PreviousCommandFailed extends Error {
  constructor() {
    super('The organization’s previous command did not commit');
  }
}

/** Waits for the COMMIT of the command whose events the copy shows; throws if it failed. */
async function afterPrevious(previous: Promise<boolean> | undefined): Promise<void> {
  if (previous && !(await previous)) throw new PreviousCommandFailed();
}

/** A command's decision and the appends it makes of it. */
type Decided<Result> = {
  decision: Decision<Result>;
  requests: AppendRequest[];
  /** The command's target stream, if it has one. */
  target: string | undefined;
};

/** What the steps of one attempt at a command share. */
type Step = {
  deps: CommandDeps;
  client: pg.PoolClient;
  organizationId: string;
  meta: CommandMeta;
  /**
   * The read models the command reads and projects into: the organization's
   * resident copy, or rows loaded in the transaction. The caller writes the
   * changes with the COMMIT.
   */
  reads: WorkingSet;
  /** The organization's resident copy (whose `ws` is `reads`), if any. */
  resident: Resident | undefined;
  /**
   * Whether the command whose events the copy shows last committed, when
   * that may still be unknown (a copy lent before the lock): reads of the
   * database wait for it, since they would not see that command's events
   * before it commits.
   */
  previous: Promise<boolean> | undefined;
};

async function decide<Input, Result>(
  { deps, client, organizationId, meta, reads, resident, previous }: Step,
  handler: CommandHandler<Input, Result>,
  input: Input,
  occurredAt: Date,
): Promise<Decided<Result>> {
  const context: CommandContext = {
    organizationId,
    meta,
    reads,
    now: occurredAt,
    load: (aggregate, id) => loadAggregate(deps.store, client, organizationId, aggregate, id, resident, previous),
    streamVersion: async (streamId) => {
      await afterPrevious(previous);
      return deps.store.streamVersion(organizationId, streamId, { within: client });
    },
    newId: () => uuidv7(),
  };
  const decision: Decision<Result> = await handler.run(context, input);
  const target = handler.target?.(input, organizationId);
  if (meta.expectedVersion !== undefined && target !== undefined) {
    const pinned = decision.appends.find((append) => append.streamId === target);
    if (pinned) pinned.expectedVersion = meta.expectedVersion;
    else {
      const actual = await context.streamVersion(target);
      if (actual !== meta.expectedVersion) throw new ConcurrencyError(target, meta.expectedVersion, actual);
    }
  } else if (meta.expectedVersion !== undefined && meta.expectedVersion !== 0) {
    // A command that creates its object starts a new stream, which is at
    // version 0: any other expectation cannot hold.
    const created = decision.appends[0]?.streamId ?? handler.name;
    throw new ConcurrencyError(created, meta.expectedVersion, 0);
  }

  const metadata: EventMetadata = { actor: meta.actor };
  if (meta.reason !== undefined) metadata.reason = meta.reason;
  if (meta.correlationId !== undefined) metadata.correlationId = meta.correlationId;
  if (meta.causationId !== undefined) metadata.causationId = meta.causationId;
  if (meta.idempotencyKey !== undefined) metadata.idempotencyKey = meta.idempotencyKey;
  const requests: AppendRequest[] = decision.appends
    .filter((append) => append.events.length > 0)
    .map((append) => ({
      streamId: append.streamId,
      expectedVersion: append.expectedVersion,
      events: append.events.map((event) => ({
        type: event.type,
        data: event.data,
        metadata,
        occurredAt,
      })),
    }));
  return { decision, requests, target };
}

/**
 * After the append, in its transaction: the claims, the read models and the
 * friction rules (in `reads`, written by the caller with the COMMIT), and the
 * idempotency record.
 */
async function apply<Result>(
  { deps, client, organizationId, meta, reads, resident }: Step,
  command: string,
  { decision, target }: Decided<Result>,
  appended: AppendResult | undefined,
  /** Receives the friction engine that evaluated the command's events. */
  friction: FrictionEngine[],
): Promise<CommandOutcome<Result>> {
  let recorded: RecordedEvent[] = [];
  let position: bigint | null = null;
  if (appended) {
    recorded = appended.recorded;
    position = appended.lastPosition;
    await takeClaims(client, organizationId, decision.claims ?? [], decision.releases ?? []);
  } else if (target !== undefined) {
    position = await lastPositionOf(client, organizationId, target);
  }
  // Before the read models: a concurrent command with the same key that
  // committed first fails this one here, before it changed the copy.
  if (meta.idempotencyKey !== undefined) {
    await client.query(
      `INSERT INTO command_results (organization_id, idempotency_key, command, result, position)
       VALUES ($1, $2, $3, $4, $5)`,
      [organizationId, meta.idempotencyKey, command, JSON.stringify(decision.result), position?.toString() ?? '0'],
    );
  }
  if (appended) {
    const engine = resident?.engine ?? deps.frictionEngine?.(reads, client) ?? new FrictionEngine(reads, client);
    if (resident) resident.mutated = true;
    friction.push(engine);
    await applyEvents(reads, recorded, engine);
  }
  return { result: decision.result, position, events: recorded, replayed: false };
}

async function loadAggregate<State>(
  store: EventStore,
  client: pg.PoolClient,
  organizationId: string,
  aggregate: Aggregate<State>,
  id: string,
  resident: Resident | undefined,
  previous: Promise<boolean> | undefined,
) {
  const streamId = aggregate.stream(id);
  // A current resident copy holds the state any earlier command loaded.
  const streams = resident?.aggregates.get(aggregate as Aggregate<unknown>);
  const cached = streams?.get(streamId);
  if (cached) return { state: cached.state as State, version: cached.version };
  await afterPrevious(previous);
  const events = await store.readStream(organizationId, streamId, { within: client });
  let state = aggregate.initial;
  for (const event of events) state = aggregate.evolve(state, event as Parameters<typeof aggregate.evolve>[1]);
  const version = events.at(-1)?.streamVersion ?? 0;
  if (resident) {
    const byStream = streams ?? new Map();
    byStream.set(streamId, { state, version });
    resident.aggregates.set(aggregate as Aggregate<unknown>, byStream);
  }
  return { state, version };
}

/** The organization id under which platform-wide claims are kept. */
const PLATFORM = '00000000-0000-0000-0000-000000000000';

async function takeClaims(client: pg.PoolClient, commandOrganizationId: string, claims: Claim[], releases: Claim[]) {
  const scope = (claim: Claim) => (claim.platform ? PLATFORM : commandOrganizationId);
  for (const release of releases) {
    const organizationId = scope(release);
    await client.query(
      'DELETE FROM unique_claims WHERE organization_id = $1 AND kind = $2 AND value = $3 AND stream_id = $4',
      [organizationId, release.kind, release.value, release.streamId],
    );
  }
  for (const claim of claims) {
    const organizationId = scope(claim);
    // A concurrent claim of the same value waits here for the other
    // transaction, then finds the row: exactly one of them wins.
    const inserted = await client.query(
      `INSERT INTO unique_claims (organization_id, kind, value, stream_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING`,
      [organizationId, claim.kind, claim.value, claim.streamId],
    );
    if (inserted.rowCount === 0) {
      const holder = await client.query<{ stream_id: string }>(
        'SELECT stream_id FROM unique_claims WHERE organization_id = $1 AND kind = $2 AND value = $3',
        [organizationId, claim.kind, claim.value],
      );
      if (holder.rows[0]?.stream_id !== claim.streamId) {
        throw new ConflictError(`The ${claim.kind} "${claim.value}" is already taken`, {
          kind: claim.kind,
          value: claim.value,
        });
      }
    }
  }
}

async function lastPositionOf(client: pg.PoolClient, organizationId: string, streamId: string): Promise<bigint | null> {
  const result = await client.query<{ position: string }>(
    `SELECT position::text AS position FROM events WHERE organization_id = $1 AND stream_id = $2
     ORDER BY stream_version DESC LIMIT 1`,
    [organizationId, streamId],
  );
  return result.rows[0] ? BigInt(result.rows[0].position) : null;
}

async function findCommandResult<Result>(
  db: Queryable,
  organizationId: string,
  key: string,
  command: string,
): Promise<CommandOutcome<Result> | undefined> {
  const found = await db.query<{ command: string; result: Result; position: string }>(
    `SELECT command, result, position::text AS position FROM command_results
     WHERE organization_id = $1 AND idempotency_key = $2`,
    [organizationId, key],
  );
  const row = found.rows[0];
  if (!row) return undefined;
  if (row.command !== command) {
    throw new ConflictError(`Idempotency key "${key}" was already used for ${row.command}`, { idempotencyKey: key });
  }
  return {
    result: row.result,
    position: row.position === '0' ? null : BigInt(row.position),
    events: [],
    replayed: true,
  };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  return (error as { code?: string }).code === '23505' && (error as { constraint?: string }).constraint === constraint;
}
