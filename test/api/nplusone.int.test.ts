// No N+1: the org-graph query, and the ownership ledgers of every
// responsibility, cost the same number of SQL statements on the demo
// organization and on one ten times its size. Counted at the pg driver,
// under the real schema, Prisma and PostgreSQL.
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { type DocumentNode, execute, parse } from 'graphql';
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

const LEDGERS = parse(`{
  organization {
    responsibilities {
      title
      ownershipHistory { from to owner { __typename ... on Person { name } ... on Team { name } } }
    }
  }
}`);

type Seeded = { db: TestDatabase; organizationId: string; store: EventStore };
type Counted = { statements: number; data: Record<string, unknown> };

async function seed(scale: number): Promise<Seeded> {
  const db = await createTestDatabase();
  const store = new EventStore(db.pool, createEventCatalog());
  const { organizationId } = await seedDemoOrganization({ pool: db.pool, store }, { scale });
  return { db, organizationId, store };
}

/** Runs a document as a reader of the organization; returns its data and the statements Prisma sent. */
async function count({ db, organizationId, store }: Seeded, document: DocumentNode): Promise<Counted> {
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
  const result = await execute({ schema, document, contextValue: context });
  const sent = counted.statements;
  await prisma.$disconnect();
  await pool.end();
  expect(result.errors).toBeUndefined();
  return { statements: sent, data: result.data as Record<string, unknown> };
}

let demo: Seeded;
let tenfold: Seeded;

beforeAll(async () => {
  demo = await seed(1);
  tenfold = await seed(10);
}, 180_000);
afterAll(async () => {
  await demo?.db.drop();
  await tenfold?.db.drop();
});

it('runs as many SQL statements for the 10x organization as for the demo', async () => {
  const small = await count(demo, ORG_GRAPH);
  const large = await count(tenfold, ORG_GRAPH);
  type Graph = { organization: { teams: { edges: { node: { members: { edges: unknown[] } } }[] } } };
  const teams = (counted: Counted) => (counted.data as Graph).organization.teams.edges;
  const members = (counted: Counted) => teams(counted).reduce((sum, team) => sum + team.node.members.edges.length, 0);
  expect(teams(large).length).toBeGreaterThan(teams(small).length * 5);
  expect(members(large)).toBeGreaterThan(members(small) * 5);
  expect(small.statements).toBeGreaterThan(0);
  expect(large.statements).toBe(small.statements);
});

it('loads the owners of every ownership period with a statement per kind of owner, not one per period', async () => {
  const small = await count(demo, LEDGERS);
  const large = await count(tenfold, LEDGERS);
  type Ledgers = {
    organization: {
      responsibilities: { ownershipHistory: { owner: { __typename: string; name: string } | null }[] }[];
    };
  };
  const periods = (counted: Counted) =>
    (counted.data as Ledgers).organization.responsibilities.flatMap(
      (responsibility) => responsibility.ownershipHistory,
    );
  expect(periods(large).length).toBeGreaterThan(periods(small).length * 5);
  // Every period's owner is there, people and teams alike.
  expect(periods(large).every((period) => period.owner?.name)).toBe(true);
  expect(new Set(periods(large).map((period) => period.owner?.__typename))).toEqual(new Set(['Person', 'Team']));
  expect(large.statements).toBe(small.statements);
});
