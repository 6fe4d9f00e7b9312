import type { EventStore } from '../src/eventStore/eventStore.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';

/** What every resolver gets: built once per request in src/http/graphql.ts. */
export type GraphQLContext = {
  prisma: PrismaClient;
  store: EventStore;
  requestId: string;
};
