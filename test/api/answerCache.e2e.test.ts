// The answer cache (src/http/answerCache.ts) over real HTTP: a repeated query
// is answered from it with the very bytes an uncached server sends; a write
// through this or another server on the same database is seen by the next
// query; organizations, roles and moments (asOf, knownAt) never share an
// answer; answers with errors, mutations and other root fields are never
// kept; a rebuild of the read models and a transaction still running below
// the organization's last event are respected; the byte bound evicts, and
// ORGSTREAM_ANSWER_CACHE_MB=0 turns it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import {
  type OrganizationTokens,
  organizationWithTokens,
  startTestServer,
  type TestServer,
} from '../support/server.ts';

let db: TestDatabase;
/** The service default: the cache on. */
let cached: TestServer;
/** A second process on the same database, the cache off. */
let uncached: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  [cached, uncached] = await Promise.all([
    startTestServer({}, db),
    startTestServer({ ORGSTREAM_ANSWER_CACHE_MB: '0' }, db),
  ]);
});
afterAll(async () => {
  await Promise.all([cached?.close(), uncached?.close()]);
  await db?.drop();
});

type Answer = {
  status: number;
  /** The x-orgstream-cache header: hit, miss, or null when the query was not eligible. */
  cache: string | null;
  contentType: string | null;
  body: string;
  json: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
};

async function ask(
  server: TestServer,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<Answer> {
  const response = await server.request(query, variables, token);
  const body = await response.text();
  return {
    status: response.status,
    cache: response.headers.get('x-orgstream-cache'),
    contentType: response.headers.get('content-type'),
    body,
    json: JSON.parse(body) as Answer['json'],
  };
}

async function mutate(server: TestServer, token: string, mutation: string, variables: Record<string, unknown>) {
  const answer = await ask(server, token, mutation, variables);
  expect(answer.json.errors, answer.body).toBeUndefined();
  expect(answer.cache).toBeNull();
  return answer.json.data as Record<string, Record<string, unknown>>;
}

/** The answer's data, shaped as the test expects it (a missing one fails at its first use). */
const data = <Data>(answer: Answer) => answer.json.data as Data;

const codes = (answer: Answer) => (answer.json.errors ?? []).map((error) => error.extensions?.code);

/** A counter or gauge of the server's /metrics (summed over the series matching `labels`). */
async function metric(server: TestServer, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{${labels}`) && !line.startsWith(`${name} `)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();

type Org = OrganizationTokens & { team: string; person: string };

/** An organization (in org time from December 2025) with a team formed Jan 1, renamed Jan 10, and a member. */
async function organization(slug: string): Promise<Org> {
  const tokens = await organizationWithTokens(cached, slug, { occurredAt: '2025-12-01T00:00:00Z' });
  const formed = await mutate(
    cached,
    tokens.admin,
    'mutation($at: DateTime) { formTeam(input: { name: "Payments", kind: STREAM_ALIGNED, occurredAt: $at }) { team { id } } }',
    { at: day(1) },
  );
  const team = (formed.formTeam!.team as { id: string }).id;
  const registered = await mutate(
    cached,
    tokens.admin,
    'mutation($email: String!, $at: DateTime) { registerPerson(input: { name: "Ada", email: $email, discipline: ENGINEERING, occurredAt: $at }) { person { id } } }',
    { email: `ada@${slug}.test`, at: day(1) },
  );
  const person = (registered.registerPerson!.person as { id: string }).id;
  await mutate(
    cached,
    tokens.admin,
    'mutation($team: ID!, $person: ID!, $at: DateTime) { addTeamMember(input: { teamId: $team, personId: $person, role: "Engineer", allocation: 50, occurredAt: $at }) { position } }',
    { team, person, at: day(2) },
  );
  await mutate(
    cached,
    tokens.admin,
    'mutation($team: ID!, $at: DateTime) { renameTeam(input: { teamId: $team, name: "Payments Core", occurredAt: $at }) { position } }',
    { team, at: day(10) },
  );
  return { ...tokens, team, person };
}

const rename = (server: TestServer, org: Org, name: string) =>
  mutate(
    server,
    org.editor,
    'mutation($team: ID!, $name: String!) { renameTeam(input: { teamId: $team, name: $name }) { position } }',
    {
      team: org.team,
      name,
    },
  );

const ORG_GRAPH = `query OrgGraph {
  organization {
    name growthPhase
    teams { edges { node { id name kind members { edges { role allocation node { name email memberships { role team { name } } } } } } } }
    people { edges { node { name discipline } } }
    responsibilities { title }
  }
}`;

const TEAM_NAME = 'query($id: ID!) { team(id: $id) { name } }';

const teamName = (answer: Answer) => (answer.json.data?.team as { name: string } | null)?.name;

describe('the answer cache', () => {
  let acme: Org;
  let globex: Org;
  beforeAll(async () => {
    [acme, globex] = [await organization('acme'), await organization('globex')];
  });

  it('answers a repeated query from the cache with the bytes and headers of a fresh answer', async () => {
    const hits = await metric(cached, 'orgstream_answer_cache_lookups_total', 'result="hit"');
    const first = await ask(cached, acme.reader, ORG_GRAPH);
    const second = await ask(cached, acme.reader, ORG_GRAPH);
    const fresh = await ask(uncached, acme.reader, ORG_GRAPH);
    expect(first.json.errors).toBeUndefined();
    expect([first.cache, second.cache, fresh.cache]).toEqual(['miss', 'hit', null]);
    expect(second.body).toBe(first.body);
    expect(second.body).toBe(fresh.body);
    expect([second.status, second.contentType]).toEqual([fresh.status, fresh.contentType]);
    expect(await metric(cached, 'orgstream_answer_cache_lookups_total', 'result="hit"')).toBe(hits + 1);
    expect(await metric(cached, 'orgstream_answer_cache_entries')).toBeGreaterThan(0);
  });

  it('shows a write to the next query, whichever server on the database took it', async () => {
    const before = await ask(cached, acme.reader, TEAM_NAME, { id: acme.team });
    expect((await ask(cached, acme.reader, TEAM_NAME, { id: acme.team })).cache).toBe('hit');
    expect(teamName(before)).toBe('Payments Core');

    await rename(cached, acme, 'Payments Here');
    const afterOwnWrite = await ask(cached, acme.reader, TEAM_NAME, { id: acme.team });
    expect([afterOwnWrite.cache, teamName(afterOwnWrite)]).toEqual(['miss', 'Payments Here']);
    expect((await ask(cached, acme.reader, TEAM_NAME, { id: acme.team })).cache).toBe('hit');

    await rename(uncached, acme, 'Payments There');
    const afterOtherWrite = await ask(cached, acme.reader, TEAM_NAME, { id: acme.team });
    expect([afterOtherWrite.cache, teamName(afterOtherWrite)]).toEqual(['miss', 'Payments There']);
  });

  it('never gives one organization the answer of another', async () => {
    const query = '{ organization { name teams { edges { node { name } } } } }';
    for (let round = 0; round < 2; round++) {
      const [a, g] = [await ask(cached, acme.reader, query), await ask(cached, globex.reader, query)];
      expect([a.cache, g.cache]).toEqual(round === 0 ? ['miss', 'miss'] : ['hit', 'hit']);
      expect(data<{ organization: { name: string } }>(a).organization.name).toBe('acme');
      expect(data<{ organization: { name: string } }>(g).organization.name).toBe('globex');
    }
    // The same team id asked by another organization's token: not found there, wherever it was cached.
    await ask(cached, acme.reader, TEAM_NAME, { id: acme.team });
    const foreign = await ask(cached, globex.reader, TEAM_NAME, { id: acme.team });
    expect(foreign.json.data).toEqual({ team: null });
  });

  it('keeps the answers of roles apart: what ANALYST may read stays FORBIDDEN to READER', async () => {
    const audit = 'query($id: ID!) { team(id: $id) { name history { edges { node { type } } } } }';
    const analyst = await ask(cached, acme.analyst, audit, { id: acme.team });
    expect(analyst.json.errors).toBeUndefined();
    expect((await ask(cached, acme.analyst, audit, { id: acme.team })).cache).toBe('hit');
    for (const attempt of [1, 2]) {
      const reader = await ask(cached, acme.reader, audit, { id: acme.team });
      expect(codes(reader), `attempt ${attempt}`).toEqual(['FORBIDDEN']);
      expect(reader.json.data).toEqual({ team: { name: 'Payments There', history: null } });
      expect(reader.cache).toBe('miss');
    }
    const past = '{ organization(asOf: "2026-01-05T00:00:00Z") { name } }';
    expect((await ask(cached, acme.analyst, past)).json.errors).toBeUndefined();
    expect((await ask(cached, acme.analyst, past)).cache).toBe('hit');
    expect(codes(await ask(cached, acme.reader, past))).toEqual(['FORBIDDEN']);
  });

  it('keys every moment of time travel (asOf, knownAt) apart', async () => {
    const past =
      'query($asOf: DateTime, $knownAt: DateTime) { organization(asOf: $asOf, knownAt: $knownAt) { teams { edges { node { name } } } } }';
    const names = (answer: Answer) =>
      data<{ organization: { teams: { edges: { node: { name: string } }[] } } }>(answer).organization.teams.edges.map(
        (edge) => edge.node.name,
      );
    const moments = [{ asOf: day(5) }, { asOf: day(11) }, { asOf: day(0) }, { knownAt: '2020-01-01T00:00:00Z' }, {}];
    const first = await Promise.all(moments.map((moment) => ask(cached, globex.analyst, past, moment)));
    expect(first.map((answer) => answer.cache)).toEqual(['miss', 'miss', 'miss', 'miss', 'miss']);
    expect(first.slice(0, 3).map(names)).toEqual([['Payments'], ['Payments Core'], []]);
    expect(codes(first[3]!)).toEqual(['NOT_FOUND']);
    const again = await Promise.all(moments.map((moment) => ask(cached, globex.analyst, past, moment)));
    expect(again.map((answer) => answer.cache)).toEqual(['hit', 'hit', 'hit', 'miss', 'hit']);
    expect(again.map((answer) => answer.body)).toEqual(first.map((answer) => answer.body));
  });

  it('keeps no answer with errors, no mutation and no answer of other root fields', async () => {
    const stores = await metric(cached, 'orgstream_answer_cache_stores_total');
    const missing = 'query($id: ID!) { team(id: $id) { name } dependency(id: "nonsense") { id } }';
    for (const attempt of [1, 2]) {
      const answer = await ask(cached, acme.reader, missing, { id: acme.team });
      expect(answer.json.errors, `attempt ${attempt}`).toBeDefined();
      expect(answer.cache).toBe('miss');
    }
    expect(await metric(cached, 'orgstream_answer_cache_not_stored_total', 'reason="errors"')).toBeGreaterThan(0);

    // `viewer` shows the token itself: two READER tokens with their own labels.
    const second = await mutate(
      cached,
      acme.admin,
      'mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: READER, label: "dashboard" }) { token } }',
      { org: acme.id },
    );
    const dashboard = (second.issueApiToken as { token: string }).token;
    const viewer = '{ viewer { label role } organization { name } }';
    for (const [token, label] of [
      [acme.reader, 'reader'],
      [dashboard, 'dashboard'],
      [acme.reader, 'reader'],
      [dashboard, 'dashboard'],
    ] as const) {
      const answer = await ask(cached, token, viewer);
      expect(answer.cache).toBeNull();
      expect(data<{ viewer: { label: string } }>(answer).viewer.label).toBe(label);
    }
    // Nothing reads data here: not worth a lookup.
    expect((await ask(cached, acme.reader, '{ serverVersion __typename }')).cache).toBeNull();
    expect(await metric(cached, 'orgstream_answer_cache_stores_total')).toBe(stores);
  });

  it('answers from the tables a rebuild swapped in, not from before it', async () => {
    // Rows an older projection got wrong (no event), cached...
    await db.pool.query(`UPDATE teams SET name = 'OLD-CODE' WHERE id = $1`, [
      Buffer.from(globex.team, 'base64').toString('utf8').split(':')[1],
    ]);
    const wrong = await ask(cached, globex.reader, TEAM_NAME, { id: globex.team });
    expect(teamName(wrong)).toBe('OLD-CODE');
    expect((await ask(cached, globex.reader, TEAM_NAME, { id: globex.team })).cache).toBe('hit');
    // ...then the rebuild that fixes the tables, without appending an event.
    await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
    const rebuilt = await ask(cached, globex.reader, TEAM_NAME, { id: globex.team });
    expect([rebuilt.cache, teamName(rebuilt)]).toEqual(['miss', 'Payments Core']);
    expect((await ask(cached, globex.reader, TEAM_NAME, { id: globex.team })).cache).toBe('hit');
  });

  it('keeps no answer while a transaction older than the last event may still commit below it', async () => {
    const events = '{ events(first: 500) { edges { node { type data } } } }';
    const renamesIn = (answer: Answer) =>
      data<{ events: { edges: { node: { type: string; data: { name?: string } } }[] } }>(answer)
        .events.edges.filter((edge) => edge.node.type === 'TeamRenamed')
        .map((edge) => edge.node.data.name);
    // A transaction with an id, begun before the rename: the log's gap-free readers wait for it.
    const running = await db.pool.connect();
    try {
      await running.query('BEGIN');
      await running.query('SELECT pg_current_xact_id()');
      await rename(cached, acme, 'Payments Later');
      for (const attempt of [1, 2]) {
        const answer = await ask(cached, acme.analyst, events);
        expect(answer.cache, `attempt ${attempt}`).toBe('miss');
        expect(renamesIn(answer)).not.toContain('Payments Later');
      }
      expect(await metric(cached, 'orgstream_answer_cache_not_stored_total', 'reason="unsettled"')).toBeGreaterThan(0);
    } finally {
      await running.query('COMMIT');
      running.release();
    }
    const settled = await ask(cached, acme.analyst, events);
    expect(renamesIn(settled)).toContain('Payments Later');
    expect((await ask(cached, acme.analyst, events)).cache).toBe('hit');
  });
});

describe('the bound', () => {
  it('evicts the least recently used answers beyond ORGSTREAM_ANSWER_CACHE_MB', async () => {
    const small = await startTestServer({ ORGSTREAM_ANSWER_CACHE_MB: '0.02' }, db); // 20 KiB
    try {
      const tokens = await organizationWithTokens(small, 'bounded');
      const query = 'query($first: Int) { organization { name teams(first: $first) { edges { node { name } } } } }';
      for (let first = 1; first <= 100; first++) {
        expect((await ask(small, tokens.reader, query, { first })).cache).toBe('miss');
      }
      expect((await ask(small, tokens.reader, query, { first: 100 })).cache).toBe('hit');
      expect((await ask(small, tokens.reader, query, { first: 1 })).cache).toBe('miss');
      expect(await metric(small, 'orgstream_answer_cache_evictions_total', 'reason="size"')).toBeGreaterThan(0);
      expect(await metric(small, 'orgstream_answer_cache_bytes')).toBeLessThanOrEqual(0.02 * 1024 * 1024);
    } finally {
      await small.close();
    }
  });

  it('is off with ORGSTREAM_ANSWER_CACHE_MB=0', async () => {
    const tokens = await organizationWithTokens(uncached, 'uncached');
    for (const attempt of [1, 2]) {
      expect((await ask(uncached, tokens.reader, ORG_GRAPH)).cache, `attempt ${attempt}`).toBeNull();
    }
    expect(await metric(uncached, 'orgstream_answer_cache_lookups_total')).toBe(0);
  });
});
