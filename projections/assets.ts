import { defineProjection, stamped } from './projection.ts';
import { assetRevisions, assets } from './tables.ts';

export const assetsProjection = defineProjection({
  name: 'assets',
  handlers: {
    AssetPublished: async (ws, event) => {
      ws.put(assets, {
        id: event.data.assetId,
        organizationId: event.organizationId,
        kind: event.data.kind,
        category: event.data.category,
        title: event.data.title,
        url: event.data.url,
        teamIds: event.data.teamIds,
        valueStreamIds: event.data.valueStreamIds,
        publishedAt: event.occurredAt,
        lastRevisedAt: event.occurredAt,
        revisionCount: 0,
        version: event.streamVersion,
        position: event.position,
      });
    },
    AssetRevised: async (ws, event) => {
      const asset = await ws.get(assets, { id: event.data.assetId });
      if (!asset) return;
      const { changes } = event.data;
      ws.put(
        assets,
        stamped(
          {
            ...asset,
            kind: changes.kind ?? asset.kind,
            category: changes.category ?? asset.category,
            title: changes.title ?? asset.title,
            url: changes.url === undefined ? asset.url : changes.url,
            teamIds: changes.teamIds ?? asset.teamIds,
            valueStreamIds: changes.valueStreamIds ?? asset.valueStreamIds,
            lastRevisedAt:
              asset.lastRevisedAt.getTime() > event.occurredAt.getTime() ? asset.lastRevisedAt : event.occurredAt,
            revisionCount: asset.revisionCount + 1,
          },
          event,
        ),
      );
      ws.put(assetRevisions, {
        id: event.eventId,
        organizationId: event.organizationId,
        assetId: event.data.assetId,
        revision: event.data.revision,
        rationale: event.data.rationale,
        changes: changes as never,
        occurredAt: event.occurredAt,
        position: event.position,
      });
    },
  },
});
