// Read-model lookups commands use to check references. Ids of another
// organization are reported exactly like unknown ids: never reveal they exist.
import { people, teams, valueStreams } from '../../projections/tables.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { Person, Team, ValueStream } from '../generated/prisma/client.ts';
import type { TableSpec } from '../readModel/table.ts';
import type { CommandContext } from './command.ts';

export async function activePerson(context: CommandContext, id: string, role = 'Person'): Promise<Person> {
  const person = await context.reads.get(people, { id });
  if (!person || person.organizationId !== context.organizationId)
    throw new NotFoundError(`${role} ${id} not found`, { id });
  if (person.offboardedAt) throw new ConflictError(`${role} ${person.name} has been offboarded`, { id });
  return person;
}

export async function activeTeam(context: CommandContext, id: string, role = 'Team'): Promise<Team> {
  const team = await context.reads.get(teams, { id });
  if (!team || team.organizationId !== context.organizationId)
    throw new NotFoundError(`${role} ${id} not found`, { id });
  if (team.archivedAt) throw new ConflictError(`${role} ${team.name} is archived`, { id });
  return team;
}

export async function activeValueStream(context: CommandContext, id: string): Promise<ValueStream> {
  const valueStream = await context.reads.get(valueStreams, { id });
  if (!valueStream || valueStream.organizationId !== context.organizationId) {
    throw new NotFoundError(`Value stream ${id} not found`, { id });
  }
  if (valueStream.retiredAt) throw new ConflictError(`Value stream ${valueStream.name} is retired`, { id });
  return valueStream;
}

/** Case- and space-insensitive form of a name, for uniqueness claims. */
export function normalizedName(name: string): string {
  return name.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * `start`, then what it points to, and so on (a manager's manager, a parent's
 * parent) as the read model has it now; stops at the top or at a repeat.
 */
export async function chainFrom<Row extends { id: string }>(
  context: CommandContext,
  spec: TableSpec<Row>,
  start: string,
  next: (row: Row) => string | null,
): Promise<string[]> {
  const chain: string[] = [];
  let current: string | null = start;
  while (current && !chain.includes(current)) {
    chain.push(current);
    const row: Row | undefined = await context.reads.get(spec, { id: current } as Partial<Row>);
    current = row ? next(row) : null;
  }
  return chain;
}
