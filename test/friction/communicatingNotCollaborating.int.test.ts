// COMMUNICATING_NOT_COLLABORATING: two teams with an open dependency and 3+
// status updates but no joint work in 30 days (DOMAIN.md); one signal per
// pair, on the dependent team.
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { recordInteraction } from '../../src/collaboration/collaboration.ts';
import { changeDependencyStatus, declareDependency, resolveDependency } from '../../src/dependencies/dependencies.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { team, useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'COMMUNICATING_NOT_COLLABORATING';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const meta = (occurredAt?: Date) => (occurredAt ? { occurredAt } : {});

const declare = (org: Commands, fromTeamId: string, toTeamId: string, occurredAt?: Date) =>
  org.run(declareDependency, { fromTeamId, toTeamId, mode: 'COLLABORATION' }, meta(occurredAt));
const statusUpdate = (org: Commands, teamIds: string[], occurredAt?: Date) =>
  org.run(recordInteraction, { teamIds, kind: 'STATUS_UPDATE' }, meta(occurredAt));
const jointWork = (org: Commands, teamIds: string[], occurredAt?: Date) =>
  org.run(recordInteraction, { teamIds, kind: 'JOINT_WORK' }, meta(occurredAt));

async function twoTeams() {
  const org = await newOrganization(db);
  return { org, payments: await team(org, 'Payments'), search: await team(org, 'Search') };
}

const allOpen = async (org: Commands) => signalsOf(db, org, KIND, 'OPEN');

describe('COMMUNICATING_NOT_COLLABORATING', () => {
  it('is raised on the dependent team after 3 status updates without joint work', async () => {
    const { org, payments, search } = await twoTeams();
    const declared = await declare(org, payments, search);
    const updates = [await statusUpdate(org, [payments, search]), await statusUpdate(org, [search, payments])];
    expect(await allOpen(org)).toEqual([]);
    updates.push(await statusUpdate(org, [payments, search]));

    const [signal] = await allOpen(org);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      subjectId: payments,
      cause: search,
      severity: 'MEDIUM',
      message:
        'Payments and Search share an open dependency and exchanged 3 status updates but did no joint work in the last 30 days.',
      evidence: [...positionsOf(declared), ...updates.flatMap(positionsOf)],
      teamIds: [payments, search].sort(),
    });
    expect(signal!.raisedAt).toEqual(updates[2]!.events[0]!.occurredAt);

    const work = await jointWork(org, [search, payments]);
    expect(await allOpen(org)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: work.events[0]!.occurredAt });
  });

  it('needs an open dependency between the two teams', async () => {
    const { org, payments, search } = await twoTeams();
    for (let i = 0; i < 3; i++) await statusUpdate(org, [payments, search]);
    expect(await allOpen(org)).toEqual([]);

    const declared = await declare(org, search, payments);
    const [signal] = await allOpen(org);
    expect(signal).toMatchObject({ subjectId: search, cause: payments });
    expect(signal!.message).toMatch(/^Search and Payments share an open dependency/);

    await org.run(resolveDependency, { dependencyId: declared.result.dependencyId });
    expect(await allOpen(org)).toEqual([]);
  });

  it('counts the interactions listing both teams, pair by pair', async () => {
    const org = await newOrganization(db);
    const [payments, search, ledger] = [
      await team(org, 'Payments'),
      await team(org, 'Search'),
      await team(org, 'Ledger'),
    ];
    await declare(org, payments, search);
    await declare(org, payments, ledger);
    await statusUpdate(org, [payments, search, ledger]);
    await statusUpdate(org, [ledger, search, payments]);
    await statusUpdate(org, [search, ledger]); // not Payments
    expect(await allOpen(org)).toEqual([]);
    await statusUpdate(org, [search, payments]);
    expect((await allOpen(org)).map((signal) => [signal.subjectId, signal.cause])).toEqual([[payments, search]]);
    await statusUpdate(org, [ledger, payments]);
    expect((await openOn(db, org, KIND, payments)).map((signal) => signal.cause).sort()).toEqual(
      [search, ledger].sort(),
    );
  });

  it('raises one signal for teams depending on each other, HIGH while blocking', async () => {
    const { org, payments, search } = await twoTeams();
    await declare(org, payments, search);
    const back = await declare(org, search, payments);
    for (let i = 0; i < 3; i++) await statusUpdate(org, [payments, search]);
    const [holder, other] = [payments, search].sort();

    const open = await allOpen(org);
    expect(open.map((signal) => [signal.subjectId, signal.cause, signal.severity])).toEqual([
      [holder, other, 'MEDIUM'],
    ]);

    await org.run(changeDependencyStatus, { dependencyId: back.result.dependencyId, status: 'BLOCKING' });
    const [blocking] = await allOpen(org);
    expect(blocking).toMatchObject({ id: open[0]!.id, severity: 'HIGH' });
    expect(blocking!.message).toContain('share an open dependency that is blocking and exchanged 3 status updates');
  });

  it('follows the 30-day window: old status updates leave it, and so does old joint work', async () => {
    const { org, payments, search } = await twoTeams();
    await declare(org, payments, search, daysAgo(40));
    const first = daysAgo(25);
    await statusUpdate(org, [payments, search], first);
    await statusUpdate(org, [payments, search], daysAgo(24));
    await statusUpdate(org, [payments, search], daysAgo(23));
    expect(await allOpen(org)).toHaveLength(1);
    await fireTimersAt(db, org, new Date(Date.now() + 6 * DAY_MS));
    expect(await allOpen(org)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved!.resolvedAt).toEqual(new Date(first.getTime() + 30 * DAY_MS));

    const other = await twoTeams();
    await declare(other.org, other.payments, other.search, daysAgo(40));
    const work = daysAgo(28);
    await jointWork(other.org, [other.payments, other.search], work);
    for (let i = 0; i < 3; i++) await statusUpdate(other.org, [other.payments, other.search], daysAgo(10));
    expect(await allOpen(other.org)).toEqual([]);
    await fireTimersAt(db, other.org, new Date(Date.now() + 3 * DAY_MS));
    const [signal] = await allOpen(other.org);
    expect(signal!.raisedAt).toEqual(new Date(work.getTime() + 30 * DAY_MS));
  });

  it('follows the organization’s thresholds, re-evaluating when they change', async () => {
    const { org, payments, search } = await twoTeams();
    await declare(org, payments, search, daysAgo(20));
    for (let i = 0; i < 3; i++) await statusUpdate(org, [payments, search], daysAgo(10));
    expect(await allOpen(org)).toHaveLength(1);

    await org.run(setFrictionThresholds, { thresholds: { statusUpdates: 4 } });
    expect(await allOpen(org)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { statusUpdates: null } });
    expect(await allOpen(org)).toHaveLength(1);
    await org.run(setFrictionThresholds, { thresholds: { collaborationWindowDays: 7 } });
    expect(await allOpen(org)).toEqual([]);
  });

  it('resolves when either team is archived', async () => {
    const { org, payments, search } = await twoTeams();
    await declare(org, payments, search);
    for (let i = 0; i < 3; i++) await statusUpdate(org, [payments, search]);
    expect(await allOpen(org)).toHaveLength(1);
    await org.run(archiveTeam, { teamId: search });
    expect(await allOpen(org)).toEqual([]);
  });
});
