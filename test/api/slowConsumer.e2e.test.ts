// A subscriber that stops reading holds nothing for long: when its socket has
// had unsent bytes for ORGSTREAM_WS_STALL_MS with no message getting through,
// it is closed with 1013 (reason "slow consumer"), and resuming from the last
// position it received misses nothing. One that reads slowly, but reads, stays.
// Graceful shutdown ends open subscriptions as "going away".
import { decodeGlobalID } from '@pothos/plugin-relay';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createEventCatalog } from '../../events/index.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { SLOW_CONSUMER } from '../../src/http/websocket.ts';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';
import { collect, connect, disposeClients } from '../support/subscriptions.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ ORGSTREAM_WS_STALL_MS: '400' });
});
afterAll(async () => {
  await disposeClients();
  await server.close();
});

async function organization(target: TestServer, slug: string) {
  const created = await target.graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    'mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH }) { adminToken organization { id } } }',
    { slug },
    ADMIN_TOKEN,
  );
  return created.data!.createOrganization;
}

/** `count` handoff events of about 8 KiB each, appended straight to the log (the subscription reads only the log). */
async function bulkEvents(target: TestServer, organizationId: string, count: number): Promise<void> {
  const store = new EventStore(target.db.pool, createEventCatalog());
  const comment = 'x'.repeat(8_000);
  for (let done = 0; done < count; done += 200) {
    const requests = Array.from({ length: Math.min(200, count - done) }, () => {
      const handoffId = uuidv7();
      return {
        streamId: `handoff-${handoffId}`,
        events: [
          {
            type: 'HandoffRecorded',
            data: {
              handoffId,
              teamId: uuidv7(),
              title: 'Bulk',
              reviewedWithEngineering: true,
              reviewedWithProduct: true,
              comment,
            },
          },
        ],
      };
    });
    await store.appendMany(organizationId, requests);
  }
}

describe('slow consumers', () => {
  it('are closed with 1013 when they stop reading, and resume without missing anything', async () => {
    const org = await organization(server, 'slow');
    const adminToken = org.adminToken;
    const organizationId = decodeGlobalID(org.organization.id).id;
    await bulkEvents(server, organizationId, 3_000); // about 24 MiB

    const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
    const received: string[] = [];
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    socket.on('message', (raw) => {
      const message = JSON.parse(raw.toString());
      if (message.type === 'connection_ack') {
        socket.send(
          JSON.stringify({
            id: '1',
            type: 'subscribe',
            payload: { query: 'subscription { events(from: "0") { position type data } }' },
          }),
        );
        // Stop reading: the server's send buffer fills.
        setTimeout(() => (socket as unknown as { _socket: { pause(): void } })._socket.pause(), 5);
      }
      if (message.type === 'next') received.push(message.payload.data.events.position);
    });
    socket.on('open', () =>
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${adminToken}` } })),
    );
    // Give the server time to hit the limit, then read again to see the close.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(SLOW_CONSUMER);
    expect(reason).toMatch(/slow consumer/i);
    expect(received.length).toBeLessThan(3_001);

    // Resuming from the last position received delivers the rest, in order, nothing twice.
    const last = received.at(-1) ?? '0';
    const resumed = collect<{ events: { position: string } }>(
      connect(server, adminToken),
      'subscription($from: Position) { events(from: $from) { position } }',
      { from: last },
    );
    const rest = await resumed.until(3_001 - received.length, 30_000);
    const all = [...received, ...rest.map((result) => result.events.position)];
    expect(all).toHaveLength(3_001); // OrganizationCreated and the bulk
    expect(new Set(all).size).toBe(all.length);
    expect(all.map(BigInt)).toEqual([...all.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
    resumed.dispose();
  }, 60_000);
});

describe('slow readers', () => {
  it('stay connected while they read, however slowly', async () => {
    // A window of 1.5 s: the reader below gets messages through every 300 ms,
    // however busy this one process (server and client) is meanwhile.
    const own = await startTestServer({ ORGSTREAM_WS_STALL_MS: '1500' });
    try {
      await readSlowly(own);
    } finally {
      await own.close();
    }
  }, 60_000);
});

/** A client that reads about one socket read every 300 ms, subscribed to a large backlog: left alone by `server`. */
async function readSlowly(server: TestServer) {
  const org = await organization(server, 'slow-reader');
  const organizationId = decodeGlobalID(org.organization.id).id;
  await bulkEvents(server, organizationId, 6_000); // about 48 MiB: far more than the socket buffers hold

  const socket = new WebSocket(`${server.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const raw = () => (socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  let received = 0;
  let closedWith: number | undefined;
  socket.on('close', (code) => {
    closedWith = code;
  });
  socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.type === 'connection_ack') {
      socket.send(
        JSON.stringify({
          id: '1',
          type: 'subscribe',
          payload: { query: 'subscription { events(from: "0") { position data } }' },
        }),
      );
    }
    if (message.type === 'next') received++;
  });
  socket.on('open', () =>
    socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${org.adminToken}` } })),
  );
  await new Promise((resolve) => socket.once('open', resolve));
  // Read a little every 300 ms (one turn of the event loop's worth, at most
  // about 250 messages): the server's socket always has bytes waiting, but
  // messages keep getting through.
  raw().pause();
  const throttle = setInterval(() => {
    raw().resume();
    setImmediate(() => raw().pause());
  }, 300);
  try {
    await new Promise((resolve) => setTimeout(resolve, 4_500)); // 3 times ORGSTREAM_WS_STALL_MS
    const before = received;
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(closedWith).toBeUndefined();
    expect(received).toBeGreaterThan(before);
    expect(received).toBeLessThan(6_001); // still catching up: it was slow throughout
  } finally {
    clearInterval(throttle);
    raw().resume();
    socket.close();
  }
}

describe('keep-alive', () => {
  it('pings every open socket', async () => {
    const own = await startTestServer({ ORGSTREAM_WS_KEEPALIVE_MS: '150' });
    try {
      const { adminToken } = await organization(own, 'pings');
      const socket = new WebSocket(`${own.url.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
      let pings = 0;
      socket.on('ping', () => pings++);
      socket.on('open', () =>
        socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${adminToken}` } })),
      );
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(pings).toBeGreaterThanOrEqual(2);
      socket.close();
    } finally {
      await own.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('completes open subscriptions when the service stops', async () => {
    const own = await startTestServer();
    const { adminToken } = await organization(own, 'shutdown');
    let code: number | undefined;
    const client = connect(own, adminToken, (closedWith) => {
      code = closedWith;
    });
    const subscription = collect<{ events: { position: string } }>(
      client,
      'subscription { events(from: "0") { position } }',
    );
    await subscription.until(1);
    await own.close();
    const deadline = Date.now() + 5_000;
    while (!subscription.completed && code === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Ended by the server going away (1001), not by a failure: the client reconnects elsewhere and resumes.
    expect(code).toBe(1001);
    expect(subscription.errors.map((error) => (error as { code?: number }).code)).toEqual(
      subscription.completed ? [] : [1001],
    );
  });
});
