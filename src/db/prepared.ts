// Named prepared statements, and running one inside a simple query.
//
// A statement sent with a name is parsed and planned once per connection and
// afterwards only bound and run. A connection that has prepared it can also
// run it as SQL, `EXECUTE name(literals)`, which lets it share one simple
// query (one round trip) with other statements: BEGIN and a lock before an
// append, a COMMIT after a write. A simple query takes no parameters, so the
// values go as literals, converted by the driver's own `prepareValue` (the
// text the extended protocol would have sent) and quoted by the connection's
// `escapeLiteral`.
import pg from 'pg';
import type { Queryable } from '../eventStore/types.ts';

/** A statement with a name: prepared on a connection the first time it runs there. */
export type NamedQuery = { name: string; text: string; values: unknown[] };

/**
 * The names each connection has prepared (and run) through `queryNamed`. A
 * connection's prepared statements live as long as it does, like its client
 * object (the pool hands out the same client for the same connection).
 */
const preparedOn = new WeakMap<object, Set<string>>();

/** Runs a named statement, remembering that a connection (not a pool) now has it prepared. */
export async function queryNamed<Row extends pg.QueryResultRow = pg.QueryResultRow>(
  db: Queryable,
  query: NamedQuery,
): Promise<pg.QueryResult<Row>> {
  const result = await (db as Pick<pg.ClientBase, 'query'>).query<Row>(query);
  if (!(db instanceof pg.Pool)) {
    let names = preparedOn.get(db);
    if (!names) {
      names = new Set();
      preparedOn.set(db, names);
    }
    names.add(query.name);
  }
  return result;
}

const { prepareValue } = (pg as unknown as { utils: { prepareValue(value: unknown): string | Buffer | null } }).utils;

/**
 * `EXECUTE name(…)` of the statement with its values as literals, for a
 * simple query on `client`; undefined when this connection has not prepared
 * the statement yet (run it with `queryNamed` once first) or a value is
 * binary.
 */
export function executeSql(client: pg.ClientBase, query: NamedQuery): string | undefined {
  if (!preparedOn.get(client)?.has(query.name)) return undefined;
  const literals: string[] = [];
  for (const value of query.values) {
    const text = prepareValue(value);
    if (text === null) literals.push('NULL');
    // A binary value has no literal here: the caller runs the statement with its parameters.
    else if (typeof text !== 'string') return undefined;
    else literals.push(client.escapeLiteral(text));
  }
  return `EXECUTE ${query.name}(${literals.join(', ')})`;
}
