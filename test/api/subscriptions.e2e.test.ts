// Subscriptions end to end: the real graphql-ws client over WebSocket and an
// SSE client against started servers. Catch-up, live, resume, bad and revoked
// tokens, tenant isolation, teamChanged, and two servers on one database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';
import { collect, connect, disposeClients } from '../support/subscriptions.ts';

type EventPayload = { position: string; type: string; streamId: string; data: Record<string, unknown> };

let server: TestServer;
let other: TestServer;

async function organization(target: TestServer, slug: string) {
  const created = await target.graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    'mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH }) { adminToken organization { id } } }',
    { slug },
    ADMIN_TOKEN,
  );
  const { adminToken, organization: org } = created.data!.createOrganization;
  const reader = await target.graphql<{ issueApiToken: { token: string; tokenId: string } }>(
    'mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: READER, label: "reader" }) { token tokenId } }',
    { org: org.id },
    adminToken,
  );
  return { admin: adminToken, reader: reader.data!.issueApiToken.token, readerId: reader.data!.issueApiToken.tokenId };
}

async function formTeam(target: TestServer, token: string, name: string): Promise<{ id: string; position: string }> {
  const formed = await target.graphql<{ formTeam: { team: { id: string }; position: string } }>(
    'mutation($name: String!) { formTeam(input: { name: $name, kind: PLATFORM }) { team { id } position } }',
    { name },
    token,
  );
  return { id: formed.data!.formTeam.team.id, position: formed.data!.formTeam.position };
}

const EVENTS = 'subscription($from: Position) { events(from: $from) { position type streamId data } }';

beforeAll(async () => {
  server = await startTestServer({ ORGSTREAM_WS_TOKEN_RECHECK_MS: '200' });
  // A second server process-equivalent on the same database: its own pool, listener and HTTP server.
  other = await startTestServer({}, server.db);
});
afterAll(async () => {
  await disposeClients();
  await other.close();
  await server.close();
});

describe('events over WebSocket', () => {
  it('catches up on stored events, then delivers live ones, in position order', async () => {
    const acme = await organization(server, 'acme-ws');
    const first = await formTeam(server, acme.admin, 'One');
    await formTeam(server, acme.admin, 'Two');
    const subscription = collect<{ events: EventPayload }>(connect(server, acme.reader), EVENTS, { from: '0' });
    const stored = await subscription.until(3); // OrganizationCreated, two TeamFormed
    expect(stored.map((r) => r.events.type)).toEqual(['OrganizationCreated', 'TeamFormed', 'TeamFormed']);
    const live = await formTeam(server, acme.admin, 'Three');
    const all = await subscription.until(4);
    expect(all[3]!.events).toMatchObject({ type: 'TeamFormed', position: live.position, data: { name: 'Three' } });
    const positions = all.map((r) => BigInt(r.events.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(new Set(positions).size).toBe(positions.length);
    expect(BigInt(first.position)).toBe(positions[1]);
    subscription.dispose();
  });

  it('resumes from the last position seen: nothing missed, nothing twice', async () => {
    const acme = await organization(server, 'acme-resume');
    for (const name of ['A', 'B', 'C']) await formTeam(server, acme.admin, name);
    const client = connect(server, acme.reader);
    const first = collect<{ events: EventPayload }>(client, EVENTS, { from: '0' });
    const seen = await first.until(2);
    first.dispose();
    const last = seen[1]!.events.position;
    await formTeam(server, acme.admin, 'D');
    const second = collect<{ events: EventPayload }>(client, EVENTS, { from: last });
    const rest = await second.until(3);
    expect(rest.map((r) => r.events.data.name)).toEqual(['B', 'C', 'D']);
    expect(rest.every((r) => BigInt(r.events.position) > BigInt(last))).toBe(true);
    second.dispose();
  });

  it('refuses a `from` that is not a position (beyond the largest one included) with BAD_USER_INPUT', async () => {
    const acme = await organization(server, 'acme-bad-from');
    const client = connect(server, acme.reader);
    for (const from of ['-1', 'abc', '01', '9223372036854775808', '99999999999999999999']) {
      const refused = collect<{ events: EventPayload }>(client, EVENTS, { from });
      expect({ from, code: await refused.errorCode() }).toEqual({ from, code: 'BAD_USER_INPUT' });
    }
    // The largest position is one.
    const largest = collect<{ events: EventPayload }>(client, EVENTS, { from: '9223372036854775807' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(largest.errors).toEqual([]);
    largest.dispose();
  });

  it('never delivers another organization’s events', async () => {
    const acme = await organization(server, 'acme-iso');
    const globex = await organization(server, 'globex-iso');
    const subscription = collect<{ events: EventPayload }>(connect(server, acme.reader), EVENTS, { from: '0' });
    await formTeam(server, globex.admin, 'Theirs');
    await formTeam(server, acme.admin, 'Ours');
    const results = await subscription.until(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscription.results.map((r) => [r.events.type, r.events.data.name])).toEqual([
      ['OrganizationCreated', 'acme-iso'],
      ['TeamFormed', 'Ours'],
    ]);
    expect(results.length).toBe(2);
    subscription.dispose();
  });

  it('a command on one server reaches a subscriber on the other (one database)', async () => {
    const acme = await organization(server, 'acme-two');
    const subscription = collect<{ events: EventPayload }>(connect(other, acme.reader), EVENTS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const formed = await formTeam(server, acme.admin, 'Across');
    const [received] = await subscription.until(1);
    expect(received!.events).toMatchObject({ type: 'TeamFormed', position: formed.position });
    subscription.dispose();
  });
});

describe('WebSocket credentials', () => {
  it('a missing or wrong token closes the socket with 4403 and delivers nothing', async () => {
    for (const token of [undefined, 'os_wrong']) {
      let closedWith: number | undefined;
      const client = connect(server, token, (code) => {
        closedWith = code;
      });
      const subscription = collect(client, EVENTS, { from: '0' });
      const deadline = Date.now() + 5_000;
      while (closedWith === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(closedWith).toBe(4403);
      expect(subscription.results).toEqual([]);
    }
  });

  it('a token revoked while its socket is open ends the socket', async () => {
    const acme = await organization(server, 'acme-revoke');
    let closedWith: number | undefined;
    const client = connect(server, acme.reader, (code) => {
      closedWith = code;
    });
    const subscription = collect<{ events: EventPayload }>(client, EVENTS, { from: '0' });
    await subscription.until(1);
    await server.graphql(
      'mutation($id: ID!) { revokeApiToken(input: { tokenId: $id }) }',
      { id: acme.readerId },
      acme.admin,
    );
    const deadline = Date.now() + 5_000;
    while (closedWith === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(closedWith).toBe(4403);
  });
});

describe('teamChanged', () => {
  it('pushes the team as a query would see it after each change that touches it', async () => {
    const acme = await organization(server, 'acme-team');
    const team = await formTeam(server, acme.admin, 'Payments');
    const other = await formTeam(server, acme.admin, 'Search');
    const subscription = collect<{ teamChanged: { name: string; version: number } }>(
      connect(server, acme.reader),
      'subscription($id: ID!) { teamChanged(id: $id) { name version } }',
      { id: team.id },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server
      .graphql(
        'mutation($id: ID!) { renameTeam(input: { teamId: $id, name: "Search" }) { position } }',
        { id: other.id },
        acme.admin,
      )
      .catch(() => {});
    await server.graphql(
      'mutation($id: ID!) { renameTeam(input: { teamId: $id, name: "Payments Core" }) { position } }',
      { id: team.id },
      acme.admin,
    );
    const [pushed] = await subscription.until(1);
    expect(pushed).toEqual({ teamChanged: { name: 'Payments Core', version: 2 } });
    subscription.dispose();
  });
});

describe('teamChanged, what touches a team', () => {
  it('pushes for every event the team’s history lists (a handoff, a dependency and its resolution), not for others', async () => {
    const acme = await organization(server, 'acme-touch');
    const team = await formTeam(server, acme.admin, 'Payments');
    const other = await formTeam(server, acme.admin, 'Search');
    const subscription = collect<{ teamChanged: { name: string; handoffs: { title: string }[] } }>(
      connect(server, acme.reader),
      'subscription($id: ID!) { teamChanged(id: $id) { name handoffs { title } } }',
      { id: team.id },
    );
    const run = async (query: string, variables: Record<string, unknown>) => {
      const response = await server.graphql<Record<string, { position: string; dependency?: { id: string } }>>(
        query,
        variables,
        acme.admin,
      );
      expect(response.errors).toBeUndefined();
      return Object.values(response.data!)[0]!;
    };
    const HANDOFF = `mutation($team: ID!, $title: String!) {
      recordHandoff(input: { teamId: $team, title: $title, reviewedWithEngineering: true, reviewedWithProduct: false }) { position }
    }`;
    // The subscription starts from now: touch the team until it is seen to be live.
    const RENAME =
      'mutation($id: ID!, $name: String!) { renameTeam(input: { teamId: $id, name: $name }) { position } }';
    for (let attempt = 0; subscription.results.length === 0; attempt++) {
      if (attempt === 50) throw new Error('teamChanged never started');
      await run(RENAME, { id: team.id, name: `Payments ${attempt}` });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Every rename's push in (a later one may still have been on its way): a second without a new one.
    for (let seen = -1; seen !== subscription.results.length; ) {
      seen = subscription.results.length;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const live = subscription.results.length;
    await run(HANDOFF, { team: other.id, title: 'Not ours' });
    await run(HANDOFF, { team: team.id, title: 'Spec for refunds' });
    const declared = await run(
      `mutation($from: ID!, $to: ID!) {
        declareDependency(input: { fromTeamId: $from, toTeamId: $to, mode: X_AS_A_SERVICE }) { dependency { id } position }
      }`,
      { from: other.id, to: team.id },
    );
    // Names only the dependency: the team is found through it.
    await run('mutation($id: ID!) { resolveDependency(input: { dependencyId: $id }) { position } }', {
      id: declared.dependency!.id,
    });
    const pushed = await subscription.until(live + 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscription.results).toHaveLength(live + 3);
    expect(pushed[live]!.teamChanged.handoffs.map((handoff) => handoff.title)).toEqual(['Spec for refunds']);
    subscription.dispose();
  });
});

/** The `events` subscription from position 0, over Server-Sent Events. */
function eventStream(token: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: EVENTS, variables: { from: '0' } }),
    ...(signal ? { signal } : {}),
  });
}

describe('events over Server-Sent Events', () => {
  it('streams stored and live events to an SSE client', async () => {
    const acme = await organization(server, 'acme-sse');
    await formTeam(server, acme.admin, 'First');
    const controller = new AbortController();
    const response = await eventStream(acme.reader, controller.signal);
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    const events: EventPayload[] = [];
    let buffer = '';
    const read = async (count: number) => {
      while (events.length < count) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let split = buffer.indexOf('\n\n'); split >= 0; split = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, split);
          buffer = buffer.slice(split + 2);
          const data = block.split('\n').find((line) => line.startsWith('data:'));
          if (data && block.includes('event: next')) events.push(JSON.parse(data.slice(5)).data.events);
        }
      }
    };
    await read(2);
    await formTeam(server, acme.admin, 'Second');
    await read(3);
    controller.abort();
    expect(events.map((e) => e.type)).toEqual(['OrganizationCreated', 'TeamFormed', 'TeamFormed']);
    expect(events[2]!.data.name).toBe('Second');
  });

  it('ends an SSE stream whose token is revoked, with UNAUTHENTICATED', async () => {
    const acme = await organization(server, 'acme-sse-revoke');
    const response = await eventStream(acme.reader);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (found: (text: string) => boolean) => {
      while (!found(text)) {
        const { value, done } = await reader.read();
        if (done) return true;
        text += decoder.decode(value, { stream: true });
      }
      return false;
    };
    await readUntil((sofar) => sofar.includes('OrganizationCreated'));
    await server.graphql(
      'mutation($id: ID!) { revokeApiToken(input: { tokenId: $id }) }',
      { id: acme.readerId },
      acme.admin,
    );
    // The server re-checks every 200 ms here: the stream says why, and ends.
    const ended = await Promise.race([
      readUntil(() => false),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000)),
    ]);
    expect(ended).toBe(true);
    expect(text).toContain('UNAUTHENTICATED');
  });
});
