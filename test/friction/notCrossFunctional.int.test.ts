// NOT_CROSS_FUNCTIONAL: a stream-aligned team without both a PRODUCT and an
// ENGINEERING member (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { offboardPerson } from '../../src/people/people.ts';
import { addTeamMember, archiveTeam, changeMembership, removeTeamMember, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { person, team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'NOT_CROSS_FUNCTIONAL';

/** Registers a person of `discipline` and adds them to the team; returns the person and the membership outcome. */
async function join(org: Commands, teamId: string, name: string, discipline: string) {
  const personId = await person(org, name, { discipline });
  const added = await org.run(addTeamMember, { teamId, personId, role: name, allocation: 100 });
  return { personId, added };
}

const changesOfSignal = async (org: Commands, signalId: string) =>
  (await changesOf(db, org)).filter((change) => change.signal_id === signalId).map((change) => change.change);

describe('NOT_CROSS_FUNCTIONAL', () => {
  it('is raised on a stream-aligned team without a product member, and resolved when one joins', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    expect(await openOn(db, org, KIND, payments)).toEqual([]); // an empty team is not judged yet

    const ada = await join(org, payments, 'Ada', 'ENGINEERING');
    const bob = await join(org, payments, 'Bob', 'ENGINEERING');
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      severity: 'MEDIUM',
      message: 'Payments is a stream-aligned team without a product member (2 members: 2 engineering).',
      evidence: [...positionsOf(ada.added), ...positionsOf(bob.added)],
      teamIds: [payments],
    });
    expect(signal!.raisedAt).toEqual(ada.added.events[0]!.occurredAt);

    const pm = await join(org, payments, 'Pat', 'PRODUCT');
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: pm.added.events[0]!.occurredAt });
    expect(await changesOfSignal(org, signal!.id)).toEqual(['RAISED', 'UPDATED', 'RESOLVED']);
  });

  it('is HIGH when both disciplines are missing, MEDIUM once one of them joins', async () => {
    const org = await newOrganization(db);
    const search = await team(org, 'Search');
    const dee = await join(org, search, 'Dee', 'DESIGN');
    const [raised] = await openOn(db, org, KIND, search);
    expect(raised).toMatchObject({
      severity: 'HIGH',
      message: 'Search is a stream-aligned team without a product or an engineering member (1 member: 1 design).',
      evidence: positionsOf(dee.added),
    });

    const pat = await join(org, search, 'Pat', 'PRODUCT');
    const [updated] = await openOn(db, org, KIND, search);
    expect(updated).toMatchObject({
      id: raised!.id,
      severity: 'MEDIUM',
      message: 'Search is a stream-aligned team without an engineering member (2 members: 1 product, 1 design).',
      evidence: [...positionsOf(dee.added), ...positionsOf(pat.added)],
    });

    // The team's name is in the message.
    await org.run(renameTeam, { teamId: search, name: 'Discovery' });
    expect((await openOn(db, org, KIND, search))[0]!.message).toMatch(/^Discovery is a stream-aligned team/);
  });

  it('judges stream-aligned teams only', async () => {
    const org = await newOrganization(db);
    const platform = await team(org, 'Platform', 'PLATFORM');
    const leadership = await team(org, 'Leadership', 'LEADERSHIP');
    await join(org, platform, 'Ada', 'ENGINEERING');
    await join(org, leadership, 'Pat', 'PRODUCT');
    expect(await signalsOf(db, org, KIND)).toEqual([]);
  });

  it('is raised when the product member leaves or is offboarded, and resolved when the team is archived', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const pat = await join(org, payments, 'Pat', 'PRODUCT');
    const pia = await join(org, payments, 'Pia', 'PRODUCT');
    await join(org, payments, 'Ada', 'ENGINEERING');
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    // A role change of a member is no change of discipline.
    await org.run(changeMembership, { teamId: payments, personId: pat.personId, role: 'Group PM' });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    await org.run(removeTeamMember, { teamId: payments, personId: pia.personId });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const offboarding = await org.run(offboardPerson, { personId: pat.personId });
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({ severity: 'MEDIUM', message: expect.stringMatching(/1 member: 1 engineering/) });
    // Raised once, by the offboarding command (evaluated after its last event).
    const changes = (await changesOf(db, org)).filter((change) => change.signal_id === signal!.id);
    expect(changes.map((change) => [change.change, change.position])).toEqual([
      ['RAISED', offboarding.position!.toString()],
    ]);

    const archived = await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const resolved = (await signalsOf(db, org, KIND)).find((row) => row.id === signal!.id);
    expect(resolved).toMatchObject({ id: signal!.id, status: 'RESOLVED', resolvedAt: archived.events[0]!.occurredAt });
  });

  it('follows crossFunctionalMinMembers: smaller teams are not judged', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    await join(org, payments, 'Ada', 'ENGINEERING');
    await join(org, payments, 'Bob', 'ENGINEERING');
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);

    await org.run(setFrictionThresholds, { thresholds: { crossFunctionalMinMembers: 3 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await join(org, payments, 'Cy', 'QA');
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await org.run(setFrictionThresholds, { thresholds: { crossFunctionalMinMembers: 4 } });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { crossFunctionalMinMembers: null } });
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
  });
});
