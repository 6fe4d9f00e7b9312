import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { ConcurrencyError } from '../../src/eventStore/errors.ts';
import { offboardPerson } from '../../src/people/people.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { day, person, rejectsWritingNothing, team, UNKNOWN_ID, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const responsibilityRow = async (id: string) =>
  (
    await db.pool.query(
      `SELECT organization_id, title, description, category, owner_person_id, owner_team_id, owned_since,
              defined_at, version
       FROM responsibilities WHERE id = $1`,
      [id],
    )
  ).rows[0];

const ledger = async (responsibilityId: string) =>
  (
    await db.pool.query(
      `SELECT owner_kind, owner_id, valid_from, valid_to, reason, actor FROM ownership_intervals
       WHERE responsibility_id = $1 ORDER BY valid_from`,
      [responsibilityId],
    )
  ).rows;

/** Events and responsibility rows of the organization, to show a rejected command wrote nothing. */
const footprint = async (org: Commands) =>
  (
    await db.pool.query(
      `SELECT (SELECT count(*)::int FROM events WHERE organization_id = $1) AS events,
              (SELECT json_agg(r ORDER BY r.id) FROM responsibilities r WHERE organization_id = $1) AS rows,
              (SELECT json_agg(i ORDER BY i.id) FROM ownership_intervals i WHERE organization_id = $1) AS ledger`,
      [org.organizationId],
    )
  ).rows[0];

const expectRejected = rejectsWritingNothing(footprint);

async function responsibility(org: Commands, occurredAt?: Date): Promise<string> {
  const outcome = await org.run(
    defineResponsibility,
    { title: 'On-call for checkout' },
    occurredAt ? { occurredAt } : {},
  );
  return outcome.result.responsibilityId;
}

describe('defineResponsibility', () => {
  it('defines a responsibility, unowned, in category GENERAL unless told', async () => {
    const org = await newOrganization(db);
    const outcome = await org.run(defineResponsibility, { title: ' Release notes ' });
    const { responsibilityId } = outcome.result;
    expect(outcome.events.map((e) => [e.type, e.streamId, e.data])).toEqual([
      [
        'ResponsibilityDefined',
        `responsibility-${responsibilityId}`,
        { responsibilityId, title: 'Release notes', description: null, category: 'GENERAL' },
      ],
    ]);
    expect(await responsibilityRow(responsibilityId)).toEqual({
      organization_id: org.organizationId,
      title: 'Release notes',
      description: null,
      category: 'GENERAL',
      owner_person_id: null,
      owner_team_id: null,
      owned_since: outcome.events[0]!.occurredAt,
      defined_at: outcome.events[0]!.occurredAt,
      version: 1,
    });
    expect(await ledger(responsibilityId)).toEqual([]);
  });

  it('keeps a given description and category', async () => {
    const org = await newOrganization(db);
    const outcome = await org.run(defineResponsibility, {
      title: 'Incident reviews',
      description: 'Run a blameless review within a week',
      category: 'Operations',
    });
    expect(outcome.events[0]!.data).toMatchObject({
      description: 'Run a blameless review within a week',
      category: 'Operations',
    });
  });

  it('rejects malformed input with nothing written', async () => {
    const org = await newOrganization(db);
    for (const input of [
      {},
      { title: '' },
      { title: 'x'.repeat(201) },
      { title: 'Ok', category: ' ' },
      { title: 'Ok', category: 'x'.repeat(101) },
      { title: 'Ok', description: 'x'.repeat(10_001) },
    ]) {
      await expectRejected(org, () => org.run(defineResponsibility, input), ValidationError);
    }
  });
});

describe('assignResponsibility', () => {
  it('assigns a person, then hands over to a team, keeping the ledger', async () => {
    const org = await newOrganization(db);
    const ada = await person(org, 'Ada');
    const payments = await team(org, 'Payments');
    const responsibilityId = await responsibility(org);

    const first = await org.run(
      assignResponsibility,
      { responsibilityId, ownerId: ada },
      { actor: 'cto', reason: 'knows the code' },
    );
    expect(first.result).toEqual({ responsibilityId });
    expect(first.events.map((e) => [e.type, e.data, e.streamVersion])).toEqual([
      ['ResponsibilityAssigned', { responsibilityId, owner: { kind: 'PERSON', id: ada }, previousOwner: null }, 2],
    ]);
    expect(await responsibilityRow(responsibilityId)).toMatchObject({
      owner_person_id: ada,
      owner_team_id: null,
      owned_since: first.events[0]!.occurredAt,
      version: 2,
    });

    const second = await org.run(assignResponsibility, { responsibilityId, ownerId: payments });
    expect(second.events.map((e) => e.data)).toEqual([
      { responsibilityId, owner: { kind: 'TEAM', id: payments }, previousOwner: { kind: 'PERSON', id: ada } },
    ]);
    expect(await responsibilityRow(responsibilityId)).toMatchObject({
      owner_person_id: null,
      owner_team_id: payments,
      version: 3,
    });
    expect(await ledger(responsibilityId)).toEqual([
      {
        owner_kind: 'PERSON',
        owner_id: ada,
        valid_from: first.events[0]!.occurredAt,
        valid_to: second.events[0]!.occurredAt,
        reason: 'knows the code',
        actor: 'cto',
      },
      {
        owner_kind: 'TEAM',
        owner_id: payments,
        valid_from: second.events[0]!.occurredAt,
        valid_to: null,
        reason: null,
        actor: 'test',
      },
    ]);
  });

  it('appends nothing when the owner already owns it', async () => {
    const org = await newOrganization(db);
    const ada = await person(org, 'Ada');
    const responsibilityId = await responsibility(org);
    const assigned = await org.run(assignResponsibility, { responsibilityId, ownerId: ada });
    const again = await org.run(assignResponsibility, { responsibilityId, ownerId: ada });
    expect(again.events).toEqual([]);
    expect(again.position).toBe(assigned.position);
    expect(await ledger(responsibilityId)).toHaveLength(1);
  });

  it('puts a back-dated assignment in its place in org time', async () => {
    const org = await newOrganization(db);
    const [a, c] = [await person(org, 'Ada'), await person(org, 'Cyd')];
    const b = await team(org, 'Platform');
    const responsibilityId = await responsibility(org, day(1));

    await org.run(assignResponsibility, { responsibilityId, ownerId: a }, { occurredAt: day(10) });
    await org.run(assignResponsibility, { responsibilityId, ownerId: b }, { occurredAt: day(30) });
    // Learned late: C owned it from day 20 until B took over.
    const late = await org.run(
      assignResponsibility,
      { responsibilityId, ownerId: c },
      { occurredAt: day(20), reason: 'found in the wiki history' },
    );

    expect(late.events.map((e) => [e.data, e.occurredAt])).toEqual([
      [{ responsibilityId, owner: { kind: 'PERSON', id: c }, previousOwner: { kind: 'PERSON', id: a } }, day(20)],
    ]);
    expect(
      (await ledger(responsibilityId)).map((row) => [row.owner_id, row.valid_from, row.valid_to, row.reason]),
    ).toEqual([
      [a, day(10), day(20), null],
      [c, day(20), day(30), 'found in the wiki history'],
      [b, day(30), null, null],
    ]);
    expect(await responsibilityRow(responsibilityId)).toMatchObject({
      owner_person_id: null,
      owner_team_id: b,
      owned_since: day(30),
    });

    // Now (after day 30) B holds it; on day 25, C did: assigning them again then changes nothing.
    expect((await org.run(assignResponsibility, { responsibilityId, ownerId: b })).events).toEqual([]);
    expect(
      (await org.run(assignResponsibility, { responsibilityId, ownerId: c }, { occurredAt: day(25) })).events,
    ).toEqual([]);
  });

  it('refuses an assignment back-dated before the responsibility was defined', async () => {
    const org = await newOrganization(db);
    const ada = await person(org, 'Ada');
    const responsibilityId = await responsibility(org, day(10));
    await expectRejected(
      org,
      () => org.run(assignResponsibility, { responsibilityId, ownerId: ada }, { occurredAt: day(9) }),
      ConflictError,
    );
  });

  it('treats unknown owners and other organizations’ people and teams as not found', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    const theirPerson = await person(other, 'Ada');
    const theirTeam = await team(other, 'Payments');
    const responsibilityId = await responsibility(org);
    for (const ownerId of [UNKNOWN_ID, theirPerson, theirTeam]) {
      await expectRejected(org, () => org.run(assignResponsibility, { responsibilityId, ownerId }), NotFoundError);
    }
  });

  it('treats unknown responsibilities and other organizations’ ones as not found', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    const ada = await person(org, 'Ada');
    const theirs = await responsibility(other);
    for (const responsibilityId of [UNKNOWN_ID, theirs]) {
      await expectRejected(org, () => org.run(assignResponsibility, { responsibilityId, ownerId: ada }), NotFoundError);
    }
    expect(await responsibilityRow(theirs)).toMatchObject({ owner_person_id: null, version: 1 });
  });

  it('refuses an offboarded person and an archived team', async () => {
    const org = await newOrganization(db);
    const gone = await person(org, 'Gone');
    await org.run(offboardPerson, { personId: gone });
    const archived = await team(org, 'Old');
    await org.run(archiveTeam, { teamId: archived });
    const responsibilityId = await responsibility(org);
    for (const ownerId of [gone, archived]) {
      await expectRejected(org, () => org.run(assignResponsibility, { responsibilityId, ownerId }), ConflictError);
    }
  });

  it('rejects malformed ids and honours expectedVersion, writing nothing', async () => {
    const org = await newOrganization(db);
    const ada = await person(org, 'Ada');
    const responsibilityId = await responsibility(org);
    await expectRejected(
      org,
      () => org.run(assignResponsibility, { responsibilityId, ownerId: 'ada' }),
      ValidationError,
    );
    await expectRejected(org, () => org.run(assignResponsibility, { responsibilityId }), ValidationError);
    await expectRejected(
      org,
      () => org.run(assignResponsibility, { responsibilityId, ownerId: ada }, { expectedVersion: 2 }),
      ConcurrencyError,
    );
    const pinned = await org.run(assignResponsibility, { responsibilityId, ownerId: ada }, { expectedVersion: 1 });
    expect(pinned.events).toHaveLength(1);
  });
});

describe('unassignResponsibility', () => {
  it('ends the current ownership', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const responsibilityId = await responsibility(org);
    const assigned = await org.run(assignResponsibility, { responsibilityId, ownerId: payments });
    const unassigned = await org.run(unassignResponsibility, { responsibilityId }, { reason: 'team split' });
    expect(unassigned.result).toEqual({ responsibilityId });
    expect(unassigned.events.map((e) => [e.type, e.data])).toEqual([
      ['ResponsibilityUnassigned', { responsibilityId, previousOwner: { kind: 'TEAM', id: payments } }],
    ]);
    expect(await responsibilityRow(responsibilityId)).toMatchObject({
      owner_person_id: null,
      owner_team_id: null,
      owned_since: unassigned.events[0]!.occurredAt,
      version: 3,
    });
    expect(await ledger(responsibilityId)).toEqual([
      {
        owner_kind: 'TEAM',
        owner_id: payments,
        valid_from: assigned.events[0]!.occurredAt,
        valid_to: unassigned.events[0]!.occurredAt,
        reason: null,
        actor: 'test',
      },
    ]);
  });

  it('closes the interval that held at a back-dated moment', async () => {
    const org = await newOrganization(db);
    const [a, b] = [await person(org, 'Ada'), await person(org, 'Bo')];
    const responsibilityId = await responsibility(org, day(1));
    await org.run(assignResponsibility, { responsibilityId, ownerId: a }, { occurredAt: day(10) });
    await org.run(assignResponsibility, { responsibilityId, ownerId: b }, { occurredAt: day(30) });
    const unassigned = await org.run(unassignResponsibility, { responsibilityId }, { occurredAt: day(20) });
    expect(unassigned.events[0]!.data).toEqual({ responsibilityId, previousOwner: { kind: 'PERSON', id: a } });
    expect((await ledger(responsibilityId)).map((row) => [row.owner_id, row.valid_from, row.valid_to])).toEqual([
      [a, day(10), day(20)],
      [b, day(30), null],
    ]);
    expect(await responsibilityRow(responsibilityId)).toMatchObject({ owner_person_id: b });
  });

  it('refuses when nobody owns it, then or now', async () => {
    const org = await newOrganization(db);
    const ada = await person(org, 'Ada');
    const responsibilityId = await responsibility(org, day(1));
    await expectRejected(org, () => org.run(unassignResponsibility, { responsibilityId }), ConflictError);
    await org.run(assignResponsibility, { responsibilityId, ownerId: ada }, { occurredAt: day(10) });
    await expectRejected(
      org,
      () => org.run(unassignResponsibility, { responsibilityId }, { occurredAt: day(5) }),
      ConflictError,
    );
    await org.run(unassignResponsibility, { responsibilityId });
    await expectRejected(org, () => org.run(unassignResponsibility, { responsibilityId }), ConflictError);
  });

  it('treats unknown responsibilities and other organizations’ ones as not found', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db, 'Other');
    const theirPerson = await person(other, 'Ada');
    const theirs = await responsibility(other);
    await other.run(assignResponsibility, { responsibilityId: theirs, ownerId: theirPerson });
    for (const responsibilityId of [UNKNOWN_ID, theirs]) {
      await expectRejected(org, () => org.run(unassignResponsibility, { responsibilityId }), NotFoundError);
    }
    expect(await responsibilityRow(theirs)).toMatchObject({ owner_person_id: theirPerson });
  });
});
