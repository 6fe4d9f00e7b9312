// Histories kept in org time. Events may be back-dated, so a history is the
// set of its change points sorted by (occurredAt, position), never the order
// the events were recorded in. Commands and projections both derive "what
// holds now" and "what held when" from these two functions.

export type ChangePoint<Value> = {
  id: string;
  occurredAt: Date;
  position: bigint;
  /** The value from this point on; null ends what held before. */
  value: Value | null;
};

export type Interval<Value> = {
  /** The change point that opened the interval. */
  id: string;
  from: Date;
  to: Date | null;
  position: bigint;
  value: Value;
};

export function inOrgTime<Point extends { occurredAt: Date; position: bigint }>(points: readonly Point[]): Point[] {
  return [...points].sort(
    (a, b) =>
      a.occurredAt.getTime() - b.occurredAt.getTime() ||
      (a.position < b.position ? -1 : a.position > b.position ? 1 : 0),
  );
}

/**
 * The intervals during which a value held. A point whose value equals the
 * one already holding (by `same`) continues the interval instead of splitting it.
 */
export function intervals<Value>(
  points: readonly ChangePoint<Value>[],
  same: (a: Value, b: Value) => boolean = (a, b) => JSON.stringify(a) === JSON.stringify(b),
): Interval<Value>[] {
  const result: Interval<Value>[] = [];
  let open: Interval<Value> | undefined;
  for (const point of inOrgTime(points)) {
    if (point.value === null) {
      if (open) open.to = point.occurredAt;
      open = undefined;
      continue;
    }
    if (open && same(open.value, point.value)) continue;
    if (open) open.to = point.occurredAt;
    open = { id: point.id, from: point.occurredAt, to: null, position: point.position, value: point.value };
    result.push(open);
  }
  return result;
}

/** What holds after every point (by org time); null when nothing does. */
export function current<Value>(points: readonly ChangePoint<Value>[]): Value | null {
  const ordered = inOrgTime(points);
  return ordered.at(-1)?.value ?? null;
}

/** What held at `at` (exclusive of points after it). */
export function valueAt<Value>(points: readonly ChangePoint<Value>[], at: Date): Value | null {
  let value: Value | null = null;
  for (const point of inOrgTime(points)) {
    if (point.occurredAt.getTime() > at.getTime()) break;
    value = point.value;
  }
  return value;
}
