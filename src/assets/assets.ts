// Shared assets (canvases, maps, models) that make value understood. The
// category follows from the kind; every revision records only what actually
// changed, and why.
import { z } from 'zod';
import { type AssetEvent, AssetPublished, AssetRevised, assetStream } from '../../events/asset.ts';
import { ASSET_CATEGORY_BY_KIND, ASSET_KINDS, type AssetCategory, type AssetKind, id } from '../../events/common.ts';
import { defineAggregate } from '../commands/aggregate.ts';
import { type CommandContext, defineCommand } from '../commands/command.ts';
import { activeTeam, activeValueStream } from '../commands/lookups.ts';
import { NotFoundError } from '../errors.ts';

export type AssetState =
  | { exists: false }
  | {
      exists: true;
      id: string;
      kind: AssetKind;
      category: AssetCategory;
      title: string;
      url: string | null;
      teamIds: readonly string[];
      valueStreamIds: readonly string[];
      /** 0 when published, +1 per revision. */
      revision: number;
    };

export const assetAggregate = defineAggregate<AssetState>({
  stream: assetStream,
  initial: { exists: false },
  evolve: (state, event) => {
    switch (event.type) {
      case 'AssetPublished':
        return {
          exists: true,
          id: event.data.assetId,
          kind: event.data.kind,
          category: event.data.category,
          title: event.data.title,
          url: event.data.url,
          teamIds: event.data.teamIds,
          valueStreamIds: event.data.valueStreamIds,
          revision: 0,
        };
      case 'AssetRevised': {
        if (!state.exists) return state;
        const { changes } = event.data;
        return {
          ...state,
          kind: changes.kind ?? state.kind,
          category: changes.category ?? state.category,
          title: changes.title ?? state.title,
          url: changes.url === undefined ? state.url : changes.url,
          teamIds: changes.teamIds ?? state.teamIds,
          valueStreamIds: changes.valueStreamIds ?? state.valueStreamIds,
          revision: event.data.revision,
        };
      }
      default:
        return state;
    }
  },
});

export type PublishAsset = {
  assetId: string;
  kind: AssetKind;
  title: string;
  url: string | null;
  teamIds: string[];
  valueStreamIds: string[];
};

/** The new values; a field left out stays as it is (`url: null` removes the link). */
export type ReviseAsset = {
  rationale: string;
  kind?: AssetKind;
  title?: string;
  url?: string | null;
  teamIds?: string[];
  valueStreamIds?: string[];
};

type AssetChanges = Extract<AssetEvent, { type: 'AssetRevised' }>['data']['changes'];

// --- decisions (pure) ---

export function decidePublishAsset(command: PublishAsset): AssetEvent[] {
  return [{ type: 'AssetPublished', data: { ...command, category: ASSET_CATEGORY_BY_KIND[command.kind] } }];
}

export function decideReviseAsset(state: AssetState, assetId: string, revision: ReviseAsset): AssetEvent[] {
  if (!state.exists) throw new NotFoundError(`Asset ${assetId} not found`, { id: assetId });
  const changes: AssetChanges = {};
  if (revision.kind !== undefined && revision.kind !== state.kind) {
    changes.kind = revision.kind;
    const category = ASSET_CATEGORY_BY_KIND[revision.kind];
    if (category !== state.category) changes.category = category;
  }
  if (revision.title !== undefined && revision.title !== state.title) changes.title = revision.title;
  if (revision.url !== undefined && revision.url !== state.url) changes.url = revision.url;
  if (revision.teamIds !== undefined && !sameSet(revision.teamIds, state.teamIds)) changes.teamIds = revision.teamIds;
  if (revision.valueStreamIds !== undefined && !sameSet(revision.valueStreamIds, state.valueStreamIds)) {
    changes.valueStreamIds = revision.valueStreamIds;
  }
  // No change to kind, title, link or links is still a revision: the artefact
  // itself (the canvas, the journey) changed, and the rationale says how and why.
  return [
    {
      type: 'AssetRevised',
      data: { assetId, revision: state.revision + 1, rationale: revision.rationale, changes },
    },
  ];
}

/** Links are a set: the same ids in another order are no change. */
function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === b.length && a.every((value) => set.has(value));
}

// --- commands ---

const distinct = (ids: readonly string[]) => new Set(ids).size === ids.length;
const published = AssetPublished.schema.shape;
const teamIds = published.teamIds.refine(distinct, 'a team is listed more than once');
const valueStreamIds = published.valueStreamIds.refine(distinct, 'a value stream is listed more than once');

/** Every linked team and value stream must be an active one of this organization. */
async function checkLinks(context: CommandContext, links: { teamIds?: string[]; valueStreamIds?: string[] }) {
  for (const teamId of links.teamIds ?? []) await activeTeam(context, teamId);
  for (const valueStreamId of links.valueStreamIds ?? []) await activeValueStream(context, valueStreamId);
}

export const publishAsset = defineCommand({
  name: 'publishAsset',
  input: z.object({
    kind: z.enum(ASSET_KINDS),
    title: published.title,
    url: published.url.optional(),
    teamIds: teamIds.default([]),
    valueStreamIds: valueStreamIds.default([]),
  }),
  run: async (context, input) => {
    await checkLinks(context, input);
    const assetId = context.newId();
    const events = decidePublishAsset({
      assetId,
      kind: input.kind,
      title: input.title,
      url: input.url ?? null,
      teamIds: input.teamIds,
      valueStreamIds: input.valueStreamIds,
    });
    return {
      appends: [{ streamId: assetStream(assetId), expectedVersion: 'NO_STREAM', events }],
      result: { assetId },
    };
  },
});

export const reviseAsset = defineCommand({
  name: 'reviseAsset',
  input: z.object({
    assetId: id,
    rationale: AssetRevised.schema.shape.rationale,
    kind: z.enum(ASSET_KINDS).optional(),
    title: published.title.optional(),
    url: published.url.optional(),
    teamIds: teamIds.optional(),
    valueStreamIds: valueStreamIds.optional(),
  }),
  target: (input) => assetStream(input.assetId),
  run: async (context, input) => {
    // Another organization's asset loads as an empty stream: not found.
    const { state, version } = await context.load(assetAggregate, input.assetId);
    if (state.exists) {
      // Links kept from before stay even if their team was archived since; new ones must be active.
      await checkLinks(context, {
        teamIds: (input.teamIds ?? []).filter((teamId) => !state.teamIds.includes(teamId)),
        valueStreamIds: (input.valueStreamIds ?? []).filter((vsId) => !state.valueStreamIds.includes(vsId)),
      });
    }
    const revision: ReviseAsset = { rationale: input.rationale };
    if (input.kind !== undefined) revision.kind = input.kind;
    if (input.title !== undefined) revision.title = input.title;
    if (input.url !== undefined) revision.url = input.url;
    if (input.teamIds !== undefined) revision.teamIds = input.teamIds;
    if (input.valueStreamIds !== undefined) revision.valueStreamIds = input.valueStreamIds;
    return {
      appends: [
        {
          streamId: assetStream(input.assetId),
          expectedVersion: version,
          events: decideReviseAsset(state, input.assetId, revision),
        },
      ],
      result: { assetId: input.assetId },
    };
  },
});
