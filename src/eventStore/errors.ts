import { ConflictError, ValidationError } from '../errors.ts';
import type { ExpectedVersion } from './types.ts';

/** The stream was not at the version the writer expected. */
export class ConcurrencyError extends ConflictError {
  readonly streamId: string;
  readonly expected: ExpectedVersion;
  readonly actual: number;

  constructor(streamId: string, expected: ExpectedVersion, actual: number) {
    const wanted = typeof expected === 'number' ? `version ${expected}` : expected;
    super(`Stream ${streamId} is at version ${actual}, expected ${wanted}`, {
      streamId,
      expectedVersion: expected,
      actualVersion: actual,
    });
    this.streamId = streamId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** An event id was reused for a different event. */
export class DuplicateEventIdError extends ConflictError {}

export class UnknownEventTypeError extends ValidationError {
  constructor(type: string) {
    super(`Unknown event type ${type}`, { type });
  }
}

export class InvalidEventDataError extends ValidationError {}

export class EmptyAppendError extends ValidationError {
  constructor() {
    super('An append needs at least one event');
  }
}
