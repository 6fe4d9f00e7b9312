// organization(asOf, knownAt) and team/person/responsibility(asOf, knownAt)
// over HTTP against a started server: the org graph as it was at a moment of
// org time and as it was known at a moment of record time, with back-dated
// events; snapshots reused until an event that counts for them arrives;
// ANALYST/ADMIN only; one moment per operation.
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

async function ok<Data>(query: string, variables: Record<string, unknown>, token: string): Promise<Data> {
  const response = await server.graphql<Data>(query, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const day = (n: number) => new Date(Date.UTC(2026, 0, n)).toISOString();

type Story = {
  tokens: OrganizationTokens;
  team: string;
  ada: string;
  grace: string;
  duty: string;
  beforeGrace: string;
};

/**
 * Payments formed on Jan 1; Ada joins Jan 3 and owns on-call from Jan 4;
 * renamed "Payments Core" Jan 10; Ada leaves Jan 20. Then, recorded last,
 * a back-dated fact: Grace joined on Jan 5.
 */
async function story(slug: string): Promise<Story> {
  const tokens = await organizationWithTokens(server, slug, { occurredAt: '2025-12-01T00:00:00Z' });
  const run = <Data>(mutation: string, variables: Record<string, unknown>) =>
    ok<Data>(mutation, variables, tokens.admin);
  const team = (
    await run<{ formTeam: { team: { id: string } } }>(
      'mutation($at: DateTime) { formTeam(input: { name: "Payments", kind: STREAM_ALIGNED, occurredAt: $at }) { team { id } } }',
      { at: day(1) },
    )
  ).formTeam.team.id;
  const register = async (name: string) =>
    (
      await run<{ registerPerson: { person: { id: string } } }>(
        'mutation($name: String!, $email: String!, $at: DateTime) { registerPerson(input: { name: $name, email: $email, discipline: ENGINEERING, occurredAt: $at }) { person { id } } }',
        { name, email: `${name.toLowerCase()}@acme.test`, at: day(1) },
      )
    ).registerPerson.person.id;
  const ada = await register('Ada');
  const grace = await register('Grace');
  const join = (person: string, at: string) =>
    run(
      'mutation($team: ID!, $person: ID!, $at: DateTime) { addTeamMember(input: { teamId: $team, personId: $person, role: "Engineer", allocation: 50, occurredAt: $at }) { position } }',
      { team, person, at },
    );
  await join(ada, day(3));
  const duty = (
    await run<{ defineResponsibility: { responsibility: { id: string } } }>(
      'mutation($at: DateTime) { defineResponsibility(input: { title: "On-call", category: "operations", occurredAt: $at }) { responsibility { id } } }',
      { at: day(2) },
    )
  ).defineResponsibility.responsibility.id;
  await run(
    'mutation($r: ID!, $owner: ID!, $at: DateTime) { assignResponsibility(input: { responsibilityId: $r, ownerId: $owner, occurredAt: $at }) { position } }',
    { r: duty, owner: ada, at: day(4) },
  );
  await run(
    'mutation($team: ID!, $at: DateTime) { renameTeam(input: { teamId: $team, name: "Payments Core", occurredAt: $at }) { position } }',
    { team, at: day(10) },
  );
  await run(
    'mutation($team: ID!, $person: ID!, $at: DateTime) { removeTeamMember(input: { teamId: $team, personId: $person, occurredAt: $at }) { position } }',
    { team, person: ada, at: day(20) },
  );
  // Record time moves on before the back-dated fact is recorded.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const beforeGrace = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await join(grace, day(5));
  return { tokens, team, ada, grace, duty, beforeGrace };
}

const ORG_GRAPH = `query($asOf: DateTime, $knownAt: DateTime) {
  organization(asOf: $asOf, knownAt: $knownAt) {
    teams { edges { node { name members { edges { role node { name firstTeam { name } } } } ownedResponsibilities { title } } } }
    people { edges { node { name memberships { team { name } } ownedResponsibilities { title } } } }
    responsibilities { title owner { ... on Person { name } ... on Team { name } } }
  }
}`;

type OrgGraph = {
  organization: {
    teams: { edges: { node: { name: string; members: { edges: { node: { name: string } }[] } } }[] };
    people: { edges: { node: { name: string; memberships: { team: { name: string } }[] } }[] };
    responsibilities: { title: string; owner: { name: string } | null }[];
  };
};

const teamsAndMembers = (graph: OrgGraph) =>
  graph.organization.teams.edges.map(({ node }) => [node.name, node.members.edges.map((edge) => edge.node.name)]);

describe('organization(asOf, knownAt)', () => {
  let s: Story;
  beforeAll(async () => {
    s = await story('time-travel');
  });

  it('answers every field as the organization was at asOf', async () => {
    const at = async (asOf: string) => ok<OrgGraph>(ORG_GRAPH, { asOf }, s.tokens.analyst);
    expect(teamsAndMembers(await at(day(2)))).toEqual([['Payments', []]]);
    expect(teamsAndMembers(await at(day(3)))).toEqual([['Payments', ['Ada']]]);
    const sixth = await at(day(6));
    expect(teamsAndMembers(sixth)).toEqual([['Payments', ['Ada', 'Grace']]]);
    expect(sixth.organization.responsibilities).toEqual([{ title: 'On-call', owner: { name: 'Ada' } }]);
    expect(teamsAndMembers(await at(day(15)))).toEqual([['Payments Core', ['Ada', 'Grace']]]);
    expect(teamsAndMembers(await at(day(25)))).toEqual([['Payments Core', ['Grace']]]);
    // Now, without arguments, agrees with a moment after everything.
    const now = await ok<OrgGraph>(ORG_GRAPH, {}, s.tokens.reader);
    expect(now).toEqual(await at(day(300)));
  });

  it('with knownAt leaves out what was recorded later (the back-dated join)', async () => {
    const graph = await ok<OrgGraph>(ORG_GRAPH, { asOf: day(6), knownAt: s.beforeGrace }, s.tokens.analyst);
    expect(teamsAndMembers(graph)).toEqual([['Payments', ['Ada']]]);
    const knownOnly = await ok<OrgGraph>(ORG_GRAPH, { knownAt: s.beforeGrace }, s.tokens.analyst);
    expect(teamsAndMembers(knownOnly)).toEqual([['Payments Core', []]]);
  });

  it('answers NOT_FOUND before the organization existed in record time', async () => {
    const response = await server.graphql(ORG_GRAPH, { knownAt: '2000-01-01T00:00:00Z' }, s.tokens.analyst);
    expect(response.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('team, person and responsibility take the same arguments', async () => {
    const data = await ok<{
      team: { name: string; history: { edges: { node: { type: string } }[] } };
      person: { memberships: { team: { name: string } }[] };
      responsibility: { owner: { name: string } | null };
    }>(
      `query($team: ID!, $person: ID!, $r: ID!, $asOf: DateTime) {
        team(id: $team, asOf: $asOf) { name history { edges { node { type } } } }
        person(id: $person, asOf: $asOf) { memberships { team { name } } }
        responsibility(id: $r, asOf: $asOf) { owner { ... on Person { name } } }
      }`,
      { team: s.team, person: s.ada, r: s.duty, asOf: day(3) },
      s.tokens.analyst,
    );
    expect(data.team.name).toBe('Payments');
    // History at a moment: only the events that had occurred by then.
    expect(data.team.history.edges.map((edge) => edge.node.type)).toEqual(['TeamFormed', 'TeamMemberAdded']);
    expect(data.person.memberships).toEqual([{ team: { name: 'Payments' } }]);
    expect(data.responsibility.owner).toBeNull();
  });

  it('is for ANALYST and ADMIN; READER and EDITOR get FORBIDDEN and nothing is built', async () => {
    for (const token of [s.tokens.reader, s.tokens.editor]) {
      const response = await server.graphql(ORG_GRAPH, { asOf: day(7) }, token);
      expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(response.data ?? null).toBeNull();
    }
    const admin = await server.graphql(ORG_GRAPH, { asOf: day(7) }, s.tokens.admin);
    expect(admin.errors).toBeUndefined();
  });

  it('reads one moment per operation', async () => {
    const mixed = await server.graphql(
      `query($asOf: DateTime) { past: organization(asOf: $asOf) { name } now: organization { name } }`,
      { asOf: day(3) },
      s.tokens.analyst,
    );
    expect(mixed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(mixed.errors?.[0]?.message).toMatch(/one moment/);
    const viewer = await server.graphql(
      `query($asOf: DateTime) { organization(asOf: $asOf) { name } viewer { role } }`,
      { asOf: day(3) },
      s.tokens.analyst,
    );
    expect(viewer.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // The log does not change with the moment: events and orgDiff may come along.
    const withLog = await server.graphql(
      `query($asOf: DateTime) { organization(asOf: $asOf) { name } events(first: 1) { edges { node { type } } } }`,
      { asOf: day(3) },
      s.tokens.analyst,
    );
    expect(withLog.errors).toBeUndefined();
  });

  it('answers friction signals at the moment, also where a snapshot without them was built first', async () => {
    const SIGNALS = `query($asOf: DateTime) {
      organization(asOf: $asOf) { frictionSignals(status: ALL) { edges { node { kind status message raisedAt resolvedAt } } } }
    }`;
    type Signals = { organization: { frictionSignals: { edges: { node: { kind: string } }[] } } };
    const now = await ok<Signals>(SIGNALS, {}, s.tokens.analyst);
    expect(now.organization.frictionSignals.edges.length).toBeGreaterThan(0);
    // The org graph alone at this moment builds a snapshot without signals...
    await ok<OrgGraph>(ORG_GRAPH, { asOf: day(300) }, s.tokens.analyst);
    // ...which a query of the signals at the same moment does not reuse.
    expect(await ok<Signals>(SIGNALS, { asOf: day(300) }, s.tokens.analyst)).toEqual(now);
    // Before anything happened there was nothing to signal.
    const early = await ok<Signals>(SIGNALS, { asOf: day(1) }, s.tokens.analyst);
    expect(early.organization.frictionSignals.edges).toEqual([]);
  });

  it('rejects a malformed moment as BAD_USER_INPUT', async () => {
    const response = await server.graphql(ORG_GRAPH, { asOf: 'last tuesday' }, s.tokens.analyst);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('snapshots of the past', () => {
  const snapshotsOf = async (slug: string) =>
    (
      await server.db.pool.query<{ id: string; as_of: Date | null }>(
        `SELECT s.id::text, s.as_of FROM orgstream_snapshots.snapshots s
         JOIN organizations o ON o.id = s.organization_id WHERE o.slug = $1 ORDER BY s.id`,
        [slug],
      )
    ).rows;

  it('are reused until an event that counts for them is appended', async () => {
    const s = await story('snapshot-reuse');
    const at = () => ok<OrgGraph>(ORG_GRAPH, { asOf: day(6) }, s.tokens.analyst);
    const first = await at();
    const built = await snapshotsOf('snapshot-reuse');
    expect(built).toHaveLength(1);
    expect(await at()).toEqual(first);
    expect(await snapshotsOf('snapshot-reuse')).toEqual(built);

    // A change after the moment does not count for it: the snapshot stays.
    await ok(
      'mutation($team: ID!, $at: DateTime) { renameTeam(input: { teamId: $team, name: "Payments Platform", occurredAt: $at }) { position } }',
      { team: s.team, at: day(30) },
      s.tokens.admin,
    );
    expect(await at()).toEqual(first);
    expect(await snapshotsOf('snapshot-reuse')).toEqual(built);

    // A back-dated change before it does: the answer moves, from a new snapshot.
    await ok(
      'mutation($team: ID!, $person: ID!, $at: DateTime) { removeTeamMember(input: { teamId: $team, personId: $person, occurredAt: $at }) { position } }',
      { team: s.team, person: s.grace, at: day(5) },
      s.tokens.admin,
    );
    expect(teamsAndMembers(await at())).toEqual([['Payments', ['Ada']]]);
    const rebuilt = await snapshotsOf('snapshot-reuse');
    expect(rebuilt).toHaveLength(1);
    expect(rebuilt[0]!.id).not.toBe(built[0]!.id);
  });
});

describe('queries of the past under load', () => {
  it('answer many moments at once on a small connection pool', async () => {
    const small = await startTestServer({ ORGSTREAM_DB_POOL_SIZE: '4' });
    try {
      const previous = server;
      server = small;
      try {
        const s = await story('under-load');
        const moments = Array.from({ length: 12 }, (_, i) => day(2 + i));
        const answers = await Promise.all(
          moments.map((asOf) =>
            small.graphql<OrgGraph>(
              `query($asOf: DateTime) { organization(asOf: $asOf) { teams { edges { node { name history { edges { node { type } } } } } } } }`,
              { asOf },
              s.tokens.analyst,
            ),
          ),
        );
        for (const answer of answers) expect(answer.errors).toBeUndefined();
        expect(answers.map((answer) => answer.data!.organization.teams.edges[0]!.node.name)).toEqual(
          moments.map((asOf) => (asOf < day(10) ? 'Payments' : 'Payments Core')),
        );
      } finally {
        server = previous;
      }
    } finally {
      await small.close();
    }
  });
});
