// Given/when/then for shared assets: published with a category derived from
// the kind, linked to teams and value streams, revised with what changed and why.
import { describe, expect, it } from 'vitest';
import { publishAsset, reviseAsset } from '../../src/assets/assets.ts';
import { ConflictError, NotFoundError, ValidationError } from '../../src/errors.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { defineValueStream, retireValueStream } from '../../src/valueStreams/valueStreams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { eventCount, rejection, rows, team, useTestDatabase } from '../support/fixtures.ts';

const db = useTestDatabase();

const valueStream = async (org: Commands, name: string) =>
  (await org.run(defineValueStream, { name })).result.valueStreamId;

describe('publishing and revising an asset', () => {
  it('derives the category, links teams and value streams, and records only what changed', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const search = await team(org, 'Search');
    const checkout = await valueStream(org, 'Checkout');

    const published = await org.run(publishAsset, {
      kind: 'USER_JOURNEY',
      title: 'Checkout journey',
      url: 'https://wiki.acme.test/checkout',
      teamIds: [payments],
      valueStreamIds: [checkout],
    });
    const { assetId } = published.result;
    expect(published.events.map((e) => [e.streamId, e.type, e.data])).toEqual([
      [
        `asset-${assetId}`,
        'AssetPublished',
        {
          assetId,
          kind: 'USER_JOURNEY',
          category: 'CUSTOMER_VALUE',
          title: 'Checkout journey',
          url: 'https://wiki.acme.test/checkout',
          teamIds: [payments],
          valueStreamIds: [checkout],
        },
      ],
    ]);

    // Same title and links in another order are no change; the new kind changes the category too.
    const revised = await org.run(reviseAsset, {
      assetId,
      rationale: 'It had become a blueprint of the whole service',
      kind: 'WARDLEY_MAP',
      title: 'Checkout journey',
      teamIds: [payments, search],
      valueStreamIds: [checkout],
    });
    expect(revised.result).toEqual({ assetId });
    expect(revised.events.map((e) => [e.type, e.data])).toEqual([
      [
        'AssetRevised',
        {
          assetId,
          revision: 1,
          rationale: 'It had become a blueprint of the whole service',
          changes: { kind: 'WARDLEY_MAP', category: 'STRATEGY', teamIds: [payments, search] },
        },
      ],
    ]);
    // A kind of the same category changes only the kind; `url: null` removes the link.
    const second = await org.run(reviseAsset, {
      assetId,
      rationale: 'Moved to the strategy deck',
      kind: 'IMPACT_MAP',
      url: null,
      teamIds: [search, payments],
    });
    expect(second.events[0]?.data).toEqual({
      assetId,
      revision: 2,
      rationale: 'Moved to the strategy deck',
      changes: { kind: 'IMPACT_MAP', url: null },
    });

    expect(
      await rows(
        db,
        `SELECT kind, category, title, url, team_ids, value_stream_ids, revision_count, version
         FROM assets WHERE id = $1`,
        [assetId],
      ),
    ).toEqual([
      {
        kind: 'IMPACT_MAP',
        category: 'STRATEGY',
        title: 'Checkout journey',
        url: null,
        team_ids: [payments, search],
        value_stream_ids: [checkout],
        revision_count: 2,
        version: 3,
      },
    ]);
    expect(
      await rows(db, 'SELECT revision, rationale, changes FROM asset_revisions WHERE asset_id = $1 ORDER BY revision', [
        assetId,
      ]),
    ).toEqual([
      {
        revision: 1,
        rationale: 'It had become a blueprint of the whole service',
        changes: { kind: 'WARDLEY_MAP', category: 'STRATEGY', teamIds: [payments, search] },
      },
      { revision: 2, rationale: 'Moved to the strategy deck', changes: { kind: 'IMPACT_MAP', url: null } },
    ]);
  });

  it('publishes an asset linked to nothing, with no link', async () => {
    const org = await newOrganization(db);
    const { assetId } = (await org.run(publishAsset, { kind: 'LEAN_CANVAS', title: 'Lean canvas' })).result;
    expect(
      await rows(db, 'SELECT category, url, team_ids, value_stream_ids FROM assets WHERE id = $1', [assetId]),
    ).toEqual([{ category: 'ECONOMIC_MODEL', url: null, team_ids: [], value_stream_ids: [] }]);
  });

  it('keeps a link to a team archived since, but links no new archived team', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const legacy = await team(org, 'Legacy');
    const { assetId } = (
      await org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant', teamIds: [payments, legacy] })
    ).result;
    await org.run(archiveTeam, { teamId: legacy });
    await org.run(reviseAsset, { assetId, rationale: 'Renamed', title: 'Small merchant' });
    const search = await team(org, 'Search');
    await org.run(archiveTeam, { teamId: search });
    expect(
      await rejection(() => org.run(reviseAsset, { assetId, rationale: 'Also search', teamIds: [payments, search] })),
    ).toBeInstanceOf(ConflictError);
  });
});

describe('content revisions', () => {
  it('a revision that changes no metadata still records a revision of the content, with its rationale', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const { assetId } = (await org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant', teamIds: [payments] }))
      .result;
    const revised = await org.run(reviseAsset, {
      assetId,
      rationale: 'Interviews showed merchants care about payout speed',
      title: 'Merchant',
      teamIds: [payments],
    });
    expect(revised.events.map((e) => e.data)).toEqual([
      { assetId, revision: 1, rationale: 'Interviews showed merchants care about payout speed', changes: {} },
    ]);
    expect(await rows(db, 'SELECT revision_count, title FROM assets WHERE id = $1', [assetId])).toEqual([
      { revision_count: 1, title: 'Merchant' },
    ]);
  });
});

describe('rejections write nothing', () => {
  it('bad input: unknown kind, no rationale, a link that is not http(s), a team listed twice', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const { assetId } = (await org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant' })).result;
    const before = await eventCount(db);
    for (const attempt of [
      () => org.run(publishAsset, { kind: 'POSTER', title: 'Wall' }),
      () => org.run(publishAsset, { kind: 'PERSONA', title: ' ' }),
      () => org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant', url: 'javascript:alert(1)' }),
      () => org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant', teamIds: [payments, payments] }),
      () => org.run(reviseAsset, { assetId, title: 'No rationale' }),
      () => org.run(reviseAsset, { assetId, rationale: ' ', title: 'Blank rationale' }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(ValidationError);
    }
    expect(await eventCount(db)).toBe(before);
  });

  it('ids of another organization are not found; archived teams and retired value streams are conflicts', async () => {
    const org = await newOrganization(db);
    const other = await newOrganization(db);
    const theirTeam = await team(other, 'Payments');
    const theirStream = await valueStream(other, 'Checkout');
    const theirAsset = (await other.run(publishAsset, { kind: 'PERSONA', title: 'Merchant' })).result.assetId;
    const legacy = await team(org, 'Legacy');
    await org.run(archiveTeam, { teamId: legacy });
    const sunset = await valueStream(org, 'Sunset');
    await org.run(retireValueStream, { valueStreamId: sunset });
    const { assetId } = (await org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant' })).result;
    const before = await eventCount(db);

    for (const attempt of [
      () => org.run(publishAsset, { kind: 'PERSONA', title: 'X', teamIds: [theirTeam] }),
      () => org.run(publishAsset, { kind: 'PERSONA', title: 'X', valueStreamIds: [theirStream] }),
      () => org.run(reviseAsset, { assetId: theirAsset, rationale: 'Mine now', title: 'Mine' }),
      () => org.run(reviseAsset, { assetId, rationale: 'Link', teamIds: [theirTeam] }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(NotFoundError);
    }
    for (const attempt of [
      () => org.run(publishAsset, { kind: 'PERSONA', title: 'X', teamIds: [legacy] }),
      () => org.run(publishAsset, { kind: 'PERSONA', title: 'X', valueStreamIds: [sunset] }),
      () => org.run(reviseAsset, { assetId, rationale: 'Link', valueStreamIds: [sunset] }),
    ]) {
      expect(await rejection(attempt)).toBeInstanceOf(ConflictError);
    }
    expect(await eventCount(db)).toBe(before);
    expect(await rows(db, 'SELECT title FROM assets WHERE id = $1', [theirAsset])).toEqual([{ title: 'Merchant' }]);
  });

  it('honours expectedVersion on the asset stream', async () => {
    const org = await newOrganization(db);
    const { assetId } = (await org.run(publishAsset, { kind: 'PERSONA', title: 'Merchant' })).result;
    expect(
      await rejection(() =>
        org.run(reviseAsset, { assetId, rationale: 'Stale', title: 'Buyer' }, { expectedVersion: 2 }),
      ),
    ).toBeInstanceOf(ConflictError);
    await org.run(reviseAsset, { assetId, rationale: 'Fresh', title: 'Buyer' }, { expectedVersion: 1 });
  });
});
