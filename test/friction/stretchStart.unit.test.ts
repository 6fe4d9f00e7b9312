// STALE_AGREEMENT's "members since": the membership that started a team's
// current unbroken stretch with members. The rule finds it in a few passes
// over the memberships; this checks it against the plain definition (sort the
// intervals by start, merge those that overlap or touch, keep the last run if
// it reaches now) on random histories, ties in time included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stretchStart } from '../../projections/friction/rules/staleAgreement.ts';
import type { Membership } from '../../src/generated/prisma/client.ts';

/** The definition: sort by (from, position), sweep, merge. */
function reference(rows: readonly Membership[]): Membership | null {
  const sorted = [...rows].sort(
    (a, b) => a.from.getTime() - b.from.getTime() || (a.position < b.position ? -1 : a.position > b.position ? 1 : 0),
  );
  let start: Membership | null = null;
  let end = Number.NEGATIVE_INFINITY;
  for (const row of sorted) {
    const to = row.to === null ? Number.POSITIVE_INFINITY : row.to.getTime();
    if (!start || row.from.getTime() > end) {
      start = row;
      end = to;
    } else end = Math.max(end, to);
  }
  return end === Number.POSITIVE_INFINITY ? start : null;
}

/** Memberships on a small grid of days, so that starts and ends often coincide. */
const histories = fc
  .array(fc.record({ from: fc.integer({ min: 0, max: 30 }), length: fc.option(fc.integer({ min: 0, max: 10 })) }), {
    maxLength: 25,
  })
  .map((intervals) =>
    intervals.map(
      ({ from, length }, index) =>
        ({
          id: `m${index}`,
          position: BigInt(1 + ((index * 7) % 31)) * 100n + BigInt(index),
          from: new Date(from * 86_400_000),
          to: length === null ? null : new Date((from + length) * 86_400_000),
        }) as Membership,
    ),
  );

describe('stretchStart', () => {
  it('is the membership the sort-and-merge definition finds, or none', () => {
    fc.assert(
      fc.property(histories, (rows) => {
        expect(stretchStart(rows)).toBe(reference(rows));
      }),
      { numRuns: 2_000 },
    );
  });

  it('merges intervals that touch, and starts over after a moment with nobody', () => {
    const day = (n: number) => new Date(n * 86_400_000);
    const row = (id: string, from: number, to: number | null, position: bigint) =>
      ({ id, position, from: day(from), to: to === null ? null : day(to) }) as Membership;
    const touching = [row('a', 0, 5, 1n), row('b', 5, null, 2n)];
    expect(stretchStart(touching)?.id).toBe('a');
    const gap = [row('a', 0, 5, 1n), row('b', 6, null, 2n)];
    expect(stretchStart(gap)?.id).toBe('b');
    expect(stretchStart([row('a', 0, 5, 1n)])).toBeNull();
    // Starting together: the one logged first.
    expect(stretchStart([row('late', 3, null, 9n), row('early', 3, null, 4n)])?.id).toBe('early');
  });
});
