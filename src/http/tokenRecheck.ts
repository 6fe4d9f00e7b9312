// Open subscriptions re-check their token, whatever the transport: a revoked
// token ends the streams it opened within `recheckMs`, with UNAUTHENTICATED.
// The WebSocket transport also closes its sockets (websocket.ts); Server-Sent
// Events streams have only this.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type pg from 'pg';
import { unauthenticated } from '../../schema/errors.ts';
import { authenticate } from '../auth/tokens.ts';

export function useTokenRecheck(options: {
  pool: Pick<pg.Pool, 'query'>;
  adminToken: string | undefined;
  recheckMs: number;
}): Plugin {
  return {
    onSubscribe: ({ args }) => ({
      onSubscribeResult: ({ result, setResult }) => {
        if (!isAsyncIterable(result)) return;
        const authorization = (args.contextValue as { request?: Request }).request?.headers.get('authorization');
        if (!authorization) return;
        const stillValid = async () =>
          (await authenticate(options.pool, authorization, options.adminToken, { fresh: true })).status === 'ok';
        setResult(rechecking(result, stillValid, options.recheckMs) as never);
      },
    }),
  };
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
  const finish = async () => {
    if (finished) return;
    finished = true;
    clearInterval(timer);
    interrupt?.({ done: true, value: undefined });
    await iterator.return?.();
  };
  const ended = async (): Promise<IteratorResult<unknown>> => {
    await finish();
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
