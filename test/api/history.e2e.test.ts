// Team.history, Person.history and Responsibility.history over HTTP against a
// started server: the events that touched the object, whatever stream
// recorded them, in position order; paging with first/after; the types
// filter; ANALYST or ADMIN only; and nothing of another organization.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type OrganizationTokens,
  organizationWithTokens,
  startTestServer,
  type TestServer,
} from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Tokens = OrganizationTokens;

const organization = (slug: string) => organizationWithTokens(server, slug);

async function ok<Data>(query: string, variables: Record<string, unknown>, token: string): Promise<Data> {
  const response = await server.graphql<Data>(query, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

type Scenario = { team: string; other: string; ada: string; grace: string; onCall: string };

/** Payments with Ada and Grace, Ada moved to Search, on-call assigned to Ada then to Payments, an agreement ratified. */
async function scenario(tokens: Tokens): Promise<Scenario> {
  const formTeam = async (name: string) =>
    (
      await ok<{ formTeam: { team: { id: string } } }>(
        'mutation($name: String!) { formTeam(input: { name: $name, kind: STREAM_ALIGNED }) { team { id } } }',
        { name },
        tokens.admin,
      )
    ).formTeam.team.id;
  const register = async (name: string) =>
    (
      await ok<{ registerPerson: { person: { id: string } } }>(
        'mutation($name: String!, $email: String!) { registerPerson(input: { name: $name, email: $email, discipline: ENGINEERING }) { person { id } } }',
        { name, email: `${name.toLowerCase()}@acme.test` },
        tokens.admin,
      )
    ).registerPerson.person.id;
  const team = await formTeam('Payments');
  const other = await formTeam('Search');
  const ada = await register('Ada');
  const grace = await register('Grace');
  const add =
    'mutation($team: ID!, $person: ID!) { addTeamMember(input: { teamId: $team, personId: $person, role: "Engineer", allocation: 50 }) { position } }';
  await ok(add, { team, person: ada }, tokens.admin);
  await ok(add, { team, person: grace }, tokens.admin);
  await ok(add, { team: other, person: ada }, tokens.admin);
  await ok(
    'mutation($team: ID!, $person: ID!) { removeTeamMember(input: { teamId: $team, personId: $person }) { position } }',
    { team: other, person: ada },
    tokens.admin,
  );
  const onCall = (
    await ok<{ defineResponsibility: { responsibility: { id: string } } }>(
      'mutation { defineResponsibility(input: { title: "On-call" }) { responsibility { id } } }',
      {},
      tokens.admin,
    )
  ).defineResponsibility.responsibility.id;
  const assign =
    'mutation($r: ID!, $owner: ID!) { assignResponsibility(input: { responsibilityId: $r, ownerId: $owner }) { position } }';
  await ok(assign, { r: onCall, owner: ada }, tokens.admin);
  await ok(assign, { r: onCall, owner: team }, tokens.admin);
  await ok(
    'mutation($team: ID!, $r: ID!) { draftAgreement(input: { teamId: $team, mission: "Take money safely", responsibilityIds: [$r] }) { position } }',
    { team, r: onCall },
    tokens.admin,
  );
  await ok(
    'mutation($team: ID!, $by: [ID!]!) { ratifyAgreement(input: { teamId: $team, ratifiedBy: $by }) { position } }',
    { team, by: [ada, grace] },
    tokens.admin,
  );
  return { team, other, ada, grace, onCall };
}

type Edge = { cursor: string; node: { type: string; position: string; streamId: string } };
type History = { edges: Edge[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };

const HISTORY = `history(first: $first, after: $after, types: $types) {
  edges { cursor node { type position streamId } }
  pageInfo { hasNextPage endCursor }
}`;

const QUERIES = {
  team: `query($id: ID!, $first: Int, $after: String, $types: [String!]) { team(id: $id) { name ${HISTORY} } }`,
  person: `query($id: ID!, $first: Int, $after: String, $types: [String!]) { person(id: $id) { name ${HISTORY} } }`,
  responsibility: `query($id: ID!, $first: Int, $after: String, $types: [String!]) { responsibility(id: $id) { title ${HISTORY} } }`,
} as const;

type Kind = keyof typeof QUERIES;

async function history(
  kind: Kind,
  id: string,
  token: string,
  args: { first?: number; after?: string | null; types?: string[] } = {},
): Promise<History> {
  const data = await ok<Record<Kind, { history: History }>>(QUERIES[kind], { id, ...args }, token);
  return data[kind].history;
}

/** Every edge, page by page. */
async function allPages(kind: Kind, id: string, token: string, first: number): Promise<Edge[]> {
  const edges: Edge[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const page: History = await history(kind, id, token, { first, after });
    edges.push(...page.edges);
    expect(page.edges.length).toBeLessThanOrEqual(first);
    if (!page.pageInfo.hasNextPage) return edges;
    after = page.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

const typesOf = (edges: Edge[]) => edges.map((edge) => edge.node.type);

describe('history over HTTP', () => {
  let tokens: Tokens;
  let ids: Scenario;
  beforeAll(async () => {
    tokens = await organization('history-http');
    ids = await scenario(tokens);
  });

  it('lists the events that touched a person, a team and a responsibility, in position order', async () => {
    const person = (await history('person', ids.ada, tokens.analyst)).edges;
    expect(typesOf(person)).toEqual([
      'PersonRegistered',
      'TeamMemberAdded',
      'TeamMemberAdded',
      'TeamMemberRemoved',
      'ResponsibilityAssigned',
      'ResponsibilityAssigned',
      'AgreementRatified',
    ]);
    // Memberships are recorded on the teams' streams.
    expect(person.filter((edge) => edge.node.type.startsWith('TeamMember')).map((edge) => edge.node.streamId)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^team-/)]),
    );
    const positions = person.map((edge) => BigInt(edge.node.position));
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(person.map((edge) => edge.cursor)).toEqual(person.map((edge) => edge.node.position));

    expect(typesOf((await history('team', ids.team, tokens.analyst)).edges)).toEqual([
      'TeamFormed',
      'TeamMemberAdded',
      'TeamMemberAdded',
      'ResponsibilityAssigned',
      'AgreementDrafted',
      'AgreementRatified',
    ]);
    expect(typesOf((await history('responsibility', ids.onCall, tokens.analyst)).edges)).toEqual([
      'ResponsibilityDefined',
      'ResponsibilityAssigned',
      'ResponsibilityAssigned',
      'AgreementDrafted',
      'AgreementRatified',
    ]);
    expect(typesOf((await history('person', ids.grace, tokens.admin)).edges)).toEqual([
      'PersonRegistered',
      'TeamMemberAdded',
      'AgreementRatified',
    ]);
  });

  it('pages with first and after, without gaps or repeats', async () => {
    for (const [kind, id] of [
      ['person', ids.ada],
      ['team', ids.team],
      ['responsibility', ids.onCall],
    ] as const) {
      const whole = (await history(kind, id, tokens.analyst)).edges;
      expect((await history(kind, id, tokens.analyst)).pageInfo).toEqual({
        hasNextPage: false,
        endCursor: whole.at(-1)!.cursor,
      });
      for (const first of [1, 2, 4]) expect(await allPages(kind, id, tokens.analyst, first)).toEqual(whole);
    }
    const firstTwo = await history('person', ids.ada, tokens.analyst, { first: 2 });
    expect(firstTwo.edges).toHaveLength(2);
    expect(firstTwo.pageInfo.hasNextPage).toBe(true);
    // `after` may be any position, e.g. one a mutation returned.
    const tail = await history('person', ids.ada, tokens.analyst, { after: firstTwo.edges[1]!.node.position });
    expect(typesOf(tail.edges)).toEqual(typesOf((await history('person', ids.ada, tokens.analyst)).edges).slice(2));
    expect((await history('person', ids.ada, tokens.analyst, { after: tail.pageInfo.endCursor })).edges).toEqual([]);
  });

  it('filters by event type, paging within the filter', async () => {
    const types = ['TeamMemberAdded', 'TeamMemberRemoved'];
    const filtered = await history('person', ids.ada, tokens.analyst, { types });
    expect(typesOf(filtered.edges)).toEqual(['TeamMemberAdded', 'TeamMemberAdded', 'TeamMemberRemoved']);
    const page = await history('person', ids.ada, tokens.analyst, { types, first: 2 });
    expect(page.pageInfo.hasNextPage).toBe(true);
    const rest = await history('person', ids.ada, tokens.analyst, { types, after: page.pageInfo.endCursor });
    expect([...page.edges, ...rest.edges]).toEqual(filtered.edges);
    expect((await history('team', ids.team, tokens.analyst, { types: ['NoSuchEvent'] })).edges).toEqual([]);
    expect((await history('team', ids.team, tokens.analyst, { types: [] })).edges).toEqual([]);
  });

  it('returns the events themselves, data included', async () => {
    const data = await ok<{
      person: { history: { edges: { node: { type: string; data: { teamId?: string }; version: number } }[] } };
    }>(
      'query($id: ID!) { person(id: $id) { history(types: ["TeamMemberRemoved"]) { edges { node { type data version occurredAt recordedAt metadata } } } } }',
      { id: ids.ada },
      tokens.analyst,
    );
    const [removed] = data.person.history.edges;
    expect(removed!.node.type).toBe('TeamMemberRemoved');
    expect(typeof removed!.node.data.teamId).toBe('string');
    expect(removed!.node.version).toBeGreaterThan(1);
  });

  it('is for ANALYST and ADMIN: other roles get FORBIDDEN on the field, and the rest of the object', async () => {
    for (const token of [tokens.analyst, tokens.admin]) {
      expect((await history('team', ids.team, token)).edges.length).toBeGreaterThan(0);
    }
    for (const [kind, id] of [
      ['team', ids.team],
      ['person', ids.ada],
      ['responsibility', ids.onCall],
    ] as const) {
      for (const token of [tokens.reader, tokens.editor]) {
        const response = await server.graphql<Record<string, Record<string, unknown>>>(QUERIES[kind], { id }, token);
        expect(response.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
        expect(response.data?.[kind]?.history).toBeNull();
        expect(response.data?.[kind]?.[kind === 'responsibility' ? 'title' : 'name']).toBeTruthy();
      }
    }
    const anonymous = await server.graphql(QUERIES.team, { id: ids.team });
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('refuses bad paging arguments', async () => {
    for (const variables of [{ first: 0 }, { after: 'abc' }, { after: '-1' }, { after: '99999999999999999999' }]) {
      const response = await server.graphql(QUERIES.team, { id: ids.team, ...variables }, tokens.analyst);
      expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => `Type${i}`);
    const response = await server.graphql(QUERIES.team, { id: ids.team, types: tooMany }, tokens.analyst);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('batches the histories of a list of objects into one answer each', async () => {
    const data = await ok<{
      organization: { teams: { edges: { node: { id: string; history: History } }[] } };
    }>(
      'query { organization { teams(first: 10) { edges { node { id history(first: 2) { edges { cursor node { type position streamId } } pageInfo { hasNextPage endCursor } } } } } } }',
      {},
      tokens.analyst,
    );
    for (const { node } of data.organization.teams.edges) {
      expect(node.history).toEqual(await history('team', node.id, tokens.analyst, { first: 2 }));
    }
    expect(data.organization.teams.edges).toHaveLength(2);
  });

  it('shows nothing of another organization', async () => {
    const otherTokens = await organization('history-http-other');
    const theirs = await scenario(otherTokens);
    // Their objects are not ours to see, with or without their history.
    for (const [kind, id] of [
      ['team', ids.team],
      ['person', ids.ada],
      ['responsibility', ids.onCall],
    ] as const) {
      const response = await server.graphql<Record<string, unknown>>(QUERIES[kind], { id }, otherTokens.analyst);
      expect(response.errors).toBeUndefined();
      expect(response.data?.[kind]).toBeNull();
    }
    // Their histories hold only their own events, which ours never show.
    const ours = new Set((await allPages('team', ids.team, tokens.analyst, 100)).map((edge) => edge.node.position));
    for (const [kind, id] of [
      ['team', theirs.team],
      ['person', theirs.ada],
      ['responsibility', theirs.onCall],
    ] as const) {
      const edges = (await history(kind, id, otherTokens.analyst)).edges;
      expect(edges.length).toBeGreaterThan(0);
      expect(edges.some((edge) => ours.has(edge.node.position))).toBe(false);
    }
  });
});
