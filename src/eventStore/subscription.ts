// A subscription to the global log: catch-up from a position, then live.
//
// Guarantee: events arrive in position order with no gap and no duplicate,
// because every batch comes from the gap-free `readAll` starting right after
// the last position delivered. Notifications only shorten the wait between
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

export async function* subscribe(
  store: EventStore,
  notifier: EventNotifier | undefined,
  scope: OrganizationScope,
  options: SubscribeOptions = {},
): AsyncGenerator<RecordedEvent, void, undefined> {
  const organizationId = scope === ALL_ORGANIZATIONS ? undefined : scope;
  const batchSize = options.batchSize ?? 500;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const signal = options.signal;
  let position = options.from ?? 0n;
  let attempt = 0;

  while (!signal?.aborted) {
    const generation = notifier?.generation(organizationId) ?? 0;
    let batch: RecordedEvent[];
    try {
      const readOptions = { from: position, limit: batchSize, ...(options.filter ? { filter: options.filter } : {}) };
      batch = await store.readAll(scope, readOptions);
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
    if (batch.length === batchSize) continue;
    if (notifier) await notifier.wait(organizationId, generation, pollIntervalMs, signal);
    else await sleep(pollIntervalMs, signal);
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
