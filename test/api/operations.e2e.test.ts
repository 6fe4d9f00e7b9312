// The operations surface and the guard rails, over real HTTP: /health,
// /ready, /metrics, per-request ids; the request limits (depth, aliases,
// tokens, cost, directives, body size) answered with the right code and never
// a 5xx; and the audit query `events(filter, first, after)` — who may call it,
// position order, paging, every filter, and no other organization's events.
import { Writable } from 'node:stream';
import type pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkReadiness, MAX_PROJECTION_LAG, startService } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createMetrics } from '../../src/observability/metrics.ts';
import { createTestDatabase } from '../support/database.ts';
import { ADMIN_TOKEN, type EventJson, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

type Org = {
  organizationId: string;
  tokens: Record<'ADMIN' | 'EDITOR' | 'READER' | 'ANALYST', string>;
  teamId: string;
  personId: string;
};

type EventPage = {
  events: {
    edges: { cursor: string; node: EventJson }[];
    pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  };
};

const EVENTS = `query Events($filter: EventFilter, $first: Int, $after: String) {
  events(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id position streamId version type schemaVersion data metadata occurredAt recordedAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

const codes = (response: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (response.errors ?? []).map((error) => error.extensions?.code);

/** The uuid inside a Relay global id (base64 of `Type:uuid`). */
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

async function ok<Data>(query: string, variables: Record<string, unknown>, token?: string): Promise<Data> {
  const response = await server.graphql<Data>(query, variables, token);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data!;
}

async function createOrg(slug: string): Promise<Org> {
  const created = await ok<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    `mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH }) { adminToken organization { id } } }`,
    { slug },
    ADMIN_TOKEN,
  );
  const { adminToken, organization } = created.createOrganization;
  const tokens = { ADMIN: adminToken } as Org['tokens'];
  for (const role of ['EDITOR', 'READER', 'ANALYST'] as const) {
    const issued = await ok<{ issueApiToken: { token: string } }>(
      `mutation($org: ID!, $role: Role!, $label: String!) { issueApiToken(input: { organizationId: $org, role: $role, label: $label }) { token } }`,
      { org: organization.id, role, label: role },
      adminToken,
    );
    tokens[role] = issued.issueApiToken.token;
  }
  const team = await ok<{ formTeam: { team: { id: string } } }>(
    `mutation { formTeam(input: { name: "Payments", kind: STREAM_ALIGNED }) { team { id } } }`,
    {},
    tokens.EDITOR,
  );
  const person = await ok<{ registerPerson: { person: { id: string } } }>(
    `mutation { registerPerson(input: { name: "Ada", email: "ada@example.test", discipline: ENGINEERING }) { person { id } } }`,
    {},
    tokens.EDITOR,
  );
  return {
    organizationId: organization.id,
    tokens,
    teamId: team.formTeam.team.id,
    personId: person.registerPerson.person.id,
  };
}

async function allEvents(token: string, filter: Record<string, unknown> = {}, first = 500): Promise<EventJson[]> {
  const events: EventJson[] = [];
  let after: string | null = null;
  for (;;) {
    const page: EventPage = await ok<EventPage>(EVENTS, { filter, first, after }, token);
    events.push(...page.events.edges.map((edge) => edge.node));
    if (!page.events.pageInfo.hasNextPage) return events;
    after = page.events.pageInfo.endCursor;
  }
}

let acme: Org;
let globex: Org;
/** Between globex's and acme's later commands, in record time. */
let between: string;

beforeAll(async () => {
  server = await startTestServer();
  acme = await createOrg('acme');
  globex = await createOrg('globex');
  await new Promise((resolve) => setTimeout(resolve, 20));
  between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await ok(
    `mutation($teamId: ID!) { renameTeam(input: { teamId: $teamId, name: "Payments Core", reason: "focus" }) { team { name } } }`,
    { teamId: acme.teamId },
    acme.tokens.ADMIN,
  );
  await ok(
    `mutation { registerPerson(input: { name: "Grace", email: "grace@example.test", discipline: PRODUCT, occurredAt: "2020-01-01T00:00:00Z" }) { person { id } } }`,
    {},
    acme.tokens.EDITOR,
  );
});
afterAll(() => server.close());

describe('operations endpoints', () => {
  it('/health answers 200 while the process is up', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('/ready answers 200 with each check: database, migrations, listener, projection lag', async () => {
    const response = await fetch(`${server.url}/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'ready',
      database: 'ok',
      pendingMigrations: [],
      listener: 'ok',
      projectionLag: 0,
      failing: [],
    });
    // Inline projections commit with their events: the read models are at the head.
    expect(BigInt(body.headPosition as string)).toBeGreaterThan(0n);
    expect(body.projectedPosition).toBe(body.headPosition);
  });

  it('/ready reports events a long write transaction holds back from subscribers, and how old it is', async () => {
    const ready = async () => (await (await fetch(`${server.url}/ready`)).json()) as Record<string, unknown>;
    // Transaction ids are the server's: other tests' short transactions (other
    // databases, same server) may hold events back for a moment too.
    const noneHeldBack = async () => {
      const deadline = Date.now() + 10_000;
      while ((await ready()).eventsHeldBack !== 0) {
        if (Date.now() > deadline) throw new Error('events still held back after 10 s');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await noneHeldBack();
    // Another client's transaction that has written (it has a transaction id), left open.
    const other = await server.db.pool.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT pg_current_xact_id()');
      await createOrg('held-back'); // commits events after it started
      const during = await ready();
      expect(during.eventsHeldBack as number).toBeGreaterThan(0);
      expect(during.oldestWriteTransactionSeconds as number).toBeGreaterThanOrEqual(0);
      expect(during.failing).toEqual([]); // reported, not failing
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toMatch(/^orgstream_events_held_back [1-9]\d*$/m);
      await other.query('COMMIT');
      await noneHeldBack();
    } finally {
      await other.query('ROLLBACK').catch(() => {});
      other.release();
    }
  });

  it('/metrics has the operation histogram by name, type and outcome, HTTP counts, appends and lag', async () => {
    await ok('query OpsProbe { __typename }', {});
    await ok('{ __typename }', {});
    await server.graphql('query OpsFailure { organization { name } }'); // UNAUTHENTICATED
    expect((await fetch(`${server.url}/no-such-path-123`)).status).toBe(404);
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toMatch(
      /orgstream_graphql_operation_duration_seconds_count\{operation="OpsProbe",type="query",outcome="ok"\} 1\b/,
    );
    expect(text).toMatch(/orgstream_graphql_operation_duration_seconds_bucket\{le="0\.\d+",operation="OpsProbe"/);
    expect(text).toMatch(/orgstream_graphql_operation_duration_seconds_count\{operation="anonymous",type="query"/);
    expect(text).toMatch(
      /orgstream_graphql_operation_duration_seconds_count\{operation="OpsFailure",type="query",outcome="error"\} 1\b/,
    );
    expect(text).toMatch(
      /orgstream_graphql_operation_duration_seconds_count\{operation="anonymous",type="mutation",outcome="ok"\}/,
    );
    expect(text).toMatch(/orgstream_http_requests_total\{route="graphql",status="200"\} \d+/);
    expect(text).toMatch(/orgstream_http_requests_total\{route="health",status="200"\} \d+/);
    // Unknown paths share one label.
    expect(text).toMatch(/orgstream_http_requests_total\{route="other",status="404"\} 1\b/);
    expect(text).not.toContain('no-such-path');
    const appended = /orgstream_events_appended_total (\d+)/.exec(text);
    expect(Number(appended?.[1])).toBeGreaterThanOrEqual(8);
    expect(text).toMatch(/orgstream_projection_lag_events 0\b/);
    // The organization was created past EXPERIMENTING without a leadership team: a signal.
    expect(text).toMatch(/orgstream_friction_signal_changes_total\{kind="LEADERSHIP_SILO",change="RAISED"\} [1-9]/);
    expect(text).toContain('orgstream_process_');
  });

  it('echoes the caller’s x-request-id (or makes one) and records it as the correlation id of events', async () => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${acme.tokens.EDITOR}`,
        'x-request-id': 'ops-test-0001',
      },
      body: JSON.stringify({ query: 'mutation { defineValueStream(input: { name: "Checkout" }) { position } }' }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('ops-test-0001');
    const body = (await response.json()) as { data: { defineValueStream: { position: string } } };
    const page = await ok<EventPage>(
      EVENTS,
      { after: (BigInt(body.data.defineValueStream.position) - 1n).toString(), first: 1 },
      acme.tokens.ANALYST,
    );
    expect(page.events.edges[0]?.node).toMatchObject({
      type: 'ValueStreamDefined',
      metadata: { correlationId: 'ops-test-0001' },
    });

    const generated = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('readiness failures name the failing check', () => {
  type Answer = { rows: Record<string, unknown>[] };
  const answering = (lag: number) =>
    ({
      query: async (sql: string): Promise<Answer> => {
        if (sql.startsWith('SELECT 1')) return { rows: [{ '?column?': 1 }] };
        if (sql.includes('_prisma_migrations')) return { rows: [{ migration_name: 'm1' }] };
        if (sql.includes('GREATEST')) return { rows: [{ position: '10' }] };
        if (sql.includes('pg_stat_activity')) return { rows: [{ held: 0, oldest: null }] };
        if (sql.includes('count(*)')) return { rows: [{ lag }] };
        throw new Error(`unexpected query ${sql}`);
      },
    }) as unknown as pg.Pool;
  const parts = (pool: Pick<pg.Pool, 'query'>, connected = true, expected = ['m1']) => ({
    pool,
    store: { headPosition: async () => 5_000n },
    notifier: { connected },
    metrics: createMetrics(),
    expectedMigrations: expected,
  });

  it('all well: ready, with the lag measured', async () => {
    const metrics = createMetrics();
    const result = await checkReadiness({ ...parts(answering(3)), metrics });
    expect(result).toMatchObject({ ready: true, checks: { database: 'ok', projectionLag: 3, failing: [] } });
    expect(await metrics.registry.getSingleMetricAsString('orgstream_projection_lag_events')).toMatch(/ 3$/);
  });

  it('projections too far behind, a pending migration, a lost listener', async () => {
    expect(await checkReadiness(parts(answering(MAX_PROJECTION_LAG + 1)))).toMatchObject({
      ready: false,
      checks: { failing: ['projections'] },
    });
    expect(await checkReadiness(parts(answering(0), true, ['m1', 'm2']))).toMatchObject({
      ready: false,
      checks: { pendingMigrations: ['m2'], failing: ['migrations'] },
    });
    expect(await checkReadiness(parts(answering(0), false))).toMatchObject({
      ready: false,
      checks: { listener: 'reconnecting', failing: ['listener'] },
    });
  });

  it('a database that does not answer within 2 s', async () => {
    const started = Date.now();
    const hanging = { query: () => new Promise(() => {}) } as unknown as pg.Pool;
    const result = await checkReadiness(parts(hanging));
    expect(result).toMatchObject({ ready: false, checks: { failing: ['database'] } });
    expect(String(result.checks.database)).toMatch(/unreachable/);
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('request logs', () => {
  it('one info line per GraphQL request: request id, operation, duration, outcome, role; never the token', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
        done();
      },
    });
    const db = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: db.url,
      PORT: '0',
      ORGSTREAM_ADMIN_TOKEN: ADMIN_TOKEN,
      LOG_LEVEL: 'info',
    });
    const service = await startService(config, pino({ level: 'info' }, sink));
    try {
      const post = (body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${service.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
        });
      await post({ query: 'query LogProbe { __typename }' }, { 'x-request-id': 'log-probe-1' });
      await post(
        {
          query:
            'mutation Create { createOrganization(input: { name: "Logs", slug: "logs", growthPhase: EXPERIMENTING }) { adminToken } }',
        },
        { authorization: `Bearer ${ADMIN_TOKEN}`, 'x-request-id': 'log-probe-2' },
      );
      await post({ query: '{ organization { name } }' }, { 'x-request-id': 'log-probe-3' });
      const requests = lines.filter((line) => line.msg === 'graphql request');
      expect(requests.map((line) => line.requestId)).toEqual(['log-probe-1', 'log-probe-2', 'log-probe-3']);
      expect(requests[0]).toMatchObject({
        level: 30,
        operation: 'LogProbe',
        type: 'query',
        outcome: 'ok',
        viewer: 'anonymous',
      });
      expect(requests[0]!.durationMs).toEqual(expect.any(Number));
      expect(requests[1]).toMatchObject({ operation: 'Create', type: 'mutation', outcome: 'ok', viewer: 'platform' });
      expect(requests[2]).toMatchObject({ operation: null, outcome: 'error', errorCodes: ['UNAUTHENTICATED'] });
      const everything = JSON.stringify(lines);
      expect(everything).not.toContain(ADMIN_TOKEN);
      expect(everything).not.toMatch(/os_[A-Za-z0-9_-]{20,}/);
    } finally {
      await service.close();
      await db.drop();
    }
  });
});

describe('request limits', () => {
  const rejected = async (query: string, pattern: RegExp, token: string | undefined = acme.tokens.ADMIN) => {
    const response = await server.graphql(query, {}, token);
    expect(response.status).toBeLessThan(500);
    expect(response.data ?? undefined).toBeUndefined();
    expect(codes(response).length).toBeGreaterThan(0);
    expect(new Set(codes(response))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(response.errors!.map((error) => error.message).join('\n')).toMatch(pattern);
  };

  it('a query 20 levels deep is BAD_USER_INPUT; the documented depths pass', async () => {
    const deep = `{ organization { teams { edges { node { ${'parent { '.repeat(16)}name${' }'.repeat(16)} } } } } }`;
    await rejected(deep, /depth limit of 12/i);
    const fine = `{ organization { teams { edges { node { ${'parent { '.repeat(6)}name${' }'.repeat(6)} } } } } }`;
    await ok(fine, {}, acme.tokens.ADMIN);
  });

  it('100 aliases are BAD_USER_INPUT', async () => {
    const aliases = Array.from({ length: 100 }, (_, index) => `a${index}: serverVersion`).join(' ');
    await rejected(`{ ${aliases} }`, /aliases limit of 30/i);
  });

  it('a document of more than 5,000 tokens is BAD_USER_INPUT', async () => {
    await rejected(`{ ${'__typename '.repeat(6_000)} }`, /token limit of 5000/i);
    await rejected(`{ ${'__typename '.repeat(6_000)} }`, /token limit of 5000/i, undefined);
  });

  it('a costly query (connections of 500 inside connections of 500) is BAD_USER_INPUT; the org graph is not', async () => {
    const graph = (size: number) =>
      `query OrgGraph { organization { name teams(first: ${size}) { edges { node { name kind members(first: ${size}) { edges { role allocation node { name discipline memberships { role allocation team { name } } } } } agreement { version mission responsibilities { title } } ownedResponsibilities { title } } } } } }`;
    await rejected(graph(500), /cost limit of 5000000/i);
    await ok(graph(100), {}, acme.tokens.READER);
    // A full page of the log is well within the cost limit.
    await ok(EVENTS.replace('$first: Int, ', '').replace('first: $first', 'first: 500'), {}, acme.tokens.ANALYST);
  });

  it('more than 50 directives are BAD_USER_INPUT', async () => {
    await rejected(`{ ${'__typename @skip(if: false) '.repeat(60)} }`, /directives limit of 50/i);
  });

  it('a body over 1 MiB is 413 before it is parsed, with or without a Content-Length', async () => {
    const query = `{ __typename } # ${'x'.repeat(2 * 1024 * 1024)}`;
    const declared = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ errors: [{ extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });

    const bytes = new TextEncoder().encode(JSON.stringify({ query }));
    const chunked = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < bytes.length; offset += 64 * 1024)
            controller.enqueue(bytes.subarray(offset, offset + 64 * 1024));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    // Just under the limit, chunked: served normally.
    const small = new TextEncoder().encode(JSON.stringify({ query: `{ __typename } # ${'x'.repeat(1000)}` }));
    const served = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(small.subarray(0, 100));
          controller.enqueue(small.subarray(100));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('field suggestions only for authenticated callers', async () => {
    const anonymous = await server.graphql('{ organizaton { name } }');
    expect(codes(anonymous)).toEqual(['BAD_USER_INPUT']);
    expect(anonymous.errors![0]!.message).toBe('Cannot query field "organizaton" on type "Query".');
    const known = await server.graphql('{ organizaton { name } }', {}, acme.tokens.READER);
    expect(known.errors![0]!.message).toMatch(/Did you mean "organization"\?/);
  });
});

describe('events(filter, first, after)', () => {
  it('ANALYST and ADMIN see their organization’s events in position order', async () => {
    for (const token of [acme.tokens.ANALYST, acme.tokens.ADMIN]) {
      const events = await allEvents(token);
      const types = events.map((event) => event.type);
      expect(types.slice(0, 3)).toEqual(['OrganizationCreated', 'TeamFormed', 'PersonRegistered']);
      expect(types).toContain('TeamRenamed');
      const positions = events.map((event) => BigInt(event.position));
      expect(positions.every((position, index) => index === 0 || position > positions[index - 1]!)).toBe(true);
      expect(events[0]).toMatchObject({
        streamId: `organization-${uuidOf(acme.organizationId)}`,
        version: 1,
        schemaVersion: expect.any(Number),
        metadata: { actor: 'platform' },
        data: expect.objectContaining({ name: 'acme', slug: 'acme' }),
      });
      expect(events[0]!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(new Date(events[0]!.recordedAt).getTime()).toBeGreaterThan(0);
    }
  });

  it('never shows another organization’s events', async () => {
    const acmeEvents = await allEvents(acme.tokens.ANALYST);
    const globexEvents = await allEvents(globex.tokens.ANALYST);
    const acmeIds = new Set(acmeEvents.map((event) => event.id));
    expect(globexEvents.some((event) => acmeIds.has(event.id))).toBe(false);
    const globexStreams = [uuidOf(globex.organizationId), uuidOf(globex.teamId), uuidOf(globex.personId)];
    for (const event of acmeEvents) for (const id of globexStreams) expect(event.streamId).not.toContain(id);
    // Filtering by another organization's stream finds nothing.
    expect(await allEvents(acme.tokens.ANALYST, { streamId: globex.teamId })).toEqual([]);
    expect(await allEvents(acme.tokens.ANALYST, { streamId: `team-${uuidOf(globex.teamId)}` })).toEqual([]);
  });

  it('pages with first/after: cursors are positions, pages join up without gaps or repeats', async () => {
    const everything = await allEvents(acme.tokens.ANALYST);
    expect(everything.length).toBeGreaterThanOrEqual(5);
    const paged = await allEvents(acme.tokens.ANALYST, {}, 2);
    expect(paged).toEqual(everything);
    const first = await ok<EventPage>(EVENTS, { first: 2 }, acme.tokens.ANALYST);
    expect(first.events.edges.map((edge) => edge.cursor)).toEqual(
      everything.slice(0, 2).map((event) => event.position),
    );
    expect(first.events.pageInfo).toMatchObject({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: everything[0]!.position,
      endCursor: everything[1]!.position,
    });
    const last = await ok<EventPage>(EVENTS, { after: everything.at(-1)!.position }, acme.tokens.ANALYST);
    expect(last.events).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
    // Default page size 50, at most 500.
    expect((await ok<EventPage>(EVENTS, { first: 100_000 }, acme.tokens.ANALYST)).events.edges).toHaveLength(
      everything.length,
    );
  });

  it('filters by stream (stream id or global id), types, actor, occurred and recorded time', async () => {
    const everything = await allEvents(acme.tokens.ANALYST);
    const teamStream = `team-${uuidOf(acme.teamId)}`;
    const byRawStream = await allEvents(acme.tokens.ANALYST, { streamId: teamStream });
    expect(byRawStream.map((event) => [event.type, event.version])).toEqual([
      ['TeamFormed', 1],
      ['TeamRenamed', 2],
    ]);
    expect(await allEvents(acme.tokens.ANALYST, { streamId: acme.teamId })).toEqual(byRawStream);
    const personEvents = await allEvents(acme.tokens.ANALYST, { streamId: acme.personId });
    expect(personEvents.map((event) => event.streamId)).toEqual([`person-${uuidOf(acme.personId)}`]);
    const organizationEvents = await allEvents(acme.tokens.ANALYST, { streamId: acme.organizationId });
    expect(organizationEvents[0]?.type).toBe('OrganizationCreated');

    const types = await allEvents(acme.tokens.ANALYST, { types: ['TeamRenamed', 'PersonRegistered'] });
    expect(types.map((event) => event.type).sort()).toEqual(['PersonRegistered', 'PersonRegistered', 'TeamRenamed']);

    const byEditor = await allEvents(acme.tokens.ANALYST, { actor: 'EDITOR' });
    expect(byEditor.length).toBeGreaterThan(0);
    expect(byEditor.every((event) => event.metadata.actor === 'EDITOR')).toBe(true);
    expect(byEditor.length).toBe(everything.filter((event) => event.metadata.actor === 'EDITOR').length);

    const backDated = await allEvents(acme.tokens.ANALYST, { occurredBefore: '2021-01-01T00:00:00Z' });
    expect(backDated.map((event) => event.data.name)).toEqual(['Grace']);
    const onTime = await allEvents(acme.tokens.ANALYST, { occurredAfter: '2021-01-01T00:00:00Z' });
    expect(onTime.length).toBe(everything.length - 1);

    const later = await allEvents(acme.tokens.ANALYST, { recordedAfter: between });
    expect(later.map((event) => event.type).slice(0, 2)).toEqual(['TeamRenamed', 'PersonRegistered']);
    const earlier = await allEvents(acme.tokens.ANALYST, { recordedBefore: between });
    expect(earlier.length + later.length).toBe(everything.length);
    expect(earlier.map((event) => event.type)).not.toContain('TeamRenamed');

    const combined = await allEvents(acme.tokens.ANALYST, {
      streamId: teamStream,
      types: ['TeamRenamed'],
      actor: 'admin',
      recordedAfter: between,
    });
    expect(combined).toHaveLength(1);
    expect(combined[0]).toMatchObject({ metadata: { actor: 'admin', reason: 'focus' } });
  });

  it('READER and EDITOR get FORBIDDEN, the platform token FORBIDDEN, no token UNAUTHENTICATED', async () => {
    for (const token of [acme.tokens.READER, acme.tokens.EDITOR, ADMIN_TOKEN]) {
      const response = await server.graphql(EVENTS, {}, token);
      expect(response.status).toBeLessThan(500);
      expect(codes(response)).toEqual(['FORBIDDEN']);
      expect(response.data ?? null).toBeNull();
    }
    expect(codes(await server.graphql(EVENTS, {}))).toEqual(['UNAUTHENTICATED']);
  });

  it('a bad after, a first below 1 or a malformed filter is BAD_USER_INPUT', async () => {
    const cases: Record<string, unknown>[] = [
      { after: 'abc' },
      { after: '-1' },
      { after: '99999999999999999999' },
      { first: -1 },
      { first: 0 },
      { filter: { occurredAfter: 'yesterday' } },
      { filter: { streamId: '' } },
    ];
    for (const variables of cases) {
      const response = await server.graphql(EVENTS, variables, acme.tokens.ANALYST);
      expect(response.status, JSON.stringify(variables)).toBeLessThan(500);
      expect(codes(response), JSON.stringify(variables)).toEqual(['BAD_USER_INPUT']);
    }
  });
});
