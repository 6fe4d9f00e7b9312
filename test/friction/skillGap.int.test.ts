// SKILL_GAP: a skill in the agreement that no current member has (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { draftAgreement, ratifyAgreement } from '../../src/agreements/agreements.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { offboardPerson, registerPerson, updatePersonSkills } from '../../src/people/people.ts';
import { addTeamMember, archiveTeam, removeTeamMember, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'SKILL_GAP';

let registered = 0;

/** Registers a person with skills and adds them to the team; their id and the joining. */
async function skilled(org: Commands, teamId: string, name: string, skills: string[]) {
  registered += 1;
  const { personId } = (
    await org.run(registerPerson, { name, email: `skills${registered}@acme.test`, discipline: 'ENGINEERING', skills })
  ).result;
  const joined = await org.run(addTeamMember, { teamId, personId, role: 'Engineer', allocation: 50 });
  return { personId, joined };
}

/** Drafts and ratifies (by `ratifiers`) an agreement of the team listing the skills. */
async function agree(org: Commands, teamId: string, skills: string[], ratifiers: string[]) {
  await org.run(draftAgreement, { teamId, mission: 'Take money', skills });
  return org.run(ratifyAgreement, { teamId, ratifiedBy: ratifiers });
}

describe('SKILL_GAP', () => {
  it('is raised when the ratified agreement lists skills no current member has, and follows the members’ skills', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await skilled(org, payments, 'Ada', ['go', 'Rust']);
    const grace = await skilled(org, payments, 'Grace', []);
    const ratified = await agree(org, payments, ['Go', 'Kafka', 'SQL', 'GO'], [ada.personId]);

    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal).toMatchObject({
      subjectKind: 'TEAM',
      severity: 'MEDIUM',
      message:
        'No current member of Payments has 2 of the 3 skills its working agreement (version 1) lists: Kafka, SQL.',
      evidence: [...positionsOf(ada.joined), ...positionsOf(grace.joined), ...positionsOf(ratified)],
      teamIds: [payments],
    });
    expect(signal!.raisedAt).toEqual(ratified.events[0]!.occurredAt);

    await org.run(updatePersonSkills, { personId: grace.personId, skills: ['KAFKA '] });
    await org.run(renameTeam, { teamId: payments, name: 'Money' });
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      id: signal!.id,
      message: 'No current member of Money has 1 of the 3 skills its working agreement (version 1) lists: SQL.',
    });

    const joining = await skilled(org, payments, 'Bob', ['sql']);
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({
      id: signal!.id,
      status: 'RESOLVED',
      resolvedAt: joining.joined.events[0]!.occurredAt,
    });
  });

  it('is raised when the member with a skill leaves or is offboarded, and resolved when the team is archived', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await skilled(org, payments, 'Ada', ['Go']);
    const grace = await skilled(org, payments, 'Grace', ['Kafka']);
    const bob = await skilled(org, payments, 'Bob', ['SQL']);
    await agree(org, payments, ['Go', 'Kafka', 'SQL'], [ada.personId]);
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    await org.run(removeTeamMember, { teamId: payments, personId: bob.personId });
    const [signal] = await openOn(db, org, KIND, payments);
    expect(signal!.message).toMatch(/lists: SQL\.$/);

    await org.run(offboardPerson, { personId: grace.personId });
    expect((await openOn(db, org, KIND, payments))[0]).toMatchObject({
      id: signal!.id,
      message:
        'No current member of Payments has 2 of the 3 skills its working agreement (version 1) lists: Kafka, SQL.',
    });
    // Once on PersonOffboarded; the removal that follows changes nothing.
    const changes = (await changesOf(db, org)).filter((change) => change.signal_id === signal!.id);
    expect(changes.map((change) => change.change)).toEqual(['RAISED', 'UPDATED']);

    const archived = await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
    const [resolved] = await signalsOf(db, org, KIND);
    expect(resolved).toMatchObject({ status: 'RESOLVED', resolvedAt: archived.events[0]!.occurredAt });
  });

  it('counts only the ratified version, and not a team without members', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await skilled(org, payments, 'Ada', ['Go']);
    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', skills: ['Kafka'] });
    expect(await openOn(db, org, KIND, payments)).toEqual([]); // a draft is not agreed yet
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada.personId] });
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);

    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', skills: ['go'] });
    expect(await openOn(db, org, KIND, payments)).toHaveLength(1);
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada.personId] });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);

    await org.run(draftAgreement, { teamId: payments, mission: 'Take money', skills: ['Kafka'] });
    await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada.personId] });
    expect((await openOn(db, org, KIND, payments))[0]!.message).toBe(
      'No current member of Payments has the skill its working agreement (version 3) lists: Kafka.',
    );
    await org.run(removeTeamMember, { teamId: payments, personId: ada.personId });
    expect(await openOn(db, org, KIND, payments)).toEqual([]);
  });

  it('is HIGH from 3 missing skills, following the organization’s threshold', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await skilled(org, payments, 'Ada', []);
    await agree(org, payments, ['Go', 'Kafka', 'SQL'], [ada.personId]);
    expect((await openOn(db, org, KIND, payments))[0]!.severity).toBe('HIGH');

    await org.run(setFrictionThresholds, { thresholds: { skillGapHighCount: 4 } });
    expect((await openOn(db, org, KIND, payments))[0]!.severity).toBe('MEDIUM');
    await org.run(setFrictionThresholds, { thresholds: { skillGapHighCount: null } });
    expect((await openOn(db, org, KIND, payments))[0]!.severity).toBe('HIGH');
  });
});
