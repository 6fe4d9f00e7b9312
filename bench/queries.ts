// GraphQL operations more than one benchmark sends.

/** The org graph of test/api/nplusone.int.test.ts. */
export const ORG_GRAPH = `
  query OrgGraph($asOf: DateTime, $knownAt: DateTime) {
    organization(asOf: $asOf, knownAt: $knownAt) {
      name
      teams(first: 100) {
        edges {
          node {
            name kind
            members(first: 100) {
              edges {
                role allocation
                node { name discipline memberships { role allocation team { name } } }
              }
            }
            agreement { version mission responsibilities { title } }
            ownedResponsibilities { title }
          }
        }
      }
    }
  }
`;
