// GraphQL over WebSocket (the graphql-transport-ws protocol of graphql-ws) on
// the same HTTP server and path as yoga. Each operation goes through yoga's
// own envelop (same schema, context, auth, limits and error masking as HTTP):
// the token from `connectionParams.authorization` is handed to it as the
// Authorization header of a synthetic request.
//
// A missing or wrong token closes the socket with 4403 before anything is
// delivered; the token is checked again (`tokenCheck`, shared with the
// subscriptions it carries: tokenRecheck.ts), so a revoked token also ends
// sockets already open.
//
// Memory stays bounded for slow clients: graphql-ws waits for each message to
// be written before it pulls the next one from the subscription, so at most a
// message per subscription waits in the socket. A client that stops reading
// altogether would hold its subscriptions forever, though: when a socket has
// had unsent bytes for `stallMs` without a message getting through meanwhile
// (or more than `maxBufferedBytes` of them) it is closed with 1013 ("try again
// later", which graphql-ws clients retry), and the client resumes from its last
// position (the log keeps everything). A client that reads slowly, but reads,
// is left alone.
import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type pg from 'pg';
import { type WebSocket, WebSocketServer } from 'ws';
import { authenticate } from '../auth/tokens.ts';
import type { Logger } from '../observability/logger.ts';
import type { TokenCheck } from './tokenRecheck.ts';

export type WebSocketParts = {
  pool: Pick<pg.Pool, 'query'>;
  adminToken: string | undefined;
  logger: Logger;
  /** The token check open sockets repeat (shared with the subscriptions, tokenRecheck.ts). */
  tokenCheck: TokenCheck;
  /** graphql-ws keep-alive pings. */
  keepAliveMs?: number;
  /** How long a socket may have unsent bytes before it is closed as a slow consumer (SLOW_CONSUMER). */
  stallMs?: number;
  /** Unsent bytes past which a socket is closed as a slow consumer at once. */
  maxBufferedBytes?: number;
};

const FORBIDDEN = 4403;
/**
 * The client stopped reading what its subscriptions produce. Nothing is
 * lost: it reconnects and resumes `events` from the last position it received.
 * 1013 "Try Again Later": a code graphql-ws clients retry on their own
 * (4429, used before, is one of the codes they treat as fatal).
 */
export const SLOW_CONSUMER = 1013;

type ConnectionParams = { authorization?: unknown } | undefined;

function authorizationOf(params: ConnectionParams): string | undefined {
  const value = params?.authorization;
  return typeof value === 'string' ? value : undefined;
}

export function attachWebSocketTransport(
  server: Server,
  // biome-ignore lint/suspicious/noExplicitAny: yoga's server context differs per transport; only getEnveloped is used.
  yoga: YogaServerInstance<any, any>,
  parts: WebSocketParts,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: '/graphql' });
  const maxBufferedBytes = parts.maxBufferedBytes ?? 4 * 1024 * 1024;
  const stallMs = parts.stallMs ?? 30_000;
  const stallChecks = new Map<object, NodeJS.Timeout>();
  /** Per socket: a message was handed over since its stall check last looked. */
  // Weak: graphql-ws may call onNext once more after onClose.
  const delivered = new WeakMap<object, boolean>();
  const slowConsumer = (socket: WebSocket) => {
    parts.logger.warn({ bufferedBytes: socket.bufferedAmount }, 'closing a WebSocket that does not read');
    socket.close(SLOW_CONSUMER, 'Slow consumer: reconnect and resume from the last position received');
  };
  const timers = new Map<object, NodeJS.Timeout>();

  const disposable = useServer<Record<string, unknown>>(
    {
      onConnect: async (context) => {
        const authorization = authorizationOf(context.connectionParams as ConnectionParams);
        const authentication = await authenticate(parts.pool, authorization, parts.adminToken);
        if (authentication.status !== 'ok') return false; // graphql-ws closes with 4403 Forbidden
        const socket = context.extra.socket;
        // Closed while the token was checked: onClose has run already, and
        // would never clear the timers set below.
        if (socket.readyState !== socket.OPEN) return false;
        const timer = setInterval(async () => {
          try {
            if (!(await parts.tokenCheck.stillValid(authorization!))) socket.close(FORBIDDEN, 'Forbidden');
          } catch (error) {
            parts.logger.warn({ err: error }, 'could not re-check a WebSocket token');
          }
        }, parts.tokenCheck.tickMs);
        timer.unref();
        timers.set(socket, timer);
        let stalledSince: number | undefined;
        const stallCheck = setInterval(
          () => {
            // A message handed over since the last look: the previous one got
            // through (graphql-ws hands a subscription's next message over
            // only once the last is written), so the client reads.
            const moved = delivered.get(socket) ?? false;
            delivered.set(socket, false);
            if (socket.bufferedAmount === 0 || socket.readyState !== socket.OPEN || moved) {
              stalledSince = undefined;
              return;
            }
            stalledSince ??= Date.now();
            if (Date.now() - stalledSince >= stallMs) slowConsumer(socket);
          },
          Math.max(50, Math.floor(stallMs / 4)),
        );
        stallCheck.unref();
        stallChecks.set(socket, stallCheck);
        return true;
      },
      onNext: (context) => {
        const socket = context.extra.socket;
        delivered.set(socket, true);
        if (socket.bufferedAmount > maxBufferedBytes && socket.readyState === socket.OPEN) slowConsumer(socket);
      },
      onClose: (context) => {
        clearInterval(stallChecks.get(context.extra.socket));
        stallChecks.delete(context.extra.socket);
        delivered.delete(context.extra.socket);
        clearTimeout(timers.get(context.extra.socket));
        timers.delete(context.extra.socket);
      },
      onSubscribe: async (context, _id, payload) => {
        const authorization = authorizationOf(context.connectionParams as ConnectionParams);
        const request = new Request('http://websocket/graphql', {
          method: 'POST',
          headers: authorization ? { authorization } : {},
        });
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          params: payload,
          request,
        });
        let document: ExecutionArgs['document'];
        try {
          document = parse(payload.query);
        } catch (error) {
          return [error as never];
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        return args;
      },
      execute: (args) => (args.rootValue as { execute: (args: ExecutionArgs) => unknown }).execute(args) as never,
      subscribe: (args) => (args.rootValue as { subscribe: (args: ExecutionArgs) => unknown }).subscribe(args) as never,
    },
    wss,
    parts.keepAliveMs ?? 12_000,
  );

  return {
    close: async () => {
      for (const timer of [...timers.values(), ...stallChecks.values()]) clearInterval(timer);
      timers.clear();
      stallChecks.clear();
      // Completes every open subscription (their iterators return) and closes the sockets.
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
