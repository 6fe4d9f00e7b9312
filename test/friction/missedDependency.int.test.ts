// MISSED_DEPENDENCY: an open dependency discovered late, BLOCKING for 14 days,
// or on an archived team; one signal per dependency on the dependent team (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { changeDependencyStatus, declareDependency, resolveDependency } from '../../src/dependencies/dependencies.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { team, useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'MISSED_DEPENDENCY';

const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);
const isoDay = (date: Date) => date.toISOString().slice(0, 10);

type Declared = { discoveredLate?: boolean; status?: string; description?: string };

const declare = (org: Commands, fromTeamId: string, toTeamId: string, input: Declared = {}, occurredAt?: Date) =>
  org.run(
    declareDependency,
    { fromTeamId, toTeamId, mode: 'X_AS_A_SERVICE', ...input },
    occurredAt ? { occurredAt } : {},
  );

async function twoTeams() {
  const org = await newOrganization(db);
  return { org, payments: await team(org, 'Payments'), search: await team(org, 'Search') };
}

describe('MISSED_DEPENDENCY', () => {
  it('is raised on the dependent team for a dependency discovered late, until it is resolved', async () => {
    const { org, payments, search } = await twoTeams();
    const declared = await declare(org, payments, search, { discoveredLate: true, description: 'Card tokens' });
    const dependencyId = declared.result.dependencyId;

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      cause: dependencyId,
      severity: 'MEDIUM',
      message: 'Payments depends on Search (Card tokens): it was discovered late.',
      evidence: positionsOf(declared),
      teamIds: [payments, search].sort(),
    });
    expect(signal!.raisedAt).toEqual(declared.events[0]!.occurredAt);
    expect(await openOn(db, org, KIND, search)).toEqual([]);

    const resolution = await org.run(resolveDependency, { dependencyId });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({
      id: signal!.id,
      status: 'RESOLVED',
      resolvedAt: resolution.events[0]!.occurredAt,
    });
  });

  it('is raised when a dependency has been BLOCKING for 14 days, at that moment', async () => {
    const { org, payments, search } = await twoTeams();
    const dependencyId = (await declare(org, payments, search, {})).result.dependencyId;
    const blocking = await org.run(changeDependencyStatus, { dependencyId, status: 'BLOCKING' });
    const since = blocking.events[0]!.occurredAt;
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    const due = new Date(since.getTime() + 14 * DAY_MS);
    await fireTimersAt(db, org, new Date(due.getTime() - 1));
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await fireTimersAt(db, org, new Date(due.getTime() + DAY_MS));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: dependencyId,
      severity: 'HIGH',
      message: `Payments depends on Search: it has been blocking since ${isoDay(since)}, over 14 days.`,
      evidence: positionsOf(blocking),
    });
    expect(signal!.raisedAt).toEqual(due);
  });

  it('judges a back-dated blocking dependency at the organization’s clock: raised at once', async () => {
    const { org, payments, search } = await twoTeams();
    const declared = await declare(org, payments, search, {}, daysAgo(30));
    const since = daysAgo(20);
    const blocking = await org.run(
      changeDependencyStatus,
      { dependencyId: declared.result.dependencyId, status: 'BLOCKING' },
      { occurredAt: since },
    );
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({ severity: 'HIGH', evidence: positionsOf(blocking) });
    // Not 20 days ago: the organization's clock had already passed that when the system learned it.
    expect(signal!.raisedAt.getTime()).toBeGreaterThan(since.getTime() + 14 * DAY_MS);

    await org.run(changeDependencyStatus, { dependencyId: declared.result.dependencyId, status: 'SLOWING' });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('waits for the deadline of a dependency blocking for less than 14 days', async () => {
    const { org, payments, search } = await twoTeams();
    const since = daysAgo(10);
    const declared = await declare(org, payments, search, { status: 'BLOCKING', discoveredLate: true }, since);
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      severity: 'MEDIUM',
      message: 'Payments depends on Search: it was discovered late.',
    });
    await fireTimersAt(db, org, new Date());
    expect((await openOn(db, org, KIND, payments))[0]!.severity).toBe('MEDIUM');

    const due = new Date(since.getTime() + 14 * DAY_MS);
    await fireTimersAt(db, org, new Date(due.getTime() + DAY_MS));
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: declared.result.dependencyId,
      severity: 'HIGH',
      message: `Payments depends on Search: it was discovered late; it has been blocking since ${isoDay(since)}, over 14 days.`,
      updatedAt: due,
    });
  });

  it('is raised HIGH for an open dependency on an archived team, and resolves when the dependent is archived', async () => {
    const { org, payments, search } = await twoTeams();
    const declared = await declare(org, payments, search);
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const archived = await org.run(archiveTeam, { teamId: search });

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      cause: declared.result.dependencyId,
      severity: 'HIGH',
      message: 'Payments depends on Search: Search is archived.',
      evidence: [...positionsOf(declared), ...positionsOf(archived)],
      teamIds: [payments, search].sort(),
    });

    await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('raises one signal per dependency and names the teams as they are now', async () => {
    const org = await newOrganization(db);
    const [payments, search, ledger] = [
      await team(org, 'Payments'),
      await team(org, 'Search'),
      await team(org, 'Ledger'),
    ];
    const first = await declare(org, payments, search, { discoveredLate: true });
    const second = await declare(org, payments, ledger, { discoveredLate: true });
    await declare(org, search, ledger); // neither late nor blocking
    const open = await openOn(db, org, KIND, payments);
    expect(open.map((signal) => signal.cause).sort()).toEqual(
      [first.result.dependencyId, second.result.dependencyId].sort(),
    );
    expect(await openOn(db, org, KIND, search)).toEqual([]);

    await org.run(renameTeam, { teamId: ledger, name: 'Books' });
    const renamed = (await openOn(db, org, KIND, payments)).find(
      (signal) => signal.cause === second.result.dependencyId,
    );
    expect(renamed!.message).toBe('Payments depends on Books: it was discovered late.');
  });

  it('follows the organization’s threshold, re-evaluating when it changes', async () => {
    const { org, payments, search } = await twoTeams();
    await declare(org, payments, search, { status: 'BLOCKING' }, daysAgo(20));
    await fireTimersAt(db, org, new Date());
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);

    await org.run(setFrictionThresholds, { thresholds: { blockingDays: 21 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { blockingDays: null } });
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
  });
});
