// Per-request observability of the GraphQL endpoint (HTTP and SSE): a request
// id (the client's `x-request-id` or a new uuid, echoed in the response), the
// operation latency histogram labelled by operation name, type and outcome,
// and one pino line per request. Operation names are client input, so the
// label set is bounded: unnamed operations are "anonymous", names that are
// not plain GraphQL names and any name past the first MAX_OPERATION_NAMES
// distinct ones are "other".
import { randomUUID } from 'node:crypto';
import { type DocumentNode, getOperationAST, Kind } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

type Outcome = 'ok' | 'error';

type RequestState = {
  start: bigint;
  requestId: string;
  /** Set once yoga has seen GraphQL parameters (not for GraphiQL's page). */
  graphql: boolean;
  operationName: string | undefined;
  operationType: string;
  outcome: Outcome | undefined;
  errorCodes: Set<string>;
  errorIds: string[];
};

export type OperationObservability = {
  plugin: Plugin;
  /** The id of a request seen by the plugin (for the GraphQL context and logs). */
  requestIdOf(request: Request): string | undefined;
};

type ErrorLike = { extensions?: Record<string, unknown> };
type ResultLike = { errors?: readonly ErrorLike[] | undefined };

export function createOperationObservability(options: {
  metrics: Metrics;
  logger: Logger;
  /** Who is calling, for the log line (a role, "platform" or "anonymous"); never the token. */
  viewerOf: (request: Request) => string;
}): OperationObservability {
  const states = new WeakMap<Request, RequestState>();
  const knownNames = new Set<string>();

  const operationLabel = (name: string | undefined): string => {
    if (name === undefined || name === '') return 'anonymous';
    if (!OPERATION_NAME.test(name)) return 'other';
    if (knownNames.has(name)) return name;
    if (knownNames.size >= MAX_OPERATION_NAMES) return 'other';
    knownNames.add(name);
    return name;
  };

  const noteResult = (state: RequestState, result: ResultLike) => {
    if (!result.errors || result.errors.length === 0) return;
    state.outcome = 'error';
    for (const error of result.errors) {
      const code = error.extensions?.code;
      if (typeof code === 'string') state.errorCodes.add(code);
      const errorId = error.extensions?.errorId;
      if (typeof errorId === 'string') state.errorIds.push(errorId);
    }
  };

  const plugin: Plugin = {
    onRequest: ({ request }) => {
      const given = request.headers.get('x-request-id');
      states.set(request, {
        start: process.hrtime.bigint(),
        requestId: given && /^[\w.:-]{1,100}$/.test(given) ? given : randomUUID(),
        graphql: false,
        operationName: undefined,
        operationType: 'unknown',
        outcome: undefined,
        errorCodes: new Set(),
        errorIds: [],
      });
    },
    onParams: ({ request, params }) => {
      const state = states.get(request);
      if (!state) return;
      state.graphql = true;
      if (typeof params.operationName === 'string') state.operationName = params.operationName;
    },
    onParse: ({ context }) => {
      const state = states.get((context as { request?: Request }).request as Request);
      if (!state) return;
      return ({ result }) => {
        if (!result || result instanceof Error || (result as DocumentNode).kind !== Kind.DOCUMENT) return;
        const operation = getOperationAST(result as DocumentNode, state.operationName);
        if (!operation) return;
        state.operationType = operation.operation;
        state.operationName = operation.name?.value;
      };
    },
    onResultProcess: ({ request, result }) => {
      const state = states.get(request);
      if (!state) return;
      if (Array.isArray(result)) for (const item of result) noteResult(state, item);
      else if (!(Symbol.asyncIterator in (result as object))) noteResult(state, result as ResultLike);
      state.outcome ??= 'ok';
    },
    onResponse: ({ request, response }) => {
      const state = states.get(request);
      if (!state) return;
      response.headers.set('x-request-id', state.requestId);
      if (!state.graphql) return;
      const seconds = Number(process.hrtime.bigint() - state.start) / 1e9;
      const outcome: Outcome = state.outcome ?? (response.status >= 400 ? 'error' : 'ok');
      options.metrics.graphqlOperations.observe(
        { operation: operationLabel(state.operationName), type: state.operationType, outcome },
        seconds,
      );
      options.logger.info(
        {
          requestId: state.requestId,
          operation: state.operationName?.slice(0, 100) ?? null,
          type: state.operationType,
          outcome,
          status: response.status,
          durationMs: Math.round(seconds * 1e6) / 1e3,
          viewer: options.viewerOf(request),
          ...(state.errorCodes.size > 0 ? { errorCodes: [...state.errorCodes] } : {}),
          ...(state.errorIds.length > 0 ? { errorIds: state.errorIds } : {}),
        },
        'graphql request',
      );
    },
  };

  return { plugin, requestIdOf: (request) => states.get(request)?.requestId };
}
