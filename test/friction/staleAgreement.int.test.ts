// STALE_AGREEMENT: a team with members but no ratified agreement after 30
// days, or no revisit for 90 days (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { draftAgreement, ratifyAgreement, revisitAgreement } from '../../src/agreements/agreements.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { addTeamMember, archiveTeam, changeMembership, removeTeamMember } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { person, team, useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'STALE_AGREEMENT';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const date = (value: Date) => value.toISOString().slice(0, 10);
const later = (value: Date, days: number) => new Date(value.getTime() + days * DAY_MS);

const join = (org: Commands, teamId: string, personId: string, occurredAt?: Date) =>
  org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 }, occurredAt ? { occurredAt } : {});

const draft = (org: Commands, teamId: string, occurredAt?: Date) =>
  org.run(draftAgreement, { teamId, mission: 'Take money' }, occurredAt ? { occurredAt } : {});

const ratify = (org: Commands, teamId: string, ratifiedBy: string[], occurredAt?: Date) =>
  org.run(ratifyAgreement, { teamId, ratifiedBy }, occurredAt ? { occurredAt } : {});

describe('STALE_AGREEMENT', () => {
  it('is raised for a team with members but no ratified agreement after 30 days, and resolved by ratifying one', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    const joinedAt = daysAgo(40);
    const joined = await join(org, payments, ada, joinedAt);

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      cause: 'NO_AGREEMENT',
      severity: 'MEDIUM',
      message: `Payments has had members since ${date(joinedAt)} but no ratified working agreement for at least 30 days.`,
      evidence: positionsOf(joined),
      teamIds: [payments],
    });

    // A role change does not restart the count; a draft is mentioned.
    await org.run(changeMembership, { teamId: payments, personId: ada, role: 'Lead' });
    const drafted = await draft(org, payments);
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      id: signal!.id,
      message: `Payments has had members since ${date(joinedAt)} but no ratified working agreement for at least 30 days; a draft (version 1) awaits ratification.`,
      evidence: [...positionsOf(joined), ...positionsOf(drafted)],
    });

    const ratified = await ratify(org, payments, [ada]);
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: ratified.events[0]!.occurredAt });
  });

  it('counts from when the team last came to have members, on timers, and is HIGH from 60 days', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const [ada, grace] = [await person(org, 'Ada'), await person(org, 'Grace')];
    await join(org, payments, ada, daysAgo(50));
    await org.run(removeTeamMember, { teamId: payments, personId: ada }, { occurredAt: daysAgo(45) });
    const joined = await join(org, payments, grace, daysAgo(20)); // nobody in between: counts from here
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    const since = joined.events[0]!.occurredAt;
    await fireTimersAt(db, org, later(since, 29.9));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await fireTimersAt(db, org, later(since, 30.1));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({ severity: 'MEDIUM', raisedAt: later(since, 30), evidence: positionsOf(joined) });
    await fireTimersAt(db, org, later(since, 60.1));
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      id: signal!.id,
      severity: 'HIGH',
      message: `Payments has had members since ${date(since)} but no ratified working agreement for at least 60 days.`,
      updatedAt: later(since, 60),
    });

    // Without members it is not judged.
    await org.run(removeTeamMember, { teamId: payments, personId: grace });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('is raised when the ratified agreement was not revisited for 90 days, counting from the latest revisit', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    await join(org, payments, ada, daysAgo(110));
    expect((await openOn(db, org, KIND, payments))[0]!.cause).toBe('NO_AGREEMENT');
    await draft(org, payments, daysAgo(105));
    const ratifiedAt = daysAgo(100);
    const ratified = await ratify(org, payments, [ada], ratifiedAt);

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: 'NOT_REVISITED',
      severity: 'LOW',
      message: `Payments has not revisited its working agreement (version 1) since it was ratified on ${date(ratifiedAt)}, for at least 90 days.`,
      evidence: positionsOf(ratified),
    });

    const revisit = await org.run(revisitAgreement, { teamId: payments, notes: 'All good' });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    const revisitedAt = revisit.events[0]!.occurredAt;
    await fireTimersAt(db, org, later(revisitedAt, 89.9));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await fireTimersAt(db, org, later(revisitedAt, 90.1));
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      cause: 'NOT_REVISITED',
      severity: 'LOW',
      message: `Payments has not revisited its working agreement (version 1) since ${date(revisitedAt)}, for at least 90 days.`,
      evidence: positionsOf(revisit),
      raisedAt: later(revisitedAt, 90),
    });
    await fireTimersAt(db, org, later(revisitedAt, 180.1));
    expect((await openOn(db, org, KIND, payments))[0]!.severity).toBe('MEDIUM');

    await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('follows the organization’s thresholds, re-evaluating when they change', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const [ada, grace] = [await person(org, 'Ada'), await person(org, 'Grace')];
    await join(org, payments, ada, daysAgo(25));
    await join(org, search, grace, daysAgo(60));
    await draft(org, search, daysAgo(55));
    await ratify(org, search, [grace], daysAgo(50));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    expect(await openOn(db, org, KIND, search)).toEqual([]);

    await org.run(setFrictionThresholds, { thresholds: { agreementGraceDays: 10 } });
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({ cause: 'NO_AGREEMENT', severity: 'HIGH' });
    expect(await openOn(db, org, KIND, search)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { agreementGraceDays: null, revisitDays: 40 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    expect((await openOn(db, org, KIND, search))[0]).toMatchObject({ cause: 'NOT_REVISITED', severity: 'LOW' });
    await org.run(setFrictionThresholds, { thresholds: { revisitDays: null } });
    expect(await openOn(db, org, KIND, search)).toEqual([]);
  });
});
