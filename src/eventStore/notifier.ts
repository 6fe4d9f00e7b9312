// Wake-ups for subscribers: one LISTEN connection per process. A notification
// only says "an organization's log moved"; subscribers then read the table, so
// a lost notification (a dropped connection, a restart) costs at most one
// polling interval, never an event. The connection reconnects with backoff
// and wakes every waiter when it comes back, so they catch up.
import type pg from 'pg';
import { createClient } from '../db/pool.ts';

export const EVENTS_CHANNEL = 'orgstream_events';

export type NotifierOptions = {
  /** Reconnect delays grow from this up to `maxBackoffMs`. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
};

type Waiter = { organizationId: string | undefined; wake: () => void };

export class EventNotifier {
  readonly #url: string;
  readonly #options: Required<Omit<NotifierOptions, 'onError'>> & Pick<NotifierOptions, 'onError'>;
  readonly #waiters = new Set<Waiter>();
  /**
   * Counters that only grow: `#epoch` on wake-ups for everyone (reconnects),
   * `#perOrganization` on each organization's notifications. A waiter compares
   * their sum before and after its read to detect a wake-up that raced it.
   */
  #epoch = 0;
  #total = 0;
  readonly #perOrganization = new Map<string, number>();
  #client: pg.Client | undefined;
  #closed = false;
  #connecting: Promise<void> | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #failures = 0;

  constructor(url: string, options: NotifierOptions = {}) {
    this.#url = url;
    this.#options = { minBackoffMs: 100, maxBackoffMs: 5_000, ...options };
  }

  /** Connects; resolves once LISTEN is in place (or rejects on the first failure). */
  start(): Promise<void> {
    this.#connecting ??= this.#connect().catch((error: unknown) => {
      // Keep trying in the background; subscribers poll meanwhile.
      this.#scheduleReconnect();
      throw error;
    });
    return this.#connecting;
  }

  get connected(): boolean {
    return this.#client !== undefined;
  }

  /** A token to pass to `wait`; take it before reading so no wake-up is missed. */
  generation(organizationId: string | undefined): number {
    if (organizationId === undefined) return this.#epoch + this.#total;
    return this.#epoch + (this.#perOrganization.get(organizationId) ?? 0);
  }

  /**
   * Resolves when a notification for `organizationId` (any when undefined)
   * arrives after `generation` was taken, when `timeoutMs` passes, or on abort.
   */
  wait(organizationId: string | undefined, generation: number, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    if (generation !== this.generation(organizationId) || this.#closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.#waiters.delete(waiter);
        resolve();
      };
      const waiter: Waiter = { organizationId, wake: done };
      const timer = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.add(waiter);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#wakeAll(undefined);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    const client = createClient(this.#url, 'orgstream-listener');
    client.on('notification', (message) => this.#wakeAll(message.payload));
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    } catch (error) {
      // Not left open behind the retry that follows.
      await client.end().catch(() => {});
      throw error;
    }
    if (this.#closed) {
      await client.end();
      return;
    }
    this.#client = client;
    this.#failures = 0;
    // Whatever was notified while we were away is found by reading.
    this.#wakeAll(undefined);
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    client.end().catch(() => {});
    if (error) this.#options.onError?.(error);
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed) return;
    const delay = Math.min(this.#options.maxBackoffMs, this.#options.minBackoffMs * 2 ** this.#failures);
    this.#failures++;
    this.#retryTimer = setTimeout(() => {
      this.#connect().catch((error: unknown) => {
        this.#options.onError?.(error);
        this.#scheduleReconnect();
      });
    }, delay);
    this.#retryTimer.unref();
  }

  #wakeAll(organizationId: string | undefined): void {
    if (organizationId === undefined) {
      this.#epoch++;
    } else {
      this.#total++;
      this.#perOrganization.set(organizationId, (this.#perOrganization.get(organizationId) ?? 0) + 1);
    }
    for (const waiter of this.#waiters) {
      if (
        organizationId === undefined ||
        waiter.organizationId === undefined ||
        waiter.organizationId === organizationId
      ) {
        waiter.wake();
      }
    }
  }
}
