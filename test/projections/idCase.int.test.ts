// Ids given in upper case: PostgreSQL compares uuids regardless of case, a
// replay in memory compares strings. Ids are normalised to lower case where
// they enter (the zod `id` of events/common.ts, which command inputs use too),
// so every stored event carries lower-case ids and a rebuild from position 0
// gives the very rows and signals the inline path gave.
import { describe, expect, it } from 'vitest';
import { id } from '../../events/common.ts';
import { createEventCatalog } from '../../events/index.ts';
import { DAY_MS } from '../../projections/friction/rule.ts';
import { rebuildReadModels } from '../../projections/rebuild.ts';
import { draftAgreement, ratifyAgreement } from '../../src/agreements/agreements.ts';
import { publishAsset } from '../../src/assets/assets.ts';
import { recordHandoff, recordInteraction } from '../../src/collaboration/collaboration.ts';
import { declareDependency } from '../../src/dependencies/dependencies.ts';
import { EventStore } from '../../src/eventStore/eventStore.ts';
import { recordDeliveryMetrics } from '../../src/metrics/deliveryMetrics.ts';
import { chooseFirstTeam, registerPerson } from '../../src/people/people.ts';
import {
  assignResponsibility,
  defineResponsibility,
  unassignResponsibility,
} from '../../src/responsibilities/responsibilities.ts';
import { addTeamMember, removeTeamMember } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { team, useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt } from '../support/friction.ts';
import { snapshotReadModels } from '../support/snapshot.ts';

const db = useTestDatabase();

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const up = (value: string) => value.toUpperCase();

describe('ids in upper case', () => {
  it('the id schema accepts them and gives them in lower case', () => {
    expect(id.parse('0190F1A0-ABCD-7000-8EF0-00000000000A')).toBe('0190f1a0-abcd-7000-8ef0-00000000000a');
    expect(id.safeParse('not-a-uuid').success).toBe(false);
  });

  it('from commands that check them against the read models: stored in lower case, the same rows on a rebuild', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const checkout = await team(org, 'Checkout');
    await org.run(declareDependency, {
      fromTeamId: up(payments),
      toTeamId: up(checkout),
      mode: 'X_AS_A_SERVICE',
      status: 'BLOCKING',
      discoveredLate: true,
    });
    await org.run(recordHandoff, {
      teamId: up(payments),
      title: 'Refund flow',
      reviewedWithEngineering: false,
      reviewedWithProduct: true,
    });
    for (let i = 0; i < 3; i++) {
      await org.run(recordInteraction, { teamIds: [up(payments), up(checkout)], kind: 'STATUS_UPDATE' });
    }
    for (const leadTimeHours of [10, 11, 13]) {
      await org.run(recordDeliveryMetrics, { teamId: up(payments), leadTimeHours });
    }
    await org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant', teamIds: [up(checkout)] });

    expect(await storedIds(org.organizationId)).toContain(payments);
    expect((await storedIds(org.organizationId)).filter(upperCase)).toEqual([]);
    const signals = await db.pool.query('SELECT DISTINCT kind FROM friction_signals WHERE organization_id = $1', [
      org.organizationId,
    ]);
    expect(signals.rows.map((row) => row.kind).sort()).toEqual(
      expect.arrayContaining([
        'COMMUNICATING_NOT_COLLABORATING',
        'DELIVERY_DEGRADING',
        'MISSED_DEPENDENCY',
        'MISSING_CONTEXT',
      ]),
    );
    await expectRebuildGivesTheSameRows();
  });

  it('from commands that load aggregates by them: found, stored in lower case, the same signals on a rebuild', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const checkout = await team(org, 'Checkout');
    const register = async (name: string, discipline: string, managerId?: string) =>
      (
        await org.run(registerPerson, {
          name,
          email: `${name.toLowerCase()}@acme.test`,
          discipline,
          ...(managerId ? { managerId: up(managerId) } : {}),
        })
      ).result.personId;
    const pm = await register('Priya', 'PRODUCT');
    const engineer = await register('Ezra', 'ENGINEERING', pm);

    await org.run(addTeamMember, { teamId: up(payments), personId: up(pm), role: 'PM', allocation: 100 });
    await org.run(addTeamMember, { teamId: up(payments), personId: up(engineer), role: 'Engineer', allocation: 80 });
    await org.run(addTeamMember, { teamId: up(checkout), personId: up(engineer), role: 'Engineer', allocation: 40 });
    await org.run(chooseFirstTeam, { personId: up(engineer), teamId: up(checkout) });
    await org.run(removeTeamMember, { teamId: up(checkout), personId: up(engineer) });
    const onCall = (await org.run(defineResponsibility, { title: 'On-call' })).result.responsibilityId;
    await org.run(assignResponsibility, { responsibilityId: up(onCall), ownerId: up(engineer) });
    const gdpr = (await org.run(defineResponsibility, { title: 'GDPR requests' })).result.responsibilityId;
    await org.run(assignResponsibility, { responsibilityId: up(gdpr), ownerId: up(checkout) });
    await org.run(unassignResponsibility, { responsibilityId: up(gdpr) });
    for (const teamId of [payments, checkout]) {
      await org.run(draftAgreement, {
        teamId: up(teamId),
        mission: 'Ship value',
        responsibilityIds: [up(onCall)],
        skills: ['payments', 'ml'],
      });
    }
    await org.run(ratifyAgreement, { teamId: up(payments), ratifiedBy: [up(pm), up(engineer)] });
    // Deadlines and windows pass: the timers set on these subjects fire.
    await fireTimersAt(db, org, new Date(Date.now() + 40 * DAY_MS));

    expect((await storedIds(org.organizationId)).filter(upperCase)).toEqual([]);
    const signals = await db.pool.query('SELECT DISTINCT kind FROM friction_signals WHERE organization_id = $1', [
      org.organizationId,
    ]);
    expect(signals.rows.map((row) => row.kind).sort()).toEqual([
      'FIRST_TEAM_MISALIGNED',
      'LEADERSHIP_SILO',
      'NOT_CROSS_FUNCTIONAL',
      'OVERALLOCATION',
      'SKILL_GAP',
      'WORK_SLIPPING',
    ]);
    await expectRebuildGivesTheSameRows();
  });
});

/** Every stream id and uuid in the data of the organization's events. */
async function storedIds(organizationId: string): Promise<string[]> {
  const stored = await db.pool.query<{ stream_id: string; data: unknown }>(
    'SELECT stream_id, data FROM events WHERE organization_id = $1 ORDER BY position',
    [organizationId],
  );
  return stored.rows.flatMap((row) => [row.stream_id, ...(JSON.stringify(row.data).match(UUID) ?? [])]);
}

const upperCase = (value: string) => value !== value.toLowerCase();

async function expectRebuildGivesTheSameRows() {
  const inline = await snapshotReadModels(db.pool);
  await rebuildReadModels(db.pool, new EventStore(db.pool, createEventCatalog()));
  expect(await snapshotReadModels(db.pool)).toEqual(inline);
}
