// OVERALLOCATION: a person's allocations summing over 100 % (DOMAIN.md), and
// the lifecycle every signal shares: raised once, updated while it holds,
// resolved when the cause goes away, each change numbered.
import { describe, expect, it } from 'vitest';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { offboardPerson } from '../../src/people/people.ts';
import { addTeamMember, changeMembership, removeTeamMember } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { person, team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

describe('OVERALLOCATION', () => {
  it('is raised when allocations pass 100 %, with the memberships as evidence', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await person(org, 'Ada');
    const first = await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 70 });
    expect(await openOn(db, org, 'OVERALLOCATION', ada)).toEqual([]);
    const second = await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 50 });

    const [signal] = await openOn(db, org, 'OVERALLOCATION', ada);
    expect(signal).toMatchObject({
      subjectKind: 'PERSON',
      severity: 'MEDIUM',
      message: 'Ada is allocated 120% across 2 teams (Payments 70%, Search 50%), over the 100% limit.',
      evidence: [...positionsOf(first), ...positionsOf(second)],
      teamIds: [payments, search].sort(),
    });
    expect(signal!.raisedAt).toEqual(second.events[0]!.occurredAt);
  });

  it('is updated while it holds and resolved when the cause goes away', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 10 });
    const [raised] = await openOn(db, org, 'OVERALLOCATION', ada);
    expect(raised!.severity).toBe('LOW');

    await org.run(changeMembership, { teamId: search, personId: ada, allocation: 60 });
    const [updated] = await openOn(db, org, 'OVERALLOCATION', ada);
    expect(updated).toMatchObject({ id: raised!.id, severity: 'HIGH', raisedAt: raised!.raisedAt });

    const removal = await org.run(removeTeamMember, { teamId: search, personId: ada });
    expect(await openOn(db, org, 'OVERALLOCATION', ada)).toEqual([]);
    const [resolved] = await signalsOf(db, org, 'OVERALLOCATION');
    expect(resolved).toMatchObject({ id: raised!.id, status: 'RESOLVED', resolvedAt: removal.events[0]!.occurredAt });

    const changes = (await changesOf(db, org)).filter((change) => change.signal_id === raised!.id);
    expect(changes.map((change) => change.change)).toEqual(['RAISED', 'UPDATED', 'RESOLVED']);
    expect(changes.map((change) => change.sequence)).toEqual([...changes.map((c) => c.sequence)].sort((a, b) => a - b));
    expect(changes.at(-1)!.position).toBe(removal.position!.toString());
  });

  it('is raised again, as a new signal, when the cause comes back', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 10 });
    await org.run(removeTeamMember, { teamId: search, personId: ada });
    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 10 });
    const all = await signalsOf(db, org, 'OVERALLOCATION');
    expect(all.map((signal) => signal.status)).toEqual(['RESOLVED', 'OPEN']);
    expect(new Set(all.map((signal) => signal.id)).size).toBe(2);
  });

  it('resolves when the person is offboarded', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 10 });
    await org.run(offboardPerson, { personId: ada });
    expect(await openOn(db, org, 'OVERALLOCATION', ada)).toEqual([]);
  });

  it('follows the organization’s threshold, re-evaluating when it changes', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 80 });
    await org.run(addTeamMember, { teamId: search, personId: ada, role: 'Engineer', allocation: 40 });
    expect(await openOn(db, org, 'OVERALLOCATION', ada)).toHaveLength(1);

    await org.run(setFrictionThresholds, { thresholds: { overallocationPercent: 130 } });
    expect(await openOn(db, org, 'OVERALLOCATION', ada)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { overallocationPercent: null } });
    expect(await openOn(db, org, 'OVERALLOCATION', ada)).toHaveLength(1);
  });
});
