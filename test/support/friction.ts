// Looking at friction signals in tests: the rows the engine wrote, the changes
// it numbered, and the scheduler run at a chosen time.
import { fireDueTimers } from '../../projections/friction/scheduler.ts';
import type { Commands } from './commands.ts';
import type { TestDatabase } from './database.ts';

export type SignalRow = {
  id: string;
  kind: string;
  subjectKind: string;
  subjectId: string;
  cause: string;
  severity: string;
  status: 'OPEN' | 'RESOLVED';
  message: string;
  evidence: bigint[];
  teamIds: string[];
  raisedAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
};

/** The organization's signals of `kind` (every status unless told), oldest raise first. */
export async function signalsOf(
  db: TestDatabase,
  org: Commands,
  kind: string,
  status?: 'OPEN' | 'RESOLVED',
): Promise<SignalRow[]> {
  const result = await db.pool.query(
    `SELECT id, kind, subject_kind, subject_id, cause, severity, status, message, evidence::text[] AS evidence,
            team_ids, raised_at, updated_at, resolved_at
     FROM friction_signals WHERE organization_id = $1 AND kind = $2 AND ($3::text IS NULL OR status = $3)
     ORDER BY raised_at, id`,
    [org.organizationId, kind, status ?? null],
  );
  return result.rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    subjectKind: row.subject_kind,
    subjectId: row.subject_id,
    cause: row.cause,
    severity: row.severity,
    status: row.status,
    message: row.message,
    evidence: (row.evidence as string[]).map(BigInt),
    teamIds: row.team_ids,
    raisedAt: row.raised_at,
    updatedAt: row.updated_at,
    resolvedAt: row.resolved_at,
  }));
}

/** The open signals of `kind` on one subject. */
export async function openOn(db: TestDatabase, org: Commands, kind: string, subjectId: string): Promise<SignalRow[]> {
  return (await signalsOf(db, org, kind, 'OPEN')).filter((signal) => signal.subjectId === subjectId);
}

/** Every change of the organization's signals, in sequence order. */
export async function changesOf(db: TestDatabase, org: Commands) {
  const result = await db.pool.query(
    `SELECT sequence::int AS sequence, signal_id, kind, change, severity, at, position::text AS position
     FROM friction_signal_changes WHERE organization_id = $1 ORDER BY sequence`,
    [org.organizationId],
  );
  return result.rows as {
    sequence: number;
    signal_id: string;
    kind: string;
    change: string;
    severity: string;
    at: Date;
    position: string | null;
  }[];
}

/** Runs the timer scheduler as if the clock read `at`. */
export const fireTimersAt = (db: TestDatabase, org: Commands, at: Date) => fireDueTimers(db.pool, org.store, () => at);

/** The positions an outcome's events got. */
export const positionsOf = (outcome: { events: readonly { position: bigint }[] }) =>
  outcome.events.map((event) => event.position);
