// ASSET_WALLPAPER on value streams: a value stream without a customer-value
// asset (DOMAIN.md). The rule is `valueStreamWithoutCustomerValue` in
// projections/friction/rules/assetWallpaper.ts, alongside the asset rule of
// the same kind (see assetWallpaper.int.test.ts).
import { describe, expect, it } from 'vitest';
import { addDays } from '../../projections/friction/rule.ts';
import { publishAsset, reviseAsset } from '../../src/assets/assets.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { defineValueStream, retireValueStream } from '../../src/valueStreams/valueStreams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { useTestDatabase } from '../support/fixtures.ts';
import { fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'ASSET_WALLPAPER';
const CAUSE = 'NO_CUSTOMER_VALUE_ASSET';

const define = (org: Commands, name: string) => org.run(defineValueStream, { name, customer: 'Online shoppers' });

const publish = (org: Commands, kind: string, title: string, valueStreamIds: string[]) =>
  org.run(publishAsset, { kind, title, valueStreamIds });

/** Every signal (any status) on one subject. */
const signalsOn = async (org: Commands, subjectId: string) =>
  (await signalsOf(db, org, KIND)).filter((signal) => signal.subjectId === subjectId);

const BASE = 'has no customer-value asset (such as a user journey, persona or service blueprint) linked to it.';

describe('ASSET_WALLPAPER (value streams)', () => {
  it('is raised on a value stream without a customer-value asset, and resolved when one is linked', async () => {
    const org = await newOrganization(db);
    const defined = await define(org, 'Checkout');
    const checkout = defined.result.valueStreamId;
    const [raised] = await openOn(db, org, KIND, checkout);
    expect(raised).toMatchObject({
      subjectKind: 'VALUE_STREAM',
      cause: CAUSE,
      severity: 'MEDIUM',
      message: `Value stream Checkout ${BASE}`,
      evidence: positionsOf(defined),
      teamIds: [],
    });
    expect(raised!.raisedAt).toEqual(defined.events[0]!.occurredAt);

    // An asset of another category is no customer-value asset.
    const canvas = await publish(org, 'LEAN_CANVAS', 'Pricing', [checkout]);
    const [updated] = await openOn(db, org, KIND, checkout);
    expect(updated).toMatchObject({
      id: raised!.id,
      message: `Value stream Checkout ${BASE} Its linked asset “Pricing” is about economics or strategy, not customer value.`,
      evidence: [...positionsOf(defined), ...positionsOf(canvas)],
    });

    const journey = await publish(org, 'USER_JOURNEY', 'Checkout journey', [checkout]);
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
    expect(await signalsOn(org, checkout)).toMatchObject([
      { id: raised!.id, status: 'RESOLVED', resolvedAt: journey.events[0]!.occurredAt },
    ]);
  });

  it('follows the revisions of an asset: its links (before and after) and its category', async () => {
    const org = await newOrganization(db);
    const checkout = (await define(org, 'Checkout')).result.valueStreamId;
    const search = (await define(org, 'Search')).result.valueStreamId;
    const assetId = (await publish(org, 'PERSONA', 'Busy parent', [checkout])).result.assetId;
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
    expect(await openOn(db, org, KIND, search)).toHaveLength(1);

    // Moved from Checkout (its published link) to Search.
    await org.run(reviseAsset, { assetId, rationale: 'Search persona', valueStreamIds: [search] });
    expect(await openOn(db, org, KIND, checkout)).toHaveLength(1);
    expect(await openOn(db, org, KIND, search)).toEqual([]);
    // And back (a link set by an earlier revision).
    await org.run(reviseAsset, { assetId, rationale: 'Checkout persona after all', valueStreamIds: [checkout] });
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
    expect(await openOn(db, org, KIND, search)).toHaveLength(1);

    // A persona turned into a lean canvas is no customer-value asset any more.
    await org.run(reviseAsset, { assetId, rationale: 'Reworked', kind: 'LEAN_CANVAS', title: 'Checkout canvas' });
    expect((await openOn(db, org, KIND, checkout))[0]!.message).toBe(
      `Value stream Checkout ${BASE} Its linked asset “Checkout canvas” is about economics or strategy, not customer value.`,
    );

    await org.run(retireValueStream, { valueStreamId: checkout });
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
  });

  it('follows valueStreamAssetGraceDays, counted from the definition, with a timer for the deadline', async () => {
    const org = await newOrganization(db);
    await org.run(setFrictionThresholds, { thresholds: { valueStreamAssetGraceDays: 10 } });
    const defined = await define(org, 'Checkout');
    const checkout = defined.result.valueStreamId;
    const definedAt = defined.events[0]!.occurredAt;
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);

    await fireTimersAt(db, org, addDays(definedAt, 9));
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
    await fireTimersAt(db, org, addDays(definedAt, 20));
    const [signal] = await openOn(db, org, KIND, checkout);
    expect(signal).toMatchObject({ cause: CAUSE, raisedAt: addDays(definedAt, 10) });

    await org.run(setFrictionThresholds, { thresholds: { valueStreamAssetGraceDays: 30 } });
    expect(await openOn(db, org, KIND, checkout)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { valueStreamAssetGraceDays: null } });
    expect(await openOn(db, org, KIND, checkout)).toHaveLength(1);
  });

  it('keeps the two rules of the kind apart: thresholds of one leave the other’s signals alone', async () => {
    const org = await newOrganization(db);
    const checkout = (await define(org, 'Checkout')).result.valueStreamId;
    const assetId = (await org.run(publishAsset, { kind: 'LEAN_CANVAS', title: 'Loose canvas' })).result.assetId;
    const before = [...(await openOn(db, org, KIND, checkout)), ...(await openOn(db, org, KIND, assetId))];
    expect(before.map((signal) => [signal.subjectKind, signal.cause])).toEqual([
      ['VALUE_STREAM', CAUSE],
      ['ASSET', 'UNLINKED'],
    ]);

    await org.run(setFrictionThresholds, { thresholds: { assetStaleDays: 30 } });
    await org.run(setFrictionThresholds, { thresholds: { valueStreamAssetGraceDays: 0 } });
    const after = [...(await openOn(db, org, KIND, checkout)), ...(await openOn(db, org, KIND, assetId))];
    expect(after).toEqual(before);
  });
});
