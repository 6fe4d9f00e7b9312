// A subscription to the global log: catch-up from a position, then live.
//
// Guarantee: events arrive in position order with no gap and no duplicate,
// because every batch comes from the gap-free `readAll` starting right after
// the last position delivered (a filtered subscription: after the last
// position it looked at, readAllPage's head, which a gap-free reader has
// passed like a delivered event). Notifications only shorten the wait between
// reads; without them (or while the listener reconnects) the loop polls.
// Transient database errors (a dropped connection, a restart) are retried
// with backoff from the last delivered position.
import { isTransient } from '../db/transient.ts';
import type { EventStore } from './eventStore.ts';
import type { EventNotifier } from './notifier.ts';
import { ALL_ORGANIZATIONS, type EventFilter, type OrganizationScope, type RecordedEvent } from './types.ts';

export type SubscribeOptions = {
  /** Exclusive; default 0n: every stored event, then live ones. */
  from?: bigint;
  filter?: EventFilter;
  batchSize?: number;
  /** Longest wait between reads when no notification arrives. */
  pollIntervalMs?: number;
  signal?: AbortSignal;
  /** Called for each transient error that is retried. */
  onRetry?: (error: unknown, attempt: number) => void;
};

/**
 * The live end of each organization's log, read once per wake-up for all of
 * its subscribers in this process instead of once per subscriber: a thousand
 * subscribers of one organization cost one query per burst of commands, not a
 * thousand. The tail is a gap-free window (it is read with readAll) of the
 * latest events; a subscriber whose position falls inside it takes its events
 * from there, one that is further behind reads the log on its own until it
 * catches up. Only unfiltered subscriptions share it (a filter is applied by
 * the database).
 */
export class SharedTails {
  readonly #store: EventStore;
  readonly #tails = new Map<string, Tail>();
  static readonly WINDOW = 2_000;

  constructor(store: EventStore) {
    this.#store = store;
  }

  /** Registers a subscriber starting after `position`; returns the tail to read from, and a release. */
  join(organizationId: string, position: bigint): { tail: Tail; leave(): void } {
    let tail = this.#tails.get(organizationId);
    if (!tail) {
      tail = new Tail(this.#store, organizationId, position);
      this.#tails.set(organizationId, tail);
    }
    tail.subscribers++;
    const joined = tail;
    return {
      tail: joined,
      leave: () => {
        joined.subscribers--;
        if (joined.subscribers === 0 && this.#tails.get(organizationId) === joined) this.#tails.delete(organizationId);
      },
    };
  }
}

class Tail {
  subscribers = 0;
  /** Events after `floor`, in position order, up to `head` (the last position read). */
  #events: RecordedEvent[] = [];
  #floor: bigint;
  #head: bigint;
  #reading: Promise<void> | undefined;
  /** The wake-up generation and time of the last read started. */
  #readGeneration = -1;
  #readAt = 0;
  #full = false;
  readonly #store: EventStore;
  readonly #organizationId: string;

  constructor(store: EventStore, organizationId: string, start: bigint) {
    this.#store = store;
    this.#organizationId = organizationId;
    this.#floor = start;
    this.#head = start;
  }

  /** The events after `position` the tail holds; undefined when `position` is below its window. */
  after(position: bigint): RecordedEvent[] | undefined {
    if (position < this.#floor) return undefined;
    if (position > this.#head && !this.#reading) {
      // A subscriber ahead of the window (the window follows one still
      // catching up): the window jumps to it; those behind read on their own.
      this.#events = [];
      this.#floor = position;
      this.#head = position;
    }
    if (position >= this.#head) return [];
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.#events[middle]!.position <= position) low = middle + 1;
      else high = middle;
    }
    return this.#events.slice(low);
  }

  /**
   * Reads what is new, once for everyone: unless a read already started after
   * the wake-up the caller saw (`generation`) and less than `staleMs` ago, the
   * caller waits for that read instead of starting another.
   */
  async advance(batchSize: number, generation: number, staleMs: number): Promise<void> {
    if (this.#reading) return this.#reading;
    const served = generation <= this.#readGeneration && Date.now() - this.#readAt < staleMs;
    // A full batch last time: more is waiting, whatever the wake-ups say.
    if (served && !this.#full) return;
    this.#readGeneration = generation;
    this.#readAt = Date.now();
    this.#reading = (async () => {
      try {
        const batch = await this.#store.readAll(this.#organizationId, { from: this.#head, limit: batchSize });
        this.#full = batch.length === batchSize;
        if (batch.length === 0) return;
        this.#events.push(...batch);
        this.#head = batch.at(-1)!.position;
        const excess = this.#events.length - SharedTails.WINDOW;
        if (excess > 0) {
          this.#floor = this.#events[excess - 1]!.position;
          this.#events = this.#events.slice(excess);
        }
      } finally {
        this.#reading = undefined;
      }
    })();
    return this.#reading;
  }
}

export async function* subscribe(
  store: EventStore,
  notifier: EventNotifier | undefined,
  scope: OrganizationScope,
  options: SubscribeOptions = {},
  tails?: SharedTails,
): AsyncGenerator<RecordedEvent, void, undefined> {
  const organizationId = scope === ALL_ORGANIZATIONS ? undefined : scope;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const signal = options.signal;
  let position = options.from ?? 0n;
  /** How far the last filtered read looked, when it was not a full page. */
  let scannedTo: bigint | undefined;
  let attempt = 0;
  const unfiltered = !options.filter || Object.values(options.filter).every((value) => value === undefined);
  const shared = tails && organizationId && unfiltered ? tails.join(organizationId, position) : undefined;

  try {
    while (!signal?.aborted) {
      const generation = notifier?.generation(organizationId) ?? 0;
      let batch: RecordedEvent[];
      try {
        let fromTail = shared?.tail.after(position);
        if (fromTail?.length === 0) {
          await shared!.tail.advance(batchSize, generation, pollIntervalMs);
          fromTail = shared!.tail.after(position);
        }
        if (fromTail) batch = fromTail;
        else if (unfiltered) batch = await store.readAll(scope, { from: position, limit: batchSize });
        else {
          // Filtered: a page that is not full covers the log up to its head,
          // matching or not: the next read starts there, not at the last
          // match (else each wake-up would read the same events again).
          const page = await store.readAllPage(scope, { from: position, limit: batchSize, filter: options.filter! });
          batch = page.events;
          if (batch.length < batchSize) scannedTo = page.head;
        }
        attempt = 0;
      } catch (error) {
        if (!isTransient(error)) throw error;
        attempt++;
        options.onRetry?.(error, attempt);
        await sleep(Math.min(5_000, 50 * 2 ** attempt), signal);
        continue;
      }
      for (const event of batch) {
        if (signal?.aborted) return;
        yield event;
        position = event.position;
      }
      if (scannedTo !== undefined && scannedTo > position) position = scannedTo;
      scannedTo = undefined;
      // More may be waiting: read on (from the tail, that costs no query until
      // its next read, which waits for a wake-up it has not served yet).
      if (batch.length > 0 && (batch.length >= batchSize || shared)) continue;
      if (notifier) await notifier.wait(organizationId, generation, pollIntervalMs, signal);
      else await sleep(pollIntervalMs, signal);
    }
  } finally {
    shared?.leave();
  }
}

export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
