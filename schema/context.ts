import type pg from 'pg';
import type { TimeView } from '../src/audit/snapshots.ts';
import type { Viewer } from '../src/auth/tokens.ts';
import type { CommandDeps } from '../src/commands/execute.ts';
import type { EventStore } from '../src/eventStore/eventStore.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';

/** What every resolver gets: built once per request in src/http/graphql.ts. */
export type GraphQLContext = {
  prisma: PrismaClient;
  pool: pg.Pool;
  store: EventStore;
  commands: CommandDeps;
  /** Undefined: no credential. (A wrong credential never gets this far.) */
  viewer: Viewer | undefined;
  adminToken: string | undefined;
  requestId: string;
  /** Set when the operation reads the past: `prisma` then reads that moment's snapshot. */
  timeView?: TimeView;
};
