// The Pothos builder: plugin configuration only. Types live one per file next
// to it; schema/index.ts imports them all and builds the schema.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { mayAudit } from '../src/auth/tokens.ts';
import type PrismaTypes from '../src/generated/pothos-types.ts';
import { getDatamodel } from '../src/generated/pothos-types.ts';
import type { GraphQLContext } from './context.ts';
import { forbidden, unauthenticated } from './errors.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Position: { Input: bigint; Output: bigint | string };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: {
    /** Any valid credential. */
    authenticated: boolean;
    /** ORGSTREAM_ADMIN_TOKEN. */
    platform: boolean;
    /** Reads of the caller's organization: every role. */
    reader: boolean;
    /** Commands: EDITOR and ADMIN. */
    editor: boolean;
    /** Audit (the event log, time travel, exports): ANALYST and ADMIN. */
    analyst: boolean;
    /** Token management: ADMIN. */
    admin: boolean;
  };
}>({
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authScopes: (context) => {
      const viewer = context.viewer;
      const role = viewer?.kind === 'token' ? viewer.role : undefined;
      return {
        authenticated: viewer !== undefined,
        platform: viewer?.kind === 'platform',
        reader: role !== undefined,
        editor: role === 'EDITOR' || role === 'ADMIN',
        analyst: mayAudit(viewer),
        admin: role === 'ADMIN',
      };
    },
    // No credential is UNAUTHENTICATED; a credential too weak is FORBIDDEN.
    unauthorizedError: (_parent, context) => (context.viewer ? forbidden() : unauthenticated()),
  },
  prisma: {
    client: (context) => context.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { authScopes: { reader: true } },
    nodesQueryOptions: { authScopes: { reader: true } },
  },
});

builder.queryType({});
builder.mutationType({});
