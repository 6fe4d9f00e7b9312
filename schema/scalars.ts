// DateTime (ISO 8601), Position (a global event position as a decimal string)
// and JSON. Bad scalar input is a GraphQLError without an original error,
// which the error mapping turns into BAD_USER_INPUT.
import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !ISO_8601.test(value)) {
    throw new GraphQLError('DateTime must be an ISO 8601 string with a time zone, e.g. 2026-03-01T09:00:00Z', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new GraphQLError(`Not a valid DateTime: ${value}`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return date;
}

const INT8_MAX = 9_223_372_036_854_775_807n;

/** A non-negative PostgreSQL bigint written as a decimal string (no sign, no leading zeros), or undefined. */
export function decimalInt8(value: unknown): bigint | undefined {
  if (typeof value !== 'string' || !/^(0|[1-9]\d{0,18})$/.test(value)) return undefined;
  const number = BigInt(value);
  return number <= INT8_MAX ? number : undefined;
}

function parsePosition(value: unknown): bigint {
  const position = decimalInt8(value);
  if (position === undefined) {
    throw new GraphQLError(
      `Position must be a non-negative integer as a decimal string, at most ${INT8_MAX}, e.g. "1234"`,
      { extensions: { code: 'BAD_USER_INPUT' } },
    );
  }
  return position;
}

builder.scalarType('DateTime', {
  description:
    'An instant, as an ISO 8601 string with a time zone (output is always UTC, e.g. 2026-03-01T09:00:00.000Z).',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value as string).toISOString()),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Position', {
  description: 'A global event position, as a decimal string (positions outgrow 2^53).',
  serialize: (value) => value.toString(),
  parseValue: parsePosition,
  parseLiteral: (ast) => parsePosition(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});
