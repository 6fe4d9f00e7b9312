// A command: validated input, the state it is decided against, and the events
// (plus claims on unique names) it decides. `run` loads what the decision
// needs and calls pure decide functions; the executor does the rest.
import type { z } from 'zod';
import type { DomainEvent } from '../../events/index.ts';
import type { ExpectedVersion } from '../eventStore/types.ts';
import type { WorkingSet } from '../readModel/workingSet.ts';
import type { Aggregate } from './aggregate.ts';

export type CommandMeta = {
  /** Who issued the command (the API token's label). */
  actor: string;
  reason?: string;
  /** Back-dating: when it happened in the org. */
  occurredAt?: Date;
  /** Optimistic concurrency on the command's target stream. */
  expectedVersion?: number;
  idempotencyKey?: string;
  correlationId?: string;
  causationId?: string;
};

export type Loaded<State> = { state: State; version: number };

export type CommandContext = {
  organizationId: string;
  meta: CommandMeta;
  /**
   * Read models as of the organization's last command: its resident copy
   * (whose previous command may still be committing, see `streamVersion`) or
   * rows loaded in this transaction.
   */
  reads: WorkingSet;
  /** When the command is decided (org time default). */
  now: Date;
  load<State>(aggregate: Aggregate<State>, id: string): Promise<Loaded<State>>;
  /**
   * The version of a stream (0 when it has none): for a decision that appends
   * to a stream it did not load. Like `load`, it reads the database only once
   * the organization's previous command has committed.
   */
  streamVersion(streamId: string): Promise<number>;
  /** A fresh id (uuid v7) for a new aggregate or record. */
  newId(): string;
};

export type Claim = {
  kind: string;
  value: string;
  streamId: string;
  /** Platform-wide (organization slugs) rather than within the command's organization. */
  platform?: boolean;
};

export type StreamEvents = {
  streamId: string;
  events: DomainEvent[];
  /** The version the decision was made against; a mismatch retries the command. */
  expectedVersion: ExpectedVersion;
};

export type Decision<Result> = {
  appends: StreamEvents[];
  /** Unique values this command takes (team names, emails) and gives up. */
  claims?: Claim[];
  releases?: Claim[];
  result: Result;
};

export type CommandHandler<Input, Result> = {
  name: string;
  input: z.ZodType<Input>;
  /** The stream `meta.expectedVersion` refers to, when the command has one. */
  target?: (input: Input, organizationId: string) => string | undefined;
  run(context: CommandContext, input: Input): Promise<Decision<Result>>;
};

export function defineCommand<Input, Result>(handler: CommandHandler<Input, Result>): CommandHandler<Input, Result> {
  return handler;
}
