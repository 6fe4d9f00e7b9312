// The two-command promise: `npm start` serves on an embedded PostgreSQL whose
// data survives restarts, stops cleanly on Ctrl-C, and uses DATABASE_URL when set.
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../src/db/pool.ts';
import { EventStore } from '../src/eventStore/eventStore.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { freePort } from './support/freePort.ts';
import { startServiceProcess } from './support/serviceProcess.ts';
import { collect, disposeClients, connect as subscribeTo } from './support/subscriptions.ts';
import { opened, testCatalog } from './support/testEvents.ts';

async function graphql(url: string, query: string, token?: string) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: unknown } };
}

function portAcceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start on the embedded PostgreSQL', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'orgstream-e2e-'));
    // The embedded server runs as the `postgres` user when we are root.
    await chmod(dataDir, 0o755);
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('serves GraphQL and health, stops cleanly on SIGINT, and keeps its data across restarts', async () => {
    const env = {
      DATABASE_URL: undefined,
      ORGSTREAM_DATA_DIR: dataDir,
      ORGSTREAM_EMBEDDED_PG_PORT: String(await freePort()),
      PORT: String(await freePort()),
    };
    const pgPort = Number(env.ORGSTREAM_EMBEDDED_PG_PORT);
    const first = await startServiceProcess(env);
    expect(first.logs.some((entry) => entry.msg === 'embedded PostgreSQL started')).toBe(true);
    expect(first.logs.some((entry) => entry.msg === 'migrations applied')).toBe(true);
    // An empty database offers the demo.
    expect(first.logs.some((entry) => String(entry.msg).includes('npm run seed:demo'))).toBe(true);

    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(await graphql(first.url, '{ __typename }')).toEqual({
      status: 200,
      body: { data: { __typename: 'Query' } },
    });
    const ready = await fetch(`${first.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', pendingMigrations: [] });

    // Write through the embedded server while it runs.
    const credentials = JSON.parse(await readFile(join(dataDir, 'credentials.json'), 'utf8')) as {
      user: string;
      password: string;
    };
    const url = `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${pgPort}/orgstream`;
    const organizationId = uuidv7();
    let pool = createPool(url);
    const written = await new EventStore(pool, testCatalog()).append(organizationId, 'c', [opened('kept')]);
    await pool.end();

    expect(await first.stop('SIGINT')).toBe(0);
    expect(first.logs.some((entry) => entry.msg === 'stopped')).toBe(true);
    expect(await portAcceptsConnections(pgPort)).toBe(false);

    const second = await startServiceProcess(env);
    expect(second.logs.some((entry) => entry.msg === 'migrations applied')).toBe(false);
    pool = createPool(url);
    const events = await new EventStore(pool, testCatalog()).readAll(organizationId);
    await pool.end();
    expect(events.map((event) => [event.position, event.data])).toEqual([[written.lastPosition, { name: 'kept' }]]);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(await portAcceptsConnections(pgPort)).toBe(false);
  });
});

describe('npm start with DATABASE_URL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('uses that server and starts no embedded one', async () => {
    const service = await startServiceProcess({ DATABASE_URL: db.url, PORT: '0' });
    expect(service.logs.some((entry) => entry.msg === 'using DATABASE_URL')).toBe(true);
    expect(await graphql(service.url, '{ __typename }')).toMatchObject({ status: 200 });
    expect((await fetch(`${service.url}/ready`)).status).toBe(200);
    expect(await service.stop()).toBe(0);
  });
});

describe('configuration', () => {
  it.each([
    ['PORT', 'not-a-port'],
    ['DATABASE_URL', 'mysql://localhost/orgstream'],
    ['ORGSTREAM_ADMIN_TOKEN', 'short'],
  ])('refuses to start with an invalid %s and names it', (name, value) => {
    const result = spawnSync(process.execPath, ['src/main.ts'], {
      cwd: join(import.meta.dirname, '..'),
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(name);
  });
});

describe('two service processes on one database', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await disposeClients();
    await db.drop();
  });

  it('a command on one reaches subscribers of events and frictionSignalChanged on the other', async () => {
    const env = { DATABASE_URL: db.url, PORT: '0', ORGSTREAM_ADMIN_TOKEN: 'two-processes-platform-token' };
    const [writer, reader] = await Promise.all([startServiceProcess(env), startServiceProcess(env)]);
    try {
      const created = await graphql(
        writer.url,
        'mutation { createOrganization(input: { name: "Two", slug: "two", growthPhase: EXPERIMENTING }) { adminToken } }',
        'two-processes-platform-token',
      );
      const token = (created.body as { data: { createOrganization: { adminToken: string } } }).data.createOrganization
        .adminToken;
      const events = collect<{ events: { type: string } }>(
        subscribeTo(reader, token),
        'subscription { events { type } }',
      );
      const signals = collect<{ frictionSignalChanged: { change: string; signal: { kind: string } } }>(
        subscribeTo(reader, token),
        'subscription { frictionSignalChanged { change signal { kind } } }',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      // Growing past EXPERIMENTING without a leadership team raises LEADERSHIP_SILO.
      const grown = await graphql(
        writer.url,
        'mutation { changeGrowthPhase(input: { phase: HYPERGROWTH }) { position } }',
        token,
      );
      expect(grown.status).toBe(200);
      expect((await events.until(1))[0]!.events.type).toBe('GrowthPhaseChanged');
      expect((await signals.until(1))[0]!.frictionSignalChanged).toEqual({
        change: 'RAISED',
        signal: { kind: 'LEADERSHIP_SILO' },
      });
    } finally {
      await Promise.all([writer.stop(), reader.stop()]);
    }
  });
});
