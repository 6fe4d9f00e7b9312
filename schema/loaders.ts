// Batching for fields that hold lists of ids (an agreement's responsibilities
// and ratifiers): every such field resolved in one tick of a request becomes
// one query. One loader per request, per model and selection.
import DataLoader from 'dataloader';
import type { Asset, Person, Responsibility, Team, ValueStream } from '../src/generated/prisma/client.ts';
import type { GraphQLContext } from './context.ts';

type Delegate = { findMany(args: object): Promise<{ id: string }[]> };

const loadersByContext = new WeakMap<GraphQLContext, Map<string, DataLoader<string, unknown>>>();

/**
 * Loads rows of `model` by id for the caller's organization, with the Pothos
 * `query` (selection) of the field, batched with every other load of the same
 * model and selection in this request. Missing ids (deleted, or another
 * organization's) are left out; order follows `ids`.
 */
type Models = { responsibility: Responsibility; person: Person; team: Team; valueStream: ValueStream; asset: Asset };

export async function loadByIds<Model extends keyof Models, Row = Models[Model]>(
  context: GraphQLContext,
  model: Model,
  query: object,
  ids: readonly string[],
  organizationId: string,
): Promise<Row[]> {
  if (ids.length === 0) return [];
  let loaders = loadersByContext.get(context);
  if (!loaders) {
    loaders = new Map();
    loadersByContext.set(context, loaders);
  }
  const key = `${model}:${JSON.stringify(query)}`;
  let loader = loaders.get(key);
  if (!loader) {
    const delegate = context.prisma[model] as unknown as Delegate;
    loader = new DataLoader<string, unknown>(async (batch) => {
      const rows = await delegate.findMany({ ...query, where: { id: { in: [...batch] }, organizationId } });
      const byId = new Map(rows.map((row) => [row.id, row]));
      return batch.map((id) => byId.get(id) ?? null);
    });
    loaders.set(key, loader);
  }
  const rows = await loader.loadMany(ids);
  return rows.filter((row): row is Row => row !== null && !(row instanceof Error));
}

/** Rows of `ids` in the order of `ids` (a findMany by ids returns them in any order). */
export function inOrderOf<Row extends { id: string }>(ids: readonly string[], rows: readonly Row[]): Row[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
