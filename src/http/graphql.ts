// graphql-yoga over the Pothos schema: GraphiQL on GET, the caller's token
// resolved once per request, typed errors mapped to their codes and every
// other error masked (logged with an id the client can quote), the request
// limits of limits.ts, per-request metrics and logs (graphqlMetrics.ts), and
// repeated queries answered from the answer cache (answerCache.ts).
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type pg from 'pg';
import type { GraphQLContext } from '../../schema/context.ts';
import { exposedError, unauthenticated, useApiErrorCodes } from '../../schema/errors.ts';
import { schema } from '../../schema/index.ts';
import type { SnapshotStore } from '../audit/snapshots.ts';
import { type Authentication, authenticate } from '../auth/tokens.ts';
import type { CommandDeps } from '../commands/execute.ts';
import type { EventStore } from '../eventStore/eventStore.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import { createOperationObservability } from '../observability/graphqlMetrics.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { useAnswerCache } from './answerCache.ts';
import { limitPlugins } from './limits.ts';
import { useTimeTravel } from './timeTravel.ts';
import { type TokenCheck, useTokenRecheck } from './tokenRecheck.ts';

export type GraphQLParts = {
  prisma: PrismaClient;
  /** Time travel: the snapshots of the past and a Prisma client of their views. */
  past: { snapshots: SnapshotStore; prisma: PrismaClient; concurrency: number };
  pool: pg.Pool;
  store: EventStore;
  commands: CommandDeps;
  adminToken: string | undefined;
  /** Bytes of query answers kept (answerCache.ts); 0 turns the cache off. */
  answerCacheBytes: number;
  /** The token check open subscriptions repeat (tokenRecheck.ts). */
  tokenCheck: TokenCheck;
  logger: Logger;
  metrics: Metrics;
};

type ServerContext = { req: IncomingMessage; res: ServerResponse };

function describeViewer(authentication: Authentication | undefined): string {
  if (!authentication) return 'unknown';
  if (authentication.status !== 'ok') return authentication.status;
  return authentication.viewer.kind === 'token' ? authentication.viewer.role : 'platform';
}

export function createGraphQLHandler(parts: GraphQLParts): YogaServerInstance<ServerContext, GraphQLContext> {
  // The credential is checked as soon as the GraphQL parameters are read, so
  // validation already knows whether the caller is authenticated; the context
  // reuses the answer.
  const authentications = new WeakMap<Request, Authentication>();
  const authenticationOf = async (request: Request): Promise<Authentication> => {
    const known = authentications.get(request);
    if (known) return known;
    const authentication = await authenticate(parts.pool, request.headers.get('authorization'), parts.adminToken);
    authentications.set(request, authentication);
    return authentication;
  };
  const observability = createOperationObservability({
    metrics: parts.metrics,
    logger: parts.logger,
    viewerOf: (request) => describeViewer(authentications.get(request)),
  });
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    plugins: [
      useApiErrorCodes(),
      observability.plugin,
      {
        onParams: async ({ request }) => {
          await authenticationOf(request);
        },
      },
      ...limitPlugins({ isAuthenticated: (request) => authentications.get(request)?.status === 'ok' }),
      // Before time travel: the version is read before the operation runs anywhere.
      ...(parts.answerCacheBytes > 0
        ? [
            useAnswerCache({
              pool: parts.pool,
              maxBytes: parts.answerCacheBytes,
              metrics: parts.metrics,
              logger: parts.logger,
            }),
          ]
        : []),
      useTimeTravel(parts.past.snapshots, parts.past.prisma, { concurrency: parts.past.concurrency }),
      useTokenRecheck(parts.tokenCheck),
    ],
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Orgstream', subscriptionsProtocol: 'WS' },
    logging: {
      debug: (...args) => parts.logger.debug(args.map(String).join(' ')),
      info: (...args) => parts.logger.info(args.map(String).join(' ')),
      warn: (...args) => parts.logger.warn(args.map(String).join(' ')),
      error: (...args) => parts.logger.error(args.map(String).join(' ')),
    },
    maskedErrors: {
      maskError: (error) => {
        const exposed = exposedError(error);
        if (exposed) return exposed;
        const errorId = randomUUID();
        parts.logger.error({ err: (error as GraphQLError).originalError ?? error, errorId }, 'unexpected error');
        return new GraphQLError('Unexpected error; quote this errorId when reporting it', {
          extensions: { code: 'INTERNAL_SERVER_ERROR', errorId },
        });
      },
    },
    context: async ({ request }): Promise<GraphQLContext> => {
      const authentication = await authenticationOf(request);
      if (authentication.status === 'invalid') throw unauthenticated('Invalid or revoked token');
      return {
        prisma: parts.prisma,
        pool: parts.pool,
        store: parts.store,
        commands: parts.commands,
        viewer: authentication.status === 'ok' ? authentication.viewer : undefined,
        adminToken: parts.adminToken,
        requestId:
          observability.requestIdOf(request) ?? request.headers.get('x-request-id')?.slice(0, 100) ?? randomUUID(),
      };
    },
  });
}
