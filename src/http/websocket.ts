// GraphQL over WebSocket (the graphql-transport-ws protocol of graphql-ws) on
// the same HTTP server and path as yoga. Each operation goes through yoga's
// own envelop (same schema, context, auth, limits and error masking as HTTP):
// the token from `connectionParams.authorization` is handed to it as the
// Authorization header of a synthetic request.
//
// A missing or wrong token closes the socket with 4403 before anything is
// delivered; the token is checked again every `recheckMs`, so a revoked token
// (or a changed role) also ends sockets already open.
import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type pg from 'pg';
import { WebSocketServer } from 'ws';
import { authenticate } from '../auth/tokens.ts';
import type { Logger } from '../observability/logger.ts';

export type WebSocketParts = {
  pool: Pick<pg.Pool, 'query'>;
  adminToken: string | undefined;
  logger: Logger;
  /** How often open sockets re-check their token. */
  recheckMs?: number;
  /** graphql-ws keep-alive pings. */
  keepAliveMs?: number;
};

const FORBIDDEN = 4403;

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
  const recheckMs = parts.recheckMs ?? 10_000;
  const timers = new Map<object, NodeJS.Timeout>();

  const disposable = useServer<Record<string, unknown>>(
    {
      onConnect: async (context) => {
        const authorization = authorizationOf(context.connectionParams as ConnectionParams);
        const authentication = await authenticate(parts.pool, authorization, parts.adminToken);
        if (authentication.status !== 'ok') return false; // graphql-ws closes with 4403 Forbidden
        const socket = context.extra.socket;
        const timer = setInterval(async () => {
          try {
            const again = await authenticate(parts.pool, authorization, parts.adminToken);
            if (again.status !== 'ok') socket.close(FORBIDDEN, 'Forbidden');
          } catch (error) {
            parts.logger.warn({ err: error }, 'could not re-check a WebSocket token');
          }
        }, recheckMs);
        timer.unref();
        timers.set(socket, timer);
        return true;
      },
      onClose: (context) => {
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
      for (const timer of timers.values()) clearInterval(timer);
      timers.clear();
      // Completes every open subscription (their iterators return) and closes the sockets.
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
