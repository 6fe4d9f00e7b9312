// Answers to queries, kept in memory and keyed by the organization's
// read-model version, so a repeated read costs one indexed lookup instead of
// an execution (issue 4: the org graph).
//
// Guarantee: an answer is served only to a request that read exactly the
// version its answer was stored under, and it was computed after that version
// was read, so it is at least as new as what the request would compute itself
// (never older: read-your-writes holds across processes).
//
// The version is the position of the organization's last event and the
// identity of the read-model tables, read from PostgreSQL in one statement
// before execution (readModelVersionSql, the columns a command's checked path
// reads under its lock in beginLocked, projections/friction/engine.ts). Every
// change to an organization's read models comes with an event of the
// organization, appended under its lock, so its events commit in position
// order and `max(position)` moves with every change; a rebuild swaps in new
// tables (new oids) without an event. Fields that read the log itself (history,
// `events`, the snapshots of time travel) see only events below the oldest
// running transaction (src/eventStore/eventStore.ts): an answer is stored only
// when the organization's last event is already below it ("settled"), so such
// an answer holds every event up to the version.
//
// What is cached: queries over HTTP of an organization token whose root fields
// all read the organization’s event-sourced data (DATA_ROOTS below), answered
// without errors. The key is the organization, the version, the token's role
// (authorization depends on it), the document, the operation name and the
// variables (asOf/knownAt among them). Nothing cached depends on the token
// itself (`viewer` shows its label: not cached) or on the wall clock (time
// passing is the FrictionTimersFired event). Old versions of an organization
// are dropped when a newer one is seen; beyond the byte bound, the least
// recently used answers go.
import { createHash } from 'node:crypto';
import {
  type DocumentNode,
  type ExecutionResult,
  getOperationAST,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type pg from 'pg';
import type { GraphQLContext } from '../../schema/context.ts';
import { lastEventSql } from '../eventStore/eventStore.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import { readModelVersionSql } from '../readModel/table.ts';

/**
 * Root fields that are pure functions of the organization's events (through
 * its read models, the log, or the snapshots replayed from it) and the role.
 * Not here: `viewer` (the token's label), introspection, subscriptions and
 * mutations (which are never cached anyway).
 */
const DATA_ROOTS: ReadonlySet<string> = new Set([
  'organization',
  'team',
  'person',
  'responsibility',
  'valueStream',
  'asset',
  'dependency',
  'node',
  'nodes',
  'events',
  'orgDiff',
]);
/** Root fields that read nothing: allowed beside the others, not worth a lookup alone. */
const FREE_ROOTS: ReadonlySet<string> = new Set(['__typename', 'serverVersion']);

/** An answer larger than this share of the bound is not stored (it would push out everything else). */
const LARGEST_SHARE = 4;
/** Organizations whose version is remembered with no answer stored, before they are forgotten. */
const KNOWN_ORGANIZATIONS = 10_000;
/** Per-entry bookkeeping beyond the body and key (Map slots, the entry object), roughly. */
const ENTRY_OVERHEAD_BYTES = 200;

/** What a version read returns: the organization's last event and the read models' table identity. */
export type ReadModelVersion = { head: bigint; generation: string; settled: boolean };

// Two probes of one index entry each (lastEventSql). Named, so each
// connection plans it once; the plan depends on the regclass constant, so
// PostgreSQL plans it again after a rebuild's swap.
const VERSION_SQL = {
  name: 'orgstream-answer-cache-version',
  text: `SELECT ${readModelVersionSql('$1::uuid')},
                coalesce(${lastEventSql('$1::uuid', 'transaction_id')} < pg_snapshot_xmin(pg_current_snapshot()), true)
                  AS settled`,
};

/** The organization's read-model version, in one statement. */
export async function readModelVersion(pool: Pick<pg.Pool, 'query'>, organizationId: string) {
  const result = await pool.query<{ head: string; generation: string; settled: boolean }>({
    ...VERSION_SQL,
    values: [organizationId],
  });
  const row = result.rows[0]!;
  return { head: BigInt(row.head), generation: row.generation, settled: row.settled } satisfies ReadModelVersion;
}

const versionText = (version: ReadModelVersion) => `${version.generation}/${version.head}`;

type Entry = { organizationId: string; version: string; body: string; bytes: number };
type Organization = { version: ReadModelVersion; keys: Set<string> };
type NotStored = 'superseded' | 'too_large';

/** The answers themselves: least recently used first out beyond `maxBytes`. */
class Answers {
  readonly #maxBytes: number;
  readonly #metrics: Metrics;
  /** In use order, least recent first. */
  readonly #entries = new Map<string, Entry>();
  readonly #organizations = new Map<string, Organization>();
  #bytes = 0;

  constructor(maxBytes: number, metrics: Metrics) {
    this.#maxBytes = maxBytes;
    this.#metrics = metrics;
  }

  /** The answer stored for `key` at exactly `version`; notes the version (older ones are dropped). */
  get(organizationId: string, version: ReadModelVersion, key: string): string | undefined {
    this.#observe(organizationId, version);
    const slot = `${organizationId}\u0000${key}`;
    const entry = this.#entries.get(slot);
    if (!entry || entry.version !== versionText(version)) return undefined;
    this.#entries.delete(slot);
    this.#entries.set(slot, entry);
    return entry.body;
  }

  /** Stores an answer computed after reading `version`, unless the organization has moved on since. */
  set(organizationId: string, version: ReadModelVersion, key: string, body: string): NotStored | undefined {
    const organization = this.#organizations.get(organizationId);
    if (!organization || versionText(organization.version) !== versionText(version)) return 'superseded';
    const slot = `${organizationId}\u0000${key}`;
    const bytes = Buffer.byteLength(body) + slot.length + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.#maxBytes / LARGEST_SHARE) return 'too_large';
    this.#drop(slot);
    this.#entries.set(slot, { organizationId, version: versionText(version), body, bytes });
    organization.keys.add(slot);
    this.#bytes += bytes;
    for (const [oldest] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#drop(oldest);
      this.#metrics.answerCacheEvictions.inc({ reason: 'size' });
    }
    this.#report();
    return undefined;
  }

  /** A newer version of the organization makes every answer of an older one useless: dropped. */
  #observe(organizationId: string, version: ReadModelVersion): void {
    const organization = this.#organizations.get(organizationId);
    if (!organization) {
      this.#organizations.set(organizationId, { version, keys: new Set() });
      return;
    }
    const known = organization.version;
    // The same generation and no newer head: this request's read merely lost a race with another's.
    if (known.generation === version.generation && version.head <= known.head) return;
    organization.version = version;
    if (organization.keys.size === 0) return;
    this.#metrics.answerCacheEvictions.inc({ reason: 'version' }, organization.keys.size);
    for (const slot of [...organization.keys]) this.#drop(slot);
    this.#report();
  }

  #drop(slot: string): void {
    const entry = this.#entries.get(slot);
    if (!entry) return;
    this.#entries.delete(slot);
    this.#bytes -= entry.bytes;
    const organization = this.#organizations.get(entry.organizationId);
    organization?.keys.delete(slot);
    // Organizations with nothing stored are forgotten once there are many (a
    // request that misses meanwhile just does not store its answer).
    if (organization?.keys.size === 0 && this.#organizations.size > KNOWN_ORGANIZATIONS) {
      this.#organizations.delete(entry.organizationId);
    }
  }

  #report(): void {
    this.#metrics.answerCacheBytes.set(this.#bytes);
    this.#metrics.answerCacheEntries.set(this.#entries.size);
  }
}

/** Whether an operation is a query whose root fields are all cacheable (at least one reading data). */
function isCacheable(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  if (operation?.operation !== 'query') return false;
  const roots = rootFields(document, operation);
  if (!roots) return false;
  return (
    roots.some((name) => DATA_ROOTS.has(name)) && roots.every((name) => DATA_ROOTS.has(name) || FREE_ROOTS.has(name))
  );
}

/** The root field names an operation selects, through fragments (whatever their directives say). */
function rootFields(document: DocumentNode, operation: OperationDefinitionNode): string[] | undefined {
  const fragments = new Map<string, SelectionSetNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition.selectionSet);
  }
  const names: string[] = [];
  const seen = new Set<string>();
  const collect = (selections: SelectionSetNode): boolean => {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) names.push(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!collect(selection.selectionSet)) return false;
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (!fragment || !collect(fragment)) return false;
      }
    }
    return true;
  };
  return collect(operation.selectionSet) ? names : undefined;
}

/** JSON with object keys sorted, so the same variables in another order make the same key. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, item]) => `${JSON.stringify(name)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * A result whose serialization is the stored body. graphql-yoga serializes a
 * result with its own `stringify` when it has one (result-processor/stringify);
 * `data` is parsed only if something else asks for it.
 */
function servedResult(body: string): ExecutionResult {
  type Data = NonNullable<ExecutionResult['data']> | null;
  let data: Data | undefined;
  const result = {
    get data(): Data {
      data ??= (JSON.parse(body) as ExecutionResult).data ?? null;
      return data;
    },
  };
  return Object.defineProperty(result, 'stringify', { value: () => body });
}

export type AnswerCacheOptions = {
  pool: Pick<pg.Pool, 'query'>;
  /** The bound on stored answers (their serialized bytes, keys and bookkeeping). */
  maxBytes: number;
  metrics: Metrics;
  logger: Logger;
};

type Outcome = 'hit' | 'miss';

/**
 * The yoga plugin. It must come before any plugin that runs the operation
 * elsewhere (time travel): the version is read before anything executes.
 */
export function useAnswerCache(options: AnswerCacheOptions): Plugin {
  const { pool, metrics, logger } = options;
  const answers = new Answers(options.maxBytes, metrics);
  /** The query text of requests that came over HTTP (WebSocket operations never pass onParams). */
  const queries = new WeakMap<Request, string>();
  const outcomes = new WeakMap<Request, Outcome>();
  // Per parsed document (yoga keeps one per query text): its hash, and whether each operation is cacheable.
  const documents = new WeakMap<DocumentNode, { hash: string; cacheable: Map<string, boolean> }>();

  const describe = (document: DocumentNode, query: string, operationName: string | null | undefined) => {
    let known = documents.get(document);
    if (!known) {
      known = { hash: createHash('sha256').update(query).digest('base64url'), cacheable: new Map() };
      documents.set(document, known);
    }
    let cacheable = known.cacheable.get(operationName ?? '');
    if (cacheable === undefined) {
      cacheable = isCacheable(document, operationName);
      known.cacheable.set(operationName ?? '', cacheable);
    }
    return { hash: known.hash, cacheable };
  };

  return {
    onParams: ({ request, params }) => {
      if (typeof params.query === 'string') queries.set(request, params.query);
    },
    onExecute: async ({ args, setResultAndStopExecution }) => {
      const context = args.contextValue as unknown as GraphQLContext & { request?: Request };
      const request = context.request;
      const query = request && queries.get(request);
      const viewer = context.viewer;
      if (query === undefined || !request || viewer?.kind !== 'token') return;
      const operation = describe(args.document, query, args.operationName);
      if (!operation.cacheable) return;
      let version: ReadModelVersion;
      try {
        version = await readModelVersion(pool, viewer.organizationId);
      } catch (error) {
        // Answer without the cache; if the database is gone, execution reports it.
        logger.warn({ err: error }, 'answer cache: reading the version failed');
        return;
      }
      const organizationId = viewer.organizationId;
      const key = [
        viewer.role,
        operation.hash,
        args.operationName ?? '',
        canonicalJson(args.variableValues ?? {}),
      ].join('\u0000');
      const body = answers.get(organizationId, version, key);
      if (body !== undefined) {
        metrics.answerCacheLookups.inc({ result: 'hit' });
        outcomes.set(request, 'hit');
        logger.debug({ organizationId, version: versionText(version), bytes: body.length }, 'answer cache hit');
        setResultAndStopExecution(servedResult(body));
        return;
      }
      metrics.answerCacheLookups.inc({ result: 'miss' });
      outcomes.set(request, 'miss');
      return {
        onExecuteDone: ({ result, setResult }) => {
          if (Symbol.asyncIterator in result) return;
          if (result.errors?.length) {
            metrics.answerCacheNotStored.inc({ reason: 'errors' });
            return;
          }
          // Stored as yoga serializes it, so a hit sends the very bytes a fresh answer does.
          const stringify = (serialized: ExecutionResult): string => {
            const json = JSON.stringify(serialized);
            const reason = serialized.errors?.length
              ? 'errors'
              : !version.settled
                ? 'unsettled'
                : answers.set(organizationId, version, key, json);
            if (reason) metrics.answerCacheNotStored.inc({ reason });
            else metrics.answerCacheStores.inc();
            logger.debug(
              { organizationId, version: versionText(version), bytes: json.length, stored: reason ?? true },
              'answer cache miss',
            );
            return json;
          };
          setResult(Object.defineProperty({ ...result }, 'stringify', { value: stringify }));
        },
      };
    },
    onResponse: ({ request, response }) => {
      const outcome = outcomes.get(request);
      if (outcome) response.headers.set('x-orgstream-cache', outcome);
    },
  };
}
