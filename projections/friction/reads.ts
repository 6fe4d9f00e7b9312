// Reads several rules share, shaped so that a rule's loop over rows does not
// become one query per row inline: the rows' related rows come in one query.
import type { Agreement, Membership } from '../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../src/readModel/workingSet.ts';
import { agreements, memberships, people, teams } from '../tables.ts';

/** A team's current memberships, with the members' person rows loaded. */
export async function teamMemberships(ws: WorkingSet, teamId: string): Promise<Membership[]> {
  const rows = await ws.where(memberships, { teamId, to: null });
  await ws.preload(
    people,
    'id',
    rows.map((row) => row.personId),
  );
  return rows;
}

/** A person's current memberships, with the teams loaded. */
export async function personMemberships(ws: WorkingSet, personId: string): Promise<Membership[]> {
  const rows = await ws.where(memberships, { personId, to: null });
  await ws.preload(
    teams,
    'id',
    rows.map((row) => row.teamId),
  );
  return rows;
}

/** The agreements (of `status`) that list a responsibility, with their teams loaded. */
export async function agreementsListing(
  ws: WorkingSet,
  responsibilityId: string,
  filter: Partial<Agreement> = {},
): Promise<Agreement[]> {
  const rows = await ws.containing(agreements, 'responsibilityIds', responsibilityId, filter);
  await ws.preload(
    teams,
    'id',
    rows.map((row) => row.teamId),
  );
  return rows;
}
