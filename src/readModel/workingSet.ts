// The rows a projection reads and writes while it applies events.
//
// Inline (with a connection): rows are loaded on first use inside the
// command's transaction, changes are buffered and flushed in one statement per
// table before commit. Rebuild (no connection): every row lives in memory and
// is flushed in bulk at the end. Projections are written once against this
// interface, so replaying the log runs exactly the code the inline path runs.
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { executeSql, type NamedQuery, queryNamed } from '../db/prepared.ts';
import type { Queryable } from '../eventStore/types.ts';
import { type ColumnType, fromDatabaseRow, keyOf, prepared, type TableSpec, toJsonRow } from './table.ts';

type Entry = { row: object | undefined; dirty: boolean; deleted: boolean };

/**
 * A secondary index (memory mode): the entries of the live rows by the values
 * of `fields`, one level of maps per field (values are map keys as they are:
 * no key string is built per lookup). An index on `field[]` holds a row under
 * each element of its array field. Buckets hold the entries themselves, not
 * their ids: a read of a bucket's rows looks nothing up in the table's map
 * (an entry keeps its identity while its row is replaced).
 */
type SecondaryIndex = { fields: readonly string[]; array: string | undefined; root: IndexLevel };
type Bucket = Set<Entry>;
type IndexLevel = Map<unknown, IndexLevel | Bucket>;

/** Rows the database holds for a filter, all loaded (inline mode): later reads it covers need no query. */
type Loaded = { equal: Record<string, unknown>; contains?: { field: string; element: string } };

class TableState {
  readonly entries = new Map<string, Entry>();
  /** Ids of the entries changed since the last flush: a flush visits these, not every row held. */
  readonly dirty = new Set<string>();
  readonly loaded: Loaded[] = [];
  /** Secondary indexes for `where` in memory mode (a table has a few). */
  readonly indexes: SecondaryIndex[] = [];
  /** A write-only table's rows put since the last flush (it has no entries). */
  appended: object[] = [];
}

const FLUSH_CHUNK = 5_000;

export class WorkingSet {
  readonly #db: Queryable | undefined;
  readonly #tables = new Map<LooseSpec, TableState>();

  /** With a connection: inline mode. Without: everything in memory (rebuilds, tests). */
  constructor(db?: Queryable) {
    this.#db = db;
  }

  #state(spec: LooseSpec): TableState {
    let state = this.#tables.get(spec);
    if (!state) {
      state = new TableState();
      this.#tables.set(spec, state);
    }
    return state;
  }

  /** A table's state for a read: a write-only table has no rows to read. */
  #readable<Row extends object>(spec: TableSpec<Row>): TableState {
    if (spec.writeOnly) throw new Error(`${spec.table} is write-only: its rows are not read back`);
    return this.#state(erase(spec));
  }

  async get<Row extends object>(spec: TableSpec<Row>, key: Partial<Row>): Promise<Row | undefined> {
    const state = this.#readable(spec);
    const id = keyOf(spec, key);
    const cached = state.entries.get(id);
    if (cached) return cached.deleted ? undefined : (cached.row as Row | undefined);
    if (!this.#db) return undefined;
    if (covered(state, key)) {
      state.entries.set(id, { row: undefined, dirty: false, deleted: false });
      return undefined;
    }
    const rows = await this.#select(spec, key);
    const row = rows[0];
    state.entries.set(id, { row, dirty: false, deleted: false });
    return row;
  }

  /** Rows whose fields equal `filter` (use indexed fields). */
  async where<Row extends object>(spec: TableSpec<Row>, filter: Partial<Row>): Promise<Row[]> {
    const state = this.#readable(spec);
    const fields = Object.keys(filter) as (keyof Row & string)[];
    if (this.#db) {
      const matches = (row: object) => fields.every((field) => sameValue((row as Row)[field], filter[field]));
      if (!covered(state, filter)) {
        this.#remember(state, spec, await this.#select(spec, filter));
        state.loaded.push({ equal: { ...filter } });
      }
      // Rows this transaction already loaded or changed win over the database.
      return cachedMatching(state, matches);
    }
    // Memory mode: the index holds exactly the live rows with these values.
    if (fields.length === 0) return this.rows(spec);
    const index = this.#index(state, fields);
    const values: unknown[] = [];
    for (const field of fields) values.push(indexValue(filter[field]));
    const bucket = find(index.root, values);
    if (!bucket) return [];
    const rows: Row[] = [];
    for (const entry of bucket) rows.push(entry.row as Row);
    return rows;
  }

  /**
   * Rows whose array field `field` holds `element` and whose other fields
   * equal `filter` (back the array with a GIN index).
   */
  async containing<Row extends object>(
    spec: TableSpec<Row>,
    field: keyof Row & string,
    element: string,
    filter: Partial<Row> = {},
  ): Promise<Row[]> {
    const state = this.#readable(spec);
    const fields = Object.keys(filter) as (keyof Row & string)[];
    const matches = (row: object) =>
      ((row as Row)[field] as unknown as string[] | null)?.includes(element) === true &&
      fields.every((name) => sameValue((row as Row)[name], filter[name]));
    if (this.#db) {
      if (!covered(state, filter, { field, element })) {
        this.#remember(state, spec, await this.#select(spec, filter, { field, element }));
        state.loaded.push({ equal: { ...filter }, contains: { field, element } });
      }
      return cachedMatching(state, matches);
    }
    const bucket = find(this.#index(state, [`${field}[]`]).root, [element]);
    if (!bucket) return [];
    const rows: Row[] = [];
    for (const entry of bucket) {
      const row = entry.row as Row;
      if (matches(row)) rows.push(row);
    }
    return rows;
  }

  /**
   * Loads, in one query, the rows whose `field` is any of `values` (and whose
   * other fields equal `filter`), so that later reads of each value need none.
   * In memory mode there is nothing to load.
   */
  async preload<Row extends object>(
    spec: TableSpec<Row>,
    field: keyof Row & string,
    values: readonly string[],
    filter: Partial<Row> = {},
  ): Promise<void> {
    if (!this.#db || values.length === 0) return;
    const state = this.#state(erase(spec));
    const missing = [...new Set(values)].filter((value) => !covered(state, { ...filter, [field]: value }));
    if (missing.length === 0) return;
    this.#remember(state, spec, await this.#select(spec, filter, undefined, { field, values: missing }));
    for (const value of missing) state.loaded.push({ equal: { ...filter, [field]: value } });
  }

  /**
   * Rows the caller read from the database itself (several tables in one
   * query), with the filters they answer completely: later reads those
   * filters cover need no query.
   */
  adopt<Row extends object>(spec: TableSpec<Row>, rows: Row[], complete: readonly Partial<Row>[] = []): void {
    const state = this.#state(erase(spec));
    this.#remember(state, spec, rows);
    for (const filter of complete) state.loaded.push({ equal: { ...filter } });
  }

  /** Rows read from the database: cached unless this transaction already has them. */
  #remember<Row extends object>(state: TableState, spec: TableSpec<Row>, rows: Row[]): void {
    for (const loaded of rows) {
      const id = keyOf(spec, loaded);
      if (!state.entries.get(id)?.row) state.entries.set(id, { row: loaded, dirty: false, deleted: false });
    }
  }

  put<Row extends object>(spec: TableSpec<Row>, row: Row): void {
    const state = this.#state(erase(spec));
    if (spec.writeOnly) {
      state.appended.push(row);
      return;
    }
    const id = keyOf(spec, row);
    const previous = state.entries.get(id);
    // Writing back what is there changes nothing: the row stays as clean (or as dirty) as it was.
    if (previous?.row && !previous.deleted && sameRow(spec, previous.row as Row, row)) return;
    const before = previous?.deleted ? undefined : previous?.row;
    let entry = previous;
    if (entry) {
      entry.row = row;
      entry.dirty = true;
      entry.deleted = false;
    } else {
      entry = { row, dirty: true, deleted: false };
      state.entries.set(id, entry);
    }
    if (state.indexes.length > 0) reindex(state, entry, before, row);
    state.dirty.add(id);
  }

  delete<Row extends object>(spec: TableSpec<Row>, key: Partial<Row>): void {
    const state = this.#readable(spec);
    const id = keyOf(spec, key);
    const previous = state.entries.get(id);
    if (previous?.row && !previous.deleted && state.indexes.length > 0) unindex(state, previous, previous.row);
    state.entries.set(id, { row: { ...key }, dirty: true, deleted: true });
    state.dirty.add(id);
  }

  /** Writes every change: upserts and deletes, a few statements per table. */
  async flush(db: Queryable | undefined = this.#db): Promise<void> {
    await this.flushTables([...this.#tables.keys()], db);
  }

  /**
   * Writes the changes of these tables, in one statement when they are few
   * (the usual command), in chunks of statements when they are many.
   */
  async flushTables(specs: readonly LooseSpec[], db: Queryable | undefined = this.#db): Promise<void> {
    if (!db) throw new Error('flush needs a connection');
    await write(db, this.#statements(specs));
  }

  /**
   * Writes every change still held and commits the client's transaction, in
   * one round trip when the write is a statement this connection has
   * prepared before (the usual command): `EXECUTE` of it, with the rows as a
   * quoted literal (a simple query takes no parameters), then `COMMIT`, as
   * one simple query. Otherwise the write is prepared and run, then committed.
   */
  async flushAndCommit(client: pg.ClientBase): Promise<void> {
    const changes = this.#statements([...this.#tables.keys()]);
    const { statements, rows } = changes;
    const sql = rows > 0 && rows <= FLUSH_CHUNK ? executeSql(client, combined(statements)) : undefined;
    if (sql) {
      await client.query(`${sql}; COMMIT`);
      return;
    }
    await write(client, changes);
    await client.query('COMMIT');
  }

  /** The statements writing the changes of these tables (taken: the rows are marked clean). */
  #statements(specs: readonly LooseSpec[]): { statements: Statement[]; rows: number } {
    const statements: Statement[] = [];
    let rows = 0;
    for (const spec of specs) {
      const { upserts, deletes } = this.#takeChanges(spec, false);
      for (let i = 0; i < upserts.length; i += FLUSH_CHUNK) {
        statements.push(upsertStatement(spec, upserts.slice(i, i + FLUSH_CHUNK)));
      }
      for (let i = 0; i < deletes.length; i += FLUSH_CHUNK) {
        statements.push(deleteStatement(spec, deletes.slice(i, i + FLUSH_CHUNK)));
      }
      rows += upserts.length + deletes.length;
    }
    return { statements, rows };
  }

  /** The dirty rows of a table, marked clean: rows to upsert and keys to delete. */
  #takeChanges(spec: LooseSpec, fresh: boolean): { upserts: object[]; deletes: object[] } {
    const deletes: object[] = [];
    const state = this.#tables.get(spec);
    if (!state) return { upserts: [], deletes };
    // The appended list itself, not a copy spread into another (a rebuild's
    // hundreds of thousands of references would overflow the call stack).
    const upserts: object[] = state.appended;
    state.appended = [];
    for (const id of state.dirty) {
      const entry = state.entries.get(id);
      if (!entry?.dirty || !entry.row) continue;
      if (entry.deleted) {
        if (!fresh) deletes.push(entry.row);
      } else upserts.push(entry.row);
      entry.dirty = false;
    }
    state.dirty.clear();
    return { upserts, deletes };
  }

  /** The tables holding changes; a bulk load can flush them on separate connections. */
  get changedTables(): readonly LooseSpec[] {
    return [...this.#tables.keys()];
  }

  /**
   * Writes one table's changes. `fresh`: the table is known to be empty
   * (a rebuild's new tables), so the rows are streamed in with COPY into the
   * table of that name in `schema` (named, not found on the search path:
   * a schema dropped meanwhile must fail the COPY, not let it fall through
   * to the live table); `db` must then be a client, not a pool.
   */
  async flushTable(spec: LooseSpec, db: Queryable, options: { fresh?: boolean; schema?: string } = {}): Promise<void> {
    if (!options.fresh) return this.flushTables([spec], db);
    const { upserts } = this.#takeChanges(spec, true);
    await copyRows(db as pg.ClientBase, spec, upserts, options.schema);
  }

  /** Drops everything held for a table (rows written and flushed that nothing reads again). */
  forget(spec: LooseSpec): void {
    this.#tables.delete(spec);
  }

  /**
   * Every live row of a table (memory mode: rebuild comparisons, tests); of a
   * write-only table, the rows put since its last flush.
   */
  rows<Row extends object>(spec: TableSpec<Row>): Row[] {
    const state = this.#tables.get(erase(spec));
    if (!state) return [];
    if (spec.writeOnly) return [...state.appended] as Row[];
    return [...state.entries.values()].filter((entry) => entry.row && !entry.deleted).map((entry) => entry.row as Row);
  }

  async #select<Row extends object>(
    spec: TableSpec<Row>,
    filter: Partial<Row>,
    contains?: { field: keyof Row & string; element: string },
    anyOf?: { field: keyof Row & string; values: readonly string[] },
  ): Promise<Row[]> {
    const fields = Object.keys(filter) as (keyof Row & string)[];
    const where: string[] = [];
    const values: unknown[] = [];
    for (const field of fields) {
      const value = filter[field];
      if (value === null) where.push(`${quote(spec.columns[field][0])} IS NULL`);
      else {
        values.push(toParameter(value));
        where.push(`${quote(spec.columns[field][0])} = $${values.length}`);
      }
    }
    if (contains) {
      const [name, type] = spec.columns[contains.field];
      values.push([contains.element]);
      where.push(`${quote(name)} @> $${values.length}::${type}`);
    }
    if (anyOf) {
      const [name, type] = spec.columns[anyOf.field];
      values.push(anyOf.values);
      where.push(`${quote(name)} = ANY($${values.length}::${type}[])`);
    }
    const result = await this.#db!.query<Record<string, unknown>>(
      prepared(
        `SELECT ${selectList(erase(spec))} FROM ${quote(spec.table)}${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`,
        values,
      ),
    );
    return result.rows.map((record) => fromDatabaseRow(spec, record));
  }

  #index(state: TableState, fields: readonly string[]): SecondaryIndex {
    // Object.keys gives the same field name strings on every call: comparing them is cheap.
    for (const index of state.indexes) if (sameKey(index.fields, fields)) return index;
    const [first] = fields;
    const array = fields.length === 1 && first!.endsWith('[]') ? first!.slice(0, -2) : undefined;
    const index: SecondaryIndex = { fields: [...fields], array, root: new Map() };
    state.indexes.push(index);
    for (const entry of state.entries.values()) {
      if (entry.row && !entry.deleted) for (const values of indexKeys(index, entry.row)) add(index.root, values, entry);
    }
    return index;
  }
}

/** Moves an entry from the index buckets of its old row to those of its new one (most updates keep them). */
function reindex(state: TableState, entry: Entry, before: object | undefined, after: object): void {
  for (const index of state.indexes) {
    if (before && index.array === undefined && sameIndexValues(index, before, after)) continue;
    const old = before ? indexKeys(index, before) : [];
    const next = indexKeys(index, after);
    for (const values of old)
      if (!next.some((other) => sameKey(values, other))) find(index.root, values)?.delete(entry);
    for (const values of next) if (!old.some((other) => sameKey(values, other))) add(index.root, values, entry);
  }
}

function unindex(state: TableState, entry: Entry, row: object): void {
  for (const index of state.indexes) {
    for (const values of indexKeys(index, row)) find(index.root, values)?.delete(entry);
  }
}

/** Tables of different row types share one map; the spec object is only an identity there. */
export type LooseSpec = {
  table: string;
  key: readonly string[];
  columns: Readonly<Record<string, readonly [string, ColumnType]>>;
};

function column(spec: LooseSpec, field: string): readonly [string, ColumnType] {
  const found = spec.columns[field];
  if (!found) throw new Error(`${spec.table} has no column for ${field}`);
  return found;
}

function erase<Row extends object>(spec: TableSpec<Row>): LooseSpec {
  return spec as unknown as LooseSpec;
}

/** Whether rows loaded earlier hold every database row `filter` (and `contains`) can match. */
function covered(state: TableState, filter: object, contains?: { field: string; element: string }): boolean {
  const wanted = filter as Record<string, unknown>;
  return state.loaded.some(
    (loaded) =>
      (!loaded.contains ||
        (contains !== undefined &&
          loaded.contains.field === contains.field &&
          loaded.contains.element === contains.element)) &&
      Object.entries(loaded.equal).every(([field, value]) => field in wanted && sameValue(wanted[field], value)),
  );
}

function cachedMatching<Row>(state: TableState, matches: (row: object) => boolean): Row[] {
  const rows: Row[] = [];
  for (const entry of state.entries.values()) {
    if (!entry.deleted && entry.row && matches(entry.row)) rows.push(entry.row as Row);
  }
  return rows;
}

/** A value as an index key: dates by their time, null and undefined alike. */
function indexValue(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return value instanceof Date ? value.getTime() : value;
}

/** The keys (value lists) a row has in an index: one, or one per distinct element of an array field. */
function indexKeys(index: SecondaryIndex, row: object): unknown[][] {
  const record = row as Record<string, unknown>;
  if (index.array !== undefined) {
    const elements = record[index.array] as unknown[] | null;
    return elements ? [...new Set(elements)].map((element) => [element]) : [];
  }
  const values: unknown[] = [];
  for (const field of index.fields) values.push(indexValue(record[field]));
  return [values];
}

/** Whether two rows have the same values in a (non-array) index: most updates keep them. */
function sameIndexValues(index: SecondaryIndex, a: object, b: object): boolean {
  for (const field of index.fields) {
    if (indexValue((a as Record<string, unknown>)[field]) !== indexValue((b as Record<string, unknown>)[field])) {
      return false;
    }
  }
  return true;
}

function sameKey(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function find(root: IndexLevel, values: readonly unknown[]): Bucket | undefined {
  let level: IndexLevel | Bucket | undefined = root;
  for (const value of values) {
    level = (level as IndexLevel).get(value);
    if (!level) return undefined;
  }
  return level as Bucket;
}

function add(root: IndexLevel, values: readonly unknown[], entry: Entry): void {
  let level = root;
  for (let i = 0; i < values.length - 1; i++) {
    let next = level.get(values[i]) as IndexLevel | undefined;
    if (!next) {
      next = new Map();
      level.set(values[i], next);
    }
    level = next;
  }
  const last = values[values.length - 1];
  let bucket = level.get(last) as Bucket | undefined;
  if (!bucket) {
    bucket = new Set();
    level.set(last, bucket);
  }
  bucket.add(entry);
}

/** Equal in every column: dates by time, arrays element by element, JSON by its text. */
function sameRow<Row extends object>(spec: TableSpec<Row>, a: Row, b: Row): boolean {
  for (const field of Object.keys(spec.columns) as (keyof Row & string)[]) {
    const x: unknown = a[field];
    const y: unknown = b[field];
    if (sameValue(x, y)) continue;
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length || x.some((item, index) => !sameValue(item, y[index]))) return false;
      continue;
    }
    if (typeof x === 'object' && x !== null && typeof y === 'object' && y !== null) {
      if (JSON.stringify(x) !== JSON.stringify(y)) return false;
      continue;
    }
    return false;
  }
  return true;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  return a === b || (a == null && b == null);
}

function toParameter(value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

function selectList(spec: LooseSpec): string {
  return Object.values(spec.columns)
    .map(([name, type]) => (type === 'bigint' ? `${quote(name)}::text AS ${quote(name)}` : quote(name)))
    .join(', ');
}

function recordsetColumns(spec: LooseSpec): string {
  return Object.values(spec.columns)
    .map(([name, type]) => `${quote(name)} ${type}`)
    .join(', ');
}

type Statement = { sql: (parameter: string) => string; parameter: string };

/** INSERT … ON CONFLICT UPDATE of `rows`, from a jsonb parameter. */
function upsertStatement(spec: LooseSpec, rows: object[]): Statement {
  const columns = Object.values(spec.columns).map(([name]) => quote(name));
  const keyColumns = spec.key.map((field) => quote(column(spec, field)[0]));
  const updates = columns.filter((column) => !keyColumns.includes(column)).map((c) => `${c} = excluded.${c}`);
  return {
    sql: (parameter) =>
      `INSERT INTO ${quote(spec.table)} (${columns.join(', ')})
       SELECT ${columns.join(', ')} FROM jsonb_to_recordset(${parameter}::jsonb) AS r(${recordsetColumns(spec)})
       ON CONFLICT (${keyColumns.join(', ')}) DO ${updates.length ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    parameter: JSON.stringify(rows.map((row) => toJsonRow(spec as unknown as TableSpec<object>, row))),
  };
}

/** DELETE of the rows with these keys, from a jsonb parameter. */
function deleteStatement(spec: LooseSpec, keys: object[]): Statement {
  const keyColumns = spec.key.map((field) => column(spec, field));
  return {
    sql: (parameter) =>
      `DELETE FROM ${quote(spec.table)} t USING jsonb_to_recordset(${parameter}::jsonb) AS k(${keyColumns
        .map(([name, type]) => `${quote(name)} ${type}`)
        .join(', ')})
       WHERE ${keyColumns.map(([name]) => `t.${quote(name)} = k.${quote(name)}`).join(' AND ')}`,
    parameter: JSON.stringify(
      keys.map((key) =>
        Object.fromEntries(
          spec.key.map((field) => [column(spec, field)[0], toParameter((key as Record<string, unknown>)[field])]),
        ),
      ),
    ),
  };
}

/**
 * The statements as one prepared statement: one alone, several as
 * data-modifying CTEs of one statement (they touch different rows, so their
 * order does not matter).
 */
function combined(statements: readonly Statement[]): NamedQuery {
  const values = statements.map((statement) => statement.parameter);
  const text =
    statements.length === 1
      ? statements[0]!.sql('$1')
      : `WITH ${statements.map((statement, index) => `w${index} AS (${statement.sql(`$${index + 1}`)})`).join(',\n')} SELECT 1`;
  return { name: prepared(text, values).name, text, values };
}

/** Runs the statements in one round trip. */
async function runStatements(db: Queryable, statements: readonly Statement[]): Promise<void> {
  if (statements.length > 0) await queryNamed(db, combined(statements));
}

/** Writes the changes: in one statement when they are few (the usual command), else one statement per chunk. */
async function write(db: Queryable, { statements, rows }: { statements: Statement[]; rows: number }): Promise<void> {
  if (rows <= FLUSH_CHUNK) await runStatements(db, statements);
  else for (const statement of statements) await runStatements(db, [statement]);
}

// --- COPY (bulk loads into empty tables) ---

const COPY_CHUNK = 5_000;

/** Escapes a value for COPY's text format. */
function copyText(value: string): string {
  return value.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function copyField(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return '\\N';
  switch (type) {
    case 'text':
      return copyText(value as string);
    case 'jsonb':
      return copyText(JSON.stringify(value));
    case 'bool':
      return value ? 't' : 'f';
    case 'timestamptz':
      return (value as Date).toISOString();
    case 'text[]':
    case 'uuid[]':
    case 'bigint[]':
      return copyText(
        `{${(value as unknown[])
          .map(String)
          .map((element) => `"${element.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
          .join(',')}}`,
      );
    default:
      return String(value);
  }
}

async function copyRows(client: pg.ClientBase, spec: LooseSpec, rows: object[], schema?: string): Promise<void> {
  if (rows.length === 0) return;
  const fields = Object.entries(spec.columns);
  const stream = client.query(
    copyFrom(
      `COPY ${schema ? `${quote(schema)}.` : ''}${quote(spec.table)} (${fields.map(([, [name]]) => quote(name)).join(', ')}) FROM STDIN`,
    ),
  );
  const finished = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  for (let i = 0; i < rows.length; i += COPY_CHUNK) {
    let chunk = '';
    for (const row of rows.slice(i, i + COPY_CHUNK)) {
      const record = row as Record<string, unknown>;
      chunk += `${fields.map(([field, [, type]]) => copyField(record[field], type)).join('\t')}\n`;
    }
    if (!stream.write(chunk)) await once(stream, 'drain');
  }
  stream.end();
  await finished;
}
