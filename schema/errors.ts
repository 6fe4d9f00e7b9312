// The one place domain errors become GraphQL errors. Every OrgstreamError maps
// onto its `extensions.code`; anything else is masked (and logged with the
// request id) by maskError in src/http/graphql.ts.
import { PothosError, PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';
import { OrgstreamError } from '../src/errors.ts';

export function toGraphQLError(error: OrgstreamError): GraphQLError {
  return new GraphQLError(error.message, {
    originalError: error,
    extensions: { code: error.code, ...error.details },
  });
}

export function unauthenticated(message = 'Authentication required: send Authorization: Bearer <token>'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

export function forbidden(message = 'Your token’s role does not allow this'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function badInput(message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...extensions } });
}

const KNOWN_CODES = new Set(['BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED']);

/** A new error at the same place in the document and the response, with its own message and extensions. */
export function relocated(error: GraphQLError, message: string, extensions: Record<string, unknown>): GraphQLError {
  return new GraphQLError(message, {
    ...(error.nodes ? { nodes: error.nodes } : {}),
    ...(error.source ? { source: error.source } : {}),
    ...(error.positions ? { positions: error.positions } : {}),
    ...(error.path ? { path: error.path } : {}),
    ...(error.originalError ? { originalError: error.originalError } : {}),
    extensions,
  });
}

/** The error a client may see, or undefined when it must be masked. */
export function exposedError(error: unknown): GraphQLError | undefined {
  // Pothos errors are GraphQLErrors too; apart from its validation of arguments
  // (e.g. a negative page size) they mean a bug in the schema, not bad input.
  const pothos = error instanceof PothosError ? error : (error as GraphQLError | undefined)?.originalError;
  if (pothos instanceof PothosError && !(pothos instanceof PothosValidationError)) return undefined;
  if (error instanceof GraphQLError) {
    const original = error.originalError;
    if (original instanceof OrgstreamError) {
      return relocated(error, original.message, { code: original.code, ...original.details });
    }
    if (original instanceof GraphQLError) {
      // A resolver threw a GraphQL error of its own (an authorization error):
      // expose it where the outer error points (its path and locations).
      const inner = exposedError(original);
      return inner ? relocated(error, inner.message, { ...inner.extensions }) : undefined;
    }
    const code = error.extensions?.code;
    // Errors of the GraphQL layer itself (validation, parsing, variables) carry no original error.
    if (!original || (typeof code === 'string' && KNOWN_CODES.has(code))) {
      if (typeof code === 'string' && KNOWN_CODES.has(code)) return error;
      return relocated(error, error.message, { ...error.extensions, code: 'BAD_USER_INPUT' });
    }
  }
  if (error instanceof OrgstreamError) return toGraphQLError(error);
  return undefined;
}

/**
 * An envelop plugin giving every error in every result one of the API's codes:
 * parse and validation errors (which never reach maskError) become
 * BAD_USER_INPUT, so clients only ever see the codes API.md names (plus
 * INTERNAL_SERVER_ERROR for masked failures).
 */
export function useApiErrorCodes() {
  return {
    onResultProcess({ result, setResult }: { result: unknown; setResult: (result: unknown) => void }) {
      const single = result as { errors?: readonly GraphQLError[] } | undefined;
      if (!single || typeof single !== 'object' || !Array.isArray(single.errors)) return;
      let changed = false;
      const errors = single.errors.map((error) => {
        const code = error.extensions?.code;
        if (typeof code === 'string' && (KNOWN_CODES.has(code) || code === 'INTERNAL_SERVER_ERROR')) return error;
        changed = true;
        return relocated(error, error.message, { ...error.extensions, code: 'BAD_USER_INPUT' });
      });
      if (changed) setResult({ ...single, errors });
    },
  };
}
