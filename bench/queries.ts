// GraphQL operations the benchmarks send, shared with the N+1 test
// (test/api/nplusone.int.test.ts), which measures the same org graph.

/** The org graph: organization → teams → members → person → memberships → team, agreements, owned responsibilities. */
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
