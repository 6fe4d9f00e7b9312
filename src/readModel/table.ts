// How a read-model row (a Prisma model type, camelCase) maps onto its table.
// Projections never write SQL by hand: they put and get rows through a
// WorkingSet, which uses these specs to load and flush them.
import { createHash } from 'node:crypto';
import { lastEventSql } from '../eventStore/eventStore.ts';

export type ColumnType =
  | 'uuid'
  | 'text'
  | 'int'
  | 'bigint'
  | 'float8'
  | 'bool'
  | 'timestamptz'
  | 'jsonb'
  | 'text[]'
  | 'uuid[]'
  | 'bigint[]';

export type TableSpec<Row extends object> = {
  table: string;
  key: readonly (keyof Row & string)[];
  /**
   * Rows only ever inserted, each key once, and never read back by
   * projections or rules (a log beside the models): a WorkingSet keeps them
   * in a list to write, with no lookup by key.
   */
  writeOnly?: true;
  columns: { readonly [Field in keyof Row & string]: readonly [column: string, type: ColumnType] };
};

export function defineTable<Row extends object>(spec: TableSpec<Row>): TableSpec<Row> {
  return spec;
}

export function keyOf<Row extends object>(spec: TableSpec<Row>, row: Partial<Row>): string {
  if (spec.key.length === 1) return String(row[spec.key[0]!]);
  return spec.key.map((field) => String(row[field])).join('\u0000');
}

/** A row as JSON for jsonb_to_recordset: bigint as text, dates as ISO strings. */
export function toJsonRow<Row extends object>(spec: TableSpec<Row>, row: Row): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const field of Object.keys(spec.columns) as (keyof Row & string)[]) {
    const [column] = spec.columns[field];
    const value = row[field] as unknown;
    json[column] =
      typeof value === 'bigint'
        ? value.toString()
        : value instanceof Date
          ? value.toISOString()
          : Array.isArray(value) && typeof value[0] === 'bigint'
            ? value.map(String)
            : (value ?? null);
  }
  return json;
}

/**
 * A database row back into the model's shape: as pg parses it, or as JSON
 * (selected with jsonSelectList: timestamps arrive as strings).
 */
export function fromDatabaseRow<Row extends object>(spec: TableSpec<Row>, record: Record<string, unknown>): Row {
  const row: Record<string, unknown> = {};
  for (const field of Object.keys(spec.columns) as (keyof Row & string)[]) {
    const [column, type] = spec.columns[field];
    const value = record[column];
    row[field] =
      value === null || value === undefined
        ? null
        : type === 'bigint'
          ? BigInt(value as string)
          : type === 'bigint[]'
            ? (value as string[]).map(BigInt)
            : type === 'timestamptz' && typeof value === 'string'
              ? new Date(value)
              : value;
  }
  return row as Row;
}

/** A select list giving a row as JSON losslessly: bigints as text (JSON numbers stop at 2^53). */
export function jsonSelectList<Row extends object>(spec: TableSpec<Row>): string {
  return Object.values(spec.columns as Record<string, readonly [string, ColumnType]>)
    .map(([name, type]) =>
      type === 'bigint'
        ? `"${name}"::text AS "${name}"`
        : type === 'bigint[]'
          ? `"${name}"::text[] AS "${name}"`
          : `"${name}"`,
    )
    .join(', ');
}

/**
 * The SQL as a named prepared statement: parsed and planned once per
 * connection, then only bound and run. Read-model statements are few and
 * fixed (one per table and filter shape), so the cache stays small.
 */
export function prepared(text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name: `rm_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/**
 * The select list of an organization's read-model version: `head`, the
 * position of its last event (0 for none), and `generation`, the identity of
 * the read-model tables (a rebuild swaps in new ones without an event), both
 * as text. `organization` is SQL: a parameter or a quoted literal, of type uuid.
 */
export function readModelVersionSql(organization: string): string {
  return `coalesce(${lastEventSql(organization, 'position')}, 0)::text AS head,
          'teams'::regclass::oid::text AS generation`;
}
