import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withClient } from '../../src/db/pool.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { EventNotifier } from '../../src/eventStore/notifier.ts';
import { subscribe } from '../../src/eventStore/subscription.ts';
import type { RecordedEvent } from '../../src/eventStore/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { incremented, opened, testCatalog } from '../support/testEvents.ts';

let db: TestDatabase;
let notifier: EventNotifier;
let store: EventStore;

beforeAll(async () => {
  db = await createTestDatabase();
  notifier = new EventNotifier(db.url, { minBackoffMs: 20, maxBackoffMs: 200 });
  await notifier.start();
  store = new EventStore(db.pool, testCatalog(), notifier);
});
afterAll(async () => {
  await notifier.close();
  await db.drop();
});

/** Pulls `count` events from a running iterator, failing after `timeoutMs`. */
async function take(
  iterator: AsyncIterator<RecordedEvent>,
  count: number,
  timeoutMs = 5_000,
): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  const deadline = Date.now() + timeoutMs;
  while (events.length < count) {
    const remaining = deadline - Date.now();
    const next = await Promise.race([
      iterator.next(),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(0, remaining))),
    ]);
    if (next === 'timeout') throw new Error(`timed out after ${events.length} of ${count} events`);
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

/** Kills every connection to the test database, from a connection of its own (pooled ones may be dead already). */
async function terminateOtherConnections(): Promise<number> {
  const result = await withClient(db.url, (client) =>
    client.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    ),
  );
  return result.rows[0]!.n;
}

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('subscribe', () => {
  it('catches up on stored events, then delivers live ones woken by NOTIFY', async () => {
    const organizationId = uuidv7();
    const stored = await store.append(organizationId, 'c', [opened(), incremented(1), incremented(2)]);
    const controller = new AbortController();
    // A poll interval far beyond the timeout: only a notification can deliver in time.
    const iterator = store.subscribe(organizationId, { pollIntervalMs: 60_000, signal: controller.signal });
    const catchUp = await take(iterator, 3);
    expect(catchUp.map((e) => e.position)).toEqual(stored.events.map((e) => e.position));

    const pending = take(iterator, 2, 3_000);
    const live = await store.append(organizationId, 'c', [incremented(3), incremented(4)]);
    expect((await pending).map((e) => e.position)).toEqual(live.events.map((e) => e.position));
    controller.abort();
    expect(await iterator.next()).toEqual({ done: true, value: undefined });
  });

  it('resumes from the last position seen with no gap and no duplicate', async () => {
    const organizationId = uuidv7();
    await store.append(organizationId, 'c', [opened(), ...Array.from({ length: 9 }, (_, i) => incremented(i))]);
    const first = store.subscribe(organizationId, { batchSize: 4 });
    const seen = await take(first, 6);
    await first.return();
    const second = store.subscribe(organizationId, { from: seen.at(-1)!.position, batchSize: 4 });
    const rest = await take(second, 4);
    await second.return();
    const all = await store.readAll(organizationId);
    expect([...seen, ...rest].map((e) => e.position)).toEqual(all.map((e) => e.position));
  });

  it('delivers only matching events of its own organization', async () => {
    const mine = uuidv7();
    const theirs = uuidv7();
    const iterator = store.subscribe(mine, { filter: { types: ['CounterIncremented'] }, pollIntervalMs: 50 });
    const pending = take(iterator, 2);
    await store.append(theirs, 'c', [opened(), incremented(99)]);
    await store.append(mine, 'c', [opened(), incremented(1), incremented(2)]);
    const events = await pending;
    await iterator.return();
    expect(events.map((e) => [e.organizationId, e.type, (e.data as { amount: number }).amount])).toEqual([
      [mine, 'CounterIncremented', 1],
      [mine, 'CounterIncremented', 2],
    ]);
  });

  it('a filtered subscription reads on from how far it looked, not from its last match', async () => {
    const organizationId = uuidv7();
    await store.append(organizationId, 'c', [opened(), incremented(1), incremented(2)]);
    // The real store, its reads recorded: where each read of the subscription started.
    const starts: bigint[] = [];
    const recording = Object.create(store) as EventStore;
    recording.readAllPage = (scope, options) => {
      starts.push(options?.from ?? 0n);
      return store.readAllPage(scope, options);
    };
    const iterator = subscribe(recording, notifier, organizationId, {
      filter: { streamIds: ['d'] },
      pollIntervalMs: 50,
    });
    const pending = take(iterator, 1);
    await until(() => starts.length >= 1);
    const [, , second] = await store.readAll(organizationId);
    // More events that do not match, then one that does.
    await store.append(organizationId, 'c', [incremented(3)]);
    await until(() => starts.some((from) => from > second!.position));
    await store.append(organizationId, 'd', [opened('d')]);
    const [match] = await pending;
    await iterator.return();
    expect(match).toMatchObject({ streamId: 'd', type: 'CounterOpened' });
    // The first read looked at the first three events, the next ones started after them.
    expect(starts[0]).toBe(0n);
    expect(starts.slice(1).every((from) => from >= second!.position)).toBe(true);
    // And nothing that matched was skipped: the whole log, filtered, is what was delivered.
    const matching = (await store.readAll(organizationId)).filter((event) => event.streamId === 'd');
    expect(matching.map((event) => event.position)).toEqual([match!.position]);
  });

  it('survives its database connections being killed: reconnects and continues from its last position', async () => {
    const organizationId = uuidv7();
    await store.append(organizationId, 'c', [opened(), incremented(1)]);
    const retries: unknown[] = [];
    const iterator = store.subscribe(organizationId, {
      pollIntervalMs: 60_000,
      onRetry: (error) => retries.push(error),
    });
    expect(await take(iterator, 2)).toHaveLength(2);

    // The subscription is now parked on the listener. Kill every connection:
    // the listener's and the pool's.
    const pendingBeforeRecovery = take(iterator, 3, 10_000);
    expect(await terminateOtherConnections()).toBeGreaterThan(0);
    await until(() => !notifier.connected);
    await until(() => notifier.connected);
    const afterReconnect = await store.append(organizationId, 'c', [incremented(2), incremented(3), incremented(4)]);
    const events = await pendingBeforeRecovery;
    expect(events.map((e) => e.position)).toEqual(afterReconnect.events.map((e) => e.position));
    await iterator.return();
  });

  it('retries a read that fails because its connection died mid-way', async () => {
    const organizationId = uuidv7();
    await store.append(organizationId, 'c', [opened()]);
    const retries: unknown[] = [];
    const iterator = store.subscribe(organizationId, { pollIntervalMs: 20, onRetry: (error) => retries.push(error) });
    expect(await take(iterator, 1)).toHaveLength(1);
    // Kill connections repeatedly while events keep coming; nothing may be lost or doubled.
    const expected: bigint[] = [];
    const pending = take(iterator, 20, 15_000);
    for (let i = 0; i < 10; i++) {
      const result = await store.append(organizationId, 'c', [incremented(i), incremented(i)]);
      expected.push(...result.events.map((e) => e.position));
      await terminateOtherConnections();
    }
    expect((await pending).map((e) => e.position)).toEqual(expected);
    await iterator.return();
  });

  it('shares one read of the live tail among many subscribers of an organization, each gap-free and in order', async () => {
    let reads = 0;
    class CountingStore extends EventStore {
      override readAll(...args: Parameters<EventStore['readAll']>): ReturnType<EventStore['readAll']> {
        reads++;
        return super.readAll(...args);
      }
    }
    const counting = new CountingStore(db.pool, testCatalog(), notifier);
    const organizationId = uuidv7();
    const head = (await counting.append(organizationId, 'c', [opened()])).lastPosition;
    const subscribers = Array.from({ length: 50 }, () => counting.subscribe(organizationId, { from: head }));
    const first = subscribers.map((subscriber) => take(subscriber, 1));
    reads = 0;
    const written: bigint[] = [];
    for (let i = 0; i < 10; i++) {
      written.push((await counting.append(organizationId, 'c', [incremented(i)])).lastPosition);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    const received = await Promise.all(
      subscribers.map(async (subscriber, index) => [...(await first[index]!), ...(await take(subscriber, 9))]),
    );
    for (const events of received) expect(events.map((event) => event.position)).toEqual(written);
    // One read per wake-up for all fifty (a few more when wake-ups coalesce or a poll comes due), not fifty.
    expect(reads).toBeLessThan(10 * 5);
    for (const subscriber of subscribers) await subscriber.return();
  });
});
