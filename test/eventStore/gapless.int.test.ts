// The global log never lets a reader skip an event: a transaction that took a
// lower position but commits later is still read, before anything after it.
import fc from 'fast-check';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { opened, testCatalog } from '../support/testEvents.ts';

let db: TestDatabase;
let store: EventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  store = new EventStore(db.pool, testCatalog());
});
afterAll(() => db.drop());

describe('gap-free reading', () => {
  it('does not pass an open transaction’s lower position, and reads it next once committed', async () => {
    const organizationId = uuidv7();
    const before = await store.append(organizationId, 'earlier', [opened()]);

    const slow = await db.pool.connect();
    try {
      await slow.query('BEGIN');
      const a = await store.append(organizationId, 'slow', [opened('A')], { within: slow });
      const b = await store.append(organizationId, 'fast', [opened('B')]);
      expect(b.lastPosition).toBeGreaterThan(a.lastPosition);

      // B is committed, A is not: the reader must stop before A's position.
      const seen = await store.readAll(organizationId);
      expect(seen.map((e) => e.position)).toEqual([before.lastPosition]);
      expect(await store.headPosition(organizationId)).toBe(before.lastPosition);
      // A page's head stops there too, matching events or not.
      expect(await store.readAllPage(organizationId, { filter: { streamIds: ['fast'] } })).toEqual({
        events: [],
        head: before.lastPosition,
      });

      await slow.query('COMMIT');
      const next = await store.readAll(organizationId, { from: seen.at(-1)!.position });
      expect(next.map((e) => e.position)).toEqual([a.lastPosition, b.lastPosition]);
      expect(next.map((e) => (e.data as { name: string }).name)).toEqual(['A', 'B']);
    } finally {
      slow.release();
    }
  });

  it('a rolled-back append leaves a hole that readers step over', async () => {
    const organizationId = uuidv7();
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await store.append(organizationId, 'doomed', [opened()], { within: client });
      const after = await store.append(organizationId, 'kept', [opened()]);
      expect(await store.readAll(organizationId)).toEqual([]);
      await client.query('ROLLBACK');
      expect((await store.readAll(organizationId)).map((e) => e.position)).toEqual([after.lastPosition]);
    } finally {
      client.release();
    }
  });

  it('polling readers collect every committed event exactly once under concurrent slow writers (all, and filtered pages)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            delayMs: fc.integer({ min: 0, max: 15 }),
            events: fc.integer({ min: 1, max: 3 }),
            commit: fc.boolean(),
          }),
          { minLength: 4, maxLength: 24 },
        ),
        async (writers) => {
          const organizationId = uuidv7();
          const committed: bigint[] = [];
          const committedToFirst: bigint[] = [];
          let writing = true;
          const collected: bigint[] = [];
          // Of one stream only, read on from each page's head (as a filtered subscription does).
          const filtered: bigint[] = [];
          const filteredReader = (async () => {
            let from = 0n;
            for (;;) {
              const done = !writing;
              const page = await store.readAllPage(organizationId, {
                from,
                limit: 3,
                filter: { streamIds: ['stream-0'] },
              });
              for (const event of page.events) filtered.push(event.position);
              const next = page.events.length === 3 ? page.events.at(-1)!.position : page.head;
              if (next > from) from = next;
              else if (done) return;
              else await new Promise((resolve) => setTimeout(resolve, 1));
            }
          })();
          const reader = (async () => {
            let from = 0n;
            // Keep reading until the writers are done and one more read finds nothing.
            for (;;) {
              const done = !writing;
              const batch = await store.readAll(organizationId, { from, limit: 7 });
              for (const event of batch) collected.push(event.position);
              if (batch.length > 0) from = batch.at(-1)!.position;
              else if (done) return;
              else await new Promise((resolve) => setTimeout(resolve, 1));
            }
          })();
          await Promise.all(
            writers.map(async (writer, index) => {
              const client = await db.pool.connect();
              try {
                await client.query('BEGIN');
                const result = await store.append(
                  organizationId,
                  `stream-${index % 3}`,
                  Array.from({ length: writer.events }, () => opened()),
                  { within: client },
                );
                await new Promise((resolve) => setTimeout(resolve, writer.delayMs));
                await client.query(writer.commit ? 'COMMIT' : 'ROLLBACK');
                if (writer.commit) committed.push(...result.events.map((e) => e.position));
                if (writer.commit && index % 3 === 0) committedToFirst.push(...result.events.map((e) => e.position));
              } finally {
                client.release();
              }
            }),
          );
          writing = false;
          await reader;
          await filteredReader;
          committed.sort((x, y) => (x < y ? -1 : 1));
          committedToFirst.sort((x, y) => (x < y ? -1 : 1));
          // Every committed event, in position order, each exactly once.
          expect(collected).toEqual(committed);
          expect(filtered).toEqual(committedToFirst);
        },
      ),
      { numRuns: 25 },
    );
  });
});
