// Friction signals over the API, end to end against started servers: the
// signals of an organization and of a team with subject, evidence and
// history; node(id) and tenancy; the effective thresholds; and
// frictionSignalChanged over graphql-ws, across two servers on one database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';
import { collect, connect, disposeClients } from '../support/subscriptions.ts';

let server: TestServer;
let other: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  other = await startTestServer({}, server.db);
});
afterAll(async () => {
  await disposeClients();
  await other.close();
  await server.close();
});

type Org = { admin: string; reader: string };

async function organization(slug: string): Promise<Org> {
  const created = await server.graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    'mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: EXPERIMENTING }) { adminToken organization { id } } }',
    { slug },
    ADMIN_TOKEN,
  );
  const { adminToken, organization: org } = created.data!.createOrganization;
  const reader = await server.graphql<{ issueApiToken: { token: string } }>(
    'mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: READER, label: "reader" }) { token } }',
    { org: org.id },
    adminToken,
  );
  return { admin: adminToken, reader: reader.data!.issueApiToken.token };
}

async function ok<Data>(target: TestServer, query: string, variables: Record<string, unknown>, token: string) {
  const response = await target.graphql<Data>(query, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

const MEMBER = `mutation($team: ID!, $person: ID!, $allocation: Int!) {
  addTeamMember(input: { teamId: $team, personId: $person, role: "Engineer", allocation: $allocation }) { position }
}`;

/** Ada, 80 % on Payments and 40 % on Search: an OVERALLOCATION signal. */
async function overallocated(org: Org, target = server) {
  const team = async (name: string) =>
    (
      await ok<{ formTeam: { team: { id: string } } }>(
        target,
        'mutation($name: String!) { formTeam(input: { name: $name, kind: STREAM_ALIGNED }) { team { id } } }',
        { name },
        org.admin,
      )
    ).formTeam.team.id;
  const payments = await team('Payments');
  const search = await team('Search');
  const ada = (
    await ok<{ registerPerson: { person: { id: string } } }>(
      target,
      'mutation { registerPerson(input: { name: "Ada", email: "ada@acme.test", discipline: ENGINEERING }) { person { id } } }',
      {},
      org.admin,
    )
  ).registerPerson.person.id;
  const first = await ok<{ addTeamMember: { position: string } }>(
    target,
    MEMBER,
    { team: payments, person: ada, allocation: 80 },
    org.admin,
  );
  const second = await ok<{ addTeamMember: { position: string } }>(
    target,
    MEMBER,
    { team: search, person: ada, allocation: 40 },
    org.admin,
  );
  return {
    payments,
    search,
    ada,
    positions: [first.addTeamMember.position, second.addTeamMember.position],
  };
}

const SIGNAL = `id kind severity status message raisedAt resolvedAt
  subject { __typename ... on Person { id name } }
  evidence { position type }
  history { change severity position }`;

type Signal = {
  id: string;
  kind: string;
  severity: string;
  status: string;
  message: string;
  raisedAt: string;
  resolvedAt: string | null;
  subject: { __typename: string; id: string; name: string } | null;
  evidence: { position: string; type: string }[];
  history: { change: string; severity: string; position: string | null }[];
};

describe('friction signals over HTTP', () => {
  it('lists an organization’s signals with subject, evidence and history, and a team’s', async () => {
    const org = await organization('friction-http');
    const { payments, ada, positions } = await overallocated(org);
    const data = await ok<{
      organization: { frictionSignals: { edges: { node: Signal }[] } };
      team: { frictionSignals: { edges: { node: { id: string } }[] } };
      all: { frictionSignals: { edges: { node: { kind: string } }[] } };
    }>(
      server,
      `query($team: ID!) {
        organization { frictionSignals(kinds: [OVERALLOCATION]) { edges { node { ${SIGNAL} } } } }
        team(id: $team) { frictionSignals(kinds: [OVERALLOCATION]) { edges { node { id } } } }
        all: team(id: $team) { frictionSignals { edges { node { kind } } } }
      }`,
      { team: payments },
      org.reader,
    );
    const [signal] = data.organization.frictionSignals.edges.map((edge) => edge.node);
    expect(signal).toMatchObject({
      kind: 'OVERALLOCATION',
      severity: 'MEDIUM',
      status: 'OPEN',
      resolvedAt: null,
      subject: { __typename: 'Person', id: ada, name: 'Ada' },
      evidence: positions.map((position) => ({ position, type: 'TeamMemberAdded' })),
      history: [{ change: 'RAISED', severity: 'MEDIUM', position: positions[1] }],
    });
    expect(signal!.message).toContain('120%');
    expect(data.team.frictionSignals.edges.map((edge) => edge.node.id)).toEqual([signal!.id]);
    // Payments has only an engineer: it is not cross-functional either.
    expect(data.all.frictionSignals.edges.map((edge) => edge.node.kind).sort()).toEqual([
      'NOT_CROSS_FUNCTIONAL',
      'OVERALLOCATION',
    ]);
  });

  it('filters by status, finds a signal by node(id), and hides it from other organizations', async () => {
    const org = await organization('friction-status');
    const stranger = await organization('friction-stranger');
    const { search, ada } = await overallocated(org);
    await ok(
      server,
      'mutation($team: ID!, $person: ID!) { removeTeamMember(input: { teamId: $team, personId: $person }) { position } }',
      { team: search, person: ada },
      org.admin,
    );
    const list = async (status: string) =>
      (
        await ok<{ organization: { frictionSignals: { edges: { node: Signal }[] } } }>(
          server,
          `query($status: FrictionSignalStatus) { organization { frictionSignals(status: $status, kinds: [OVERALLOCATION]) { edges { node { ${SIGNAL} } } } } }`,
          { status },
          org.reader,
        )
      ).organization.frictionSignals.edges.map((edge) => edge.node);
    expect(await list('OPEN')).toEqual([]);
    const [resolved] = await list('RESOLVED');
    expect(resolved!.history.map((entry) => entry.change)).toEqual(['RAISED', 'RESOLVED']);
    expect(resolved!.resolvedAt).not.toBeNull();
    expect((await list('ALL')).map((signal) => signal.id)).toEqual([resolved!.id]);

    const node = `query($id: ID!) { node(id: $id) { ... on FrictionSignal { id status } } }`;
    expect((await ok<{ node: unknown }>(server, node, { id: resolved!.id }, org.reader)).node).toEqual({
      id: resolved!.id,
      status: 'RESOLVED',
    });
    expect((await ok<{ node: unknown }>(server, node, { id: resolved!.id }, stranger.reader)).node).toBeNull();
  });

  it('answers the effective thresholds: defaults by phase, and overrides', async () => {
    const org = await organization('friction-thresholds');
    const THRESHOLDS = `{ organization { effectiveFrictionThresholds { name kind value defaultValue overridden defaults { phase value } } } }`;
    type Threshold = { name: string; kind: string; value: number; defaultValue: number; overridden: boolean };
    const byName = async () =>
      new Map(
        (
          await ok<{ organization: { effectiveFrictionThresholds: Threshold[] } }>(server, THRESHOLDS, {}, org.reader)
        ).organization.effectiveFrictionThresholds.map((entry) => [entry.name, entry]),
      );
    expect((await byName()).get('overallocationPercent')).toMatchObject({
      kind: 'OVERALLOCATION',
      value: 100,
      defaultValue: 100,
      overridden: false,
    });
    await ok(
      server,
      'mutation { setFrictionThresholds(input: { thresholds: { overallocationPercent: 150 } }) { position } }',
      {},
      org.admin,
    );
    expect((await byName()).get('overallocationPercent')).toMatchObject({ value: 150, overridden: true });
    const unknown = await server.graphql(
      'mutation { setFrictionThresholds(input: { thresholds: { noSuchThreshold: 1 } }) { position } }',
      {},
      org.admin,
    );
    expect(unknown.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('frictionSignalChanged', () => {
  it('pushes raised and resolved signals of the kinds asked for, from another server too', async () => {
    const org = await organization('friction-live');
    const subscription = collect<{
      frictionSignalChanged: { change: string; signal: { kind: string; status: string; subject: { id: string } } };
    }>(
      connect(other, org.reader),
      'subscription { frictionSignalChanged(kinds: [OVERALLOCATION]) { change signal { kind status subject { ... on Person { id } } } } }',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { search, ada } = await overallocated(org);
    await ok(
      server,
      'mutation($team: ID!, $person: ID!) { removeTeamMember(input: { teamId: $team, personId: $person }) { position } }',
      { team: search, person: ada },
      org.admin,
    );
    const pushed = await subscription.until(2);
    expect(pushed.map((result) => result.frictionSignalChanged.change)).toEqual(['RAISED', 'RESOLVED']);
    expect(pushed.every((result) => result.frictionSignalChanged.signal.kind === 'OVERALLOCATION')).toBe(true);
    expect(pushed[0]!.frictionSignalChanged.signal.subject.id).toBe(ada);
    // What is pushed is what a query returns at that moment: the signal is resolved by now.
    expect(pushed[1]!.frictionSignalChanged.signal.status).toBe('RESOLVED');
    subscription.dispose();
  });

  it('resumes after the last change a client processed: nothing missed while it was away, nothing twice', async () => {
    const org = await organization('friction-resume');
    type Pushed = {
      frictionSignalChanged: {
        sequence: string;
        change: string;
        severity: string;
        message: string;
        at: string;
        position: string | null;
        signal: { id: string; status: string };
      };
    };
    const CHANGES =
      'subscription($after: String) { frictionSignalChanged(kinds: [OVERALLOCATION], after: $after) { sequence change severity message at position signal { id status } } }';
    // From the organization's first change (none yet): nothing to wait for.
    const first = collect<Pushed>(connect(server, org.reader), CHANGES, { after: '0' });
    const { search, ada, positions } = await overallocated(org);
    const [raised] = await first.until(1);
    first.dispose();
    // The change as it was made: the event that raised it, its severity and message then.
    expect(raised!.frictionSignalChanged).toMatchObject({
      change: 'RAISED',
      position: positions[1],
      message: expect.stringContaining('Ada'),
    });

    // Away: the signal is resolved meanwhile.
    await ok(
      server,
      'mutation($team: ID!, $person: ID!) { removeTeamMember(input: { teamId: $team, personId: $person }) { position } }',
      { team: search, person: ada },
      org.admin,
    );
    const resumed = collect<Pushed>(connect(other, org.reader), CHANGES, {
      after: raised!.frictionSignalChanged.sequence,
    });
    const [next] = await resumed.until(1);
    expect(next!.frictionSignalChanged).toMatchObject({
      change: 'RESOLVED',
      signal: { id: raised!.frictionSignalChanged.signal.id },
    });
    expect(BigInt(next!.frictionSignalChanged.sequence)).toBeGreaterThan(
      BigInt(raised!.frictionSignalChanged.sequence),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(resumed.results).toHaveLength(1);
    resumed.dispose();

    // From the start (after "0"): both, in order.
    const replayed = collect<Pushed>(connect(server, org.reader), CHANGES, { after: '0' });
    expect((await replayed.until(2)).map((result) => result.frictionSignalChanged.change)).toEqual([
      'RAISED',
      'RESOLVED',
    ]);
    replayed.dispose();
  });

  it('refuses an `after` that is not a sequence number, with BAD_USER_INPUT', async () => {
    const org = await organization('friction-bad-after');
    for (const after of ['-1', 'abc', '99999999999999999999']) {
      const refused = collect(
        connect(server, org.reader),
        'subscription($after: String) { frictionSignalChanged(after: $after) { sequence } }',
        {
          after,
        },
      );
      expect(await refused.errorCode()).toBe('BAD_USER_INPUT');
    }
  });
});
