// Tenant isolation for every read path: the organization whose data a
// request may see, and the filter every query of an organization-owned model
// carries (node(id) included).
import { organizationOf } from '../../src/auth/tokens.ts';
import type { GraphQLContext } from '../context.ts';

export function tenant(context: GraphQLContext): { organizationId: string } {
  return { organizationId: organizationOf(context.viewer) };
}
