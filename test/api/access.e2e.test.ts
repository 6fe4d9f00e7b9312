// Who may do what, and that no organization ever sees another's data, over
// real HTTP: roles, tenant isolation on every read path (node(id) included),
// bad credentials and bad input answered with the right code, never a 5xx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

type Org = {
  adminToken: string;
  organizationId: string;
  tokens: Record<string, string>;
  teamId: string;
  personId: string;
};

async function createOrg(slug: string): Promise<Org> {
  const created = await server.graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    `mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH }) { adminToken organization { id } } }`,
    { slug },
    ADMIN_TOKEN,
  );
  const { adminToken, organization } = created.data!.createOrganization;
  const tokens: Record<string, string> = { ADMIN: adminToken };
  for (const role of ['EDITOR', 'READER', 'ANALYST']) {
    const issued = await server.graphql<{ issueApiToken: { token: string } }>(
      `mutation($org: ID!, $role: Role!, $label: String!) { issueApiToken(input: { organizationId: $org, role: $role, label: $label }) { token } }`,
      { org: organization.id, role, label: role },
      adminToken,
    );
    tokens[role] = issued.data!.issueApiToken.token;
  }
  const team = await server.graphql<{ formTeam: { team: { id: string } } }>(
    `mutation { formTeam(input: { name: "Payments", kind: STREAM_ALIGNED }) { team { id } } }`,
    {},
    tokens.EDITOR,
  );
  const person = await server.graphql<{ registerPerson: { person: { id: string } } }>(
    `mutation { registerPerson(input: { name: "Ada", email: "ada@example.test", discipline: ENGINEERING }) { person { id } } }`,
    {},
    tokens.EDITOR,
  );
  return {
    adminToken,
    organizationId: organization.id,
    tokens,
    teamId: team.data!.formTeam.team.id,
    personId: person.data!.registerPerson.person.id,
  };
}

const codes = (response: { errors?: { extensions?: Record<string, unknown> }[] }) =>
  (response.errors ?? []).map((error) => error.extensions?.code);

let acme: Org;
let globex: Org;

beforeAll(async () => {
  server = await startTestServer();
  acme = await createOrg('acme');
  globex = await createOrg('globex');
});
afterAll(() => server.close());

describe('credentials', () => {
  it('no token: UNAUTHENTICATED for data, but the schema itself answers', async () => {
    expect(codes(await server.graphql('{ organization { name } }'))).toEqual(['UNAUTHENTICATED']);
    expect((await server.graphql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('a wrong or malformed token: UNAUTHENTICATED for the whole request, status below 500', async () => {
    for (const token of ['os_not-a-real-token', 'garbage', `${acme.adminToken}x`]) {
      const response = await server.graphql('{ __typename }', {}, token);
      expect(response.status).toBeLessThan(500);
      expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    }
  });

  it('a revoked token stops working', async () => {
    const issued = await server.graphql<{ issueApiToken: { token: string; tokenId: string } }>(
      `mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: READER, label: "temp" }) { token tokenId } }`,
      { org: acme.organizationId },
      acme.adminToken,
    );
    const { token, tokenId } = issued.data!.issueApiToken;
    expect((await server.graphql('{ organization { name } }', {}, token)).data).toEqual({
      organization: { name: 'acme' },
    });
    const revoked = await server.graphql(
      'mutation($id: ID!) { revokeApiToken(input: { tokenId: $id }) }',
      { id: tokenId },
      acme.adminToken,
    );
    expect(revoked.data).toEqual({ revokeApiToken: true });
    expect(codes(await server.graphql('{ organization { name } }', {}, token))).toEqual(['UNAUTHENTICATED']);
  });
});

describe('roles', () => {
  it('every role reads its organization; viewer tells the role', async () => {
    for (const role of ['ADMIN', 'EDITOR', 'READER', 'ANALYST']) {
      const response = await server.graphql('{ viewer { role organization { slug } } }', {}, acme.tokens[role]);
      expect(response.data).toEqual({ viewer: { role, organization: { slug: 'acme' } } });
    }
  });

  it('READER and ANALYST may not run commands (FORBIDDEN, nothing written)', async () => {
    const before = (await server.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    for (const role of ['READER', 'ANALYST']) {
      const response = await server.graphql(
        `mutation { formTeam(input: { name: "Sneaky", kind: PLATFORM }) { team { id } } }`,
        {},
        acme.tokens[role],
      );
      expect(codes(response)).toEqual(['FORBIDDEN']);
      // The error points at the field it is about.
      expect(response.errors?.[0]).toMatchObject({ path: ['formTeam'], locations: [{ line: 1, column: 12 }] });
    }
    expect((await server.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before);
  });

  it('only the platform token creates organizations; only ADMIN issues tokens, and only for its own organization', async () => {
    const asAdmin = await server.graphql(
      `mutation { createOrganization(input: { name: "X", slug: "x-org", growthPhase: EXPERIMENTING }) { adminToken } }`,
      {},
      acme.adminToken,
    );
    expect(codes(asAdmin)).toEqual(['FORBIDDEN']);
    const asEditor = await server.graphql(
      `mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: ADMIN, label: "escalate" }) { token } }`,
      { org: acme.organizationId },
      acme.tokens.EDITOR,
    );
    expect(codes(asEditor)).toEqual(['FORBIDDEN']);
    const crossTenant = await server.graphql(
      `mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: ADMIN, label: "steal" }) { token } }`,
      { org: globex.organizationId },
      acme.adminToken,
    );
    expect(codes(crossTenant)).toEqual(['FORBIDDEN']);
  });

  it('the actor of each event is the label of the token that issued the command', async () => {
    const rows = await server.db.pool.query(
      "SELECT metadata->>'actor' AS actor FROM events WHERE type = 'TeamFormed' AND organization_id = $1",
      [
        acme.organizationId.length === 36
          ? acme.organizationId
          : Buffer.from(acme.organizationId, 'base64').toString().split(':')[1],
      ],
    );
    expect(rows.rows).toEqual([{ actor: 'EDITOR' }]);
  });
});

describe('tenant isolation', () => {
  it('ids of another organization resolve to nothing on every read path', async () => {
    const token = acme.tokens.READER;
    const theirs = { team: globex.teamId, person: globex.personId, organization: globex.organizationId };
    const response = await server.graphql(
      `query($team: ID!, $person: ID!, $organization: ID!) {
        team(id: $team) { name } person(id: $person) { name }
        teamNode: node(id: $team) { id } personNode: node(id: $person) { id } orgNode: node(id: $organization) { id }
      }`,
      theirs,
      token,
    );
    expect(response.status).toBeLessThan(500);
    // Answered as if they did not exist: null, and no error that would tell otherwise.
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ team: null, person: null, teamNode: null, personNode: null, orgNode: null });
    const listing = await server.graphql<{ organization: { teams: { edges: { node: { id: string } }[] } } }>(
      '{ organization { teams { edges { node { id } } } people { edges { node { id } } } } }',
      {},
      token,
    );
    expect(listing.data!.organization.teams.edges.map((edge) => edge.node.id)).toEqual([acme.teamId]);
  });

  it('commands on another organization’s ids are NOT_FOUND and write nothing', async () => {
    const before = (await server.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n;
    const response = await server.graphql(
      `mutation($team: ID!, $person: ID!) { addTeamMember(input: { teamId: $team, personId: $person, role: "Spy", allocation: 10 }) { team { id } } }`,
      { team: globex.teamId, person: acme.personId },
      acme.tokens.EDITOR,
    );
    expect(codes(response)).toEqual(['NOT_FOUND']);
    expect((await server.db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(before);
  });
});

describe('bad input', () => {
  const attempts: [string, string, Record<string, unknown>][] = [
    [
      'a wrong scalar type',
      'mutation { addTeamMember(input: { teamId: "x", personId: "y", role: "r", allocation: "ten" }) { position } }',
      {},
    ],
    [
      'an id that is no global id',
      'mutation($p: ID!) { addTeamMember(input: { teamId: "not-an-id", personId: $p, role: "r", allocation: 10 }) { position } }',
      {},
    ],
    [
      'a Person id where a Team id belongs',
      'mutation($p: ID!) { addTeamMember(input: { teamId: $p, personId: $p, role: "r", allocation: 10 }) { position } }',
      {},
    ],
    [
      'an allocation out of range',
      'mutation($t: ID!, $p: ID!) { addTeamMember(input: { teamId: $t, personId: $p, role: "r", allocation: 1000 }) { position } }',
      {},
    ],
    [
      'a huge string',
      'mutation($name: String!) { formTeam(input: { name: $name, kind: PLATFORM }) { position } }',
      { name: 'x'.repeat(100_000) },
    ],
    [
      'an injection string',
      'mutation { formTeam(input: { name: "\'; DROP TABLE teams; --", kind: PLATFORM }) { team { name } } }',
      {},
    ],
    ['a negative page size', '{ organization { teams(first: -5) { edges { node { id } } } } }', {}],
    [
      'a bad DateTime',
      'mutation { formTeam(input: { name: "Late", kind: PLATFORM, occurredAt: "yesterday" }) { position } }',
      {},
    ],
    ['an unknown field', '{ organization { salary } }', {}],
    ['syntax errors', '{ organization { ', {}],
  ];

  it.each(attempts)(
    '%s: answered below 500 with a client error code, nothing half-written',
    async (name, query, variables) => {
      const before = (await server.db.pool.query('SELECT count(*)::int AS n FROM teams')).rows[0].n;
      const response = await server.graphql(
        query,
        { t: acme.teamId, p: acme.personId, ...variables },
        acme.tokens.EDITOR,
      );
      expect(response.status).toBeLessThan(500);
      if (name === 'an injection string') {
        // Stored verbatim as a name; the database is untouched otherwise.
        expect(response.errors).toBeUndefined();
        expect((await server.db.pool.query('SELECT count(*)::int AS n FROM teams')).rows[0].n).toBe(before + 1);
        return;
      }
      expect(codes(response).length).toBeGreaterThan(0);
      for (const code of codes(response)) expect(code).toBe('BAD_USER_INPUT');
      expect((await server.db.pool.query('SELECT count(*)::int AS n FROM teams')).rows[0].n).toBe(before);
    },
  );
});

describe('selections', () => {
  it('a responsibility’s owner (a union) and team members without their node resolve', async () => {
    const defined = await server.graphql<{ defineResponsibility: { responsibility: { id: string } } }>(
      'mutation { defineResponsibility(input: { title: "On-call" }) { responsibility { id } } }',
      {},
      acme.tokens.EDITOR,
    );
    const responsibilityId = defined.data!.defineResponsibility.responsibility.id;
    await server.graphql(
      'mutation($r: ID!, $o: ID!) { assignResponsibility(input: { responsibilityId: $r, ownerId: $o }) { position } }',
      { r: responsibilityId, o: acme.teamId },
      acme.tokens.EDITOR,
    );
    const response = await server.graphql(
      `query($r: ID!, $t: ID!) {
        responsibility(id: $r) { owner { __typename ... on Team { name } ... on Person { email } } }
        team(id: $t) { members { edges { role } pageInfo { hasNextPage } } }
      }`,
      { r: responsibilityId, t: acme.teamId },
      acme.tokens.READER,
    );
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({
      responsibility: { owner: { __typename: 'Team', name: 'Payments' } },
      team: { members: { edges: [], pageInfo: { hasNextPage: false } } },
    });
  });
});
