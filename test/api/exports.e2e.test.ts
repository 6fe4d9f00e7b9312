// The analyst exports end to end: GET /export/events.ndjson, /export/memberships.csv
// and /export/ownership.csv against a started server (content, order, chunked
// transfer, CSV quoting and formula guard, roles, tenancy, bad input), and
// the export handler on its own with a small batch size to show how it
// streams: several batches, waiting for 'drain' before reading the next one,
// and stopping when the client goes away.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import type { ReadAllOptions } from '../../src/eventStore/eventStore.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { createExportHandler, type ExportHandler, type ExportOutcome } from '../../src/http/exports.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { ADMIN_TOKEN, type EventJson, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

type Org = { id: string; uuid: string; admin: string; analyst: string; reader: string; editor: string };

async function ok<Data>(query: string, variables: Record<string, unknown>, token: string): Promise<Data> {
  const response = await server.graphql<Data>(query, variables, token);
  expect(response.errors).toBeUndefined();
  return response.data!;
}

async function organization(slug: string): Promise<Org> {
  const created = await ok<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    'mutation($slug: String!) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: HYPERGROWTH }) { adminToken organization { id } } }',
    { slug },
    ADMIN_TOKEN,
  );
  const { adminToken: admin, organization: org } = created.createOrganization;
  const token = async (role: string) =>
    (
      await ok<{ issueApiToken: { token: string } }>(
        'mutation($org: ID!, $role: Role!) { issueApiToken(input: { organizationId: $org, role: $role, label: "t" }) { token } }',
        { org: org.id, role },
        admin,
      )
    ).issueApiToken.token;
  const found = await server.db.pool.query<{ id: string }>('SELECT id FROM organizations WHERE slug = $1', [slug]);
  return {
    id: org.id,
    uuid: found.rows[0]!.id,
    admin,
    analyst: await token('ANALYST'),
    reader: await token('READER'),
    editor: await token('EDITOR'),
  };
}

type Response = { status: number; headers: IncomingHttpHeaders; body: string };

/** A plain node:http GET (raw headers, so transfer-encoding is visible). */
function get(path: string, token?: string, method = 'GET'): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { method, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const EVENT_FIELDS = 'position id streamId version type schemaVersion data metadata occurredAt recordedAt';

/** The organization's log as the GraphQL `events` query returns it. */
async function eventsOverGraphQL(token: string): Promise<EventJson[]> {
  const all: EventJson[] = [];
  let after: string | null = null;
  for (;;) {
    const page: { events: { edges: { node: EventJson }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } } =
      await ok(
        `query($after: String) { events(first: 500, after: $after) { edges { node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } }`,
        { after },
        token,
      );
    all.push(...page.events.edges.map((edge) => edge.node));
    if (!page.events.pageInfo.hasNextPage) return all;
    after = page.events.pageInfo.endCursor;
  }
}

/** The exact NDJSON the export must produce for these events. */
function ndjson(events: EventJson[]): string {
  return events
    .map(
      (e) =>
        `${JSON.stringify({
          position: e.position,
          id: e.id,
          streamId: e.streamId,
          version: e.version,
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: e.data,
          metadata: e.metadata,
          occurredAt: e.occurredAt,
          recordedAt: e.recordedAt,
        })}\n`,
    )
    .join('');
}

/** A strict RFC 4180 reader: CRLF records, quoted fields with doubled quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
      } else if (c === '"') {
        quoted = false;
        i++;
      } else {
        field += c;
        i++;
      }
    } else if (c === '"') {
      expect(field).toBe(''); // a quote only opens a field
      quoted = true;
      i++;
    } else if (c === ',') {
      record.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      i += 2;
    } else {
      expect(c).not.toBe('\n'); // bare line breaks only inside quotes
      field += c;
      i++;
    }
  }
  expect(quoted).toBe(false);
  expect(field).toBe(''); // the last record ends with CRLF
  expect(record).toEqual([]);
  return records;
}

function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text);
  return rows.map((row) => {
    expect(row).toHaveLength(header!.length);
    return Object.fromEntries(header!.map((name, index) => [name, row[index]!]));
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TEAM =
  'mutation($name: String!, $at: DateTime) { formTeam(input: { name: $name, kind: STREAM_ALIGNED, occurredAt: $at }) { team { id } } }';
const PERSON =
  'mutation($name: String!, $email: String!, $at: DateTime) { registerPerson(input: { name: $name, email: $email, discipline: ENGINEERING, occurredAt: $at }) { person { id } } }';

async function team(org: Org, name: string, at = '2025-12-01T09:00:00.000Z'): Promise<string> {
  return (await ok<{ formTeam: { team: { id: string } } }>(TEAM, { name, at }, org.admin)).formTeam.team.id;
}
async function person(org: Org, name: string, email: string, at = '2025-12-01T09:00:00.000Z'): Promise<string> {
  return (await ok<{ registerPerson: { person: { id: string } } }>(PERSON, { name, email, at }, org.admin))
    .registerPerson.person.id;
}
async function positionOf(query: string, variables: Record<string, unknown>, token: string): Promise<string> {
  const data = await ok<Record<string, { position: string }>>(query, variables, token);
  return Object.values(data)[0]!.position;
}

/**
 * Acme: a team whose name needs quoting, a person whose name is a formula,
 * a membership that changed role (two intervals), one that ended, and a
 * responsibility handed from a person to a team.
 */
async function acmeWithHistory(slug: string) {
  const org = await organization(slug);
  const payments = await team(org, 'Payments, "Core"');
  const search = await team(org, 'Search');
  const ada = await person(org, '=HYPERLINK("http://evil.example")', `ada@${slug}.test`);
  const bob = await person(org, 'Bob\nNewline', `bob@${slug}.test`);
  const add = `mutation($team: ID!, $person: ID!, $at: DateTime) {
    addTeamMember(input: { teamId: $team, personId: $person, role: "Engineer", allocation: 80, occurredAt: $at }) { position } }`;
  const adaJoined = await positionOf(add, { team: payments, person: ada, at: '2026-01-01T09:00:00.000Z' }, org.admin);
  const bobJoined = await positionOf(add, { team: search, person: bob, at: '2026-01-02T09:00:00.000Z' }, org.admin);
  const adaPromoted = await positionOf(
    `mutation($team: ID!, $person: ID!) { changeMembership(input: { teamId: $team, personId: $person, role: "Tech Lead, Payments", occurredAt: "2026-02-01T09:00:00.000Z" }) { position } }`,
    { team: payments, person: ada },
    org.admin,
  );
  await positionOf(
    `mutation($team: ID!, $person: ID!) { removeTeamMember(input: { teamId: $team, personId: $person, occurredAt: "2026-03-01T09:00:00.000Z" }) { position } }`,
    { team: search, person: bob },
    org.admin,
  );
  const responsibility = (
    await ok<{ defineResponsibility: { responsibility: { id: string } } }>(
      'mutation { defineResponsibility(input: { title: "On-call, \\"primary\\"", category: "+operations", occurredAt: "2025-12-01T09:00:00.000Z" }) { responsibility { id } } }',
      {},
      org.admin,
    )
  ).defineResponsibility.responsibility.id;
  const assign = `mutation($r: ID!, $owner: ID!, $reason: String, $at: DateTime) {
    assignResponsibility(input: { responsibilityId: $r, ownerId: $owner, reason: $reason, occurredAt: $at }) { position } }`;
  const toAda = await positionOf(
    assign,
    { r: responsibility, owner: ada, reason: '@first owner', at: '2026-01-05T09:00:00.000Z' },
    org.admin,
  );
  const toPayments = await positionOf(
    assign,
    { r: responsibility, owner: payments, reason: 'handover, planned', at: '2026-02-05T09:00:00.000Z' },
    org.admin,
  );
  return {
    org,
    ids: { payments, search, ada, bob, responsibility },
    positions: { adaJoined, bobJoined, adaPromoted, toAda, toPayments },
  };
}

describe('GET /export/events.ndjson', () => {
  it('streams the whole log from 0 and the rest after a position: the GraphQL events, exactly, in order, chunked', async () => {
    const { org } = await acmeWithHistory('ndjson-acme');
    const expected = await eventsOverGraphQL(org.analyst);
    expect(expected.length).toBeGreaterThan(10);

    const all = await get('/export/events.ndjson', org.analyst);
    expect(all.status).toBe(200);
    expect(all.headers['content-type']).toBe('application/x-ndjson');
    expect(all.headers['content-length']).toBeUndefined();
    expect(all.headers['transfer-encoding']).toBe('chunked');
    expect(all.headers['content-disposition']).toBe(
      'attachment; filename="orgstream-ndjson-acme-events-from-0.ndjson"',
    );
    expect(all.headers['x-orgstream-through-position']).toBe(expected.at(-1)!.position);
    expect(all.body).toBe(ndjson(expected));
    const lines = all.body.trimEnd().split('\n');
    expect(lines).toHaveLength(expected.length);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'OrganizationCreated', version: 1 });

    // from is exclusive: everything after it, nothing before, no gap.
    const from = expected[4]!.position;
    const rest = await get(`/export/events.ndjson?from=${from}`, org.analyst);
    expect(rest.status).toBe(200);
    expect(rest.body).toBe(ndjson(expected.slice(5)));
    expect(rest.headers['content-disposition']).toContain(`from-${from}.ndjson`);

    // Past the end: an empty body, and the position to resume from.
    const last = expected.at(-1)!.position;
    const none = await get(`/export/events.ndjson?from=${last}`, org.admin);
    expect(none.status).toBe(200);
    expect(none.body).toBe('');
    expect(none.headers['x-orgstream-through-position']).toBe(last);
  });

  it('answers a bad `from` with 400 and a JSON error', async () => {
    const org = await organization('ndjson-bad-from');
    for (const bad of ['abc', '-1', '1.5', '', '01', '99999999999999999999', '9223372036854775808', '1&from=2']) {
      const response = await get(`/export/events.ndjson?from=${bad}`, org.analyst);
      expect(response.status, `from=${bad}`).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(response.body)).toMatchObject({ errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] });
    }
    expect((await get('/export/events.ndjson?from=9223372036854775807', org.analyst)).status).toBe(200);
  });

  it('exports a large log (several batches) completely: every line parses, positions strictly increase', async () => {
    const org = await organization('ndjson-large');
    await team(org, 'Renamed often');
    const teamUuid = (
      await server.db.pool.query<{ id: string }>('SELECT id FROM teams WHERE organization_id = $1', [org.uuid])
    ).rows[0]!.id;
    // Straight into the log (the export reads the log only): 3,000 renames, 500 per append.
    const store = new EventStore(server.db.pool, createEventCatalog());
    for (let chunk = 0; chunk < 6; chunk++) {
      const events = Array.from({ length: 500 }, (_, i) => ({
        type: 'TeamRenamed',
        data: { teamId: teamUuid, name: `Name ${chunk * 500 + i + 1}`, previousName: 'Renamed often' },
        metadata: { actor: 'bulk' },
      }));
      await store.append(org.uuid, `team-${teamUuid}`, events);
    }
    const total = (
      await server.db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events WHERE organization_id = $1', [
        org.uuid,
      ])
    ).rows[0]!.n;
    expect(total).toBeGreaterThan(3_000);

    const response = await get('/export/events.ndjson', org.analyst);
    expect(response.status).toBe(200);
    const lines = response.body.trimEnd().split('\n');
    expect(lines).toHaveLength(total);
    const events = lines.map((line) => JSON.parse(line) as EventJson);
    const positions = events.map((event) => BigInt(event.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'TeamRenamed', data: { name: 'Name 3000' }, version: 3_001 });
    expect(events.filter((event) => event.type === 'TeamRenamed')).toHaveLength(3_000);
  });
});

describe('GET /export/memberships.csv', () => {
  it('lists every membership interval with names, ended ones with valid_to, RFC 4180 quoted, formulas defused', async () => {
    const { org, positions } = await acmeWithHistory('csv-memberships');
    const response = await get('/export/memberships.csv', org.analyst);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-length']).toBeUndefined();
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="orgstream-csv-memberships-memberships.csv"',
    );
    expect(response.body.split('\r\n')[0]).toBe(
      'membership_id,team_id,team_name,person_id,person_name,role,allocation,valid_from,valid_to,position',
    );
    // Raw quoting: a comma and quotes, a formula (prefixed with ', then quoted for its quotes), a line break.
    expect(response.body).toContain(',"Payments, ""Core""",');
    expect(response.body).toContain(`,"'=HYPERLINK(""http://evil.example"")",`);
    expect(response.body).toContain(',"Bob\nNewline",');

    const rows = csvObjects(response.body);
    expect(rows.map(({ membership_id, team_id, person_id, ...rest }) => rest)).toEqual([
      {
        team_name: 'Payments, "Core"',
        person_name: `'=HYPERLINK("http://evil.example")`,
        role: 'Engineer',
        allocation: '80',
        valid_from: '2026-01-01T09:00:00.000Z',
        valid_to: '2026-02-01T09:00:00.000Z',
        position: positions.adaJoined,
      },
      {
        team_name: 'Search',
        person_name: 'Bob\nNewline',
        role: 'Engineer',
        allocation: '80',
        valid_from: '2026-01-02T09:00:00.000Z',
        valid_to: '2026-03-01T09:00:00.000Z',
        position: positions.bobJoined,
      },
      {
        team_name: 'Payments, "Core"',
        person_name: `'=HYPERLINK("http://evil.example")`,
        role: 'Tech Lead, Payments',
        allocation: '80',
        valid_from: '2026-02-01T09:00:00.000Z',
        valid_to: '',
        position: positions.adaPromoted,
      },
    ]);
    for (const row of rows) for (const key of ['membership_id', 'team_id', 'person_id']) expect(row[key]).toMatch(UUID);
    expect(rows[0]!.team_id).toBe(rows[2]!.team_id);
    expect(rows[0]!.membership_id).not.toBe(rows[2]!.membership_id);
  });
});

describe('GET /export/ownership.csv', () => {
  it('lists the ownership ledger with responsibility and owner names, reasons and actors', async () => {
    const { org, ids, positions } = await acmeWithHistory('csv-ownership');
    const history = await ok<{
      responsibility: { ownershipHistory: { actor: string | null }[] };
    }>(
      'query($id: ID!) { responsibility(id: $id) { ownershipHistory { actor } } }',
      { id: ids.responsibility },
      org.analyst,
    );
    const response = await get('/export/ownership.csv', org.analyst);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['transfer-encoding']).toBe('chunked');
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="orgstream-csv-ownership-ownership.csv"',
    );
    expect(response.body.split('\r\n')[0]).toBe(
      'interval_id,responsibility_id,responsibility_title,responsibility_category,owner_kind,owner_id,owner_name,valid_from,valid_to,reason,actor,position',
    );
    expect(response.body).toContain(',"On-call, ""primary""",');
    const rows = csvObjects(response.body);
    const actor = history.responsibility.ownershipHistory[0]!.actor ?? '';
    expect(actor).not.toBe('');
    expect(rows.map(({ interval_id, responsibility_id, owner_id, ...rest }) => rest)).toEqual([
      {
        responsibility_title: 'On-call, "primary"',
        responsibility_category: "'+operations",
        owner_kind: 'PERSON',
        owner_name: `'=HYPERLINK("http://evil.example")`,
        valid_from: '2026-01-05T09:00:00.000Z',
        valid_to: '2026-02-05T09:00:00.000Z',
        reason: "'@first owner",
        actor,
        position: positions.toAda,
      },
      {
        responsibility_title: 'On-call, "primary"',
        responsibility_category: "'+operations",
        owner_kind: 'TEAM',
        owner_name: 'Payments, "Core"',
        valid_from: '2026-02-05T09:00:00.000Z',
        valid_to: '',
        reason: 'handover, planned',
        actor,
        position: positions.toPayments,
      },
    ]);
    expect(rows[0]!.responsibility_id).toBe(rows[1]!.responsibility_id);
    for (const row of rows) expect(row.owner_id).toMatch(UUID);
  });
});

describe('access', () => {
  const PATHS = ['/export/events.ndjson', '/export/memberships.csv', '/export/ownership.csv'];

  it('needs an ANALYST or ADMIN token of an organization', async () => {
    const org = await organization('access-roles');
    for (const path of PATHS) {
      for (const [token, status, code] of [
        [undefined, 401, 'UNAUTHENTICATED'],
        ['os_not-a-real-token', 401, 'UNAUTHENTICATED'],
        ['garbage', 401, 'UNAUTHENTICATED'],
        [org.reader, 403, 'FORBIDDEN'],
        [org.editor, 403, 'FORBIDDEN'],
        [ADMIN_TOKEN, 403, 'FORBIDDEN'],
      ] as const) {
        const response = await get(path, token);
        expect(response.status, `${path} with ${token}`).toBe(status);
        expect(response.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(response.body)).toMatchObject({ errors: [{ extensions: { code } }] });
        expect(response.body).not.toContain('access-roles');
      }
      expect((await get(path, org.analyst)).status).toBe(200);
      expect((await get(path, org.admin)).status).toBe(200);
    }
  });

  it('answers other methods with 405', async () => {
    const org = await organization('access-methods');
    for (const path of PATHS) {
      for (const method of ['POST', 'PUT', 'DELETE', 'HEAD']) {
        const response = await get(path, org.analyst, method);
        expect(response.status, `${method} ${path}`).toBe(405);
        expect(response.headers.allow).toBe('GET');
      }
    }
  });

  it('never shows another organization’s data', async () => {
    const acme = await acmeWithHistory('tenant-acme');
    const globex = await organization('tenant-globex');
    const globexTeam = await team(globex, 'Globex Secret Team');
    const globexPerson = await person(globex, 'Globex Secret Person', 'secret@globex.test');
    await ok(
      'mutation($t: ID!, $p: ID!) { addTeamMember(input: { teamId: $t, personId: $p, role: "Spy", allocation: 50 }) { position } }',
      { t: globexTeam, p: globexPerson },
      globex.admin,
    );
    const r = await ok<{ defineResponsibility: { responsibility: { id: string } } }>(
      'mutation { defineResponsibility(input: { title: "Globex Secret Duty" }) { responsibility { id } } }',
      {},
      globex.admin,
    );
    await ok(
      'mutation($r: ID!, $o: ID!) { assignResponsibility(input: { responsibilityId: $r, ownerId: $o }) { position } }',
      { r: r.defineResponsibility.responsibility.id, o: globexTeam },
      globex.admin,
    );

    const acmeEvents = await eventsOverGraphQL(acme.org.analyst);
    const globexEvents = await eventsOverGraphQL(globex.admin);
    const acmeExport = await get('/export/events.ndjson', acme.org.analyst);
    expect(acmeExport.body).toBe(ndjson(acmeEvents));
    expect(acmeExport.body).not.toContain('Globex');
    const globexExport = await get('/export/events.ndjson', globex.admin);
    expect(globexExport.body).toBe(ndjson(globexEvents));
    expect(globexExport.body).not.toContain('HYPERLINK');
    const acmeIdsSeen = new Set(acmeEvents.map((event) => event.id));
    expect(globexEvents.some((event) => acmeIdsSeen.has(event.id))).toBe(false);

    for (const path of ['/export/memberships.csv', '/export/ownership.csv']) {
      const acmeCsv = await get(path, acme.org.analyst);
      expect(acmeCsv.body).not.toContain('Globex');
      expect(acmeCsv.body).not.toContain('Spy');
      const globexCsv = await get(path, globex.admin);
      expect(globexCsv.body).toContain('Globex Secret');
      expect(globexCsv.body).not.toContain('Payments');
      expect(globexCsv.body).not.toContain('HYPERLINK');
      expect(csvObjects(globexCsv.body)).toHaveLength(1);
    }
  });
});

describe('the export handler streams in batches with backpressure', () => {
  type Harness = {
    url: string;
    calls: bigint[];
    outcomes: Promise<ExportOutcome>[];
    responses: ServerResponse[];
    close(): Promise<void>;
  };

  /** The handler on its own HTTP server, over the test database, with a counting (optionally gated) store. */
  async function harness(
    batchSize: number,
    options: { gate?: (call: number) => Promise<void>; onResponse?: (res: ServerResponse) => void } = {},
  ): Promise<Harness> {
    const store = new EventStore(server.db.pool, createEventCatalog());
    const calls: bigint[] = [];
    const counting = {
      readAll: async (scope: string | symbol, readOptions: ReadAllOptions = {}) => {
        calls.push(readOptions.from ?? 0n);
        await options.gate?.(calls.length);
        return store.readAll(scope as string, readOptions);
      },
      headPosition: (scope: string | symbol) => store.headPosition(scope as string),
    };
    const handler: ExportHandler = createExportHandler({
      pool: server.db.pool,
      store: counting,
      adminToken: ADMIN_TOKEN,
      logger: createLogger({ logLevel: 'silent' }),
      batchSize,
    });
    const outcomes: Promise<ExportOutcome>[] = [];
    const responses: ServerResponse[] = [];
    const http: Server = createServer((req, res) => {
      responses.push(res);
      options.onResponse?.(res);
      outcomes.push(handler(req, res));
    });
    http.listen(0, '127.0.0.1');
    await once(http, 'listening');
    const address = http.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${address.port}`,
      calls,
      outcomes,
      responses,
      close: () =>
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    };
  }

  let org: Org;
  let expected: EventJson[];
  beforeAll(async () => {
    org = await organization('handler-batches');
    for (let i = 0; i < 20; i++) await team(org, `Team ${i}`);
    expected = await eventsOverGraphQL(org.analyst);
    expect(expected).toHaveLength(21);
  });

  it('reads the log in batches of the configured size and writes them all', async () => {
    const h = await harness(5);
    try {
      const response = await fetch(`${h.url}/export/events.ndjson`, {
        headers: { authorization: `Bearer ${org.analyst}` },
      });
      expect(await response.text()).toBe(ndjson(expected));
      expect(await h.outcomes[0]).toBe('complete');
      // 21 events, 5 a batch: five batches, each after the last position of the one before.
      expect(h.calls).toEqual(['0', ...[4, 9, 14, 19].map((i) => expected[i]!.position)].map(BigInt));
    } finally {
      await h.close();
    }
  });

  it('waits for drain before it reads the next batch', async () => {
    // A socket that is always "full": every write asks the handler to wait for 'drain'.
    const h = await harness(5, {
      onResponse: (res) => {
        const write = res.write.bind(res) as (chunk: string) => boolean;
        res.write = ((chunk: string) => {
          write(chunk);
          return false;
        }) as typeof res.write;
      },
    });
    try {
      const body = fetch(`${h.url}/export/events.ndjson`, { headers: { authorization: `Bearer ${org.analyst}` } }).then(
        (response) => response.text(),
      );
      let drains = 0;
      while (true) {
        const res = await vi.waitFor(
          () => {
            const res = h.responses[0];
            if (!res || (res.listenerCount('drain') === 0 && !res.writableEnded)) throw new Error('not waiting yet');
            return res;
          },
          { timeout: 5_000, interval: 5 },
        );
        if (res.writableEnded) break;
        // Blocked on the batch just written: nothing further has been read.
        expect(h.calls).toHaveLength(Math.min(drains + 1, 5));
        drains++;
        res.emit('drain');
        await new Promise((resolve) => setImmediate(resolve));
        await vi.waitFor(
          () => {
            if (res.listenerCount('drain') === 0 && !res.writableEnded) throw new Error('not blocked again yet');
          },
          { timeout: 5_000, interval: 5 },
        );
      }
      expect(drains).toBe(5);
      expect(await body).toBe(ndjson(expected));
      expect(await h.outcomes[0]).toBe('complete');
    } finally {
      await h.close();
    }
  });

  it('stops reading when the client goes away', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let closed!: () => void;
    const serverSawClose = new Promise<void>((resolve) => {
      closed = resolve;
    });
    // The third read waits until the client has hung up.
    const h = await harness(5, {
      gate: (call) => (call === 3 ? released : Promise.resolve()),
      onResponse: (res) => res.once('close', () => closed()),
    });
    try {
      const controller = new AbortController();
      const response = await fetch(`${h.url}/export/events.ndjson`, {
        headers: { authorization: `Bearer ${org.analyst}` },
        signal: controller.signal,
      });
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      controller.abort();
      await serverSawClose;
      release();
      expect(await h.outcomes[0]).toBe('aborted');
      expect(h.calls).toHaveLength(3);
    } finally {
      await h.close();
    }
  });

  it('pages CSV rows by keyset in batches without losing or repeating any', async () => {
    const org = await organization('csv-many');
    const teams = await Promise.all(['A', 'B', 'C'].map((name) => team(org, name)));
    const people: string[] = [];
    for (let i = 0; i < 12; i++) people.push(await person(org, `P${i}`, `p${i}@many.test`));
    // Every membership starts at the same instant: the keyset order falls back on the id.
    for (const t of teams)
      for (const p of people)
        await ok(
          'mutation($t: ID!, $p: ID!) { addTeamMember(input: { teamId: $t, personId: $p, role: "Dev", allocation: 10, occurredAt: "2026-01-01T00:00:00.000Z" }) { position } }',
          { t, p },
          org.admin,
        );
    const whole = await get('/export/memberships.csv', org.admin);
    const rows = csvObjects(whole.body);
    expect(rows).toHaveLength(36);
    expect(new Set(rows.map((row) => row.membership_id)).size).toBe(36);
    // The same export 5 rows a query: the keyset continues after the last (valid_from, id), nothing lost or repeated.
    const h = await harness(5);
    try {
      const paged = await fetch(`${h.url}/export/memberships.csv`, {
        headers: { authorization: `Bearer ${org.admin}` },
      });
      expect(await paged.text()).toBe(whole.body);
      expect(await h.outcomes[0]).toBe('complete');
    } finally {
      await h.close();
    }
  });
});
