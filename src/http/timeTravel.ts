// Runs a query that reads the past (`organization(asOf, knownAt)`, and the
// same arguments on `team`, `person`, `responsibility`) against a snapshot of
// the organization at that moment (src/audit/snapshots.ts).
//
// One operation reads one moment: the snapshot is chosen before execution,
// and the whole operation runs in one read-only REPEATABLE READ transaction
// whose `orgstream.snapshot` setting makes the views of `orgstream_asof` show
// that snapshot. The resolvers are the ones that answer for now; only their
// Prisma client (the context's) reads the views instead of the live tables.
import type { Plugin } from '@envelop/core';
import {
  BREAK,
  type DocumentNode,
  type FieldNode,
  type GraphQLSchema,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  type SelectionSetNode,
  visit,
} from 'graphql';
import pLimit from 'p-limit';
import type { GraphQLContext } from '../../schema/context.ts';
import { badInput } from '../../schema/errors.ts';
import { SNAPSHOT_SCHEMA, SNAPSHOT_SETTING, type SnapshotStore, type TimeView } from '../audit/snapshots.ts';
import { mayAudit, organizationOf } from '../auth/tokens.ts';
import type { PrismaClient } from '../generated/prisma/client.ts';

/** Root fields that read the log, not the read models: they answer the same at any moment. */
const LOG_FIELDS = new Set(['__typename', 'events', 'orgDiff']);

/** The longest a query of the past may take (its snapshot built, its transaction open). */
const TRANSACTION_MS = 120_000;

type Found = { view: TimeView; signals: boolean } | { error: string } | undefined;

/** The moment the operation asks for, if any (undefined: now). */
export function timeViewOf(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): Found {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return undefined;
  const queryType = schema.getQueryType();
  if (!queryType) return undefined;
  // Coerced as execution will (a bad variable is reported by execution itself).
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (coerced.errors) return undefined;
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const fields: FieldNode[] = [];
  const collect = (selections: SelectionSetNode, seen: Set<string>) => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet, seen);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet, seen);
      }
    }
  };
  collect(operation.selectionSet, new Set());

  const views: { field: string; view: TimeView }[] = [];
  const others: string[] = [];
  for (const field of fields) {
    const name = field.name.value;
    const definition = queryType.getFields()[name];
    if (!definition || LOG_FIELDS.has(name)) continue;
    if (!definition.args.some((arg) => arg.name === 'asOf')) {
      others.push(name);
      continue;
    }
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(definition, field, coerced.coerced);
    } catch {
      return undefined; // execution reports the bad argument
    }
    const view = { asOf: values.asOf as Date | undefined, knownAt: values.knownAt as Date | undefined };
    views.push({ field: name, view: view.asOf || view.knownAt ? view : {} });
  }
  const past = views.filter(({ view }) => view.asOf || view.knownAt);
  if (past.length === 0) return undefined;
  const key = (view: TimeView) => `${view.asOf?.getTime()}/${view.knownAt?.getTime()}`;
  const first = past[0]!;
  const differing = views.find(({ view }) => key(view) !== key(first.view));
  if (differing || others.length > 0) {
    return {
      error:
        `One operation reads one moment: \`${first.field}\` reads the past, so every root field must ` +
        `give the same asOf and knownAt (\`${differing?.field ?? others[0]}\` does not); split the operation.`,
    };
  }
  return { view: first.view, signals: mentions(document, 'frictionSignals') };
}

/** Whether a field of this name is selected anywhere in the document (operations and fragments). */
function mentions(document: DocumentNode, field: string): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === field) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * The envelop plugin: queries of the past run on `pastClient` (a Prisma client
 * of the views) inside a transaction that selects the snapshot.
 */
export function useTimeTravel(
  snapshots: SnapshotStore,
  pastClient: PrismaClient,
  options: { concurrency?: number } = {},
): Plugin<GraphQLContext> {
  // Each query of the past holds a connection for its transaction while its
  // resolvers may take others from the same pool (history, evidence): at most
  // this many at once, so they can never hold every connection between them.
  const gate = pLimit(options.concurrency ?? 4);
  return {
    onExecute({ args, setExecuteFn, executeFn, setResultAndStopExecution }) {
      const context = args.contextValue;
      const viewer = context.viewer;
      // Only ANALYST and ADMIN read the past; for others the fields answer FORBIDDEN.
      if (!mayAudit(viewer)) return;
      const found = timeViewOf(args.schema, args.document, args.operationName, args.variableValues);
      if (!found) return;
      if ('error' in found) {
        setResultAndStopExecution({ errors: [badInput(found.error)] });
        return;
      }
      const organizationId = organizationOf(viewer);
      setExecuteFn((executionArgs) =>
        gate(async () => {
          for (let attempt = 1; ; attempt++) {
            const snapshot = await snapshots.snapshotFor(organizationId, found.view, { signals: found.signals });
            const result = await pastClient.$transaction(
              async (tx) => {
                // Names the snapshot for the views and checks, in the same statement, that it
                // was not evicted between choosing and reading it.
                const [selected] = await tx.$queryRawUnsafe<{ present: boolean }[]>(
                  `SELECT set_config('${SNAPSHOT_SETTING}', $1, true),
                          EXISTS (SELECT 1 FROM ${SNAPSHOT_SCHEMA}.snapshots WHERE id = $1::bigint) AS present`,
                  snapshot.id.toString(),
                );
                if (!selected?.present) return undefined;
                const inPast: GraphQLContext = {
                  ...(executionArgs.contextValue as GraphQLContext),
                  prisma: tx as unknown as PrismaClient,
                  timeView: found.view,
                };
                return executeFn({ ...executionArgs, contextValue: inPast });
              },
              { isolationLevel: 'RepeatableRead', timeout: TRANSACTION_MS, maxWait: 10_000 },
            );
            if (result !== undefined || attempt >= 3) return result ?? { errors: [badInput('Try again')] };
          }
        }),
      );
    },
  };
}
