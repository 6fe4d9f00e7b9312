// graphql-yoga over the Pothos schema: GraphiQL on GET, errors masked unless
// they are Orgstream's own typed errors, each request tagged with an id.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from '../../schema/context.ts';
import { schema } from '../../schema/index.ts';
import type { EventStore } from '../eventStore/eventStore.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';
import type { Logger } from '../observability/logger.ts';

export type GraphQLParts = { prisma: PrismaClient; store: EventStore; logger: Logger };

type ServerContext = { req: IncomingMessage; res: ServerResponse };

export function createGraphQLHandler(parts: GraphQLParts): YogaServerInstance<ServerContext, GraphQLContext> {
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Orgstream', subscriptionsProtocol: 'WS' },
    logging: {
      debug: (...args) => parts.logger.debug(args.map(String).join(' ')),
      info: (...args) => parts.logger.info(args.map(String).join(' ')),
      warn: (...args) => parts.logger.warn(args.map(String).join(' ')),
      error: (...args) => parts.logger.error(args.map(String).join(' ')),
    },
    context: ({ request }) => ({
      prisma: parts.prisma,
      store: parts.store,
      requestId: request.headers.get('x-request-id') ?? randomUUID(),
    }),
  });
}
