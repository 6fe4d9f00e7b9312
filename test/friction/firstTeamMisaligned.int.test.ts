// FIRST_TEAM_MISALIGNED: a person with no first team, or whose first team is
// one they left; a manager whose first team is made of their own reports (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { addDays } from '../../projections/friction/rule.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { changeReportingLine, chooseFirstTeam, offboardPerson, registerPerson } from '../../src/people/people.ts';
import { addTeamMember, archiveTeam, removeTeamMember, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { day, team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'FIRST_TEAM_MISALIGNED';

let registered = 0;

/** Registers a person (back-dated when told); returns their id and the outcome. */
async function register(org: Commands, name: string, managerId?: string, occurredAt?: Date) {
  registered += 1;
  const outcome = await org.run(
    registerPerson,
    {
      name,
      email: `first-team-${registered}@acme.test`,
      discipline: 'ENGINEERING',
      ...(managerId ? { managerId } : {}),
    },
    occurredAt ? { occurredAt } : {},
  );
  return { id: outcome.result.personId, outcome };
}

const join = (org: Commands, teamId: string, personId: string) =>
  org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 });

const changesOfSignal = async (org: Commands, signalId: string) =>
  (await changesOf(db, org)).filter((change) => change.signal_id === signalId).map((change) => change.change);

/** An organization where a person without a first team is flagged at once (the default gives new hires 14 days). */
async function withoutGrace() {
  const org = await newOrganization(db);
  await org.run(setFrictionThresholds, { thresholds: { firstTeamGraceDays: 0 } });
  return org;
}

describe('FIRST_TEAM_MISALIGNED', () => {
  it('is raised on a person without a first team, and resolved when they choose one', async () => {
    const org = await withoutGrace();
    const ada = await register(org, 'Ada');
    const [raised] = await openOn(db, org, KIND, ada.id);
    expect(raised).toMatchObject({
      subjectKind: 'PERSON',
      severity: 'MEDIUM',
      message: 'Ada has no first team: they belong to no team.',
      evidence: positionsOf(ada.outcome),
      teamIds: [],
    });
    expect(raised!.raisedAt).toEqual(ada.outcome.events[0]!.occurredAt);

    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const first = await join(org, search, ada.id);
    const second = await join(org, payments, ada.id);
    const [updated] = await openOn(db, org, KIND, ada.id);
    expect(updated).toMatchObject({
      id: raised!.id,
      severity: 'MEDIUM',
      message: 'Ada has not chosen a first team among their teams (Payments, Search).',
      evidence: [...positionsOf(first), ...positionsOf(second)],
      teamIds: [payments, search].sort(),
    });

    const chosen = await org.run(chooseFirstTeam, { personId: ada.id, teamId: payments });
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: raised!.id, status: 'RESOLVED', resolvedAt: chosen.events[0]!.occurredAt });
  });

  it('is raised again, once, when the person leaves their first team or it is archived', async () => {
    const org = await withoutGrace();
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await register(org, 'Ada');
    await join(org, payments, ada.id);
    await join(org, search, ada.id);
    await org.run(chooseFirstTeam, { personId: ada.id, teamId: payments });
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);

    const left = await org.run(removeTeamMember, { teamId: payments, personId: ada.id });
    const [signal] = await openOn(db, org, KIND, ada.id);
    expect(signal).toMatchObject({ message: 'Ada has not chosen a first team among their teams (Search).' });
    // Judged once, at FirstTeamCleared (the removal before it is not judged on its own).
    const cleared = left.events.find((event) => event.type === 'FirstTeamCleared')!;
    const changes = (await changesOf(db, org)).filter((change) => change.signal_id === signal!.id);
    expect(changes.map((change) => [change.change, change.position])).toEqual([
      ['RAISED', cleared.position.toString()],
    ]);

    await org.run(chooseFirstTeam, { personId: ada.id, teamId: search });
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);
    await org.run(archiveTeam, { teamId: search });
    const [again] = await openOn(db, org, KIND, ada.id);
    expect(again).toMatchObject({ message: 'Ada has no first team: they belong to no team.' });
    expect(await changesOfSignal(org, again!.id)).toEqual(['RAISED']);
  });

  it('is raised (HIGH) on a manager whose first team is made of their own reports', async () => {
    const org = await withoutGrace();
    const payments = await team(org, 'Payments');
    const grace = await register(org, 'Grace');
    const ada = await register(org, 'Ada', grace.id);
    const bob = await register(org, 'Bob', grace.id);
    const memberships = [await join(org, payments, grace.id), await join(org, payments, bob.id)];
    memberships.push(await join(org, payments, ada.id));
    await org.run(chooseFirstTeam, { personId: ada.id, teamId: payments });
    await org.run(chooseFirstTeam, { personId: bob.id, teamId: payments });
    const [before] = await openOn(db, org, KIND, grace.id);
    expect(before!.severity).toBe('MEDIUM'); // no first team yet

    await org.run(chooseFirstTeam, { personId: grace.id, teamId: payments });
    const [signal] = await openOn(db, org, KIND, grace.id);
    expect(signal).toMatchObject({
      id: before!.id, // another reason, the same signal
      severity: 'HIGH',
      message:
        'Grace’s first team Payments is made of their own reports (Ada, Bob); ' +
        'a manager’s first team should be the team of their peers.',
      evidence: memberships.flatMap(positionsOf).sort((a, b) => (a < b ? -1 : 1)),
      teamIds: [payments],
    });
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);

    // A peer who does not report to Grace makes it a team of peers.
    const cy = await register(org, 'Cy');
    await join(org, payments, cy.id);
    expect(await openOn(db, org, KIND, grace.id)).toEqual([]);
    await org.run(removeTeamMember, { teamId: payments, personId: cy.id });
    expect(await openOn(db, org, KIND, grace.id)).toHaveLength(1);

    // Reporting lines: Bob moving to Cy breaks the pattern; moving back restores it.
    await org.run(changeReportingLine, { personId: bob.id, managerId: cy.id });
    expect(await openOn(db, org, KIND, grace.id)).toEqual([]);
    await org.run(changeReportingLine, { personId: bob.id, managerId: grace.id });
    expect(await openOn(db, org, KIND, grace.id)).toHaveLength(1);

    // The team's name is in the message.
    await org.run(renameTeam, { teamId: payments, name: 'Billing' });
    expect((await openOn(db, org, KIND, grace.id))[0]!.message).toMatch(/^Grace’s first team Billing is made/);

    // A report joining the first team its manager held alone makes it a team of their reports;
    // a peer joining as well settles it again.
    const platform = await team(org, 'Platform');
    const dee = await register(org, 'Dee');
    const eve = await register(org, 'Eve', dee.id);
    await join(org, platform, dee.id);
    await org.run(chooseFirstTeam, { personId: dee.id, teamId: platform });
    expect(await openOn(db, org, KIND, dee.id)).toEqual([]);
    await join(org, platform, eve.id);
    expect(await openOn(db, org, KIND, dee.id)).toMatchObject([{ severity: 'HIGH' }]);
    await join(org, platform, cy.id);
    expect(await openOn(db, org, KIND, dee.id)).toEqual([]);
  });

  it('counts no offboarded people, and resolves without flicker when the person is offboarded', async () => {
    const org = await withoutGrace();
    const payments = await team(org, 'Payments');
    const grace = await register(org, 'Grace');
    const ada = await register(org, 'Ada', grace.id);
    const cy = await register(org, 'Cy');
    const chosen = [];
    for (const person of [grace, ada, cy]) {
      await join(org, payments, person.id);
      chosen.push(await org.run(chooseFirstTeam, { personId: person.id, teamId: payments }));
    }
    expect(await signalsOf(db, org, KIND, 'OPEN')).toEqual([]);

    // Cy, the only member not reporting to Grace, leaves the org: Grace is left with her report.
    const offboarding = await org.run(offboardPerson, { personId: cy.id });
    const [signal] = await openOn(db, org, KIND, grace.id);
    expect(signal!.severity).toBe('HIGH');
    expect((await changesOf(db, org)).filter((change) => change.signal_id === signal!.id)).toMatchObject([
      { change: 'RAISED', position: offboarding.position!.toString() },
    ]);
    // Cy, whose first team was cleared on the way out, got no new signal (only the one of before they chose it).
    expect((await signalsOf(db, org, KIND)).filter((row) => row.subjectId === cy.id)).toMatchObject([
      { status: 'RESOLVED', resolvedAt: chosen.at(-1)!.events[0]!.occurredAt },
    ]);

    await org.run(offboardPerson, { personId: grace.id });
    expect(await openOn(db, org, KIND, grace.id)).toEqual([]);
    expect(await changesOfSignal(org, signal!.id)).toEqual(['RAISED', 'RESOLVED']);
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);
  });

  it('follows firstTeamGraceDays, counted from registration, with a timer for the deadline', async () => {
    const org = await newOrganization(db);
    await org.run(setFrictionThresholds, { thresholds: { firstTeamGraceDays: 10 } });
    const ada = await register(org, 'Ada');
    const registeredAt = ada.outcome.events[0]!.occurredAt;
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);

    await fireTimersAt(db, org, addDays(registeredAt, 8));
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);
    await fireTimersAt(db, org, addDays(registeredAt, 20));
    const [signal] = await openOn(db, org, KIND, ada.id);
    expect(signal!.raisedAt).toEqual(addDays(registeredAt, 10));

    await org.run(setFrictionThresholds, { thresholds: { firstTeamGraceDays: 30 } });
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { firstTeamGraceDays: null } });
    expect(await openOn(db, org, KIND, ada.id)).toHaveLength(1);
  });

  it('flags at once a person registered (back-dated) longer ago than the grace period', async () => {
    const org = await newOrganization(db);
    await org.run(setFrictionThresholds, { thresholds: { firstTeamGraceDays: 30 } });
    const ada = await register(org, 'Ada', undefined, day(1));
    expect(await openOn(db, org, KIND, ada.id)).toHaveLength(1);
    // Now (November 2026) is within 365 days of January 1st.
    await org.run(setFrictionThresholds, { thresholds: { firstTeamGraceDays: 365 } });
    expect(await openOn(db, org, KIND, ada.id)).toEqual([]);
  });
});
