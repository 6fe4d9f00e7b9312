// Runs commands the way the API will: through executeCommand, on a real
// database, with the actor and options a mutation passes.
import { v7 as uuidv7 } from 'uuid';
import { createEventCatalog } from '../../events/index.ts';
import type { CommandHandler, CommandMeta } from '../../src/commands/command.ts';
import { type CommandOutcome, executeCommand } from '../../src/commands/execute.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { createOrganization } from '../../src/organization/organization.ts';
import { ResidentModels } from '../../src/readModel/resident.ts';
import type { TestDatabase } from './database.ts';

export type Commands = {
  store: EventStore;
  organizationId: string;
  run<Input, Result>(
    handler: CommandHandler<Input, Result>,
    input: unknown,
    meta?: Partial<CommandMeta>,
  ): Promise<CommandOutcome<Result>>;
  /** The same organization through other resident read models (another service process). */
  as?(resident: ResidentModels): Omit<Commands, 'as'>;
};

/**
 * A fresh organization on the test database and a runner for commands in it.
 * Commands keep a resident copy of the read models, as the service does,
 * unless `resident: false` (each command then loads what it reads).
 */
export async function newOrganization(
  db: TestDatabase,
  name = 'Acme',
  options: { occurredAt?: Date; resident?: boolean | ResidentModels } = {},
): Promise<Commands> {
  const store = new EventStore(db.pool, createEventCatalog());
  const organizationId = uuidv7();
  const resident = options.resident instanceof ResidentModels ? options.resident : new ResidentModels();
  const deps = { pool: db.pool, store, ...(options.resident === false ? {} : { resident }) };
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
    as: (other) => ({
      store,
      organizationId,
      run: (handler, input, meta = {}) =>
        executeCommand({ ...deps, resident: other }, handler, organizationId, input, { actor: 'test', ...meta }),
    }),
  };
}
