// What one GraphQL request may ask for: GraphQL Armor's envelop plugins for
// depth, aliases, tokens, cost and directives, each violation reported as a
// validation error with `extensions.code` BAD_USER_INPUT (never a 5xx), like
// every other validation error; field suggestions ("Did you mean …?") are
// withheld from unauthenticated callers, so they cannot map the schema by
// trial and error. The request-size limit
// lives in server.ts (it has to act before the body is read).
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import type { GraphQLError, ValidationContext } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { relocated } from '../../schema/errors.ts';

export const GRAPHQL_LIMITS = {
  /** Nesting of selections; the deepest documented query is about 8. */
  maxDepth: 12,
  maxAliases: 30,
  /** Lexical tokens of the document (parsed lazily: an oversized document stops at the limit). */
  maxTokens: 5_000,
  maxDirectives: 50,
  /**
   * GraphQL Armor's cost model: objects 2, scalars 1, ×1.5 per level of
   * depth, and a selection under a literal `first: N` costs N times (a
   * `first` passed as a variable counts once). The org graph (100 teams ×
   * 100 members with their memberships, agreements and responsibilities)
   * costs about 2.8 million and a full `events(first: 500)` page about
   * 29,000; the same graph at 500 × 500 (70 million) or a third nested
   * connection of 100 is refused.
   */
  maxCost: 5_000_000,
} as const;

/** Request body limit (bytes), enforced in server.ts before parsing: 1 MiB. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/** A validation error that stays a validation error (reported, not thrown) and carries its code. */
function limitError(error: GraphQLError): GraphQLError {
  return relocated(error, error.message.replace(/^Syntax Error: /, ''), {
    ...error.extensions,
    code: 'BAD_USER_INPUT',
  });
}

const report = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitError(error))],
};

/** The limit plugins, in the order yoga should run them. */
export function limitPlugins(options: { isAuthenticated: (request: Request) => boolean }): Plugin[] {
  return [
    // The parser counts tokens as it goes and throws at the limit; parse
    // errors already become BAD_USER_INPUT in the error mapping.
    maxTokensPlugin({ n: GRAPHQL_LIMITS.maxTokens }) as Plugin,
    maxDepthPlugin({ n: GRAPHQL_LIMITS.maxDepth, ...report }) as Plugin,
    maxAliasesPlugin({ n: GRAPHQL_LIMITS.maxAliases, ...report }) as Plugin,
    maxDirectivesPlugin({ n: GRAPHQL_LIMITS.maxDirectives, ...report }) as Plugin,
    costLimitPlugin({ maxCost: GRAPHQL_LIMITS.maxCost, ...report }) as Plugin,
    validationErrors(options.isAuthenticated),
  ];
}

const SUGGESTION = /\s*Did you mean [^?]*\?\s*$/s;

/**
 * Validation errors (unknown fields, wrong argument types, the limits above)
 * are bad input: `extensions.code` BAD_USER_INPUT, as API.md promises (yoga
 * would label them GRAPHQL_VALIDATION_FAILED, and they never pass through
 * error masking). Unless the caller is authenticated, "Did you mean …?" is cut.
 */
function validationErrors(isAuthenticated: (request: Request) => boolean): Plugin {
  // yoga caches validation results per document, possibly after this hook
  // rewrote them: remember each rewrite's source so a later caller gets the
  // message meant for them.
  const sources = new WeakMap<GraphQLError, GraphQLError>();
  return {
    onValidate: ({ context }) => {
      const request = (context as { request?: Request }).request;
      const suggest = request !== undefined && isAuthenticated(request);
      return ({ result, setResult }) => {
        if (result.length === 0) return;
        setResult(
          result.map((error) => {
            const source = sources.get(error) ?? error;
            const rewritten = relocated(source, suggest ? source.message : source.message.replace(SUGGESTION, ''), {
              ...source.extensions,
              code: 'BAD_USER_INPUT',
            });
            sources.set(rewritten, source);
            return rewritten;
          }),
        );
      };
    },
  };
}
