// CONTESTED_OWNERSHIP: one responsibility listed in the ratified agreements of
// 2+ teams (DOMAIN.md).
import { describe, expect, it } from 'vitest';
import { draftAgreement, ratifyAgreement, revisitAgreement } from '../../src/agreements/agreements.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { defineResponsibility } from '../../src/responsibilities/responsibilities.ts';
import { archiveTeam, renameTeam } from '../../src/teams/teams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { member, team, useTestDatabase } from '../support/fixtures.ts';
import { openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'CONTESTED_OWNERSHIP';

const define = async (org: Commands, title: string) =>
  (await org.run(defineResponsibility, { title })).result.responsibilityId;

/** A team with one member, who ratifies its agreements; its id and the member's. */
async function staffed(org: Commands, name: string) {
  const teamId = await team(org, name);
  return { teamId, memberId: await member(org, teamId, `${name} lead`) };
}

/** Drafts and ratifies an agreement of the team listing the responsibilities. */
async function agree(org: Commands, { teamId, memberId }: { teamId: string; memberId: string }, ids: string[]) {
  await org.run(draftAgreement, { teamId, mission: 'Do the work', responsibilityIds: ids });
  return org.run(ratifyAgreement, { teamId, ratifiedBy: [memberId] });
}

describe('CONTESTED_OWNERSHIP', () => {
  it('is raised when a second team ratifies an agreement listing the responsibility, with the agreements as evidence', async () => {
    const org = await newOrganization(db);
    const [payments, search, growth] = [
      await staffed(org, 'Payments'),
      await staffed(org, 'Search'),
      await staffed(org, 'Growth'),
    ];
    const billing = await define(org, 'Billing');
    const first = await agree(org, search, [billing]);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
    await org.run(draftAgreement, { teamId: payments.teamId, mission: 'Take money', responsibilityIds: [billing] });
    expect(await openOn(db, org, KIND, billing)).toEqual([]); // a draft does not count
    const second = await org.run(ratifyAgreement, { teamId: payments.teamId, ratifiedBy: [payments.memberId] });

    const [signal] = await openOn(db, org, KIND, billing);
    expect(signal).toMatchObject({
      subjectKind: 'RESPONSIBILITY',
      severity: 'MEDIUM',
      message: 'Billing is listed in the ratified working agreements of 2 teams: Payments, Search.',
      evidence: [...positionsOf(first), ...positionsOf(second)],
      teamIds: [payments.teamId, search.teamId].sort(),
    });
    expect(signal!.raisedAt).toEqual(second.events[0]!.occurredAt);

    const third = await agree(org, growth, [billing]);
    await org.run(renameTeam, { teamId: search.teamId, name: 'Discovery' });
    expect((await openOn(db, org, KIND, billing))[0]).toMatchObject({
      id: signal!.id,
      severity: 'HIGH',
      message: 'Billing is listed in the ratified working agreements of 3 teams: Discovery, Growth, Payments.',
      evidence: [...positionsOf(first), ...positionsOf(second), ...positionsOf(third)],
    });

    // The evidence follows the agreements' latest events.
    const revisit = await org.run(revisitAgreement, { teamId: growth.teamId, notes: 'Still ours' });
    expect((await openOn(db, org, KIND, billing))[0]!.evidence).toEqual([
      ...positionsOf(first),
      ...positionsOf(second),
      ...positionsOf(revisit),
    ]);
  });

  it('counts only current ratified versions of active teams', async () => {
    const org = await newOrganization(db);
    const [payments, search, growth] = [
      await staffed(org, 'Payments'),
      await staffed(org, 'Search'),
      await staffed(org, 'Growth'),
    ];
    const [billing, refunds] = [await define(org, 'Billing'), await define(org, 'Refunds')];
    await agree(org, payments, [billing, refunds]);
    await agree(org, search, [billing]);
    await agree(org, growth, [refunds]);
    expect(await openOn(db, org, KIND, billing)).toHaveLength(1);
    expect(await openOn(db, org, KIND, refunds)).toHaveLength(1);

    // A new version without Billing supersedes the one listing it.
    const superseding = await agree(org, payments, [refunds]);
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
    const [resolved] = (await signalsOf(db, org, KIND)).filter((signal) => signal.subjectId === billing);
    expect(resolved).toMatchObject({ status: 'RESOLVED', resolvedAt: superseding.events[0]!.occurredAt });
    expect(await openOn(db, org, KIND, refunds)).toHaveLength(1);

    await org.run(archiveTeam, { teamId: growth.teamId });
    expect(await openOn(db, org, KIND, refunds)).toEqual([]);
  });

  it('follows the organization’s threshold, re-evaluating when it changes', async () => {
    const org = await newOrganization(db);
    const [payments, search, growth] = [
      await staffed(org, 'Payments'),
      await staffed(org, 'Search'),
      await staffed(org, 'Growth'),
    ];
    const billing = await define(org, 'Billing');
    await agree(org, payments, [billing]);
    await agree(org, search, [billing]);
    await agree(org, growth, [billing]);
    expect((await openOn(db, org, KIND, billing))[0]!.severity).toBe('HIGH');

    await org.run(setFrictionThresholds, { thresholds: { contestedTeams: 3 } });
    expect((await openOn(db, org, KIND, billing))[0]!.severity).toBe('MEDIUM');
    await org.run(setFrictionThresholds, { thresholds: { contestedTeams: 4 } });
    expect(await openOn(db, org, KIND, billing)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { contestedTeams: null } });
    expect(await openOn(db, org, KIND, billing)).toHaveLength(1);
  });
});
