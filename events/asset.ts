// Stream `asset-<id>`: a shared artefact that makes value understood.
import { z } from 'zod';
import { defineEvent, type EventOf } from '../src/eventStore/catalog.ts';
import { ASSET_CATEGORIES, ASSET_KINDS, id, label } from './common.ts';

const url = z.url({ protocol: /^https?$/ }).max(2_000);

export const AssetPublished = defineEvent({
  type: 'AssetPublished',
  schemaVersion: 1,
  schema: z.object({
    assetId: id,
    kind: z.enum(ASSET_KINDS),
    category: z.enum(ASSET_CATEGORIES),
    title: label,
    url: url.nullable(),
    teamIds: z.array(id).max(100),
    valueStreamIds: z.array(id).max(100),
  }),
});

/** Every revision says what changed (the new values) and why. */
export const AssetRevised = defineEvent({
  type: 'AssetRevised',
  schemaVersion: 1,
  schema: z.object({
    assetId: id,
    revision: z.number().int().min(1),
    rationale: z.string().trim().min(1).max(2_000),
    changes: z.object({
      kind: z.enum(ASSET_KINDS).optional(),
      category: z.enum(ASSET_CATEGORIES).optional(),
      title: label.optional(),
      url: url.nullable().optional(),
      teamIds: z.array(id).max(100).optional(),
      valueStreamIds: z.array(id).max(100).optional(),
    }),
  }),
});

export const assetEvents = [AssetPublished, AssetRevised] as const;
export type AssetEvent = EventOf<typeof assetEvents>;
export const assetStream = (assetId: string) => `asset-${assetId}`;
