// The Pothos builder: plugin configuration only. Types live one per file next
// to it; schema/index.ts imports them all and builds the schema.
import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import type PrismaTypes from '../src/generated/pothos-types.ts';
import { getDatamodel } from '../src/generated/pothos-types.ts';
import type { PrismaClient } from '../src/generated/prisma/client.ts';
import type { GraphQLContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
}>({
  plugins: [PrismaPlugin, RelayPlugin],
  defaultFieldNullability: false,
  prisma: {
    // The client is per request context (it carries the request's database
    // handle); Pothos only needs the datamodel here.
    client: (context) => context.prisma as PrismaClient,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
  },
  relay: {},
});

builder.queryType({});
