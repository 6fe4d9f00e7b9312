// event_references through the real commands: events land in the history of
// every object they touch, whatever stream recorded them, in position order
// (back-dating changes org time, not the order), and a rebuild from
// position 0 reproduces the references the inline path wrote.
import { describe, expect, it } from 'vitest';
import { createEventCatalog } from '../../events/index.ts';
import { streamEntityId } from '../../projections/projection.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import { draftAgreement, ratifyAgreement } from '../../src/agreements/agreements.ts';
import { publishAsset, reviseAsset } from '../../src/assets/assets.ts';
import { changeDependencyStatus, declareDependency, resolveDependency } from '../../src/dependencies/dependencies.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { changeReportingLine, registerPerson } from '../../src/people/people.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import { addTeamMember, changeMembership, removeTeamMember } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { day, member, person, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

type Entry = { type: string; position: bigint; occurredAt: Date; streamId: string };

/** The events referencing a subject, in position order. */
async function historyOf(subjectId: string): Promise<Entry[]> {
  const result = await db.pool.query<{ type: string; position: string; occurred_at: Date; stream_id: string }>(
    `SELECT e.type, e.position::text AS position, e.occurred_at, e.stream_id
     FROM event_references r JOIN events e ON e.position = r.position
     WHERE r.subject_id = $1 ORDER BY r.position`,
    [subjectId],
  );
  return result.rows.map((row) => ({
    type: row.type,
    position: BigInt(row.position),
    occurredAt: row.occurred_at,
    streamId: row.stream_id,
  }));
}

const types = async (subjectId: string) => (await historyOf(subjectId)).map((entry) => entry.type);

describe('event references', () => {
  it('puts a membership, recorded on the team’s stream, in the person’s history', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 80 });
    await org.run(changeMembership, { teamId: payments, personId: ada, allocation: 50 });
    await org.run(removeTeamMember, { teamId: payments, personId: ada });

    const history = await historyOf(ada);
    expect(history.map((entry) => entry.type)).toEqual([
      'PersonRegistered',
      'TeamMemberAdded',
      'MembershipChanged',
      'TeamMemberRemoved',
    ]);
    expect(history.slice(1).every((entry) => entry.streamId === `team-${payments}`)).toBe(true);
    expect(await types(payments)).toEqual(['TeamFormed', 'TeamMemberAdded', 'MembershipChanged', 'TeamMemberRemoved']);
  });

  it('puts a responsibility’s assignments in the owner’s history, person or team, and the previous owner’s', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await person(org, 'Ada');
    const onCall = (await org.run(defineResponsibility, { title: 'On-call' })).result.responsibilityId;
    await org.run(assignResponsibility, { responsibilityId: onCall, ownerId: ada });
    await org.run(assignResponsibility, { responsibilityId: onCall, ownerId: payments });
    await org.run(unassignResponsibility, { responsibilityId: onCall });

    expect(await types(onCall)).toEqual([
      'ResponsibilityDefined',
      'ResponsibilityAssigned',
      'ResponsibilityAssigned',
      'ResponsibilityUnassigned',
    ]);
    // Ada: assigned to her, then handed on from her.
    expect(await types(ada)).toEqual(['PersonRegistered', 'ResponsibilityAssigned', 'ResponsibilityAssigned']);
    // Payments: handed to it, then taken from it.
    expect(await types(payments)).toEqual(['TeamFormed', 'ResponsibilityAssigned', 'ResponsibilityUnassigned']);
  });

  it('puts a ratification in every ratifier’s history, and the agreement in its responsibilities’', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const ada = await member(org, payments, 'Ada');
    const grace = await member(org, payments, 'Grace');
    const bystander = await member(org, payments, 'Lin');
    const onCall = (await org.run(defineResponsibility, { title: 'On-call' })).result.responsibilityId;
    await org.run(draftAgreement, { teamId: payments, mission: 'Take money safely', responsibilityIds: [onCall] });
    const ratified = await org.run(ratifyAgreement, { teamId: payments, ratifiedBy: [ada, grace] });

    for (const ratifier of [ada, grace]) {
      expect((await historyOf(ratifier)).at(-1)).toMatchObject({
        type: 'AgreementRatified',
        position: ratified.position,
      });
    }
    expect(await types(bystander)).not.toContain('AgreementRatified');
    expect(await types(onCall)).toEqual(['ResponsibilityDefined', 'AgreementDrafted', 'AgreementRatified']);
    expect((await types(payments)).slice(-2)).toEqual(['AgreementDrafted', 'AgreementRatified']);
  });

  it('lists back-dated events by position, not by org time', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const grace = await person(org, 'Grace');
    const registered = await org.run(
      registerPerson,
      { name: 'Ada', email: 'ada-backdated@acme.test', discipline: 'ENGINEERING' },
      { occurredAt: day(1) },
    );
    const ada = registered.result.personId;
    await org.run(addTeamMember, { teamId: payments, personId: ada, role: 'Engineer', allocation: 100 });
    // Recorded last, happened long before the membership.
    await org.run(changeReportingLine, { personId: ada, managerId: grace }, { occurredAt: day(5) });

    const history = await historyOf(ada);
    expect(history.map((entry) => entry.type)).toEqual(['PersonRegistered', 'TeamMemberAdded', 'ReportingLineChanged']);
    const positions = history.map((entry) => entry.position);
    expect([...positions].sort((a, b) => (a < b ? -1 : 1))).toEqual(positions);
    expect(history[2]!.occurredAt.getTime()).toBeLessThan(history[1]!.occurredAt.getTime());
    // Grace gained a report.
    expect(await types(grace)).toEqual(['PersonRegistered', 'ReportingLineChanged']);
  });

  it('puts a dependency’s status changes in both teams’ histories, and an unlinking revision in the unlinked team’s', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const search = await team(org, 'Search');
    const dependencyId = (
      await org.run(declareDependency, { fromTeamId: payments, toTeamId: search, mode: 'X_AS_A_SERVICE' })
    ).result.dependencyId;
    await org.run(changeDependencyStatus, { dependencyId, status: 'BLOCKING' });
    await org.run(resolveDependency, { dependencyId });
    for (const teamId of [payments, search]) {
      expect(await types(teamId)).toEqual([
        'TeamFormed',
        'DependencyDeclared',
        'DependencyStatusChanged',
        'DependencyResolved',
      ]);
    }

    const assetId = (
      await org.run(publishAsset, { kind: 'USER_JOURNEY', title: 'Checkout', teamIds: [payments, search] })
    ).result.assetId;
    await org.run(reviseAsset, { assetId, rationale: 'Search no longer uses it', teamIds: [payments] });
    await org.run(reviseAsset, { assetId, rationale: 'Clearer title', title: 'Checkout journey' });
    expect((await types(search)).slice(-2)).toEqual(['AssetPublished', 'AssetRevised']);
    expect((await types(payments)).slice(-2)).toEqual(['AssetPublished', 'AssetRevised']);
    expect(await types(assetId)).toEqual(['AssetPublished', 'AssetRevised', 'AssetRevised']);
  });

  it('references every event from its own stream’s aggregate (but the organization’s), and a rebuild gives the same rows', async () => {
    const unreferenced = await db.pool.query<{ stream_id: string; position: string }>(
      `SELECT e.stream_id, e.position::text AS position FROM events e
       WHERE e.stream_id NOT LIKE 'organization-%' AND e.stream_id NOT LIKE 'friction-%'
         AND NOT EXISTS (SELECT 1 FROM event_references r
                         WHERE r.position = e.position AND r.subject_id = right(e.stream_id, 36)::uuid
                           AND r.organization_id = e.organization_id)`,
    );
    expect(unreferenced.rows).toEqual([]);
    const organizationReferences = await db.pool.query(
      `SELECT 1 FROM event_references r JOIN events e ON e.position = r.position
       WHERE r.subject_id = e.organization_id`,
    );
    expect(organizationReferences.rows).toEqual([]);
    expect(streamEntityId('value-stream-0190f1a0-0000-7000-8000-000000000001')).toBe(
      '0190f1a0-0000-7000-8000-000000000001',
    );

    const snapshot = async () =>
      (await db.pool.query('SELECT * FROM event_references ORDER BY subject_id, position')).rows;
    const inline = await snapshot();
    expect(inline.length).toBeGreaterThan(50);
    await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
    expect(await snapshot()).toEqual(inline);
  });
});
