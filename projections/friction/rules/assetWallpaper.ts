// ASSET_WALLPAPER ("assets as cubicle pin-ups"): an asset unrevised for 180
// days or linked to nothing; a value stream without a customer-value asset
// (DOMAIN.md). A rule has one subject kind, so this module holds two rules of
// the one kind (signals are told apart by subject: asset and value stream ids
// never collide).
//
// `assetWallpaper`, on each asset (assets are never removed), two causes:
// - UNREVISED: not revised (nor published) for `assetStaleDays` (default 180)
//   by org time: lastRevisedAt + assetStaleDays <= now. LOW; MEDIUM from twice
//   the limit. Recheck at the deadline and at twice it. Evidence: the asset's
//   latest event (its last revision, or its publication).
// - UNLINKED: linked to no active team and no value stream that is not
//   retired (links to archived teams or retired value streams are dead links,
//   named in the message). LOW. Evidence: the asset's latest event and the
//   archiving/retirement of the dead links.
// Both list the asset's active linked teams as `teamIds`.
//
// `valueStreamWithoutCustomerValue`, on each value stream not retired, cause
// NO_CUSTOMER_VALUE_ASSET: no asset of category CUSTOMER_VALUE links to it, once
// `valueStreamAssetGraceDays` (default 0) have passed since it was defined (the
// deadline is the recheck time). MEDIUM. Evidence: the value stream's
// definition and the (other-category) assets linked to it, named in the message.
import type { Asset } from '../../../src/generated/prisma/client.ts';
import type { WorkingSet } from '../../../src/readModel/workingSet.ts';
import { assetRevisions, assets, teams, valueStreams } from '../../tables.ts';
import { addDays, defineRule, type Finding, nextAfter, positions } from '../rule.ts';

const asset = (event: { data: { assetId: string } }) => [event.data.assetId];

/** `LEAN_CANVAS` -> `lean canvas`. */
const kindLabel = (kind: string) => kind.toLowerCase().replaceAll('_', ' ');
const isoDay = (date: Date) => date.toISOString().slice(0, 10);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export const assetWallpaper = defineRule({
  kind: 'ASSET_WALLPAPER',
  subjectKind: 'ASSET',
  description: 'An asset not revised for a long time, or linked to no active team or value stream.',
  thresholds: {
    assetStaleDays: {
      description: 'How many days an asset may go without a revision before it counts as wallpaper.',
      default: 180,
      min: 1,
      max: 3_650,
    },
  },
  affects: {
    AssetPublished: asset,
    AssetRevised: asset,
    // A link to an archived team or a retired value stream is a dead link.
    TeamArchived: async (event, { ws, organizationId }) =>
      (await ws.containing(assets, 'teamIds', event.data.teamId, { organizationId })).map((row) => row.id),
    ValueStreamRetired: async (event, { ws }) =>
      (await ws.containing(assets, 'valueStreamIds', event.data.valueStreamId)).map((row) => row.id),
  },
  async evaluate({ ws, thresholds, at }, assetId) {
    const subject = await ws.get(assets, { id: assetId });
    if (!subject) return { findings: [] };
    const label = `The ${kindLabel(subject.kind)} “${subject.title}”`;
    const findings: Finding[] = [];

    const liveTeams: string[] = [];
    const dead: { name: string; position: bigint }[] = [];
    for (const teamId of subject.teamIds) {
      const team = await ws.get(teams, { id: teamId });
      if (team && !team.archivedAt) liveTeams.push(team.id);
      else if (team) dead.push({ name: team.name, position: team.position });
    }
    liveTeams.sort(byText);
    let liveStreams = 0;
    for (const valueStreamId of subject.valueStreamIds) {
      const valueStream = await ws.get(valueStreams, { id: valueStreamId });
      if (valueStream && !valueStream.retiredAt) liveStreams++;
      else if (valueStream) dead.push({ name: valueStream.name, position: valueStream.position });
    }
    if (liveTeams.length === 0 && liveStreams === 0) {
      const deadNames = dead.map(({ name }) => name).sort(byText);
      findings.push({
        cause: 'UNLINKED',
        severity: 'LOW',
        message:
          deadNames.length === 0
            ? `${label} is linked to no team and no value stream.`
            : `${label} is linked only to archived teams or retired value streams (${deadNames.join(', ')}).`,
        evidence: positions(subject.position, ...dead.map(({ position }) => position)),
      });
    }

    const limit = thresholds.assetStaleDays!;
    const staleAt = addDays(subject.lastRevisedAt, limit);
    const veryStaleAt = addDays(subject.lastRevisedAt, 2 * limit);
    if (at >= staleAt) {
      findings.push({
        cause: 'UNREVISED',
        severity: at >= veryStaleAt ? 'MEDIUM' : 'LOW',
        message: `${label} has not been revised for over ${limit} days (last on ${isoDay(subject.lastRevisedAt)}).`,
        evidence: positions(subject.position),
        teamIds: liveTeams,
      });
    }
    return { findings, recheckAt: nextAfter(at, staleAt, veryStaleAt) };
  },
});

/** The value streams an asset linked to before its revision number `revision`. */
async function linkedBefore(ws: WorkingSet, organizationId: string, current: Asset, revision: number) {
  const earlier = (await ws.where(assetRevisions, { assetId: current.id }))
    .filter((row) => row.revision < revision)
    .sort((a, b) => b.revision - a.revision)
    .find((row) => (row.changes as { valueStreamIds?: string[] }).valueStreamIds !== undefined);
  if (earlier) return (earlier.changes as { valueStreamIds: string[] }).valueStreamIds;
  // Unchanged since publication: the read models do not keep the published links.
  return (await ws.where(valueStreams, { organizationId })).map((row) => row.id);
}

export const valueStreamWithoutCustomerValue = defineRule({
  kind: 'ASSET_WALLPAPER',
  subjectKind: 'VALUE_STREAM',
  description: 'A value stream that no customer-value asset (user journey, persona, ...) is linked to.',
  thresholds: {
    valueStreamAssetGraceDays: {
      description: 'How many days after its definition a value stream may go without a customer-value asset.',
      default: 0,
      min: 0,
      max: 365,
    },
  },
  affects: {
    ValueStreamDefined: (event) => [event.data.valueStreamId],
    ValueStreamRetired: (event) => [event.data.valueStreamId],
    AssetPublished: (event) => event.data.valueStreamIds,
    // The streams it links to now (a new category or title, a new link), and
    // those it linked to before when the links changed.
    AssetRevised: async (event, { ws, organizationId }) => {
      const current = await ws.get(assets, { id: event.data.assetId });
      if (!current) return [];
      if (event.data.changes.valueStreamIds === undefined) return current.valueStreamIds;
      return [...current.valueStreamIds, ...(await linkedBefore(ws, organizationId, current, event.data.revision))];
    },
  },
  async evaluate({ ws, thresholds, at }, valueStreamId) {
    const subject = await ws.get(valueStreams, { id: valueStreamId });
    if (!subject || subject.retiredAt) return { findings: [] };
    const linked = await ws.containing(assets, 'valueStreamIds', valueStreamId);
    if (linked.some((row) => row.category === 'CUSTOMER_VALUE')) return { findings: [] };
    const deadline = addDays(subject.definedAt, thresholds.valueStreamAssetGraceDays!);
    if (at < deadline) return { findings: [], recheckAt: nextAfter(at, deadline) };

    const titles = linked.map((row) => `“${row.title}”`).sort(byText);
    const others =
      titles.length === 0
        ? ''
        : titles.length === 1
          ? ` Its linked asset ${titles[0]} is about economics or strategy, not customer value.`
          : ` Its linked assets (${titles.join(', ')}) are about economics or strategy, not customer value.`;
    return {
      findings: [
        {
          cause: 'NO_CUSTOMER_VALUE_ASSET',
          severity: 'MEDIUM',
          message: `Value stream ${subject.name} has no customer-value asset (such as a user journey, persona or service blueprint) linked to it.${others}`,
          evidence: positions(subject.position, ...linked.map((row) => row.position)),
        },
      ],
    };
  },
});
