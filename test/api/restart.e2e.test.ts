// A database restart is survived: a WebSocket subscriber keeps its
// subscription, the listener reconnects, and events written after the
// restart arrive with nothing lost and nothing twice.
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type RunningService, startService } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { type RunningPostgres, startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { freePort } from '../support/freePort.ts';
import { ADMIN_TOKEN } from '../support/server.ts';

let dataDir: string;
let port: number;
let postgres: RunningPostgres;
let service: RunningService;

const start = () => startEmbeddedPostgres({ dataDir, port, settings: { fsync: 'off' } });

async function graphql<T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T; errors?: unknown[] };
    if (body.data && !body.errors) return body.data;
    // Right after the restart the pool may hand out a connection that died with the old server.
    if (attempt >= 10) throw new Error(JSON.stringify(body.errors));
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'orgstream-restart-'));
  await chmod(dataDir, 0o755);
  port = await freePort();
  postgres = await start();
  await postgres.createDatabase('orgstream');
  const config = loadConfig({
    DATABASE_URL: postgres.urlFor('orgstream'),
    PORT: '0',
    ORGSTREAM_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
  });
  service = await startService(config, createLogger(config));
}, 60_000);

afterAll(async () => {
  await service?.close();
  await postgres?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it('keeps delivering after PostgreSQL restarts', async () => {
  const { createOrganization } = await graphql<{ createOrganization: { adminToken: string } }>(
    'mutation { createOrganization(input: { name: "Acme", slug: "acme", growthPhase: HYPERGROWTH }) { adminToken } }',
    {},
    ADMIN_TOKEN,
  );
  const token = createOrganization.adminToken;
  const received: { type: string; position: string; data: { name?: string } }[] = [];
  const client = createClient({
    url: `${service.url.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
  });
  const dispose = client.subscribe<{ events: (typeof received)[number] }>(
    { query: 'subscription { events(from: "0") { type position data } }' },
    { next: (result) => result.data && received.push(result.data.events), error: () => {}, complete: () => {} },
  );
  const until = async (count: number) => {
    const deadline = Date.now() + 20_000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received.length).toBeGreaterThanOrEqual(count);
  };
  await until(1);

  await postgres.stop();
  postgres = await start();

  const form = (name: string) =>
    graphql(
      'mutation($name: String!) { formTeam(input: { name: $name, kind: PLATFORM }) { position } }',
      { name },
      token,
    );
  await form('After restart 1');
  await form('After restart 2');
  await until(3);
  dispose();
  await client.dispose();
  expect(received.map((event) => event.data.name ?? event.type)).toEqual([
    'Acme',
    'After restart 1',
    'After restart 2',
  ]);
  const positions = received.map((event) => BigInt(event.position));
  expect(new Set(positions).size).toBe(positions.length);
}, 60_000);
