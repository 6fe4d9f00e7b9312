// Runs commands the way the API will: through executeCommand, on a real
// database, with the actor and options a mutation passes.
import { v7 as uuidv7 } from 'uuid';
import { createEventCatalog } from '../../events/index.ts';
import type { CommandHandler, CommandMeta } from '../../src/commands/command.ts';
import { type CommandOutcome, executeCommand } from '../../src/commands/execute.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { createOrganization } from '../../src/organization/organization.ts';
import type { TestDatabase } from './database.ts';

export type Commands = {
  store: EventStore;
  organizationId: string;
  run<Input, Result>(
    handler: CommandHandler<Input, Result>,
    input: unknown,
    meta?: Partial<CommandMeta>,
  ): Promise<CommandOutcome<Result>>;
};

/** A fresh organization on the test database and a runner for commands in it. */
export async function newOrganization(
  db: TestDatabase,
  name = 'Acme',
  options: { occurredAt?: Date } = {},
): Promise<Commands> {
  const store = new EventStore(db.pool, createEventCatalog());
  const organizationId = uuidv7();
  const deps = { pool: db.pool, store };
  await executeCommand(
    deps,
    createOrganization,
    organizationId,
    { name, slug: `org-${organizationId.slice(-12)}`, growthPhase: 'HYPERGROWTH' },
    { actor: 'test', ...(options.occurredAt ? { occurredAt: options.occurredAt } : {}) },
  );
  return {
    store,
    organizationId,
    run: (handler, input, meta = {}) =>
      executeCommand(deps, handler, organizationId, input, { actor: 'test', ...meta }),
  };
}
