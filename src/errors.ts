// The typed errors of Orgstream. Each class maps onto exactly one GraphQL
// `extensions.code` (API.md "Errors"); the GraphQL layer translates them in one
// place, and anything that is not an OrgstreamError is masked as internal.

export type ErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'UNAUTHENTICATED';

export abstract class OrgstreamError extends Error {
  abstract readonly code: ErrorCode;
  /** Safe to show to the client (no internals): lands in `extensions`. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** Input that can never succeed as given: malformed, out of range, unknown type. */
export class ValidationError extends OrgstreamError {
  readonly code = 'BAD_USER_INPUT';
}

export class NotFoundError extends OrgstreamError {
  readonly code = 'NOT_FOUND';
}

/** The input is fine but the current state forbids it (uniqueness, lifecycle). */
export class ConflictError extends OrgstreamError {
  readonly code = 'CONFLICT';
}

export class ForbiddenError extends OrgstreamError {
  readonly code = 'FORBIDDEN';
}

export class UnauthenticatedError extends OrgstreamError {
  readonly code = 'UNAUTHENTICATED';
}
