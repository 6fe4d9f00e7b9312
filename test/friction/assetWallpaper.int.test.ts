// ASSET_WALLPAPER on assets: an asset unrevised for 180 days or linked to
// nothing (DOMAIN.md). The value-stream part is in
// valueStreamWithoutCustomerValue.int.test.ts.
import { describe, expect, it } from 'vitest';
import { addDays } from '../../projections/friction/rule.ts';
import { publishAsset, reviseAsset } from '../../src/assets/assets.ts';
import { setFrictionThresholds } from '../../src/organization/organization.ts';
import { archiveTeam } from '../../src/teams/teams.ts';
import { defineValueStream, retireValueStream } from '../../src/valueStreams/valueStreams.ts';
import { type Commands, newOrganization } from '../support/commands.ts';
import { day, team, useTestDatabase } from '../support/fixtures.ts';
import { changesOf, fireTimersAt, openOn, positionsOf, signalsOf } from '../support/friction.ts';

const db = useTestDatabase();

const KIND = 'ASSET_WALLPAPER';

type Links = { teamIds?: string[]; valueStreamIds?: string[] };

const publish = (org: Commands, kind: string, title: string, links: Links = {}, occurredAt?: Date) =>
  org.run(publishAsset, { kind, title, ...links }, occurredAt ? { occurredAt } : {});

const valueStream = async (org: Commands, name: string) =>
  (await org.run(defineValueStream, { name })).result.valueStreamId;

/** The causes of the open signals on an asset. */
const causes = async (org: Commands, assetId: string) =>
  (await openOn(db, org, KIND, assetId)).map((signal) => signal.cause).sort();

/** The open signals of one cause on an asset. */
const openWith = async (org: Commands, assetId: string, cause: string) =>
  (await openOn(db, org, KIND, assetId)).filter((signal) => signal.cause === cause);

/** Every signal (any status) on one subject. */
const signalsOn = async (org: Commands, subjectId: string) =>
  (await signalsOf(db, org, KIND)).filter((signal) => signal.subjectId === subjectId);

describe('ASSET_WALLPAPER (assets)', () => {
  it('is raised (UNLINKED) on an asset linked to nothing, and resolved when it is linked', async () => {
    const org = await newOrganization(db);
    const published = await publish(org, 'LEAN_CANVAS', 'Pricing');
    const assetId = published.result.assetId;
    const [signal] = await openOn(db, org, KIND, assetId);
    expect(signal).toMatchObject({
      subjectKind: 'ASSET',
      cause: 'UNLINKED',
      severity: 'LOW',
      message: 'The lean canvas “Pricing” is linked to no team and no value stream.',
      evidence: positionsOf(published),
      teamIds: [],
    });
    expect(signal!.raisedAt).toEqual(published.events[0]!.occurredAt);

    const payments = await team(org, 'Payments');
    const revised = await org.run(reviseAsset, { assetId, rationale: 'Owned by Payments', teamIds: [payments] });
    expect(await openOn(db, org, KIND, assetId)).toEqual([]);
    expect(await signalsOn(org, assetId)).toMatchObject([
      { id: signal!.id, status: 'RESOLVED', resolvedAt: revised.events[0]!.occurredAt },
    ]);
  });

  it('counts links to archived teams and retired value streams as dead', async () => {
    const org = await newOrganization(db);
    const [payments, search] = [await team(org, 'Payments'), await team(org, 'Search')];
    const checkout = await valueStream(org, 'Checkout');
    const published = await publish(org, 'USER_JOURNEY', 'Checkout journey', {
      teamIds: [payments],
      valueStreamIds: [checkout],
    });
    const assetId = published.result.assetId;
    expect(await openOn(db, org, KIND, assetId)).toEqual([]);

    const archived = await org.run(archiveTeam, { teamId: payments });
    expect(await openOn(db, org, KIND, assetId)).toEqual([]); // still linked to Checkout
    const retired = await org.run(retireValueStream, { valueStreamId: checkout });
    const [signal] = await openOn(db, org, KIND, assetId);
    expect(signal).toMatchObject({
      cause: 'UNLINKED',
      severity: 'LOW',
      message:
        'The user journey “Checkout journey” is linked only to archived teams or retired value streams (Checkout, Payments).',
      evidence: [...positionsOf(published), ...positionsOf(archived), ...positionsOf(retired)],
    });

    await org.run(reviseAsset, { assetId, rationale: 'Search took it over', teamIds: [payments, search] });
    expect(await openOn(db, org, KIND, assetId)).toEqual([]);
  });

  it('is raised (UNREVISED) when the deadline passes, and MEDIUM from twice the limit', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    const published = await publish(org, 'PERSONA', 'Busy parent', { teamIds: [payments] });
    const assetId = published.result.assetId;
    const publishedAt = published.events[0]!.occurredAt;
    expect(await openOn(db, org, KIND, assetId)).toEqual([]);

    await fireTimersAt(db, org, addDays(publishedAt, 179));
    expect(await openOn(db, org, KIND, assetId)).toEqual([]);
    await fireTimersAt(db, org, addDays(publishedAt, 200));
    const [signal] = await openOn(db, org, KIND, assetId);
    expect(signal).toMatchObject({
      cause: 'UNREVISED',
      severity: 'LOW',
      message: `The persona “Busy parent” has not been revised for over 180 days (last on ${publishedAt.toISOString().slice(0, 10)}).`,
      evidence: positionsOf(published),
      teamIds: [payments],
      raisedAt: addDays(publishedAt, 180),
    });

    await fireTimersAt(db, org, addDays(publishedAt, 400));
    const [older] = await openOn(db, org, KIND, assetId);
    expect(older).toMatchObject({ id: signal!.id, severity: 'MEDIUM', updatedAt: addDays(publishedAt, 360) });
  });

  it('is resolved (UNREVISED) by a revision', async () => {
    const org = await newOrganization(db);
    const published = await publish(org, 'PERSONA', 'Busy parent', {}, addDays(new Date(), -300));
    const assetId = published.result.assetId;
    const [signal] = await openWith(org, assetId, 'UNREVISED');
    expect(signal!.severity).toBe('LOW'); // 300 days: under twice the limit

    const revised = await org.run(reviseAsset, { assetId, rationale: 'New interviews' });
    expect(await openWith(org, assetId, 'UNREVISED')).toEqual([]);
    const changes = (await changesOf(db, org)).filter((change) => change.signal_id === signal!.id);
    expect(changes.map((change) => [change.change, change.position])).toEqual([
      ['RAISED', published.position!.toString()],
      ['RESOLVED', revised.position!.toString()],
    ]);
  });

  it('follows assetStaleDays', async () => {
    const org = await newOrganization(db);
    const payments = await team(org, 'Payments');
    // Published on January 1st, judged now (late November): over 180 days, under 400.
    const published = await publish(org, 'WARDLEY_MAP', 'Landscape', { teamIds: [payments] }, day(1));
    const assetId = published.result.assetId;
    expect(await openOn(db, org, KIND, assetId)).toMatchObject([{ cause: 'UNREVISED', severity: 'LOW' }]);

    await org.run(setFrictionThresholds, { thresholds: { assetStaleDays: 400 } });
    expect(await openOn(db, org, KIND, assetId)).toEqual([]);
    await org.run(setFrictionThresholds, { thresholds: { assetStaleDays: 150 } });
    expect(await openOn(db, org, KIND, assetId)).toMatchObject([{ cause: 'UNREVISED', severity: 'MEDIUM' }]);
    await org.run(setFrictionThresholds, { thresholds: { assetStaleDays: null } });
    expect(await openOn(db, org, KIND, assetId)).toMatchObject([{ cause: 'UNREVISED', severity: 'LOW' }]);
  });

  it('holds both causes at once, as two signals', async () => {
    const org = await newOrganization(db);
    const published = await publish(org, 'FLYWHEEL', 'Growth loop', {}, day(1));
    const assetId = published.result.assetId;
    expect(await causes(org, assetId)).toEqual(['UNLINKED', 'UNREVISED']);
    const payments = await team(org, 'Payments');
    await org.run(reviseAsset, { assetId, rationale: 'Linked', teamIds: [payments] }, { occurredAt: day(2) });
    expect(await causes(org, assetId)).toEqual(['UNREVISED']);
  });
});
