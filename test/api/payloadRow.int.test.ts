// Mutation payloads that ask only for the object's own columns are answered
// from the row the command left in its resident copy, without a query; any
// other payload, or a command without a copy, reads the table. Either way the
// answer is the row as the command wrote it. Statements are counted at the pg
// driver of the pool Prisma reads through.
import { randomUUID } from 'node:crypto';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { PrismaPg } from '@prisma/adapter-pg';
import { execute, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import type { GraphQLContext } from '../../schema/context.ts';
import { schema } from '../../schema/index.ts';
import type { CommandHandler } from '../../src/commands/command.ts';
import type { CommandDeps } from '../../src/commands/execute.ts';
import { executeCommand } from '../../src/commands/execute.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { PrismaClient } from '../../src/generated/prisma/client.ts';
import { createOrganization } from '../../src/organization/organization.ts';
import { ResidentModels } from '../../src/readModel/resident.ts';
import { formTeam } from '../../src/teams/teams.ts';
import { defineValueStream } from '../../src/valueStreams/valueStreams.ts';
import { countingPool, createTestDatabase, type TestDatabase } from '../support/database.ts';

const ORGANIZATION = '01a21400-0000-7000-8000-0000000000f1';

let db: TestDatabase;
/** The pool Prisma reads through, counting its statements. */
let counted: ReturnType<typeof countingPool>;
let prisma: PrismaClient;
let teamId: string;
let valueStreamId: string;
const store = () => new EventStore(db.pool, createEventCatalog());

beforeAll(async () => {
  db = await createTestDatabase();
  const deps = { pool: db.pool, store: store() };
  const run = <Input, Result>(handler: CommandHandler<Input, Result>, input: unknown) =>
    executeCommand(deps, handler, ORGANIZATION, input, { actor: 'test' });
  await run(createOrganization, { name: 'Acme', slug: 'acme', growthPhase: 'HYPERGROWTH' });
  valueStreamId = (await run(defineValueStream, { name: 'Checkout' })).result.valueStreamId;
  teamId = (await run(formTeam, { name: 'Payments', kind: 'STREAM_ALIGNED', valueStreamId })).result.teamId;
  counted = countingPool(db.url, 2);
  prisma = new PrismaClient({ adapter: new PrismaPg(counted.pool) });
});

afterAll(async () => {
  await prisma?.$disconnect();
  await counted?.pool.end();
  await db?.drop();
});

/** Runs a document as an editor of the organization; returns its data and the statements Prisma sent. */
async function asEditor(commands: CommandDeps, source: string, variables: Record<string, unknown> = {}) {
  const context: GraphQLContext = {
    prisma,
    pool: counted.pool,
    store: store(),
    commands,
    viewer: { kind: 'token', tokenId: randomUUID(), organizationId: ORGANIZATION, role: 'EDITOR', label: 'editor' },
    adminToken: undefined,
    requestId: 'payload-row',
  };
  counted.statements = 0;
  const result = await execute({ schema, document: parse(source), contextValue: context, variableValues: variables });
  expect(result.errors).toBeUndefined();
  return {
    data: result.data as Record<string, Record<string, Record<string, unknown>>>,
    statements: counted.statements,
  };
}

const RECORD = (fields: string) => `
  mutation ($teamId: ID!, $incidents: Int) {
    recordDeliveryMetrics(input: { teamId: $teamId, incidents: $incidents }) { position team { ${fields} } }
  }`;

const OWN = 'id name version archived formedAt';

describe('a mutation payload', () => {
  it('asking only for the object’s own columns is the row the command left, without a query', async () => {
    const commands = { pool: db.pool, store: store(), resident: new ResidentModels() };
    const variables = { teamId: encodeGlobalID('Team', teamId) };
    // The first command loads the copy; the second is decided on it.
    await asEditor(commands, RECORD(OWN), { ...variables, incidents: 1 });
    const { data, statements: sent } = await asEditor(commands, RECORD(OWN), { ...variables, incidents: 2 });
    expect(sent).toBe(0);
    const version = await db.pool.query<{ version: number }>(
      'SELECT max(stream_version) AS version FROM events WHERE stream_id = $1',
      [`team-${teamId}`],
    );
    expect(data.recordDeliveryMetrics!.team).toMatchObject({ name: 'Payments', version: version.rows[0]!.version });
    // The same answer a read of the table gives.
    const read = await asEditor(commands, `query ($id: ID!) { team(id: $id) { ${OWN} } }`, { id: variables.teamId });
    expect(read.statements).toBeGreaterThan(0);
    expect(data.recordDeliveryMetrics!.team).toEqual(read.data.team);
  });

  it('asking for a relation, or of a command without a resident copy, reads the table', async () => {
    const variables = { teamId: encodeGlobalID('Team', teamId) };
    const withCopy = { pool: db.pool, store: store(), resident: new ResidentModels() };
    await asEditor(withCopy, RECORD('version'), { ...variables, incidents: 3 });
    const related = await asEditor(withCopy, RECORD('version valueStream { name }'), { ...variables, incidents: 4 });
    expect(related.statements).toBeGreaterThan(0);
    expect(related.data.recordDeliveryMetrics!.team).toMatchObject({ valueStream: { name: 'Checkout' } });

    const withoutCopy = { pool: db.pool, store: store() };
    const own = await asEditor(withoutCopy, RECORD(OWN), { ...variables, incidents: 5 });
    expect(own.statements).toBeGreaterThan(0);
    const version = await db.pool.query<{ version: number }>(
      'SELECT max(stream_version) AS version FROM events WHERE stream_id = $1',
      [`team-${teamId}`],
    );
    expect(own.data.recordDeliveryMetrics!.team).toMatchObject({ version: version.rows[0]!.version });
  });

  it('of a type without a selection of its own (all its columns) is the row too', async () => {
    const commands = { pool: db.pool, store: store(), resident: new ResidentModels() };
    await asEditor(commands, RECORD('version'), { teamId: encodeGlobalID('Team', teamId), incidents: 6 });
    const { data, statements: sent } = await asEditor(
      commands,
      `mutation ($id: ID!) { retireValueStream(input: { valueStreamId: $id }) { valueStream { id name retired } } }`,
      { id: encodeGlobalID('ValueStream', valueStreamId) },
    );
    expect(sent).toBe(0);
    expect(data.retireValueStream!.valueStream).toMatchObject({ name: 'Checkout', retired: true });
  });
});
