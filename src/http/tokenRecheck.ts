// Open subscriptions re-check their token, whatever the transport: a token
// revoked (or an organization's token re-issued with another role) ends the
// streams it opened within `recheckMs`, with UNAUTHENTICATED. The WebSocket
// transport also closes its sockets (websocket.ts); Server-Sent Events streams
// have only this.
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type pg from 'pg';
import { unauthenticated } from '../../schema/errors.ts';
import { authenticate } from '../auth/tokens.ts';

type Source = AsyncIterable<unknown>;

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
        setResult(rechecking(result as Source, stillValid, options.recheckMs) as never);
      },
    }),
  };
}

/** The source's items until `stillValid` says no (then one error, and the end). */
async function* rechecking(
  source: Source,
  stillValid: () => Promise<boolean>,
  intervalMs: number,
): AsyncGenerator<unknown, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let revoke: () => void = () => {};
  const revoked = new Promise<'revoked'>((resolve) => {
    revoke = () => resolve('revoked');
  });
  const timer = setInterval(async () => {
    try {
      if (!(await stillValid())) revoke();
    } catch {
      // The database is away: looked at again at the next tick.
    }
  }, intervalMs);
  timer.unref();
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), revoked]);
      if (next === 'revoked') {
        yield { errors: [unauthenticated('Invalid or revoked token')] };
        return;
      }
      if (next.done) return;
      yield next.value;
    }
  } finally {
    clearInterval(timer);
    await iterator.return?.();
  }
}
