// orgDiff over HTTP: a back-dated history, then the changes between two
// moments of org time, each with its event position; ANALYST or ADMIN only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const day = (n: number) => new Date(Date.UTC(2026, 0, n, 9)).toISOString();

type Org = { admin: string; analyst: string; reader: string };

async function organization(slug: string): Promise<Org> {
  const created = await server.graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    'mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH, occurredAt: "2025-12-01T00:00:00Z" }) { adminToken organization { id } } }',
    { slug },
    ADMIN_TOKEN,
  );
  const { adminToken, organization: org } = created.data!.createOrganization;
  const token = async (role: string) =>
    (
      await server.graphql<{ issueApiToken: { token: string } }>(
        `mutation($org: ID!) { issueApiToken(input: { organizationId: $org, role: ${role}, label: "${role}" }) { token } }`,
        { org: org.id },
        adminToken,
      )
    ).data!.issueApiToken.token;
  return { admin: adminToken, analyst: await token('ANALYST'), reader: await token('READER') };
}

/** Runs `name(input)` as admin and returns `select` of its payload and the position. */
async function run(org: Org, name: string, input: Record<string, unknown>, select = '') {
  const inputType = `${name[0]!.toUpperCase()}${name.slice(1)}Input`;
  const response = await server.graphql<Record<string, Record<string, unknown>>>(
    `mutation($input: ${inputType}!) { ${name}(input: $input) { position ${select} } }`,
    { input },
    org.admin,
  );
  expect(response.errors).toBeUndefined();
  return response.data![name]!;
}

describe('orgDiff', () => {
  it('lists what changed between two moments, with positions, moves paired', async () => {
    const org = await organization('diff-acme');
    const at = (n: number) => ({ occurredAt: day(n) });
    const team = async (name: string, n: number) =>
      ((await run(org, 'formTeam', { name, kind: 'STREAM_ALIGNED', ...at(n) }, 'team { id }')).team as { id: string })
        .id;
    const person = async (name: string, n: number) =>
      (
        (
          await run(
            org,
            'registerPerson',
            { name, email: `${name.toLowerCase()}@acme.test`, discipline: 'ENGINEERING', ...at(n) },
            'person { id }',
          )
        ).person as { id: string }
      ).id;
    const payments = await team('Payments', 1);
    const search = await team('Search', 1);
    const ada = await person('Ada', 1);
    await run(org, 'addTeamMember', { teamId: payments, personId: ada, role: 'Engineer', allocation: 100, ...at(1) });

    const renamed = await run(org, 'renameTeam', { teamId: search, name: 'Discovery', ...at(10) });
    const left = await run(org, 'removeTeamMember', { teamId: payments, personId: ada, ...at(10) });
    const joined = await run(org, 'addTeamMember', {
      teamId: search,
      personId: ada,
      role: 'Engineer',
      allocation: 100,
      ...at(10),
    });
    const chose = await run(org, 'chooseFirstTeam', { personId: ada, teamId: search, ...at(11) });
    const bob = await person('Bob', 12);
    await run(org, 'addTeamMember', { teamId: payments, personId: bob, role: 'PM', allocation: 100, ...at(12) });
    const managed = await run(org, 'changeReportingLine', { personId: bob, managerId: ada, ...at(12) });
    const duty = (
      (await run(org, 'defineResponsibility', { title: 'On-call', ...at(13) }, 'responsibility { id }'))
        .responsibility as { id: string }
    ).id;
    const toAda = await run(org, 'assignResponsibility', { responsibilityId: duty, ownerId: ada, ...at(13) });
    const toTeam = await run(org, 'assignResponsibility', { responsibilityId: duty, ownerId: payments, ...at(14) });
    await run(org, 'draftAgreement', { teamId: payments, mission: 'Pay', ...at(15) });
    const ratified = await run(org, 'ratifyAgreement', { teamId: payments, ratifiedBy: [bob], ...at(15) });
    // Recorded today, back-dated into the window: it counts.
    const late = await run(org, 'archiveTeam', { teamId: payments, occurredAt: day(16) });
    // After the window: it does not.
    await run(org, 'renameTeam', { teamId: search, name: 'Search again', ...at(25) });

    const response = await server.graphql<{ orgDiff: { truncated: boolean; changes: Record<string, unknown>[] } }>(
      `query($from: DateTime!, $to: DateTime!) { orgDiff(from: $from, to: $to) { truncated changes {
        kind position positions name previousName agreementVersion
        team { name } person { name } responsibility { title }
        fromTeam { name } toTeam { name } fromManager { name } toManager { name }
        fromOwner { __typename ... on Person { name } ... on Team { name } }
        toOwner { __typename ... on Person { name } ... on Team { name } }
      } } }`,
      { from: day(5), to: day(20) },
      org.analyst,
    );
    expect(response.errors).toBeUndefined();
    const changes = response.data!.orgDiff.changes;
    expect(response.data!.orgDiff.truncated).toBe(false);
    // In org-time order; archiving Payments also took Bob off it.
    expect(changes.map((change) => change.kind)).toEqual([
      'TEAM_RENAMED',
      'PERSON_MOVED_TEAM',
      'FIRST_TEAM_CHANGED',
      'PERSON_JOINED',
      'PERSON_JOINED_TEAM',
      'MANAGER_CHANGED',
      'RESPONSIBILITY_CHANGED_HANDS',
      'RESPONSIBILITY_CHANGED_HANDS',
      'AGREEMENT_RATIFIED',
      'PERSON_LEFT_TEAM',
      'TEAM_ARCHIVED',
    ]);
    expect(changes[0]).toMatchObject({
      position: renamed.position,
      name: 'Discovery',
      previousName: 'Search',
      team: { name: 'Search again' },
    });
    expect(changes[1]).toMatchObject({
      position: joined.position,
      positions: [left.position, joined.position],
      person: { name: 'Ada' },
      fromTeam: { name: 'Payments' },
      toTeam: { name: 'Search again' },
    });
    expect(changes[2]).toMatchObject({ position: chose.position, fromTeam: null, toTeam: { name: 'Search again' } });
    expect(changes[5]).toMatchObject({ position: managed.position, fromManager: null, toManager: { name: 'Ada' } });
    expect(changes[6]).toMatchObject({
      position: toAda.position,
      responsibility: { title: 'On-call' },
      fromOwner: null,
      toOwner: { __typename: 'Person', name: 'Ada' },
    });
    expect(changes[7]).toMatchObject({
      position: toTeam.position,
      fromOwner: { __typename: 'Person', name: 'Ada' },
      toOwner: { __typename: 'Team', name: 'Payments' },
    });
    expect(changes[8]).toMatchObject({ position: ratified.position, agreementVersion: 1, team: { name: 'Payments' } });
    expect(changes[10]).toMatchObject({ position: late.position });
  });

  it('is for analysts and admins, and wants from before to', async () => {
    const org = await organization('diff-roles');
    const query = 'query($from: DateTime!, $to: DateTime!) { orgDiff(from: $from, to: $to) { changes { kind } } }';
    const denied = await server.graphql(query, { from: day(1), to: day(2) }, org.reader);
    expect(denied.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const backwards = await server.graphql(query, { from: day(2), to: day(1) }, org.analyst);
    expect(backwards.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const empty = await server.graphql<{ orgDiff: { changes: unknown[] } }>(
      query,
      { from: day(1), to: day(2) },
      org.admin,
    );
    expect(empty.data?.orgDiff.changes).toEqual([]);
  });
});
