import { afterAll, beforeAll, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('creates an organization, forms a team, registers a person and adds them', async () => {
  const created = await server.graphql<{
    createOrganization: { adminToken: string; organization: { id: string; name: string } };
  }>(
    `mutation { createOrganization(input: { name: "Acme", slug: "acme", growthPhase: HYPERGROWTH }) { adminToken organization { id name } } }`,
    {},
    ADMIN_TOKEN,
  );
  expect(created.errors).toBeUndefined();
  const token = created.data!.createOrganization.adminToken;
  const team = await server.graphql<{
    formTeam: { team: { id: string; name: string; version: number }; position: string };
  }>(
    `mutation { formTeam(input: { name: "Payments", kind: STREAM_ALIGNED }) { team { id name version } position } }`,
    {},
    token,
  );
  expect(team.errors).toBeUndefined();
  const person = await server.graphql<{ registerPerson: { person: { id: string } } }>(
    `mutation { registerPerson(input: { name: "Ada", email: "ada@acme.test", discipline: ENGINEERING }) { person { id } } }`,
    {},
    token,
  );
  const added = await server.graphql(
    `mutation($teamId: ID!, $personId: ID!) { addTeamMember(input: { teamId: $teamId, personId: $personId, role: "Engineer", allocation: 80 }) {
      team { name version members { edges { role allocation node { name email memberships { role team { name } } } } } } position } }`,
    { teamId: team.data!.formTeam.team.id, personId: person.data!.registerPerson.person.id },
    token,
  );
  expect(added).toMatchObject({
    status: 200,
    data: {
      addTeamMember: {
        team: {
          name: 'Payments',
          version: 2,
          members: {
            edges: [
              {
                role: 'Engineer',
                allocation: 80,
                node: {
                  name: 'Ada',
                  email: 'ada@acme.test',
                  memberships: [{ role: 'Engineer', team: { name: 'Payments' } }],
                },
              },
            ],
          },
        },
      },
    },
  });
  const organization = await server.graphql(
    `{ viewer { role organization { name teams { edges { node { name } } } } } }`,
    {},
    token,
  );
  expect(organization.data).toEqual({
    viewer: { role: 'ADMIN', organization: { name: 'Acme', teams: { edges: [{ node: { name: 'Payments' } }] } } },
  });
});
