// WORK_SLIPPING: a responsibility without owner for 7 days, or owned by a
// person who left its team or the org (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { draftAgreement, ratifyAgreement } from '../../src/agreements/agreements.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { offboardPerson } from '../../src/people/people.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import { addTeamMember, archiveTeam, removeTeamMember, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { member, person, team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'WORK_SLIPPING';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const date = (value: Date) => value.toISOString().slice(0, 10);
const later = (value: Date, days: number) => new Date(value.getTime() + days * DAY_MS);

const define = (org: Commands, title: string, occurredAt?: Date) =>
  org.run(defineResponsibility, { title }, occurredAt ? { occurredAt } : {});

const assign = (org: Commands, responsibilityId: string, ownerId: string, occurredAt?: Date) =>
  org.run(assignResponsibility, { responsibilityId, ownerId }, occurredAt ? { occurredAt } : {});

/** Drafts and ratifies (by `ratifiers`) an agreement of the team listing the responsibilities. */
async function agree(org: Commands, teamId: string, responsibilityIds: string[], ratifiers: string[]) {
  await org.run(draftAgreement, { teamId, mission: 'Take money', responsibilityIds });
  return org.run(ratifyAgreement, { teamId, ratifiedBy: ratifiers });
}

describe('WORK_SLIPPING', () => {
  it('is raised once a responsibility has had no owner for 7 days, and HIGH from 14', async () => {
    const org = await newOrganization(db);
    const defined = await define(org, 'Billing');
    const billing = defined.result.responsibilityId;
    const definedAt = defined.events[0]!.occurredAt;
    await fireTimersAt(db, org, later(definedAt, 6.9));
    expect(await openOn(db, org, KIND, billing)).toEqual([]);

    await fireTimersAt(db, org, later(definedAt, 7.1));
    const [signal] = await openOn(db, org, KIND, billing);
    expect(signal).toMatchObject({
      subjectKind: 'RESPONSIBILITY',
      cause: 'UNOWNED',
      severity: 'MEDIUM',
      message: `Billing has had no owner since it was defined on ${date(definedAt)}, for at least 7 days.`,
      evidence: positionsOf(defined),
      teamIds: [],
      raisedAt: later(definedAt, 7),
    });

    await fireTimersAt(db, org, later(definedAt, 14.1));
    expect((await openOn(db, org, KIND, billing))[0]).toMatchObject({
      id: signal!.id,
      severity: 'HIGH',
      message: `Billing has had no owner since it was defined on ${date(definedAt)}, for at least 14 days.`,
      updatedAt: later(definedAt, 14),
    });

    const ada = await person(org, 'Ada');
    await assign(org, billing, ada);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    // Judged at the organization's clock, which the timers moved on.
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: later(definedAt, 14.1) });
  });

  it('counts from the end of the last ownership, naming the last owner; back-dated events are judged now', async () => {
    const org = await newOrganization(db);
    const billing = (await define(org, 'Billing', daysAgo(30))).result.responsibilityId;
    expect((await openOn(db, org, KIND, billing))[0]!.severity).toBe('HIGH'); // 30 days unowned, judged now
    const ada = await person(org, 'Ada');
    const assigned = await assign(org, billing, ada, daysAgo(20));
    expect(await openOn(db, org, KIND, billing)).toEqual([]);

    const unassignedAt = daysAgo(9);
    const unassigned = await org.run(
      unassignResponsibility,
      { responsibilityId: billing },
      { occurredAt: unassignedAt },
    );
    const [signal] = await openOn(db, org, KIND, billing);
    expect(signal).toMatchObject({
      cause: 'UNOWNED',
      severity: 'MEDIUM',
      message: `Billing has had no owner since ${date(unassignedAt)} (last owned by Ada), for at least 7 days.`,
      evidence: [...positionsOf(assigned), ...positionsOf(unassigned)],
    });

    await fireTimersAt(db, org, later(unassignedAt, 14.1));
    expect((await openOn(db, org, KIND, billing))[0]).toMatchObject({
      id: signal!.id,
      severity: 'HIGH',
      updatedAt: later(unassignedAt, 14),
    });
  });

  it('is raised, HIGH, when the owner leaves the organization, without flickering', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    const billing = (await define(org, 'Billing')).result.responsibilityId;
    await agree(org, payments, [billing], [ada]);
    const assigned = await assign(org, billing, ada);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);

    const offboarded = await org.run(offboardPerson, { personId: ada });
    const [signal] = await openOn(db, org, KIND, billing);
    const personEvent = offboarded.events.find((event) => event.type === 'PersonOffboarded')!;
    expect(signal).toMatchObject({
      cause: 'OWNER_LEFT',
      severity: 'HIGH',
      message: 'Billing is owned by Ada, who has left the organization.',
      evidence: [...positionsOf(assigned), personEvent.position],
      teamIds: [payments],
    });
    const changes = (await changesOf(db, org)).filter((change) => change.kind === KIND);
    expect(changes.map((change) => change.change)).toEqual(['RAISED']);

    const grace = await member(org, payments, 'Grace');
    await assign(org, billing, grace);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
  });

  it('is raised when the owner is not a member of the teams whose agreements list it', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const grace = await member(org, payments, 'Grace');
    const ada = await person(org, 'Ada');
    const joined = await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 50 });
    const billing = (await define(org, 'Billing')).result.responsibilityId;
    const ratified = await agree(org, payments, [billing], [grace]);
    const assigned = await assign(org, billing, ada);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);

    const removal = await org.run(removeTeamMember, { teamId: payments, personId: ada });
    const [signal] = await openOn(db, org, KIND, billing);
    expect(signal).toMatchObject({
      cause: 'OWNER_LEFT',
      severity: 'MEDIUM',
      message: 'Billing is owned by Ada, who is not a member of Payments, the team whose agreement lists it.',
      evidence: [...positionsOf(joined), ...positionsOf(ratified), ...positionsOf(assigned)],
      teamIds: [payments],
      raisedAt: removal.events[0]!.occurredAt,
    });

    // A second team lists it: both are named; the rename is followed.
    const bob = await member(org, search, 'Bob');
    await agree(org, search, [billing], [bob]);
    await org.run(renameTeam, { teamId: search, name: 'Discovery' });
    expect((await openOn(db, org, KIND, billing))[0]).toMatchObject({
      id: signal!.id,
      message:
        'Billing is owned by Ada, who is not a member of Discovery or Payments, the teams whose agreements list it.',
      teamIds: [payments, search].sort(),
    });

    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 50 });
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
  });

  it('is raised at once when the owner never was a member, and not for an owner of an unlisted responsibility', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const grace = await member(org, payments, 'Grace');
    const ada = await person(org, 'Ada');
    const [billing, refunds] = [
      (await define(org, 'Billing')).result.responsibilityId,
      (await define(org, 'Refunds')).result.responsibilityId,
    ];
    await assign(org, refunds, ada);
    await agree(org, payments, [billing], [grace]);
    await assign(org, billing, ada);
    expect((await openOn(db, org, KIND, billing))[0]).toMatchObject({ cause: 'OWNER_LEFT', severity: 'MEDIUM' });
    expect(await openOn(db, org, KIND, refunds)).toEqual([]);

    // A new version of the agreement without it: Payments is no longer its team.
    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', responsibilityIds: [] });
    expect(await openOn(db, org, KIND, billing)).toHaveLength(1); // a draft does not count
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [grace] });
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
  });

  it('stays raised, without flickering, when the team of the owner is archived; and is raised when the owning team is', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await member(org, payments, 'Ada');
    await member(org, payments, 'Grace');
    const [billing, indexing] = [
      (await define(org, 'Billing')).result.responsibilityId,
      (await define(org, 'Indexing')).result.responsibilityId,
    ];
    await agree(org, payments, [billing], [ada]);
    await assign(org, billing, ada);
    const assigned = await assign(org, indexing, search);
    expect(await signalsOf(db, org, KIND)).toEqual([]);

    await org.run(archiveTeam, { teamId: payments });
    const [signal] = await openOn(db, org, KIND, billing);
    expect(signal).toMatchObject({
      cause: 'OWNER_LEFT',
      message: 'Billing is owned by Ada, who is not a member of Payments, the team whose agreement lists it.',
      teamIds: [payments],
    });
    const changes = (await changesOf(db, org)).filter((change) => change.kind === KIND);
    expect(changes.map((change) => change.change)).toEqual(['RAISED']);

    // An active team listing it is its team again.
    const grace = await member(org, search, 'Grace Search');
    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 50 });
    await agree(org, search, [billing], [grace]);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);

    const archived = await org.run(archiveTeam, { teamId: search });
    expect((await openOn(db, org, KIND, indexing))[0]).toMatchObject({
      cause: 'OWNER_LEFT',
      severity: 'HIGH',
      message: 'Indexing is owned by Search, which is archived.',
      evidence: [...positionsOf(assigned), archived.events.find((event) => event.type === 'TeamArchived')!.position],
      teamIds: [search],
    });
  });

  it('follows the organization’s threshold, re-evaluating when it changes', async () => {
    const org = await newOrganization(db);
    const billing = (await define(org, 'Billing', daysAgo(5))).result.responsibilityId;
    await fireTimersAt(db, org, new Date());
    expect(await openOn(db, org, KIND, billing)).toEqual([]);

    await org.run(setFrictionThresholds, { thresholds: { unownedDays: 3 } });
    expect((await openOn(db, org, KIND, billing))[0]!.message).toMatch(/for at least 3 days\.$/);
    await org.run(setFrictionThresholds, { thresholds: { unownedDays: 2 } });
    expect((await openOn(db, org, KIND, billing))[0]).toMatchObject({
      severity: 'HIGH',
      message: expect.stringMatching(/for at least 4 days\.$/),
    });
    await org.run(setFrictionThresholds, { thresholds: { unownedDays: null } });
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
  });
});
