import { publishAsset, reviseAsset } from '../../src/assets/assets.ts';
import { builder } from '../builder.ts';
import { badInput } from '../errors.ts';
import { idOf } from '../ids.ts';
import { AssetKind } from '../types/enums.ts';
import { tenant } from '../types/tenancy.ts';
import { commandOptionFields, present, runCommand, targetedMutation } from './command.ts';

type Payload = { id: string; position: bigint | null };

const assetPayload = (name: string) =>
  builder.objectRef<Payload>(name).implement({
    fields: (t) => ({
      asset: t.prismaField({
        type: 'Asset',
        resolve: (query, payload, _args, context) =>
          context.prisma.asset.findFirstOrThrow({ ...query, where: { id: payload.id, ...tenant(context) } }),
      }),
      position: t.expose('position', {
        type: 'Position',
        nullable: true,
        description: 'The last event the command appended.',
      }),
    }),
  });

/** Global ids of `type`, decoded; null and undefined stay as they are (left out by the command). */
function idsOf(value: readonly (string | number)[] | null | undefined, type: string, field: string) {
  if (value === null || value === undefined) return undefined;
  if (value.length > 100) throw badInput(`${field} lists more than 100 ids`, { field });
  return value.map((globalId) => idOf(String(globalId), type, field));
}

const PublishAssetInput = builder.inputType('PublishAssetInput', {
  fields: (t) => ({
    kind: t.field({ type: AssetKind, required: true, description: 'The category follows from it.' }),
    title: t.string({ required: true }),
    url: t.string({ required: false, description: 'An http(s) link to the artefact.' }),
    teamIds: t.idList({ required: false }),
    valueStreamIds: t.idList({ required: false }),
    ...commandOptionFields(t),
  }),
});

builder.mutationField('publishAsset', (t) =>
  t.field({
    type: assetPayload('PublishAssetPayload'),
    authScopes: { editor: true },
    args: { input: t.arg({ type: PublishAssetInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { kind, title, url, teamIds, valueStreamIds, ...options } = input;
      const outcome = await runCommand(
        context,
        publishAsset,
        present({
          kind,
          title,
          url,
          teamIds: idsOf(teamIds, 'Team', 'teamIds'),
          valueStreamIds: idsOf(valueStreamIds, 'ValueStream', 'valueStreamIds'),
        }),
        options,
      );
      return { id: outcome.result.assetId, position: outcome.position };
    },
  }),
);

targetedMutation({
  name: 'reviseAsset',
  handler: reviseAsset,
  idField: 'assetId',
  idType: 'Asset',
  payload: assetPayload,
  fields: (t) => ({
    rationale: t.string({ required: true, description: 'Why it changed.' }),
    kind: t.field({ type: AssetKind, required: false }),
    title: t.string({ required: false }),
    url: t.string({ required: false, description: 'Null removes the link; omitted keeps it.' }),
    teamIds: t.idList({ required: false, description: 'The new set of linked teams; omitted keeps it.' }),
    valueStreamIds: t.idList({ required: false, description: 'The new set of linked value streams.' }),
  }),
  toInput: (input) => ({
    ...present({
      rationale: input.rationale,
      kind: input.kind,
      title: input.title,
      url: input.url,
      teamIds: idsOf(input.teamIds as string[] | null | undefined, 'Team', 'teamIds'),
      valueStreamIds: idsOf(input.valueStreamIds as string[] | null | undefined, 'ValueStream', 'valueStreamIds'),
    }),
    // An explicit null (not an omitted field) removes the link.
    ...(input.url === null ? { url: null } : {}),
  }),
});
