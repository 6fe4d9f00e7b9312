// The changes of an organization's friction signals as they are committed, in
// sequence order with no gap: sequence numbers are given under the
// organization's friction lock, which is held until commit, so a reader never
// sees a number before the ones below it. Notifications only shorten the wait.
import { isTransient } from '../../src/db/transient.ts';
import type { EventStore } from '../../src/eventStore/eventStore.ts';
import { sleep } from '../../src/eventStore/subscription.ts';
import type { Queryable } from '../../src/eventStore/types.ts';

/** One change, as it was made (the signal itself may have changed since). */
export type SignalChangeRecord = {
  sequence: bigint;
  signalId: string;
  kind: string;
  change: string;
  severity: string;
  message: string;
  at: Date;
  /** The event that caused it; null when time passing did. */
  position: bigint | null;
};

export type FollowOptions = {
  /** Exclusive; omitted: only changes from now on. */
  after?: bigint;
  kinds?: readonly string[];
  signal?: AbortSignal;
  pollIntervalMs?: number;
  batchSize?: number;
};

/** The last change sequence number of the organization (0 when none). */
export async function lastSignalChange(db: Queryable, organizationId: string): Promise<bigint> {
  const result = await db.query<{ sequence: string }>(
    'SELECT sequence::text AS sequence FROM friction_states WHERE organization_id = $1',
    [organizationId],
  );
  return BigInt(result.rows[0]?.sequence ?? 0);
}

export async function* followSignalChanges(
  db: Queryable,
  store: EventStore,
  organizationId: string,
  options: FollowOptions = {},
): AsyncGenerator<SignalChangeRecord, void, undefined> {
  const { signal, kinds } = options;
  const batchSize = options.batchSize ?? 500;
  let sequence = options.after ?? (await lastSignalChange(db, organizationId));
  let attempt = 0;
  while (!signal?.aborted) {
    const token = store.changeToken(organizationId);
    let rows: {
      sequence: string;
      signal_id: string;
      kind: string;
      change: string;
      severity: string;
      message: string;
      at: Date;
      position: string | null;
    }[];
    try {
      rows = (
        await db.query(
          `SELECT sequence::text AS sequence, signal_id, kind, change, severity, message, at, position::text AS position
           FROM friction_signal_changes
           WHERE organization_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
          [organizationId, sequence.toString(), batchSize],
        )
      ).rows;
      attempt = 0;
    } catch (error) {
      if (!isTransient(error)) throw error;
      attempt++;
      await sleep(Math.min(5_000, 50 * 2 ** attempt), signal);
      continue;
    }
    for (const row of rows) {
      if (signal?.aborted) return;
      sequence = BigInt(row.sequence);
      if (kinds && kinds.length > 0 && !kinds.includes(row.kind)) continue;
      yield {
        sequence,
        signalId: row.signal_id,
        kind: row.kind,
        change: row.change,
        severity: row.severity,
        message: row.message,
        at: row.at,
        position: row.position === null ? null : BigInt(row.position),
      };
    }
    if (rows.length === batchSize) continue;
    await store.waitForChange(organizationId, token, options.pollIntervalMs ?? 1_000, signal);
  }
}
