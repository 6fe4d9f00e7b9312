// Given/when/then for working agreements: drafted, ratified by current members
// as version n, amended and ratified as n+1 (superseding n), revisited.
import { describe, expect, it } from 'vitest';
import { draftAgreement, ratifyAgreement, revisitAgreement } from '../../src/agreements/agreements.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { defineResponsibility } from '../../src/responsibilities/responsibilities.ts';
import { archiveTeam, removeTeamMember } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { eventCount, member, person, rejection, rows, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const responsibility = async (org: Commands, title: string) =>
  (await org.run(defineResponsibility, { title })).result.responsibilityId;

describe('the agreement lifecycle', () => {
  it('drafts, re-drafts, ratifies v1, amends and ratifies v2 (superseding v1), and revisits', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    const grace = await member(org, payments, 'Grace');
    const onCall = await responsibility(org, 'On-call for payments');

    const drafted = await org.run(draftAgreement, {
      teamId: payments,
      mission: 'Take money safely',
      metrics: [{ name: 'Checkout conversion', kind: 'VALUE', target: '3%' }],
    });
    expect(drafted.result).toEqual({ teamId: payments });
    expect(drafted.events.map((e) => [e.type, e.data])).toEqual([
      [
        'AgreementDrafted',
        {
          teamId: payments,
          version: 1,
          name: null,
          mission: 'Take money safely',
          metrics: [{ name: 'Checkout conversion', kind: 'VALUE', target: '3%' }],
          responsibilityIds: [],
          skills: [],
          norms: '',
        },
      ],
    ]);

    // A second draft before ratification replaces the first.
    const redrafted = await org.run(draftAgreement, {
      teamId: payments,
      name: 'Payments charter',
      mission: 'Take money safely and fast',
      metrics: [{ name: 'Deploys', kind: 'ACTIVITY' }],
      responsibilityIds: [onCall],
      skills: ['Go', 'PCI'],
      norms: 'We review every change in pairs.',
    });
    expect(redrafted.events[0]?.data).toMatchObject({ version: 1, metrics: [{ name: 'Deploys', target: null }] });
    expect(
      await rows(db, 'SELECT version, status, name, mission, responsibility_ids FROM agreements WHERE team_id = $1', [
        payments,
      ]),
    ).toEqual([
      {
        version: 1,
        status: 'DRAFT',
        name: 'Payments charter',
        mission: 'Take money safely and fast',
        responsibility_ids: [onCall],
      },
    ]);

    const ratified = await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada, grace] });
    expect(ratified.events.map((e) => [e.type, e.data])).toEqual([
      ['AgreementRatified', { teamId: payments, version: 1, ratifiedBy: [ada, grace] }],
    ]);

    const amended = await org.run(draftAgreement, { teamId: payments, mission: 'Take money safely, everywhere' });
    expect(amended.events[0]?.data).toMatchObject({ version: 2 });
    expect(
      await rows(db, 'SELECT version, status FROM agreements WHERE team_id = $1 ORDER BY version', [payments]),
    ).toEqual([
      { version: 1, status: 'RATIFIED' },
      { version: 2, status: 'DRAFT' },
    ]);

    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [grace] });
    expect(
      await rows(
        db,
        'SELECT version, status, ratified_by, ratified_at IS NOT NULL AS ratified FROM agreements WHERE team_id = $1 ORDER BY version',
        [payments],
      ),
    ).toEqual([
      { version: 1, status: 'SUPERSEDED', ratified_by: [ada, grace], ratified: true },
      { version: 2, status: 'RATIFIED', ratified_by: [grace], ratified: true },
    ]);

    const revisited = await org.run(revisitAgreement, { teamId: payments, notes: 'Still holds.' });
    expect(revisited.events.map((e) => [e.type, e.data])).toEqual([
      ['AgreementRevisited', { teamId: payments, version: 2, notes: 'Still holds.' }],
    ]);
    await org.run(revisitAgreement, { teamId: payments });
    expect(
      await rows(db, 'SELECT version, notes FROM agreement_revisits WHERE team_id = $1 ORDER BY position', [payments]),
    ).toEqual([
      { version: 2, notes: 'Still holds.' },
      { version: 2, notes: null },
    ]);
    expect(
      await rows(
        db,
        'SELECT version, last_revisited_at IS NOT NULL AS revisited FROM agreements WHERE team_id = $1 ORDER BY version',
        [payments],
      ),
    ).toEqual([
      { version: 1, revisited: false },
      { version: 2, revisited: true },
    ]);
    // Formed, two members, then seven agreement events.
    expect(await rows(db, 'SELECT version FROM teams WHERE id = $1', [payments])).toEqual([{ version: 10 }]);
  });

  it('honours expectedVersion on the team stream', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    expect(
      await rejection(() => org.run(draftAgreement, { teamId: payments, mission: 'M' }, { expectedVersion: 5 })),
    ).toBeInstanceOf(ConflictError);
    await org.run(draftAgreement, { teamId: payments, mission: 'M' }, { expectedVersion: 1 });
  });
});

describe('ratification', () => {
  it('is only by current members: non-members and removed members are named and rejected, writing nothing', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const search = await team(org, 'Search');
    const ada = await member(org, payments, 'Ada');
    const grace = await member(org, payments, 'Grace');
    const linus = await member(org, search, 'Linus');
    await org.run(removeTeamMember, { teamId: payments, personId: grace });
    await org.run(draftAgreement, { teamId: payments, mission: 'Take money safely' });
    const before = await eventCount(db);

    const outsider = await rejection(() => org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada, linus] }));
    expect(outsider).toBeInstanceOf(ConflictError);
    expect((outsider as Error).message).toContain('Linus');
    const removed = await rejection(() => org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [grace, ada] }));
    expect(removed).toBeInstanceOf(ConflictError);
    expect((removed as Error).message).toContain('Grace');
    expect((removed as Error).message).not.toContain('Ada');

    for (const ratifiedBy of [[], [ada, ada], ['not-an-id']]) {
      expect(await rejection(() => org.run(ratifyAgreement, { teamId: payments, ratifiedBy }))).toBeInstanceOf(
        ValidationError,
      );
    }
    expect(await eventCount(db)).toBe(before);
    expect(await rows(db, 'SELECT status FROM agreements WHERE team_id = $1', [payments])).toEqual([
      { status: 'DRAFT' },
    ]);
  });

  it('needs a pending draft, and a revisit needs a ratified agreement', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    const before = await eventCount(db);
    expect(await rejection(() => org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await rejection(() => org.run(revisitAgreement, { teamId: payments }))).toBeInstanceOf(ConflictError);
    await org.run(draftAgreement, { teamId: payments, mission: 'M' });
    expect(await rejection(() => org.run(revisitAgreement, { teamId: payments }))).toBeInstanceOf(ConflictError);
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] });
    const after = await eventCount(db);
    // The draft is used up by ratification.
    expect(await rejection(() => org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] }))).toBeInstanceOf(
      ConflictError,
    );
    expect(await eventCount(db)).toBe(after);
    expect(after).toBe(before + 2);
  });
});

describe('references', () => {
  it('ids of another organization are not found: team, responsibility, ratifier', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    const theirTeam = await team(other, 'Payments');
    const theirResponsibility = await responsibility(other, 'On-call');
    const theirPerson = await person(other, 'Grace');
    const unknownResponsibility = '019a0000-0000-7000-8000-000000000000';
    await org.run(draftAgreement, { teamId: payments, mission: 'M' });
    const before = await eventCount(db);
    for (const attempt of [
      () => org.run(draftAgreement, { teamId: theirTeam, mission: 'M' }),
      () => org.run(draftAgreement, { teamId: payments, mission: 'M', responsibilityIds: [theirResponsibility] }),
      () => org.run(draftAgreement, { teamId: payments, mission: 'M', responsibilityIds: [unknownResponsibility] }),
      () => org.run(ratifyAgreement, { teamId: theirTeam, ratifiedBy: [ada] }),
      () => org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada, theirPerson] }),
      () => org.run(revisitAgreement, { teamId: theirTeam }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(NotFoundError);
    }
    expect(await eventCount(db)).toBe(before);
  });

  it('rejects a responsibility listed twice and a mission that is blank', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const onCall = await responsibility(org, 'On-call');
    const before = await eventCount(db);
    for (const attempt of [
      () => org.run(draftAgreement, { teamId: payments, mission: 'M', responsibilityIds: [onCall, onCall] }),
      () => org.run(draftAgreement, { teamId: payments, mission: '   ' }),
      () => org.run(draftAgreement, { teamId: payments, mission: 'M', metrics: [{ name: 'X', kind: 'VANITY' }] }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(ValidationError);
    }
    expect(await eventCount(db)).toBe(before);
  });
});

describe('an archived team', () => {
  it('accepts no agreement commands', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    await org.run(draftAgreement, { teamId: payments, mission: 'M' });
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] });
    await org.run(draftAgreement, { teamId: payments, mission: 'M2' });
    await org.run(archiveTeam, { teamId: payments });
    const before = await eventCount(db);
    for (const attempt of [
      () => org.run(draftAgreement, { teamId: payments, mission: 'M3' }),
      () => org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada] }),
      () => org.run(revisitAgreement, { teamId: payments }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(ConflictError);
    }
    expect(await eventCount(db)).toBe(before);
  });
});
