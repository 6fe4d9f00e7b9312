// No N+1: the org-graph query costs the same number of SQL statements on the
// demo organization and on one ten times its size. Counted at the pg driver,
// under the real schema, Prisma and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ORG_GRAPH as ORG_GRAPH_QUERY } from '../../bench/queries.ts';
import { createEventCatalog } from '../../events/index.ts';
import type { GraphQLContext } from '../../schema/context.ts';
import { schema } from '../../schema/index.ts';
import { seedDemoOrganization } from '../../src/demo/demoOrganization.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { countingPool, createTestDatabase, type TestDatabase } from '../support/database.ts';

const ORG_GRAPH = parse(ORG_GRAPH_QUERY);

type Measured = { db: TestDatabase; organizationId: string; statements: number; teams: number; members: number };

async function measure(scale: number): Promise<Measured> {
  const db = await createTestDatabase();
  const store = new EventStore(db.pool, createEventCatalog());
  const { organizationId } = await seedDemoOrganization({ pool: db.pool, store }, { scale });
  const counted = countingPool(db.url, 10);
  const pool = counted.pool;
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  const context: GraphQLContext = {
    prisma,
    pool,
    store,
    commands: { pool: db.pool, store },
    viewer: { kind: 'token', tokenId: randomUUID(), organizationId, role: 'READER', label: 'reader' },
    adminToken: undefined,
    requestId: 'n-plus-one',
  };
  counted.statements = 0;
  const result = await execute({ schema, document: ORG_GRAPH, contextValue: context });
  const sent = counted.statements;
  await prisma.$disconnect();
  await pool.end();
  expect(result.errors).toBeUndefined();
  const teams = (result.data as { organization: { teams: { edges: { node: { members: { edges: unknown[] } } }[] } } })
    .organization.teams.edges;
  return {
    db,
    organizationId,
    statements: sent,
    teams: teams.length,
    members: teams.reduce((sum, team) => sum + team.node.members.edges.length, 0),
  };
}

let demo: Measured;
let tenfold: Measured;

beforeAll(async () => {
  demo = await measure(1);
  tenfold = await measure(10);
}, 180_000);
afterAll(async () => {
  await demo?.db.drop();
  await tenfold?.db.drop();
});

it('runs as many SQL statements for the 10x organization as for the demo', () => {
  expect(tenfold.teams).toBeGreaterThan(demo.teams * 5);
  expect(tenfold.members).toBeGreaterThan(demo.members * 5);
  expect(demo.statements).toBeGreaterThan(0);
  expect(tenfold.statements).toBe(demo.statements);
});
