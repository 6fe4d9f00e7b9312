// Given/when/then for teams, membership and people: the invariants an org
// designer expects, checked against the events and the read models.
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { changeReportingLine, chooseFirstTeam, offboardPerson, registerPerson } from '../../src/people/people.ts';
import {
  addTeamMember,
  archiveTeam,
  changeMembership,
  changeTeamParent,
  formTeam,
  removeTeamMember,
  renameTeam,
} from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { eventCount, person, rejection, rows, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

describe('team names', () => {
  it('are unique among active teams, case-insensitively, and two racing formTeams end with one winner', async () => {
    const org = await newOrganization(db);
    const results = await Promise.allSettled(
      ['Payments', 'payments', ' PAYMENTS '].map((name) => org.run(formTeam, { name, kind: 'STREAM_ALIGNED' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results.filter((r) => r.status === 'rejected')) {
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(ConflictError);
    }
    expect(await rows(db, 'SELECT name FROM teams WHERE organization_id = $1', [org.organizationId])).toHaveLength(1);
  });

  it('are freed by a rename and by archiving, and are per organization', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const checkout = await team(org, 'Checkout');
    await team(other, 'Checkout');
    await org.run(renameTeam, { teamId: checkout, name: 'Cart' });
    const second = await team(org, 'Checkout');
    await expect(org.run(formTeam, { name: 'cart', kind: 'PLATFORM' })).rejects.toBeInstanceOf(ConflictError);
    await org.run(archiveTeam, { teamId: checkout });
    await team(org, 'Cart');
    expect(second).toBeDefined();
  });
});

describe('membership', () => {
  it('adds, changes and removes members with role and allocation, as intervals in org time', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 60 });
    await org.run(changeMembership, { teamId: payments, personId: ada, role: 'Tech Lead' });
    const memberships = await rows(
      db,
      'SELECT role, allocation, valid_to IS NULL AS current FROM memberships WHERE team_id = $1 ORDER BY valid_from, position',
      [payments],
    );
    expect(memberships).toEqual([
      { role: 'Engineer', allocation: 60, current: false },
      { role: 'Tech Lead', allocation: 60, current: true },
    ]);
    await org.run(removeTeamMember, { teamId: payments, personId: ada });
    expect(await rows(db, 'SELECT 1 FROM memberships WHERE team_id = $1 AND valid_to IS NULL', [payments])).toEqual([]);
    expect(await rows(db, 'SELECT version FROM teams WHERE id = $1', [payments])).toEqual([{ version: 4 }]);
  });

  it('rejects allocations outside 1..100 and a second add of a member, writing nothing', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    const before = await eventCount(db);
    for (const allocation of [0, 101, 50.5, -1]) {
      expect(
        await rejection(() =>
          org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation }),
        ),
      ).toBeInstanceOf(ValidationError);
    }
    expect(await eventCount(db)).toBe(before);
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 50 });
    expect(
      await rejection(() =>
        org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 50 }),
      ),
    ).toBeInstanceOf(ConflictError);
  });

  it('puts a back-dated change in its place in the history', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    const t = (day: number) => new Date(Date.UTC(2026, 0, day));
    await org.run(
      addTeamMember,
      { teamId: payments, personId: ada, role: 'Engineer', allocation: 50 },
      { occurredAt: t(1) },
    );
    await org.run(changeMembership, { teamId: payments, personId: ada, allocation: 80 }, { occurredAt: t(20) });
    // Learned late: she became Tech Lead on the 10th.
    await org.run(changeMembership, { teamId: payments, personId: ada, role: 'Tech Lead' }, { occurredAt: t(10) });
    const history = await rows(
      db,
      'SELECT role, allocation, valid_from, valid_to FROM memberships WHERE team_id = $1 ORDER BY valid_from',
      [payments],
    );
    expect(history).toEqual([
      { role: 'Engineer', allocation: 50, valid_from: t(1), valid_to: t(10) },
      { role: 'Tech Lead', allocation: 80, valid_from: t(10), valid_to: t(20) },
      { role: 'Engineer', allocation: 80, valid_from: t(20), valid_to: null },
    ]);
  });
});

describe('first team', () => {
  it('must be one of the person’s teams, and is cleared when they leave it', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const search = await team(org, 'Search');
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    expect(await rejection(() => org.run(chooseFirstTeam, { personId: ada, teamId: search }))).toBeInstanceOf(
      ConflictError,
    );
    await org.run(chooseFirstTeam, { personId: ada, teamId: payments });
    expect(await rows(db, 'SELECT first_team_id FROM people WHERE id = $1', [ada])).toEqual([
      { first_team_id: payments },
    ]);

    const left = await org.run(removeTeamMember, { teamId: payments, personId: ada });
    expect(left.events.map((e) => e.type)).toEqual(['TeamMemberRemoved', 'FirstTeamCleared']);
    expect(await rows(db, 'SELECT first_team_id FROM people WHERE id = $1', [ada])).toEqual([{ first_team_id: null }]);
  });

  it('is cleared when the team is archived, which also ends its memberships', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    await org.run(chooseFirstTeam, { personId: ada, teamId: payments });
    const archived = await org.run(archiveTeam, { teamId: payments });
    expect(archived.events.map((e) => e.type)).toEqual(['TeamMemberRemoved', 'TeamArchived', 'FirstTeamCleared']);
    expect(await rows(db, 'SELECT first_team_id FROM people WHERE id = $1', [ada])).toEqual([{ first_team_id: null }]);
    expect(await rows(db, 'SELECT archived_at IS NOT NULL AS archived FROM teams WHERE id = $1', [payments])).toEqual([
      { archived: true },
    ]);
  });
});

describe('archived teams and offboarded people', () => {
  it('never leaves an offboarded person in a team, however the two commands race', async () => {
    const org = await newOrganization(db);
    const teamId = await team(org, 'Racers');
    for (let trial = 0; trial < 10; trial++) {
      const personId = await person(org, `Racer ${trial}`);
      // Adding to a team and offboarding touch different streams: only the
      // organization's command order keeps the one from deciding on the other's past.
      await Promise.allSettled([
        org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 }),
        org.run(offboardPerson, { personId }),
      ]);
    }
    const stranded = await rows(
      db,
      `SELECT m.person_id FROM memberships m JOIN people p ON p.id = m.person_id
       WHERE m.team_id = $1 AND m.valid_to IS NULL AND p.offboarded_at IS NOT NULL`,
      [teamId],
    );
    expect(stranded).toEqual([]);
  });

  it('accept no more commands', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    const grace = await person(org, 'Grace');
    await org.run(archiveTeam, { teamId: payments });
    await org.run(offboardPerson, { personId: grace });
    const before = await eventCount(db);
    for (const attempt of [
      () => org.run(renameTeam, { teamId: payments, name: 'Pay' }),
      () => org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 10 }),
      () => org.run(archiveTeam, { teamId: payments }),
      () => org.run(changeReportingLine, { personId: grace, managerId: ada }),
      () => org.run(offboardPerson, { personId: grace }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(ConflictError);
    }
    expect(await eventCount(db)).toBe(before);
  });

  it('offboarding ends memberships and the first team and frees the email', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada', { email: 'ada@acme.test' });
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    await org.run(chooseFirstTeam, { personId: ada, teamId: payments });
    const outcome = await org.run(offboardPerson, { personId: ada });
    expect(outcome.events.map((e) => e.type)).toEqual(['FirstTeamCleared', 'PersonOffboarded', 'TeamMemberRemoved']);
    expect(await rows(db, 'SELECT 1 FROM memberships WHERE person_id = $1 AND valid_to IS NULL', [ada])).toEqual([]);
    await person(org, 'Ada', { email: 'ada@acme.test' });
  });

  it('ids of another organization are not found', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const theirTeam = await team(other, 'Payments');
    const theirPerson = await person(other, 'Ada');
    const mine = await person(org, 'Grace');
    expect(await rejection(() => org.run(renameTeam, { teamId: theirTeam, name: 'Mine' }))).toBeInstanceOf(
      NotFoundError,
    );
    expect(
      await rejection(() => org.run(changeReportingLine, { personId: mine, managerId: theirPerson })),
    ).toBeInstanceOf(NotFoundError);
  });
});

describe('cycles', () => {
  it('no reporting-line cycles, also when two changes race', async () => {
    const org = await newOrganization(db);
    const ceo = await person(org, 'Ceo', { discipline: 'OTHER' });
    const cto = await person(org, 'Cto', { managerId: ceo });
    const lead = await person(org, 'Lead', { managerId: cto });
    expect(await rejection(() => org.run(changeReportingLine, { personId: ceo, managerId: lead }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await rejection(() => org.run(changeReportingLine, { personId: ceo, managerId: ceo }))).toBeInstanceOf(
      ConflictError,
    );

    const a = await person(org, 'A');
    const b = await person(org, 'B');
    const race = await Promise.allSettled([
      org.run(changeReportingLine, { personId: a, managerId: b }),
      org.run(changeReportingLine, { personId: b, managerId: a }),
    ]);
    expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
  });

  it('no team-parent cycles', async () => {
    const org = await newOrganization(db);
    const tribe = await team(org, 'Tribe', 'LEADERSHIP');
    const squad = await team(org, 'Squad');
    await org.run(changeTeamParent, { teamId: squad, parentTeamId: tribe });
    expect(await rejection(() => org.run(changeTeamParent, { teamId: tribe, parentTeamId: squad }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await rejection(() => org.run(changeTeamParent, { teamId: tribe, parentTeamId: tribe }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await rows(db, 'SELECT parent_team_id FROM teams WHERE id = $1', [squad])).toEqual([
      { parent_team_id: tribe },
    ]);
  });
});

describe('person emails', () => {
  it('are unique within an organization', async () => {
    const org = await newOrganization(db);
    await org.run(registerPerson, { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING' });
    expect(
      await rejection(() => org.run(registerPerson, { name: 'Ada L', email: 'ADA@acme.test', discipline: 'PRODUCT' })),
    ).toBeInstanceOf(ConflictError);
    const other = await newOrganization(db);
    await other.run(registerPerson, { name: 'Ada', email: 'ada@acme.test', discipline: 'ENGINEERING' });
  });
});
