// The small givens the integration tests share: a database per test file,
// teams and people formed through the real commands, and ways to look at what
// a command wrote (or, when it was rejected, did not write).
import { afterAll, beforeAll, expect } from 'vitest';
import { registerPerson } from '../../src/people/people.ts';
import { addTeamMember, formTeam } from '../../src/teams/teams.ts';
import type { Commands } from './commands.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

/**
 * This test file's own database: made before its first test, dropped after
 * its last. Read its fields inside tests and hooks, not at import time.
 */
export function useTestDatabase(): TestDatabase {
  let current: TestDatabase | undefined;
  beforeAll(async () => {
    current = await createTestDatabase();
  });
  afterAll(() => current?.drop());
  const database = () => {
    if (!current) throw new Error('The test database is made in beforeAll: use it inside a test or hook');
    return current;
  };
  return {
    get url() {
      return database().url;
    },
    get name() {
      return database().name;
    },
    get pool() {
      return database().pool;
    },
    drop: () => database().drop(),
  };
}

/** An id no organization has. */
export const UNKNOWN_ID = '0190f1a0-0000-7000-8000-000000000000';

/** Nine in the morning (UTC) of day `n` of January 2026, an org time to back-date to. */
export const day = (n: number) => new Date(Date.UTC(2026, 0, n, 9));

/** The error `attempt` rejects with (a thunk, so no promise rejects unobserved). */
export async function rejection(attempt: () => Promise<unknown>): Promise<unknown> {
  return attempt().then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

/**
 * `expectRejected(org, attempt, error)` for a file's `footprint` of an
 * organization: `attempt` rejects with `error`, and the footprint reads the
 * same after it as before, so the rejected command wrote nothing.
 */
export function rejectsWritingNothing(footprint: (org: Commands) => Promise<unknown>) {
  return async (org: Commands, attempt: () => Promise<unknown>, error: abstract new (...args: never[]) => Error) => {
    const before = await footprint(org);
    await expect(attempt()).rejects.toBeInstanceOf(error);
    expect(await footprint(org)).toEqual(before);
  };
}

/** How many events the whole database holds. */
export const eventCount = async (db: TestDatabase) =>
  (await db.pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;

/** The rows a query returns. */
export const rows = async (db: TestDatabase, sql: string, values: unknown[]) => (await db.pool.query(sql, values)).rows;

/** Forms a team named `name` (stream-aligned unless told) and returns its id. */
export const team = async (org: Commands, name: string, kind = 'STREAM_ALIGNED') =>
  (await org.run(formTeam, { name, kind })).result.teamId;

let registered = 0;

/**
 * Registers a person (an engineer unless told) and returns their id. Without
 * an `email` each person gets one of their own, so the emails are unique in
 * every organization; pass one where a test needs to know it.
 */
export async function person(
  org: Commands,
  name: string,
  { email, discipline = 'ENGINEERING', managerId }: { email?: string; discipline?: string; managerId?: string } = {},
): Promise<string> {
  registered += 1;
  const outcome = await org.run(registerPerson, {
    name,
    email: email ?? `person${registered}@acme.test`,
    discipline,
    ...(managerId ? { managerId } : {}),
  });
  return outcome.result.personId;
}

/** Registers a person and adds them to the team as a full-time engineer; returns their id. */
export async function member(org: Commands, teamId: string, name: string): Promise<string> {
  const personId = await person(org, name);
  await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 100 });
  return personId;
}
