// Given/when/then for collaboration records: interactions between teams and
// requirement handoffs, each its own one-event stream.
import { describe, expect, it } from 'vitest';
import { recordHandoff, recordInteraction } from '../../src/collaboration/collaboration.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { newOrganization } from '../support/commands.ts';
import { eventCount, rejection, rows, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

describe('interactions', () => {
  it('are recorded between two or more teams, talking or working jointly', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const search = await team(org, 'Search');
    const platform = await team(org, 'Platform');

    const talked = await org.run(recordInteraction, { teamIds: [payments, search], kind: 'STATUS_UPDATE' });
    const { interactionId } = talked.result;
    expect(talked.events.map((e) => [e.streamId, e.type, e.data])).toEqual([
      [
        `interaction-${interactionId}`,
        'InteractionRecorded',
        { interactionId, teamIds: [payments, search], kind: 'STATUS_UPDATE', note: null },
      ],
    ]);
    const paired = await org.run(recordInteraction, {
      teamIds: [payments, search, platform],
      kind: 'JOINT_WORK',
      note: 'Co-designed the payment search API',
    });
    expect(paired.position).toBe(paired.events[0]?.position);

    expect(
      await rows(db, 'SELECT id, team_ids, kind, note FROM interactions WHERE organization_id = $1 ORDER BY position', [
        org.organizationId,
      ]),
    ).toEqual([
      { id: interactionId, team_ids: [payments, search], kind: 'STATUS_UPDATE', note: null },
      {
        id: paired.result.interactionId,
        team_ids: [payments, search, platform],
        kind: 'JOINT_WORK',
        note: 'Co-designed the payment search API',
      },
    ]);
  });

  it('rejects fewer than two distinct teams, an unknown kind, another org’s team and an archived team, writing nothing', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const search = await team(org, 'Search');
    const legacy = await team(org, 'Legacy');
    await org.run(archiveTeam, { teamId: legacy });
    const theirs = await team(other, 'Payments');
    const before = await eventCount(db);
    for (const input of [
      { teamIds: [payments], kind: 'JOINT_WORK' },
      { teamIds: [payments, payments], kind: 'JOINT_WORK' },
      { teamIds: [], kind: 'JOINT_WORK' },
      { teamIds: [payments, search], kind: 'GOSSIP' },
    ]) {
      expect(await rejection(() => org.run(recordInteraction, input))).toBeInstanceOf(ValidationError);
    }
    expect(
      await rejection(() => org.run(recordInteraction, { teamIds: [payments, theirs], kind: 'JOINT_WORK' })),
    ).toBeInstanceOf(NotFoundError);
    expect(
      await rejection(() => org.run(recordInteraction, { teamIds: [legacy, payments], kind: 'STATUS_UPDATE' })),
    ).toBeInstanceOf(ConflictError);
    expect(await eventCount(db)).toBe(before);
  });
});

describe('handoffs', () => {
  it('record whether the requirement was reviewed with engineering and product', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const day = new Date(Date.UTC(2026, 10, 3));
    const handed = await org.run(
      recordHandoff,
      {
        teamId: payments,
        title: 'Refunds in the app',
        reviewedWithEngineering: false,
        reviewedWithProduct: true,
        comment: 'Spec arrived the day the sprint started',
      },
      { occurredAt: day },
    );
    const { handoffId } = handed.result;
    expect(handed.events.map((e) => [e.streamId, e.type, e.data])).toEqual([
      [
        `handoff-${handoffId}`,
        'HandoffRecorded',
        {
          handoffId,
          teamId: payments,
          title: 'Refunds in the app',
          reviewedWithEngineering: false,
          reviewedWithProduct: true,
          comment: 'Spec arrived the day the sprint started',
        },
      ],
    ]);
    await org.run(recordHandoff, {
      teamId: payments,
      title: 'Saved cards',
      reviewedWithEngineering: true,
      reviewedWithProduct: true,
    });
    expect(
      await rows(
        db,
        `SELECT title, reviewed_with_engineering, reviewed_with_product, comment, occurred_at = $2 AS backdated
         FROM handoffs WHERE team_id = $1 ORDER BY position`,
        [payments, day],
      ),
    ).toEqual([
      {
        title: 'Refunds in the app',
        reviewed_with_engineering: false,
        reviewed_with_product: true,
        comment: 'Spec arrived the day the sprint started',
        backdated: true,
      },
      {
        title: 'Saved cards',
        reviewed_with_engineering: true,
        reviewed_with_product: true,
        comment: null,
        backdated: false,
      },
    ]);
  });

  it('rejects missing review flags, another org’s team and an archived team, writing nothing', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const legacy = await team(org, 'Legacy');
    await org.run(archiveTeam, { teamId: legacy });
    const theirs = await team(other, 'Payments');
    const handoff = { title: 'Refunds', reviewedWithEngineering: true, reviewedWithProduct: true };
    const before = await eventCount(db);
    for (const input of [
      { teamId: payments, title: 'Refunds', reviewedWithProduct: true },
      { teamId: payments, title: 'Refunds', reviewedWithEngineering: 'yes', reviewedWithProduct: true },
      { ...handoff, teamId: payments, title: '' },
    ]) {
      expect(await rejection(() => org.run(recordHandoff, input))).toBeInstanceOf(ValidationError);
    }
    expect(await rejection(() => org.run(recordHandoff, { ...handoff, teamId: theirs }))).toBeInstanceOf(NotFoundError);
    expect(await rejection(() => org.run(recordHandoff, { ...handoff, teamId: legacy }))).toBeInstanceOf(ConflictError);
    expect(await eventCount(db)).toBe(before);
  });
});
