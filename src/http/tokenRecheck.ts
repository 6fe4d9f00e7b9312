// Open subscriptions re-check their token, whatever the transport: a revoked
// token ends the streams it opened within `recheckMs`, with UNAUTHENTICATED.
// The WebSocket transport also closes its sockets (websocket.ts), with the
// same shared check; Server-Sent Events streams have only this.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type pg from 'pg';
import { unauthenticated } from '../../schema/errors.ts';
import { authenticate } from '../auth/tokens.ts';

export function useTokenRecheck(check: TokenCheck): Plugin {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) return;
        const authorization = (args.contextValue as { request?: Request }).request?.headers.get('authorization');
        if (!authorization) return;
        setResult(rechecking(result, () => check.stillValid(authorization), check.tickMs) as never);
      },
    }),
  };
}

/** Whether a token is still valid, and how often its holders should ask. */
export type TokenCheck = {
  stillValid(authorization: string): Promise<boolean>;
  /**
   * Half the re-check interval: with answers shared for up to half an
   * interval, a revocation is seen within about one.
   */
  tickMs: number;
};

/**
 * Whether a token is still valid, asked afresh (not from the verified-token
 * cache) at most once per half interval per token: the check is shared by all
 * the sockets and subscriptions the token opened (a client may hold hundreds
 * on one).
 */
export function sharedTokenCheck(options: {
  pool: Pick<pg.Pool, 'query'>;
  adminToken: string | undefined;
  recheckMs: number;
  now?: () => number;
}): TokenCheck {
  const now = options.now ?? Date.now;
  const recent = new Map<string, { at: number; valid: Promise<boolean> }>();
  let prunedAt = now();
  const stillValid = (authorization: string): Promise<boolean> => {
    const at = now();
    const known = recent.get(authorization);
    if (known && at - known.at < options.recheckMs / 2) return known.valid;
    // Answers of tokens no subscription asks about any more, once per interval.
    if (at - prunedAt >= options.recheckMs) {
      prunedAt = at;
      for (const [key, entry] of recent) if (at - entry.at >= options.recheckMs) recent.delete(key);
    }
    const valid = authenticate(options.pool, authorization, options.adminToken, { fresh: true }).then(
      (authentication) => authentication.status === 'ok',
    );
    // A failed check is not remembered: the next tick asks again.
    valid.catch(() => {
      if (recent.get(authorization)?.valid === valid) recent.delete(authorization);
    });
    recent.set(authorization, { at, valid });
    return valid;
  };
  return { stillValid, tickMs: options.recheckMs / 2 };
}

const REVOKED = Symbol('revoked');
type Interrupt = IteratorResult<unknown> | typeof REVOKED;

/**
 * The source's items until `stillValid` says no; then one error result, and
 * the end. Written by hand, not as an async generator: its `return()` must
 * end the source at once, even while a `next()` waits for an item that may
 * never come (a generator would queue the return behind it). And each
 * `next()` races the source against an interrupt of its own, settled and let
 * go when the call ends (racing every call against one promise that lives as
 * long as the subscription would keep every item alive).
 */
export function rechecking(
  source: AsyncIterable<unknown>,
  stillValid: () => Promise<boolean>,
  intervalMs: number,
): AsyncIterableIterator<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  let revoked = false;
  let finished = false;
  let interrupt: ((value: Interrupt) => void) | undefined;
  const timer = setInterval(async () => {
    try {
      if (!finished && !(await stillValid())) {
        revoked = true;
        interrupt?.(REVOKED);
      }
    } catch {
      // The database is away: looked at again at the next tick.
    }
  }, intervalMs);
  timer.unref();
  /** Stops the checks and ends the source (its promise: the source's return). */
  const finish = (): Promise<unknown> => {
    if (finished) return Promise.resolve();
    finished = true;
    clearInterval(timer);
    interrupt?.({ done: true, value: undefined });
    return Promise.resolve(iterator.return?.());
  };
  const ended = (): IteratorResult<unknown> => {
    // The error goes out now, whenever (and however) the source ends.
    finish().catch(() => {});
    return { done: false, value: { errors: [unauthenticated('Invalid or revoked token')] } };
  };
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (finished) return { done: true, value: undefined };
      if (revoked) return ended();
      const interrupted = new Promise<Interrupt>((resolve) => {
        interrupt = resolve;
      });
      try {
        const next = await Promise.race([iterator.next(), interrupted]);
        if (next === REVOKED) return ended();
        if (next.done) await finish();
        return next;
      } catch (error) {
        // The source failed: its consumer will not call return(), so the
        // checks stop here.
        finished = true;
        clearInterval(timer);
        throw error;
      } finally {
        interrupt = undefined;
      }
    },
    async return() {
      await finish();
      return { done: true, value: undefined };
    },
    async throw(error: unknown) {
      await finish();
      throw error;
    },
  };
}
