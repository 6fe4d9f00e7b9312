// Every mutation of API.md beyond organizations, teams and people, over real
// HTTP: the payload shows the write (position returned, version moved), and
// every rejection carries its code and leaves the event log as it was.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, type GraphQLResponse, startTestServer, type TestServer } from '../support/server.ts';

// biome-ignore lint/suspicious/noExplicitAny: responses are checked field by field with toMatchObject.
type Json = any;

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UNKNOWN_UUID = '0190f1a0-0000-7000-8000-000000000000';
const unknownId = (type: string) => encodeGlobalID(type, UNKNOWN_UUID);
const POSITION = /^[1-9]\d*$/;

type Org = { id: string; admin: string; editor: string; reader: string };

let organizations = 0;

/** A fresh organization with an ADMIN, an EDITOR and a READER token. */
async function newOrganization(): Promise<Org> {
  const slug = `org-${++organizations}`;
  const created = ok(
    await server.graphql(
      `mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { adminToken organization { id } } }`,
      { input: { name: slug, slug, growthPhase: 'HYPERGROWTH' } },
      ADMIN_TOKEN,
    ),
    'createOrganization',
  );
  const issue = async (role: string) =>
    ok(
      await server.graphql(
        `mutation($input: IssueApiTokenInput!) { issueApiToken(input: $input) { token } }`,
        { input: { organizationId: created.organization.id, role, label: `${slug}-${role.toLowerCase()}` } },
        ADMIN_TOKEN,
      ),
      'issueApiToken',
    ).token as string;
  return {
    id: created.organization.id,
    admin: created.adminToken,
    editor: await issue('EDITOR'),
    reader: await issue('READER'),
  };
}

/** Runs `name(input: $input) { selection }` with the token. */
function mutate(token: string | undefined, name: string, input: Record<string, unknown>, selection: string) {
  const type = `${name[0]!.toUpperCase()}${name.slice(1)}Input`;
  return server.graphql<Json>(
    `mutation($input: ${type}!) { ${name}(input: $input) { ${selection} } }`,
    { input },
    token,
  );
}

/** The field of a response that must have succeeded. */
function ok(response: GraphQLResponse<Json>, field: string): Json {
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data[field];
}

async function query(token: string, document: string, variables: Record<string, unknown> = {}): Promise<Json> {
  const response = await server.graphql<Json>(document, variables, token);
  expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
  return response.data;
}

const eventCount = async () =>
  (await server.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]!.n;

/** `attempt` fails with exactly `code`, no data, and not one event more in the log. */
async function rejected(code: string, attempt: () => Promise<GraphQLResponse<Json>>) {
  const before = await eventCount();
  const response = await attempt();
  expect(
    (response.errors ?? []).map((error) => error.extensions?.code),
    JSON.stringify(response.errors),
  ).toEqual([code]);
  expect(response.data ?? null).toBeNull();
  expect(response.status).toBeLessThan(500);
  expect(await eventCount()).toBe(before);
  return response.errors![0]!;
}

// --- givens, made through the API ---

const formTeam = async (org: Org, name: string) =>
  ok(await mutate(org.editor, 'formTeam', { name, kind: 'STREAM_ALIGNED' }, 'team { id }'), 'formTeam').team
    .id as string;

const archiveTeam = async (org: Org, teamId: string) =>
  ok(await mutate(org.editor, 'archiveTeam', { teamId }, 'team { id }'), 'archiveTeam');

let people = 0;
const registerPerson = async (org: Org, name: string, discipline = 'ENGINEERING') =>
  ok(
    await mutate(
      org.editor,
      'registerPerson',
      { name, email: `${name.toLowerCase()}.${++people}@example.test`, discipline },
      'person { id }',
    ),
    'registerPerson',
  ).person.id as string;

const addMember = async (org: Org, teamId: string, personId: string) =>
  ok(
    await mutate(org.editor, 'addTeamMember', { teamId, personId, role: 'Engineer', allocation: 50 }, 'team { id }'),
    'addTeamMember',
  );

const defineValueStream = async (org: Org, name: string) =>
  ok(await mutate(org.editor, 'defineValueStream', { name }, 'valueStream { id }'), 'defineValueStream').valueStream
    .id as string;

const defineResponsibility = async (org: Org, title: string) =>
  ok(await mutate(org.editor, 'defineResponsibility', { title }, 'responsibility { id }'), 'defineResponsibility')
    .responsibility.id as string;

const teamVersion = async (org: Org, id: string) =>
  (await query(org.reader, `query($id: ID!) { team(id: $id) { version } }`, { id })).team.version as number;

describe('value streams', () => {
  let org: Org;
  beforeAll(async () => {
    org = await newOrganization();
  });

  it('defineValueStream defines one, under a parent', async () => {
    const parent = await defineValueStream(org, 'Commerce');
    const defined = ok(
      await mutate(
        org.editor,
        'defineValueStream',
        { name: 'Checkout', description: 'Paying for an order', customer: 'Shoppers', parentId: parent },
        'valueStream { id name description customer retired version parent { id name } } position',
      ),
      'defineValueStream',
    );
    expect(defined).toMatchObject({
      valueStream: {
        name: 'Checkout',
        description: 'Paying for an order',
        customer: 'Shoppers',
        retired: false,
        version: 1,
        parent: { id: parent, name: 'Commerce' },
      },
      position: expect.stringMatching(POSITION),
    });
  });

  it('defineValueStream rejects bad input, unknown parents and taken names, writing nothing', async () => {
    await rejected('BAD_USER_INPUT', () => mutate(org.editor, 'defineValueStream', { name: '   ' }, 'position'));
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'defineValueStream', { name: 'A', customer: 'x'.repeat(201) }, 'position'),
    );
    const team = await formTeam(org, 'Not a stream');
    const wrongType = await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'defineValueStream', { name: 'B', parentId: team }, 'position'),
    );
    expect(wrongType.extensions).toMatchObject({ field: 'parentId' });
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'defineValueStream', { name: 'B', parentId: 'not-an-id' }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'defineValueStream', { name: 'B', parentId: unknownId('ValueStream') }, 'position'),
    );
    await defineValueStream(org, 'Search');
    await rejected('CONFLICT', () => mutate(org.editor, 'defineValueStream', { name: ' search ' }, 'position'));
  });

  it('retireValueStream retires it and moves its version; a second retirement is a conflict', async () => {
    const id = await defineValueStream(org, 'Legacy');
    const retired = ok(
      await mutate(
        org.editor,
        'retireValueStream',
        { valueStreamId: id, expectedVersion: 1 },
        'valueStream { id retired version } position',
      ),
      'retireValueStream',
    );
    expect(retired).toMatchObject({
      valueStream: { id, retired: true, version: 2 },
      position: expect.stringMatching(POSITION),
    });
    await rejected('CONFLICT', () => mutate(org.editor, 'retireValueStream', { valueStreamId: id }, 'position'));
  });

  it('retireValueStream rejects wrong ids, unknown ones and a stale expectedVersion', async () => {
    const id = await defineValueStream(org, 'Pricing');
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'retireValueStream', { valueStreamId: unknownId('Team') }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'retireValueStream', { valueStreamId: unknownId('ValueStream') }, 'position'),
    );
    const stale = await rejected('CONFLICT', () =>
      mutate(org.editor, 'retireValueStream', { valueStreamId: id, expectedVersion: 3 }, 'position'),
    );
    expect(stale.extensions).toMatchObject({ expectedVersion: 3, actualVersion: 1 });
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'retireValueStream', { valueStreamId: id, expectedVersion: -1 }, 'position'),
    );
  });
});

describe('responsibilities', () => {
  let org: Org;
  let person: string;
  let team: string;
  beforeAll(async () => {
    org = await newOrganization();
    person = await registerPerson(org, 'Grace');
    team = await formTeam(org, 'Billing');
  });

  // The owner as the ownership ledger shows it: the entry still open. (Responsibility.owner itself
  // cannot be selected yet: its select plans a path through a union; see the report of this work.)
  const OWNER = 'ownershipHistory { owner { __typename ... on Person { id name } ... on Team { id name } } to }';
  const ownerOf = (responsibility: Json) =>
    responsibility.ownershipHistory.find((period: Json) => period.to === null)?.owner ?? null;

  it('defineResponsibility defines one, GENERAL unless a category is given', async () => {
    const defined = ok(
      await mutate(
        org.editor,
        'defineResponsibility',
        { title: 'On-call rota', description: 'Who is paged at night' },
        `responsibility { id title description category version ${OWNER} } position`,
      ),
      'defineResponsibility',
    );
    expect(defined).toMatchObject({
      responsibility: {
        title: 'On-call rota',
        description: 'Who is paged at night',
        category: 'GENERAL',
        version: 1,
        ownershipHistory: [],
      },
      position: expect.stringMatching(POSITION),
    });
    const categorized = ok(
      await mutate(
        org.editor,
        'defineResponsibility',
        { title: 'Pricing', category: 'PRODUCT' },
        'responsibility { category }',
      ),
      'defineResponsibility',
    );
    expect(categorized.responsibility.category).toBe('PRODUCT');
  });

  it('defineResponsibility rejects an empty title and an overlong category', async () => {
    await rejected('BAD_USER_INPUT', () => mutate(org.editor, 'defineResponsibility', { title: '' }, 'position'));
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'defineResponsibility', { title: 'X', category: 'c'.repeat(101) }, 'position'),
    );
  });

  it('assignResponsibility gives it to a person, then to a team, each a new version', async () => {
    const id = await defineResponsibility(org, 'Release notes');
    const toPerson = ok(
      await mutate(
        org.editor,
        'assignResponsibility',
        { responsibilityId: id, ownerId: person },
        `responsibility { version ${OWNER} } position`,
      ),
      'assignResponsibility',
    );
    expect(toPerson).toMatchObject({ responsibility: { version: 2 }, position: expect.stringMatching(POSITION) });
    expect(ownerOf(toPerson.responsibility)).toEqual({ __typename: 'Person', id: person, name: 'Grace' });
    const toTeam = ok(
      await mutate(
        org.editor,
        'assignResponsibility',
        { responsibilityId: id, ownerId: team, expectedVersion: 2 },
        `responsibility { version ${OWNER} } position`,
      ),
      'assignResponsibility',
    );
    expect(toTeam.responsibility).toMatchObject({
      version: 3,
      ownershipHistory: [
        { owner: { __typename: 'Person' }, to: expect.any(String) },
        { owner: { __typename: 'Team', id: team, name: 'Billing' }, to: null },
      ],
    });
    const owned = await query(org.reader, `query($id: ID!) { team(id: $id) { ownedResponsibilities { id } } }`, {
      id: team,
    });
    expect(owned.team.ownedResponsibilities).toEqual([{ id }]);
    expect(BigInt(toTeam.position)).toBeGreaterThan(BigInt(toPerson.position));
  });

  it('assignResponsibility rejects wrong-type, unknown and gone owners, and a stale expectedVersion', async () => {
    const id = await defineResponsibility(org, 'Budget');
    const valueStream = await defineValueStream(org, 'Ops');
    const wrong = await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'assignResponsibility', { responsibilityId: id, ownerId: valueStream }, 'position'),
    );
    expect(wrong.extensions).toMatchObject({ field: 'ownerId' });
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'assignResponsibility', { responsibilityId: person, ownerId: person }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'assignResponsibility', { responsibilityId: id, ownerId: unknownId('Person') }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(
        org.editor,
        'assignResponsibility',
        { responsibilityId: unknownId('Responsibility'), ownerId: person },
        'position',
      ),
    );
    const archived = await formTeam(org, 'Dissolved');
    await archiveTeam(org, archived);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'assignResponsibility', { responsibilityId: id, ownerId: archived }, 'position'),
    );
    await rejected('CONFLICT', () =>
      mutate(
        org.editor,
        'assignResponsibility',
        { responsibilityId: id, ownerId: person, expectedVersion: 7 },
        'position',
      ),
    );
  });

  it('unassignResponsibility leaves it without owner; unassigning again is a conflict', async () => {
    const id = await defineResponsibility(org, 'Security reviews');
    ok(
      await mutate(org.editor, 'assignResponsibility', { responsibilityId: id, ownerId: team }, 'position'),
      'assignResponsibility',
    );
    const unassigned = ok(
      await mutate(
        org.editor,
        'unassignResponsibility',
        { responsibilityId: id },
        `responsibility { version ${OWNER} } position`,
      ),
      'unassignResponsibility',
    );
    expect(unassigned).toMatchObject({ responsibility: { version: 3 }, position: expect.stringMatching(POSITION) });
    expect(ownerOf(unassigned.responsibility)).toBeNull();
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'unassignResponsibility', { responsibilityId: id }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'unassignResponsibility', { responsibilityId: unknownId('Responsibility') }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'unassignResponsibility', { responsibilityId: team }, 'position'),
    );
  });
});

describe('working agreements', () => {
  let org: Org;
  let team: string;
  let ada: string;
  let linus: string;
  let outsider: string;
  let responsibility: string;
  beforeAll(async () => {
    org = await newOrganization();
    team = await formTeam(org, 'Payments');
    ada = await registerPerson(org, 'Ada');
    linus = await registerPerson(org, 'Linus');
    outsider = await registerPerson(org, 'Outsider');
    await addMember(org, team, ada);
    await addMember(org, team, linus);
    responsibility = await defineResponsibility(org, 'Payment incidents');
  });

  const AGREEMENT = `version status name mission metrics { name kind target } skills norms
    responsibilities { id title } draftedAt ratifiedAt ratifiedBy { id name } lastRevisitedAt revisits { version notes }`;

  it('draftAgreement, ratifyAgreement and revisitAgreement take an agreement through its life', async () => {
    const v0 = await teamVersion(org, team);
    const drafted = ok(
      await mutate(
        org.editor,
        'draftAgreement',
        {
          teamId: team,
          name: 'Payments charter',
          mission: 'Every payment succeeds',
          metrics: [
            { name: 'Checkout conversion', kind: 'VALUE', target: '> 60%' },
            { name: 'Deploys', kind: 'ACTIVITY' },
          ],
          responsibilityIds: [responsibility],
          skills: ['Kotlin', 'PCI DSS'],
          norms: 'We pair on incidents',
        },
        `team { version agreement { version } agreementDraft { ${AGREEMENT} } } position`,
      ),
      'draftAgreement',
    );
    expect(drafted).toMatchObject({
      team: {
        version: v0 + 1,
        agreement: null,
        agreementDraft: {
          version: 1,
          status: 'DRAFT',
          name: 'Payments charter',
          mission: 'Every payment succeeds',
          metrics: [
            { name: 'Checkout conversion', kind: 'VALUE', target: '> 60%' },
            { name: 'Deploys', kind: 'ACTIVITY', target: null },
          ],
          skills: ['Kotlin', 'PCI DSS'],
          norms: 'We pair on incidents',
          responsibilities: [{ id: responsibility, title: 'Payment incidents' }],
          ratifiedAt: null,
          ratifiedBy: [],
          revisits: [],
        },
      },
      position: expect.stringMatching(POSITION),
    });

    const ratified = ok(
      await mutate(
        org.editor,
        'ratifyAgreement',
        { teamId: team, ratifiedBy: [linus, ada], expectedVersion: v0 + 1 },
        `team { version agreement { ${AGREEMENT} } agreementDraft { version } } position`,
      ),
      'ratifyAgreement',
    );
    expect(ratified).toMatchObject({
      team: {
        version: v0 + 2,
        agreementDraft: null,
        agreement: {
          version: 1,
          status: 'RATIFIED',
          ratifiedAt: expect.any(String),
          ratifiedBy: [
            { id: linus, name: 'Linus' },
            { id: ada, name: 'Ada' },
          ],
        },
      },
      position: expect.stringMatching(POSITION),
    });

    const revisited = ok(
      await mutate(
        org.editor,
        'revisitAgreement',
        { teamId: team, notes: 'Still right' },
        `team { version agreement { lastRevisitedAt revisits { version notes } } } position`,
      ),
      'revisitAgreement',
    );
    expect(revisited).toMatchObject({
      team: {
        version: v0 + 3,
        agreement: { lastRevisitedAt: expect.any(String), revisits: [{ version: 1, notes: 'Still right' }] },
      },
      position: expect.stringMatching(POSITION),
    });

    // An amendment: a new draft becomes version 2 and supersedes version 1 once ratified.
    ok(
      await mutate(org.editor, 'draftAgreement', { teamId: team, mission: 'Payments that never fail' }, 'position'),
      'draftAgreement',
    );
    const amended = ok(
      await mutate(
        org.editor,
        'ratifyAgreement',
        { teamId: team, ratifiedBy: [ada] },
        'team { agreement { version mission } agreementHistory { version status mission } }',
      ),
      'ratifyAgreement',
    );
    expect(amended.team).toEqual({
      agreement: { version: 2, mission: 'Payments that never fail' },
      agreementHistory: [
        { version: 1, status: 'SUPERSEDED', mission: 'Every payment succeeds' },
        { version: 2, status: 'RATIFIED', mission: 'Payments that never fail' },
      ],
    });
  });

  it('draftAgreement rejects bad input, unknown ids, archived teams and a stale expectedVersion', async () => {
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'draftAgreement', { teamId: team, mission: ' ' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(
        org.editor,
        'draftAgreement',
        { teamId: team, mission: 'M', metrics: [{ name: '', kind: 'VALUE' }] },
        'position',
      ),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(
        org.editor,
        'draftAgreement',
        { teamId: team, mission: 'M', metrics: [{ name: 'N', kind: 'OUTPUT' }] },
        'position',
      ),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'draftAgreement', { teamId: team, mission: 'M', responsibilityIds: [ada] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(
        org.editor,
        'draftAgreement',
        { teamId: team, mission: 'M', responsibilityIds: [responsibility, responsibility] },
        'position',
      ),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'draftAgreement', { teamId: ada, mission: 'M' }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(
        org.editor,
        'draftAgreement',
        { teamId: team, mission: 'M', responsibilityIds: [unknownId('Responsibility')] },
        'position',
      ),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'draftAgreement', { teamId: unknownId('Team'), mission: 'M' }, 'position'),
    );
    const archived = await formTeam(org, 'Archived');
    await archiveTeam(org, archived);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'draftAgreement', { teamId: archived, mission: 'M' }, 'position'),
    );
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'draftAgreement', { teamId: team, mission: 'M', expectedVersion: 99 }, 'position'),
    );
  });

  it('ratifyAgreement needs a draft and current members as ratifiers', async () => {
    const other = await formTeam(org, 'Search');
    await addMember(org, other, ada);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'ratifyAgreement', { teamId: other, ratifiedBy: [ada] }, 'position'),
    );
    ok(await mutate(org.editor, 'draftAgreement', { teamId: other, mission: 'Find it' }, 'position'), 'draftAgreement');
    const outsiders = await rejected('CONFLICT', () =>
      mutate(org.editor, 'ratifyAgreement', { teamId: other, ratifiedBy: [ada, outsider] }, 'position'),
    );
    expect(outsiders.message).toContain('Outsider');
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'ratifyAgreement', { teamId: other, ratifiedBy: [unknownId('Person')] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'ratifyAgreement', { teamId: other, ratifiedBy: [] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'ratifyAgreement', { teamId: other, ratifiedBy: [team] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'ratifyAgreement', { teamId: other, ratifiedBy: [ada, ada] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () => mutate(org.editor, 'ratifyAgreement', { teamId: other }, 'position'));
  });

  it('revisitAgreement needs a ratified agreement and bounded notes', async () => {
    const fresh = await formTeam(org, 'Fresh');
    await rejected('CONFLICT', () => mutate(org.editor, 'revisitAgreement', { teamId: fresh }, 'position'));
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'revisitAgreement', { teamId: team, notes: 'n'.repeat(10_001) }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'revisitAgreement', { teamId: unknownId('Team') }, 'position'),
    );
  });
});

describe('dependencies', () => {
  let org: Org;
  let checkout: string;
  let platform: string;
  beforeAll(async () => {
    org = await newOrganization();
    checkout = await formTeam(org, 'Checkout');
    platform = await formTeam(org, 'Platform');
  });

  const DEPENDENCY = `id from { id } to { id } mode description status discoveredLate expectedDurationDays
    declaredAt statusSince resolved resolvedAt version`;

  it('declareDependency declares an open one, OK and on time unless told', async () => {
    const declared = ok(
      await mutate(
        org.editor,
        'declareDependency',
        {
          fromTeamId: checkout,
          toTeamId: platform,
          mode: 'X_AS_A_SERVICE',
          description: 'Needs the ledger API',
          expectedDurationDays: 30,
        },
        `dependency { ${DEPENDENCY} } position`,
      ),
      'declareDependency',
    );
    expect(declared).toMatchObject({
      dependency: {
        from: { id: checkout },
        to: { id: platform },
        mode: 'X_AS_A_SERVICE',
        description: 'Needs the ledger API',
        status: 'OK',
        discoveredLate: false,
        expectedDurationDays: 30,
        resolved: false,
        resolvedAt: null,
        version: 1,
      },
      position: expect.stringMatching(POSITION),
    });
    const id = declared.dependency.id;
    const seen = await query(
      org.reader,
      `query($from: ID!, $to: ID!, $id: ID!) {
        from: team(id: $from) { dependencies { id } dependents { id } }
        to: team(id: $to) { dependencies { id } dependents { id } }
        dependency(id: $id) { id }
        node(id: $id) { ... on Dependency { mode } }
      }`,
      { from: checkout, to: platform, id },
    );
    expect(seen).toEqual({
      from: { dependencies: [{ id }], dependents: [] },
      to: { dependencies: [], dependents: [{ id }] },
      dependency: { id },
      node: { mode: 'X_AS_A_SERVICE' },
    });
  });

  it('declareDependency rejects bad input, unknown and archived teams', async () => {
    const base = { fromTeamId: checkout, toTeamId: platform, mode: 'COLLABORATION' };
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'declareDependency', { ...base, toTeamId: checkout }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'declareDependency', { ...base, expectedDurationDays: 0 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'declareDependency', { ...base, expectedDurationDays: 3651 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'declareDependency', { ...base, expectedDurationDays: 2 ** 31 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'declareDependency', { ...base, mode: 'TELEPATHY' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'declareDependency', { ...base, fromTeamId: unknownId('Person') }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'declareDependency', { ...base, toTeamId: unknownId('Team') }, 'position'),
    );
    const archived = await formTeam(org, 'Old platform');
    await archiveTeam(org, archived);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'declareDependency', { ...base, toTeamId: archived }, 'position'),
    );
  });

  it('changeDependencyStatus moves the status (a change to the same status writes nothing)', async () => {
    const declared = ok(
      await mutate(
        org.editor,
        'declareDependency',
        { fromTeamId: platform, toTeamId: checkout, mode: 'FACILITATING', status: 'SLOWING', discoveredLate: true },
        'dependency { id status discoveredLate } position',
      ),
      'declareDependency',
    );
    expect(declared.dependency).toMatchObject({ status: 'SLOWING', discoveredLate: true });
    const dependencyId = declared.dependency.id;
    const changed = ok(
      await mutate(
        org.editor,
        'changeDependencyStatus',
        { dependencyId, status: 'BLOCKING', expectedVersion: 1 },
        'dependency { status version statusSince declaredAt } position',
      ),
      'changeDependencyStatus',
    );
    expect(changed).toMatchObject({
      dependency: { status: 'BLOCKING', version: 2 },
      position: expect.stringMatching(POSITION),
    });
    const before = await eventCount();
    const same = ok(
      await mutate(
        org.editor,
        'changeDependencyStatus',
        { dependencyId, status: 'BLOCKING' },
        'dependency { version } position',
      ),
      'changeDependencyStatus',
    );
    expect(same).toEqual({ dependency: { version: 2 }, position: changed.position });
    expect(await eventCount()).toBe(before);

    await rejected('CONFLICT', () =>
      mutate(org.editor, 'changeDependencyStatus', { dependencyId, status: 'OK', expectedVersion: 1 }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'changeDependencyStatus', { dependencyId: unknownId('Dependency'), status: 'OK' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'changeDependencyStatus', { dependencyId: checkout, status: 'OK' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'changeDependencyStatus', { dependencyId, status: 'STUCK' }, 'position'),
    );
  });

  it('resolveDependency closes it for good; open lists leave it out unless includeResolved', async () => {
    const { dependency } = ok(
      await mutate(
        org.editor,
        'declareDependency',
        { fromTeamId: checkout, toTeamId: platform, mode: 'COLLABORATION' },
        'dependency { id }',
      ),
      'declareDependency',
    );
    const resolved = ok(
      await mutate(
        org.editor,
        'resolveDependency',
        { dependencyId: dependency.id },
        'dependency { resolved resolvedAt version } position',
      ),
      'resolveDependency',
    );
    expect(resolved).toMatchObject({
      dependency: { resolved: true, resolvedAt: expect.any(String), version: 2 },
      position: expect.stringMatching(POSITION),
    });
    const lists = await query(
      org.reader,
      `query($id: ID!) { team(id: $id) { open: dependencies { id } all: dependencies(includeResolved: true) { id } } }`,
      { id: checkout },
    );
    expect(lists.team.open.map((d: Json) => d.id)).not.toContain(dependency.id);
    expect(lists.team.all.map((d: Json) => d.id)).toContain(dependency.id);

    await rejected('CONFLICT', () =>
      mutate(org.editor, 'resolveDependency', { dependencyId: dependency.id }, 'position'),
    );
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'changeDependencyStatus', { dependencyId: dependency.id, status: 'BLOCKING' }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'resolveDependency', { dependencyId: unknownId('Dependency') }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'resolveDependency', { dependencyId: 'garbage' }, 'position'),
    );
  });
});

describe('investment mix', () => {
  let org: Org;
  let team: string;
  beforeAll(async () => {
    org = await newOrganization();
    team = await formTeam(org, 'Growth');
  });

  const SHARES = 'features techDebt runway developerExperience';
  const mix = (period: string, features: number, techDebt: number, runway: number, developerExperience: number) => ({
    teamId: team,
    period,
    features,
    techDebt,
    runway,
    developerExperience,
  });

  it('planInvestmentMix and reportInvestmentMix state a period’s planned and actual shares', async () => {
    const v0 = await teamVersion(org, team);
    const planned = ok(
      await mutate(
        org.editor,
        'planInvestmentMix',
        { ...mix('2026-Q1', 60, 20, 10, 10), expectedVersion: v0 },
        `team { version investmentMix(period: "2026-Q1") { period planned { ${SHARES} } actual { ${SHARES} } } } position`,
      ),
      'planInvestmentMix',
    );
    expect(planned).toEqual({
      team: {
        version: v0 + 1,
        investmentMix: {
          period: '2026-Q1',
          planned: { features: 60, techDebt: 20, runway: 10, developerExperience: 10 },
          actual: null,
        },
      },
      position: expect.stringMatching(POSITION),
    });
    const reported = ok(
      await mutate(
        org.editor,
        'reportInvestmentMix',
        mix('2026-Q1', 80, 10, 5, 5),
        `team { version investmentMix(period: "2026-Q1") { planned { features } actual { ${SHARES} statedAt } } } position`,
      ),
      'reportInvestmentMix',
    );
    expect(reported).toMatchObject({
      team: {
        version: v0 + 2,
        investmentMix: {
          planned: { features: 60 },
          actual: { features: 80, techDebt: 10, runway: 5, developerExperience: 5, statedAt: expect.any(String) },
        },
      },
      position: expect.stringMatching(POSITION),
    });

    // The latest period is the one ending last: a month before the quarter it closes.
    ok(await mutate(org.editor, 'planInvestmentMix', mix('2026-05', 50, 20, 20, 10), 'position'), 'planInvestmentMix');
    ok(await mutate(org.editor, 'planInvestmentMix', mix('2026-Q2', 55, 15, 20, 10), 'position'), 'planInvestmentMix');
    const periods = await query(
      org.reader,
      `query($id: ID!) { team(id: $id) { investmentMix { period } investmentMixes { period } none: investmentMix(period: "2027-Q1") { period } } }`,
      { id: team },
    );
    expect(periods.team).toEqual({
      investmentMix: { period: '2026-Q2' },
      investmentMixes: [{ period: '2026-Q2' }, { period: '2026-05' }, { period: '2026-Q1' }],
      none: null,
    });
    const badPeriod = await server.graphql(
      `query($id: ID!) { team(id: $id) { investmentMix(period: "Q1") { period } } }`,
      {
        id: team,
      },
      org.reader,
    );
    expect(badPeriod.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });

  it('planInvestmentMix and reportInvestmentMix reject shares that do not sum to 100 or leave 0..100', async () => {
    for (const name of ['planInvestmentMix', 'reportInvestmentMix']) {
      await rejected('BAD_USER_INPUT', () => mutate(org.editor, name, mix('2026-Q3', 50, 20, 20, 20), 'position'));
      await rejected('BAD_USER_INPUT', () => mutate(org.editor, name, mix('2026-Q3', 110, -10, 0, 0), 'position'));
      await rejected('BAD_USER_INPUT', () => mutate(org.editor, name, mix('2026-Q5', 70, 10, 10, 10), 'position'));
      await rejected('BAD_USER_INPUT', () => mutate(org.editor, name, mix('2026-Q3', 70.5, 10, 10, 10), 'position'));
      await rejected('BAD_USER_INPUT', () =>
        mutate(org.editor, name, { ...mix('2026-Q3', 70, 10, 10, 10), teamId: unknownId('Asset') }, 'position'),
      );
      await rejected('NOT_FOUND', () =>
        mutate(org.editor, name, { ...mix('2026-Q3', 70, 10, 10, 10), teamId: unknownId('Team') }, 'position'),
      );
      await rejected('CONFLICT', () =>
        mutate(org.editor, name, { ...mix('2026-Q3', 70, 10, 10, 10), expectedVersion: 99 }, 'position'),
      );
    }
    const archived = await formTeam(org, 'Sunset');
    await archiveTeam(org, archived);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'planInvestmentMix', { ...mix('2026-Q3', 70, 10, 10, 10), teamId: archived }, 'position'),
    );
  });
});

describe('assets', () => {
  let org: Org;
  let team: string;
  let valueStream: string;
  beforeAll(async () => {
    org = await newOrganization();
    team = await formTeam(org, 'Onboarding');
    valueStream = await defineValueStream(org, 'Signup');
  });

  const ASSET = `id kind category title url teams { id name } valueStreams { id name } publishedAt lastRevisedAt
    revisionCount revisions { revision rationale changes occurredAt } version`;

  it('publishAsset publishes one, its category following from its kind', async () => {
    const published = ok(
      await mutate(
        org.editor,
        'publishAsset',
        {
          kind: 'USER_JOURNEY',
          title: 'Signup journey',
          url: 'https://miro.example/board/1',
          teamIds: [team],
          valueStreamIds: [valueStream],
        },
        `asset { ${ASSET} } position`,
      ),
      'publishAsset',
    );
    expect(published).toMatchObject({
      asset: {
        kind: 'USER_JOURNEY',
        category: 'CUSTOMER_VALUE',
        title: 'Signup journey',
        url: 'https://miro.example/board/1',
        teams: [{ id: team, name: 'Onboarding' }],
        valueStreams: [{ id: valueStream, name: 'Signup' }],
        revisionCount: 0,
        revisions: [],
        version: 1,
      },
      position: expect.stringMatching(POSITION),
    });
    const id = published.asset.id;
    const seen = await query(
      org.reader,
      `query($id: ID!) { asset(id: $id) { title } node(id: $id) { ... on Asset { kind } }
        organization { assets(category: CUSTOMER_VALUE) { edges { node { id } } } strategy: assets(category: STRATEGY) { edges { node { id } } } } }`,
      { id },
    );
    expect(seen).toEqual({
      asset: { title: 'Signup journey' },
      node: { kind: 'USER_JOURNEY' },
      organization: { assets: { edges: [{ node: { id } }] }, strategy: { edges: [] } },
    });
  });

  it('publishAsset rejects bad links, unknown and archived teams', async () => {
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'publishAsset', { kind: 'PERSONA', title: '' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'publishAsset', { kind: 'PERSONA', title: 'P', url: 'ftp://files.example/p' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'publishAsset', { kind: 'POSTER', title: 'P' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'publishAsset', { kind: 'PERSONA', title: 'P', teamIds: [valueStream] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'publishAsset', { kind: 'PERSONA', title: 'P', teamIds: [team, team] }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(
        org.editor,
        'publishAsset',
        { kind: 'PERSONA', title: 'P', valueStreamIds: [unknownId('ValueStream')] },
        'position',
      ),
    );
    const archived = await formTeam(org, 'Gone');
    await archiveTeam(org, archived);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'publishAsset', { kind: 'PERSONA', title: 'P', teamIds: [archived] }, 'position'),
    );
  });

  it('reviseAsset records what changed and why; a null url removes the link', async () => {
    const { asset } = ok(
      await mutate(
        org.editor,
        'publishAsset',
        { kind: 'LEAN_CANVAS', title: 'Canvas', url: 'https://example.test/c' },
        'asset { id }',
      ),
      'publishAsset',
    );
    const revised = ok(
      await mutate(
        org.editor,
        'reviseAsset',
        {
          assetId: asset.id,
          rationale: 'Pivot',
          kind: 'WARDLEY_MAP',
          title: 'Map',
          teamIds: [team],
          expectedVersion: 1,
        },
        `asset { ${ASSET} } position`,
      ),
      'reviseAsset',
    );
    expect(revised).toMatchObject({
      asset: {
        kind: 'WARDLEY_MAP',
        category: 'STRATEGY',
        title: 'Map',
        url: 'https://example.test/c',
        teams: [{ id: team }],
        revisionCount: 1,
        revisions: [
          {
            revision: 1,
            rationale: 'Pivot',
            changes: { kind: 'WARDLEY_MAP', category: 'STRATEGY', title: 'Map', teamIds: [team] },
          },
        ],
        version: 2,
      },
      position: expect.stringMatching(POSITION),
    });
    const unlinked = ok(
      await mutate(
        org.editor,
        'reviseAsset',
        { assetId: asset.id, rationale: 'Board closed', url: null },
        'asset { url version revisions { changes } }',
      ),
      'reviseAsset',
    );
    expect(unlinked.asset).toMatchObject({ url: null, version: 3 });
    expect(unlinked.asset.revisions[1].changes).toEqual({ url: null });
  });

  it('reviseAsset with only a rationale records a revision of the content itself', async () => {
    const { asset } = ok(
      await mutate(org.editor, 'publishAsset', { kind: 'PERSONA', title: 'Buyer persona' }, 'asset { id }'),
      'publishAsset',
    );
    const revised = ok(
      await mutate(
        org.editor,
        'reviseAsset',
        { assetId: asset.id, rationale: 'New interviews', title: 'Buyer persona' },
        'asset { title version revisionCount revisions { revision rationale changes } } position',
      ),
      'reviseAsset',
    );
    expect(revised).toEqual({
      asset: {
        title: 'Buyer persona',
        version: 2,
        revisionCount: 1,
        revisions: [{ revision: 1, rationale: 'New interviews', changes: {} }],
      },
      position: expect.stringMatching(POSITION),
    });
  });

  it('reviseAsset rejects bad input, unknown assets and links, and a stale expectedVersion', async () => {
    const { asset } = ok(
      await mutate(org.editor, 'publishAsset', { kind: 'FLYWHEEL', title: 'Flywheel' }, 'asset { id }'),
      'publishAsset',
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'reviseAsset', { assetId: asset.id, rationale: ' ', title: 'New' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'reviseAsset', { assetId: asset.id, title: 'New' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'reviseAsset', { assetId: team, rationale: 'R', title: 'New' }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'reviseAsset', { assetId: unknownId('Asset'), rationale: 'R', title: 'New' }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(
        org.editor,
        'reviseAsset',
        { assetId: asset.id, rationale: 'R', teamIds: [unknownId('Team')] },
        'position',
      ),
    );
    await rejected('CONFLICT', () =>
      mutate(
        org.editor,
        'reviseAsset',
        { assetId: asset.id, rationale: 'R', title: 'New', expectedVersion: 2 },
        'position',
      ),
    );
  });
});

describe('interactions and handoffs', () => {
  let org: Org;
  let web: string;
  let api: string;
  let archived: string;
  beforeAll(async () => {
    org = await newOrganization();
    web = await formTeam(org, 'Web');
    api = await formTeam(org, 'API');
    archived = await formTeam(org, 'Retired');
    await archiveTeam(org, archived);
  });

  it('recordInteraction records one and answers with its id and position', async () => {
    const recorded = ok(
      await mutate(
        org.editor,
        'recordInteraction',
        { teamIds: [web, api], kind: 'JOINT_WORK', note: 'Paired on the schema' },
        'interactionId position interaction { kind note teams { id } }',
      ),
      'recordInteraction',
    );
    expect(recorded).toEqual({
      interactionId: expect.any(String),
      position: expect.stringMatching(POSITION),
      interaction: { kind: 'JOINT_WORK', note: 'Paired on the schema', teams: [{ id: web }, { id: api }] },
    });
    const seen = await query(
      org.reader,
      `query($id: ID!, $team: ID!) { node(id: $id) { ... on Interaction { kind position } } team(id: $team) { interactions(first: 5) { id } } }`,
      { id: recorded.interactionId, team: api },
    );
    expect(seen).toEqual({
      node: { kind: 'JOINT_WORK', position: recorded.position },
      team: { interactions: [{ id: recorded.interactionId }] },
    });
  });

  it('recordInteraction rejects fewer than two teams, repeats, wrong ids, unknown and archived teams', async () => {
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordInteraction', { teamIds: [web], kind: 'STATUS_UPDATE' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordInteraction', { teamIds: [web, web], kind: 'STATUS_UPDATE' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(
        org.editor,
        'recordInteraction',
        { teamIds: [web, unknownId('Person')], kind: 'STATUS_UPDATE' },
        'position',
      ),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordInteraction', { teamIds: [web, api], kind: 'GOSSIP' }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'recordInteraction', { teamIds: [web, unknownId('Team')], kind: 'STATUS_UPDATE' }, 'position'),
    );
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'recordInteraction', { teamIds: [web, archived], kind: 'STATUS_UPDATE' }, 'position'),
    );
  });

  it('recordHandoff records one and answers with its id and position', async () => {
    const recorded = ok(
      await mutate(
        org.editor,
        'recordHandoff',
        {
          teamId: web,
          title: 'Dark mode',
          reviewedWithEngineering: false,
          reviewedWithProduct: true,
          comment: 'Rushed',
        },
        'handoffId position handoff { title reviewedWithEngineering reviewedWithProduct comment team { id } }',
      ),
      'recordHandoff',
    );
    expect(recorded).toEqual({
      handoffId: expect.any(String),
      position: expect.stringMatching(POSITION),
      handoff: {
        title: 'Dark mode',
        reviewedWithEngineering: false,
        reviewedWithProduct: true,
        comment: 'Rushed',
        team: { id: web },
      },
    });
    const seen = await query(
      org.reader,
      `query($team: ID!) { team(id: $team) { handoffs(first: 1000) { id title } } }`,
      { team: web },
    );
    expect(seen.team.handoffs).toEqual([{ id: recorded.handoffId, title: 'Dark mode' }]);
  });

  it('recordHandoff rejects bad input, unknown and archived teams', async () => {
    const base = { teamId: web, title: 'T', reviewedWithEngineering: true, reviewedWithProduct: true };
    await rejected('BAD_USER_INPUT', () => mutate(org.editor, 'recordHandoff', { ...base, title: '' }, 'position'));
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordHandoff', { ...base, reviewedWithProduct: 'yes' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordHandoff', { ...base, teamId: unknownId('Asset') }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'recordHandoff', { ...base, teamId: unknownId('Team') }, 'position'),
    );
    await rejected('CONFLICT', () => mutate(org.editor, 'recordHandoff', { ...base, teamId: archived }, 'position'));
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordHandoff', { ...base, occurredAt: '2999-01-01T00:00:00Z' }, 'position'),
    );
    const listing = await server.graphql(
      `query($team: ID!) { team(id: $team) { handoffs(first: 0) { id } } }`,
      { team: web },
      org.reader,
    );
    expect(listing.errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('delivery metrics and friction thresholds', () => {
  let org: Org;
  let team: string;
  beforeAll(async () => {
    org = await newOrganization();
    team = await formTeam(org, 'Mobile');
  });

  it('recordDeliveryMetrics adds an observation, newest first', async () => {
    const v0 = await teamVersion(org, team);
    ok(
      await mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, leadTimeHours: 48 }, 'position'),
      'recordDeliveryMetrics',
    );
    const recorded = ok(
      await mutate(
        org.editor,
        'recordDeliveryMetrics',
        {
          teamId: team,
          leadTimeHours: 30.5,
          buildTimeMinutes: 12,
          incidents: 2,
          deploymentsPerWeek: 4.5,
          productivityPulse: 4,
          expectedVersion: v0 + 1,
        },
        `team { version deliveryMetrics { leadTimeHours buildTimeMinutes incidents deploymentsPerWeek productivityPulse observedAt }
          latest: deliveryMetrics(last: 1) { leadTimeHours } } position`,
      ),
      'recordDeliveryMetrics',
    );
    expect(recorded).toMatchObject({
      team: {
        version: v0 + 2,
        deliveryMetrics: [
          { leadTimeHours: 30.5, buildTimeMinutes: 12, incidents: 2, deploymentsPerWeek: 4.5, productivityPulse: 4 },
          {
            leadTimeHours: 48,
            buildTimeMinutes: null,
            incidents: null,
            deploymentsPerWeek: null,
            productivityPulse: null,
          },
        ],
        latest: [{ leadTimeHours: 30.5 }],
      },
      position: expect.stringMatching(POSITION),
    });
  });

  it('recordDeliveryMetrics rejects out-of-range and missing measures, unknown and archived teams, a stale version', async () => {
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, productivityPulse: 6 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, productivityPulse: 0 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, leadTimeHours: -1 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, incidents: 1.5 }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () => mutate(org.editor, 'recordDeliveryMetrics', { teamId: team }, 'position'));
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: unknownId('Dependency'), incidents: 1 }, 'position'),
    );
    await rejected('NOT_FOUND', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: unknownId('Team'), incidents: 1 }, 'position'),
    );
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, incidents: 1, expectedVersion: 99 }, 'position'),
    );
    const archived = await formTeam(org, 'Legacy app');
    await archiveTeam(org, archived);
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'recordDeliveryMetrics', { teamId: archived, incidents: 1 }, 'position'),
    );
  });

  it('setFrictionThresholds overrides thresholds (null restores a default); ADMIN only', async () => {
    const { organization } = await query(org.admin, '{ organization { version } }');
    const set = ok(
      await mutate(
        org.admin,
        'setFrictionThresholds',
        { thresholds: { unownedDays: 14, blockingDays: 7 }, expectedVersion: organization.version },
        'organization { version frictionThresholds } position',
      ),
      'setFrictionThresholds',
    );
    expect(set).toEqual({
      organization: { version: organization.version + 1, frictionThresholds: { unownedDays: 14, blockingDays: 7 } },
      position: expect.stringMatching(POSITION),
    });
    const restored = ok(
      await mutate(
        org.admin,
        'setFrictionThresholds',
        { thresholds: { blockingDays: null } },
        'organization { frictionThresholds }',
      ),
      'setFrictionThresholds',
    );
    expect(restored.organization.frictionThresholds).toEqual({ unownedDays: 14 });

    await rejected('FORBIDDEN', () =>
      mutate(org.editor, 'setFrictionThresholds', { thresholds: { overallocationPercent: 130 } }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.admin, 'setFrictionThresholds', { thresholds: [1, 2] }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.admin, 'setFrictionThresholds', { thresholds: 'low' }, 'position'),
    );
    await rejected('BAD_USER_INPUT', () =>
      mutate(org.admin, 'setFrictionThresholds', { thresholds: { overallocationPercent: 'ten' } }, 'position'),
    );
    await rejected('CONFLICT', () =>
      mutate(
        org.admin,
        'setFrictionThresholds',
        { thresholds: { overallocationPercent: 130 }, expectedVersion: 1 },
        'position',
      ),
    );
  });
});

describe('idempotency and access', () => {
  let org: Org;
  beforeAll(async () => {
    org = await newOrganization();
  });

  it('a retried command with the same idempotencyKey appends nothing and returns the first result', async () => {
    const input = { name: 'Marketplace', idempotencyKey: 'define-marketplace' };
    const first = ok(
      await mutate(org.editor, 'defineValueStream', input, 'valueStream { id version } position'),
      'defineValueStream',
    );
    const before = await eventCount();
    const again = ok(
      await mutate(org.editor, 'defineValueStream', input, 'valueStream { id version } position'),
      'defineValueStream',
    );
    expect(again).toEqual(first);
    expect(await eventCount()).toBe(before);

    const teams = [await formTeam(org, 'Sellers'), await formTeam(org, 'Buyers')];
    const interaction = { teamIds: teams, kind: 'STATUS_UPDATE', idempotencyKey: 'weekly-sync' };
    const recorded = ok(
      await mutate(org.editor, 'recordInteraction', interaction, 'interactionId position'),
      'recordInteraction',
    );
    const countAfterFirst = await eventCount();
    expect(
      ok(await mutate(org.editor, 'recordInteraction', interaction, 'interactionId position'), 'recordInteraction'),
    ).toEqual(recorded);
    expect(await eventCount()).toBe(countAfterFirst);

    // The same key for another command is a mistake, not a replay.
    await rejected('CONFLICT', () =>
      mutate(org.editor, 'defineResponsibility', { title: 'X', idempotencyKey: 'define-marketplace' }, 'position'),
    );
  });

  it('a READER token is FORBIDDEN and no token is UNAUTHENTICATED on every mutation, writing nothing', async () => {
    const team = await formTeam(org, 'Guarded');
    const other = await formTeam(org, 'Watched');
    const mixInput = { teamId: team, period: '2026-Q1', features: 100, techDebt: 0, runway: 0, developerExperience: 0 };
    const attempts: [string, Record<string, unknown>][] = [
      ['defineValueStream', { name: 'Nope' }],
      ['retireValueStream', { valueStreamId: unknownId('ValueStream') }],
      ['defineResponsibility', { title: 'Nope' }],
      ['assignResponsibility', { responsibilityId: unknownId('Responsibility'), ownerId: team }],
      ['unassignResponsibility', { responsibilityId: unknownId('Responsibility') }],
      ['draftAgreement', { teamId: team, mission: 'Nope' }],
      ['ratifyAgreement', { teamId: team, ratifiedBy: [unknownId('Person')] }],
      ['revisitAgreement', { teamId: team }],
      ['declareDependency', { fromTeamId: team, toTeamId: other, mode: 'COLLABORATION' }],
      ['changeDependencyStatus', { dependencyId: unknownId('Dependency'), status: 'OK' }],
      ['resolveDependency', { dependencyId: unknownId('Dependency') }],
      ['planInvestmentMix', mixInput],
      ['reportInvestmentMix', mixInput],
      ['publishAsset', { kind: 'PERSONA', title: 'Nope' }],
      ['reviseAsset', { assetId: unknownId('Asset'), rationale: 'Nope' }],
      ['recordInteraction', { teamIds: [team, other], kind: 'JOINT_WORK' }],
      ['recordHandoff', { teamId: team, title: 'Nope', reviewedWithEngineering: true, reviewedWithProduct: true }],
      ['recordDeliveryMetrics', { teamId: team, incidents: 1 }],
      ['setFrictionThresholds', { thresholds: { unownedDays: 1 } }],
    ];
    for (const [name, input] of attempts) {
      await rejected('FORBIDDEN', () => mutate(org.reader, name, input, 'position'));
      await rejected('UNAUTHENTICATED', () => mutate(undefined, name, input, 'position'));
    }
  });
});

describe('a team’s read fields together', () => {
  let org: Org;
  beforeAll(async () => {
    org = await newOrganization();
  });

  it('plans agreement, draft, history, dependencies, mixes, metrics, handoffs and interactions in one document', async () => {
    const team = await formTeam(org, 'Core');
    const other = await formTeam(org, 'Edge');
    const person = await registerPerson(org, 'Mia', 'PRODUCT');
    await addMember(org, team, person);
    ok(await mutate(org.editor, 'draftAgreement', { teamId: team, mission: 'v1' }, 'position'), 'draftAgreement');
    ok(
      await mutate(org.editor, 'ratifyAgreement', { teamId: team, ratifiedBy: [person] }, 'position'),
      'ratifyAgreement',
    );
    ok(await mutate(org.editor, 'draftAgreement', { teamId: team, mission: 'v2' }, 'position'), 'draftAgreement');
    ok(
      await mutate(
        org.editor,
        'declareDependency',
        { fromTeamId: team, toTeamId: other, mode: 'COLLABORATION' },
        'position',
      ),
      'declareDependency',
    );
    ok(
      await mutate(
        org.editor,
        'reportInvestmentMix',
        { teamId: team, period: '2026-10', features: 70, techDebt: 10, runway: 10, developerExperience: 10 },
        'position',
      ),
      'reportInvestmentMix',
    );
    ok(
      await mutate(org.editor, 'recordDeliveryMetrics', { teamId: team, incidents: 3 }, 'position'),
      'recordDeliveryMetrics',
    );
    ok(
      await mutate(
        org.editor,
        'recordHandoff',
        { teamId: team, title: 'Export', reviewedWithEngineering: true, reviewedWithProduct: true },
        'position',
      ),
      'recordHandoff',
    );
    ok(
      await mutate(org.editor, 'recordInteraction', { teamIds: [other, team], kind: 'STATUS_UPDATE' }, 'position'),
      'recordInteraction',
    );
    const TEAM = `name agreement { version mission ratifiedBy { name } } agreementDraft { version mission }
      agreementHistory { version status } dependencies { to { name } } dependents { id }
      investmentMix { period planned { features } actual { features } } investmentMixes { period }
      deliveryMetrics(last: 5) { incidents } handoffs(first: 5) { title } interactions(first: 5) { kind teams { name } }`;
    const expected = {
      name: 'Core',
      agreement: { version: 1, mission: 'v1', ratifiedBy: [{ name: 'Mia' }] },
      agreementDraft: { version: 2, mission: 'v2' },
      agreementHistory: [
        { version: 1, status: 'RATIFIED' },
        { version: 2, status: 'DRAFT' },
      ],
      dependencies: [{ to: { name: 'Edge' } }],
      dependents: [],
      investmentMix: { period: '2026-10', planned: null, actual: { features: 70 } },
      investmentMixes: [{ period: '2026-10' }],
      deliveryMetrics: [{ incidents: 3 }],
      handoffs: [{ title: 'Export' }],
      interactions: [{ kind: 'STATUS_UPDATE', teams: [{ name: 'Edge' }, { name: 'Core' }] }],
    };
    const direct = await query(org.reader, `query($id: ID!) { team(id: $id) { ${TEAM} } }`, { id: team });
    expect(direct.team).toEqual(expected);
    const listed = await query(org.reader, `{ organization { teams { edges { node { ${TEAM} } } } } }`);
    expect(listed.organization.teams.edges.map((edge: Json) => edge.node)).toContainEqual(expected);
    const viaNode = await query(org.reader, `query($id: ID!) { node(id: $id) { ... on Team { ${TEAM} } } }`, {
      id: team,
    });
    expect(viaNode.node).toEqual(expected);
  });
});
