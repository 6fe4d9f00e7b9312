import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.ts';
import {
  ConcurrencyError,
  DuplicateEventIdError,
  EmptyAppendError,
  InvalidEventDataError,
  UnknownEventTypeError,
} from '../../src/eventStore/errors.ts';
import { ALL_ORGANIZATIONS, EventStore, lastEventSql } from '../../src/eventStore/eventStore.ts';
import type { ExpectedVersion } from '../../src/eventStore/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { incremented, legacyCatalog, opened, testCatalog } from '../support/testEvents.ts';

let db: TestDatabase;
let store: EventStore;
const org = () => uuidv7();

beforeAll(async () => {
  db = await createTestDatabase();
  store = new EventStore(db.pool, testCatalog());
});
afterAll(() => db.drop());

async function eventCount(): Promise<number> {
  const result = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
  return result.rows[0]!.n;
}

describe('expected versions', () => {
  const cases: { name: string; existing: number; expected: ExpectedVersion; accepted: boolean }[] = [
    { name: 'ANY on a new stream', existing: 0, expected: 'ANY', accepted: true },
    { name: 'ANY on an existing stream', existing: 2, expected: 'ANY', accepted: true },
    { name: 'NO_STREAM on a new stream', existing: 0, expected: 'NO_STREAM', accepted: true },
    { name: 'NO_STREAM on an existing stream', existing: 1, expected: 'NO_STREAM', accepted: false },
    { name: 'STREAM_EXISTS on a new stream', existing: 0, expected: 'STREAM_EXISTS', accepted: false },
    { name: 'STREAM_EXISTS on an existing stream', existing: 3, expected: 'STREAM_EXISTS', accepted: true },
    { name: 'exact 0 on a new stream', existing: 0, expected: 0, accepted: true },
    { name: 'exact version ahead on a new stream', existing: 0, expected: 5, accepted: false },
    { name: 'exact 0 on an existing stream', existing: 1, expected: 0, accepted: false },
    { name: 'exact version that matches', existing: 3, expected: 3, accepted: true },
    { name: 'exact version behind', existing: 3, expected: 2, accepted: false },
    { name: 'exact version ahead', existing: 3, expected: 4, accepted: false },
  ];

  it.each(cases)('$name: accepted=$accepted', async ({ existing, expected, accepted }) => {
    const organizationId = org();
    const streamId = 'counter-1';
    if (existing > 0) {
      await store.append(organizationId, streamId, [
        opened(),
        ...Array.from({ length: existing - 1 }, () => incremented()),
      ]);
    }
    const attempt = store.append(organizationId, streamId, [incremented(5)], { expectedVersion: expected });
    if (accepted) {
      const result = await attempt;
      expect(result.events).toHaveLength(1);
      expect(result.events[0]!.streamVersion).toBe(existing + 1);
      expect(result.streamVersions[streamId]).toBe(existing + 1);
    } else {
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConcurrencyError);
      expect(error).toMatchObject({ code: 'CONFLICT', streamId, expected, actual: existing });
      expect(await store.streamVersion(organizationId, streamId)).toBe(existing);
    }
  });

  it('rejects a negative or fractional exact version before touching the database', async () => {
    await expect(store.append(org(), 's', [opened()], { expectedVersion: -1 })).rejects.toBeInstanceOf(ValidationError);
    await expect(store.append(org(), 's', [opened()], { expectedVersion: 1.5 })).rejects.toBeInstanceOf(
      ValidationError,
    );
  });
});

describe('atomic batches', () => {
  it('numbers a batch with consecutive versions and positions', async () => {
    const organizationId = org();
    const result = await store.append(organizationId, 'c', [opened(), incremented(1), incremented(2)]);
    expect(result.events.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
    const positions = result.events.map((e) => e.position);
    expect(positions[1]! - positions[0]!).toBe(1n);
    expect(positions[2]! - positions[1]!).toBe(1n);
    expect(result.lastPosition).toBe(positions[2]);
  });

  it('appends several streams in one transaction, or none of them', async () => {
    const organizationId = org();
    await store.append(organizationId, 'b', [opened('b')]);
    const before = await eventCount();
    await expect(
      store.appendMany(organizationId, [
        { streamId: 'a', events: [opened('a')], expectedVersion: 'NO_STREAM' },
        { streamId: 'b', events: [incremented()], expectedVersion: 'NO_STREAM' },
      ]),
    ).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await eventCount()).toBe(before);
    expect(await store.streamVersion(organizationId, 'a')).toBe(0);

    const result = await store.appendMany(organizationId, [
      { streamId: 'a', events: [opened('a'), incremented()], expectedVersion: 'NO_STREAM' },
      { streamId: 'b', events: [incremented()], expectedVersion: 1 },
    ]);
    expect(result.streamVersions).toEqual({ a: 2, b: 2 });
    expect(result.events.map((e) => e.streamId)).toEqual(['a', 'a', 'b']);
  });

  it('runs inside a caller transaction and rolls back with it', async () => {
    const organizationId = org();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await store.append(organizationId, 'c', [opened()], { within: client });
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await store.readStream(organizationId, 'c')).toEqual([]);
  });

  it('refuses to append after the transaction already wrote something', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMP TABLE scratch (x int)');
      await client.query('INSERT INTO scratch VALUES (1)');
      await expect(store.append(org(), 'c', [opened()], { within: client })).rejects.toThrow(/first write/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});

describe('bad input is rejected with nothing written', () => {
  it.each([
    ['an unknown type', [{ type: 'NoSuchEvent', data: {} }], UnknownEventTypeError],
    ['a payload failing its schema', [{ type: 'CounterOpened', data: { name: 42 } }], InvalidEventDataError],
    [
      'a payload missing a field',
      [opened(), { type: 'CounterIncremented', data: { amount: 1 } }],
      InvalidEventDataError,
    ],
    ['an empty batch', [], EmptyAppendError],
    ['an event id that is not a uuid', [{ ...opened(), id: 'not-a-uuid' }], ValidationError],
    ['metadata that is not text', [{ ...opened(), metadata: { actor: 7 as unknown as string } }], ValidationError],
  ])('%s', async (_name, events, errorClass) => {
    const before = await eventCount();
    const error = await store.append(org(), 'c', events).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await eventCount()).toBe(before);
  });

  it('rejects an organization id that is not a uuid', async () => {
    await expect(store.append('acme', 'c', [opened()])).rejects.toBeInstanceOf(ValidationError);
    await expect(store.readAll('acme')).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('idempotent retries', () => {
  it('returns the original positions for a retried append and writes nothing', async () => {
    const organizationId = org();
    const events = [
      { ...opened(), id: uuidv7() },
      { ...incremented(), id: uuidv7() },
    ];
    const first = await store.append(organizationId, 'c', events, { expectedVersion: 'NO_STREAM' });
    const before = await eventCount();
    // Same ids, even with an expected version that no longer holds: still the first result.
    const retry = await store.append(organizationId, 'c', events, { expectedVersion: 'NO_STREAM' });
    expect(retry.events).toEqual(first.events);
    expect(retry.lastPosition).toBe(first.lastPosition);
    expect(await eventCount()).toBe(before);
  });

  it('rejects a batch that reuses some ids of another append', async () => {
    const organizationId = org();
    const reused = uuidv7();
    await store.append(organizationId, 'c', [{ ...opened(), id: reused }]);
    const before = await eventCount();
    await expect(
      store.append(organizationId, 'c', [
        { ...incremented(), id: reused },
        { ...incremented(), id: uuidv7() },
      ]),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(store.append(organizationId, 'other', [{ ...opened(), id: reused }])).rejects.toBeInstanceOf(
      DuplicateEventIdError,
    );
    await expect(store.append(org(), 'c', [{ ...opened(), id: reused }])).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect(await eventCount()).toBe(before);
  });

  it('gives concurrent retries of one append the same single result', async () => {
    const organizationId = org();
    const events = [{ ...opened(), id: uuidv7() }];
    const results = await Promise.all(
      Array.from({ length: 8 }, () => store.append(organizationId, 'c', events, { expectedVersion: 'NO_STREAM' })),
    );
    for (const result of results) expect(result.events).toEqual(results[0]!.events);
    expect(await store.readStream(organizationId, 'c')).toHaveLength(1);
  });
});

describe('concurrent writers', () => {
  it('N writers on one stream with ANY lose nothing and duplicate nothing', async () => {
    const organizationId = org();
    const writers = 16;
    const perWriter = 25;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = 0; i < perWriter; i++) {
          await store.append(organizationId, 'shared', [incremented(1, `${writer}:${i}`)]);
        }
      }),
    );
    const events = await store.readStream(organizationId, 'shared');
    expect(events.map((e) => e.streamVersion)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => i + 1));
    const notes = new Set(events.map((e) => (e.data as { note: string }).note));
    expect(notes.size).toBe(writers * perWriter);
    // Stream order and global order agree.
    const positions = events.map((e) => e.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
  });

  it('N writers with exact expected versions: each version is won exactly once', async () => {
    const organizationId = org();
    await store.append(organizationId, 'contended', [opened()]);
    const writers = 8;
    const perWriter = 10;
    let conflicts = 0;
    await Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        for (let i = 0; i < perWriter; ) {
          const version = await store.streamVersion(organizationId, 'contended');
          try {
            await store.append(organizationId, 'contended', [incremented(1, `${writer}:${i}`)], {
              expectedVersion: version,
            });
            i++;
          } catch (error) {
            if (!(error instanceof ConcurrencyError)) throw error;
            conflicts++;
          }
        }
      }),
    );
    const events = await store.readStream(organizationId, 'contended');
    expect(events).toHaveLength(1 + writers * perWriter);
    expect(new Set(events.map((e) => (e.data as { note?: string }).note)).size).toBe(1 + writers * perWriter);
    expect(conflicts).toBeGreaterThan(0);
  });

  it('concurrent multi-stream appends in opposite orders do not deadlock', async () => {
    const organizationId = org();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        store.appendMany(
          organizationId,
          i % 2 === 0
            ? [
                { streamId: 'x', events: [incremented()] },
                { streamId: 'y', events: [incremented()] },
              ]
            : [
                { streamId: 'y', events: [incremented()] },
                { streamId: 'x', events: [incremented()] },
              ],
        ),
      ),
    );
    expect(await store.streamVersion(organizationId, 'x')).toBe(20);
    expect(await store.streamVersion(organizationId, 'y')).toBe(20);
  });
});

describe('upcasting', () => {
  it('reads an event stored at schema version 1 as the current version', async () => {
    const organizationId = org();
    const legacy = new EventStore(db.pool, legacyCatalog());
    await legacy.append(organizationId, 'c', [opened(), { type: 'CounterIncremented', data: { by: 3 } }]);
    const [, stored] = await legacy.readStream(organizationId, 'c');
    expect(stored).toMatchObject({ schemaVersion: 1, data: { by: 3 } });

    const [, current] = await store.readStream(organizationId, 'c');
    expect(current).toMatchObject({ schemaVersion: 2, data: { amount: 3, note: '' } });
    const [, viaLog] = await store.readAll(organizationId);
    expect(viaLog).toMatchObject({ schemaVersion: 2, data: { amount: 3, note: '' } });
  });
});

describe('reading', () => {
  it('reads a stream forward, backward, between versions and as recorded by a time', async () => {
    const organizationId = org();
    const first = await store.append(organizationId, 'c', [opened(), incremented(1), incremented(2)]);
    const cutoff = first.events[2]!.recordedAt;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.append(organizationId, 'c', [incremented(3), incremented(4)]);

    const versions = async (options: Parameters<EventStore['readStream']>[2]) =>
      (await store.readStream(organizationId, 'c', options)).map((e) => e.streamVersion);
    expect(await versions({})).toEqual([1, 2, 3, 4, 5]);
    expect(await versions({ direction: 'backward' })).toEqual([5, 4, 3, 2, 1]);
    expect(await versions({ fromVersion: 2, toVersion: 4 })).toEqual([2, 3, 4]);
    expect(await versions({ direction: 'backward', fromVersion: 4, toVersion: 2 })).toEqual([4, 3, 2]);
    expect(await versions({ direction: 'backward', limit: 2 })).toEqual([5, 4]);
    expect(await versions({ recordedAtOrBefore: cutoff })).toEqual([1, 2, 3]);
  });

  it('keeps occurredAt apart from recordedAt (back-dating)', async () => {
    const organizationId = org();
    const occurredAt = new Date('2025-03-01T09:00:00Z');
    const result = await store.append(organizationId, 'c', [{ ...opened(), occurredAt }, incremented()]);
    const [backDated, now] = await store.readStream(organizationId, 'c');
    expect(backDated!.occurredAt).toEqual(occurredAt);
    expect(backDated!.recordedAt).toEqual(result.events[0]!.recordedAt);
    expect(now!.occurredAt).toEqual(now!.recordedAt);
  });

  it('filters the global log and pages through it in position order', async () => {
    const organizationId = org();
    await store.append(organizationId, 'a', [opened('a'), incremented(1)]);
    await store.append(organizationId, 'b', [{ ...opened('b'), metadata: { actor: 'ada' } }, incremented(2)]);
    const all = await store.readAll(organizationId);
    expect(all.map((e) => [e.streamId, e.streamVersion])).toEqual([
      ['a', 1],
      ['a', 2],
      ['b', 1],
      ['b', 2],
    ]);
    const page1 = await store.readAll(organizationId, { limit: 3 });
    const page2 = await store.readAll(organizationId, { from: page1.at(-1)!.position, limit: 3 });
    expect([...page1, ...page2]).toEqual(all);
    expect(
      (await store.readAll(organizationId, { filter: { types: ['CounterOpened'] } })).map((e) => e.streamId),
    ).toEqual(['a', 'b']);
    expect((await store.readAll(organizationId, { filter: { streamIds: ['b'] } })).length).toBe(2);
    expect((await store.readAll(organizationId, { filter: { actor: 'ada' } })).map((e) => e.type)).toEqual([
      'CounterOpened',
    ]);
    expect(await store.headPosition(organizationId)).toBe(all.at(-1)!.position);
  });
});

describe('organization isolation', () => {
  it('never returns another organization’s events, even on the same stream id', async () => {
    const acme = org();
    const globex = org();
    await store.append(acme, 'team-1', [opened('acme')]);
    await store.append(globex, 'team-1', [opened('globex'), incremented()]);
    await store.append(acme, 'team-1', [incremented()], { expectedVersion: 1 });

    const acmeStream = await store.readStream(acme, 'team-1');
    expect(acmeStream.map((e) => e.organizationId)).toEqual([acme, acme]);
    expect(acmeStream[0]!.data).toEqual({ name: 'acme' });
    expect((await store.readAll(acme)).every((e) => e.organizationId === acme)).toBe(true);
    expect((await store.readAll(globex)).every((e) => e.organizationId === globex)).toBe(true);
    const everything = await store.readAll(ALL_ORGANIZATIONS);
    const organizations = new Set(everything.map((e) => e.organizationId));
    expect(organizations.has(acme) && organizations.has(globex)).toBe(true);
  });
});

describe('expected versions against a model (property)', () => {
  it('accepts exactly the appends a simple model accepts, and numbers streams without gaps', async () => {
    const expectedVersion = fc.oneof(
      fc.constantFrom<ExpectedVersion>('ANY', 'NO_STREAM', 'STREAM_EXISTS'),
      fc.integer({ min: 0, max: 4 }),
    );
    const step = fc.record({
      stream: fc.constantFrom('a', 'b', 'c'),
      events: fc.integer({ min: 1, max: 3 }),
      expectedVersion,
    });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 25 }), async (steps) => {
        const organizationId = org();
        const model = new Map<string, number>();
        for (const { stream, events, expectedVersion } of steps) {
          const actual = model.get(stream) ?? 0;
          const accepts =
            expectedVersion === 'ANY' ||
            (expectedVersion === 'NO_STREAM' && actual === 0) ||
            (expectedVersion === 'STREAM_EXISTS' && actual > 0) ||
            expectedVersion === actual;
          const outcome = await store
            .append(
              organizationId,
              stream,
              Array.from({ length: events }, () => incremented()),
              { expectedVersion },
            )
            .then(
              () => 'accepted',
              (error: unknown) => (error instanceof ConcurrencyError ? 'conflict' : error),
            );
          expect(outcome).toBe(accepts ? 'accepted' : 'conflict');
          if (accepts) model.set(stream, actual + events);
        }
        for (const [stream, version] of model) {
          const read = await store.readStream(organizationId, stream);
          expect(read.map((e) => e.streamVersion)).toEqual(Array.from({ length: version }, (_, i) => i + 1));
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe("an organization's last event", () => {
  it('is found in one index entry, also when other organizations appended many events after it', async () => {
    const [older, newer, empty] = [org(), org(), org()];
    const fill = async (organizationId: string, batches: number) => {
      for (let i = 0; i < batches; i++) {
        await store.append(
          organizationId,
          `counter-${i}`,
          Array.from({ length: 200 }, () => incremented()),
        );
      }
    };
    await fill(older, 10);
    await fill(newer, 10);
    await db.pool.query('ANALYZE events');
    const last = async (organizationId: string) => {
      const sql = `SELECT ${lastEventSql(`'${organizationId}'::uuid`, 'position')}::text AS head`;
      const plan = await db.pool.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${sql}`);
      const text = JSON.stringify(plan.rows[0]!['QUERY PLAN']);
      expect(text).toContain('events_organization_position_idx');
      expect(text).not.toContain('Rows Removed by Filter');
      return (await db.pool.query<{ head: string | null }>(sql)).rows[0]!.head;
    };
    const max = async (organizationId: string) =>
      (
        await db.pool.query<{ max: string | null }>(
          'SELECT max(position)::text AS max FROM events WHERE organization_id = $1',
          [organizationId],
        )
      ).rows[0]!.max;
    for (const organizationId of [older, newer, empty])
      expect(await last(organizationId)).toBe(await max(organizationId));
    expect(await last(empty)).toBeNull();
  });
});
