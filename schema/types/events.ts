// Filled in by the GraphQL work in progress (issue 4).
export {};
