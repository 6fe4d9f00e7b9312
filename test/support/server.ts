// A real Orgstream server (HTTP on a free port) on a fresh test database,
// and a small GraphQL client for end-to-end tests.
import { startService } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export const ADMIN_TOKEN = 'test-platform-token-0123456789';

export type GraphQLResponse<Data = Record<string, unknown>> = {
  status: number;
  data?: Data | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
};

/** An event as the API gives it (GraphQL `Event`, a line of the NDJSON export). */
export type EventJson = {
  id: string;
  position: string;
  streamId: string;
  version: number;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  occurredAt: string;
  recordedAt: string;
};

export type TestServer = {
  url: string;
  db: TestDatabase;
  graphql<Data = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse<Data>>;
  /** The same POST to /graphql, answered as it came (headers, the body's bytes). */
  request(query: string, variables?: Record<string, unknown>, token?: string): Promise<Response>;
  close(): Promise<void>;
};

/** `env` adds configuration (e.g. ORGSTREAM_WS_TOKEN_RECHECK_MS); `database` shares one with another server. */
export async function startTestServer(env: Record<string, string> = {}, database?: TestDatabase): Promise<TestServer> {
  const db = database ?? (await createTestDatabase());
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: '0',
    ORGSTREAM_ADMIN_TOKEN: ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const service = await startService(config, createLogger(config));
  const request: TestServer['request'] = (query, variables = {}, token) =>
    fetch(`${service.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  return {
    url: service.url,
    db,
    request,
    graphql: async (query, variables = {}, token) => {
      const response = await request(query, variables, token);
      const body = (await response.json()) as Omit<GraphQLResponse, 'status'>;
      return { status: response.status, ...body } as never;
    },
    close: async () => {
      await service.close();
      if (!database) await db.drop();
    },
  };
}

export type OrganizationTokens = { id: string; admin: string; analyst: string; editor: string; reader: string };

/** A new organization (through createOrganization, in org time at `occurredAt`) with a token of every role. */
export async function organizationWithTokens(
  server: TestServer,
  slug: string,
  options: { occurredAt?: string } = {},
): Promise<OrganizationTokens> {
  const created = await server.graphql<{ createOrganization: { adminToken: string; organization: { id: string } } }>(
    'mutation($slug: String!, $at: DateTime) { createOrganization(input: { name: $slug, slug: $slug, growthPhase: EXPERIMENTING, occurredAt: $at }) { adminToken organization { id } } }',
    { slug, at: options.occurredAt ?? null },
    ADMIN_TOKEN,
  );
  if (!created.data) throw new Error(`createOrganization failed: ${JSON.stringify(created.errors)}`);
  const { adminToken, organization } = created.data.createOrganization;
  const issue = async (role: string) => {
    const issued = await server.graphql<{ issueApiToken: { token: string } }>(
      'mutation($org: ID!, $role: Role!, $label: String!) { issueApiToken(input: { organizationId: $org, role: $role, label: $label }) { token } }',
      { org: organization.id, role, label: role.toLowerCase() },
      adminToken,
    );
    if (!issued.data) throw new Error(`issueApiToken failed: ${JSON.stringify(issued.errors)}`);
    return issued.data.issueApiToken.token;
  };
  return {
    id: organization.id,
    admin: adminToken,
    analyst: await issue('ANALYST'),
    editor: await issue('EDITOR'),
    reader: await issue('READER'),
  };
}
