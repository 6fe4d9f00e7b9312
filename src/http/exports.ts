// Analyst exports (API.md "Queries"; README "Exports"): the event log as
// NDJSON, and memberships over time and the ownership ledger as CSV. ANALYST
// or ADMIN tokens only, always scoped to the token's organization (the
// platform token has none, so it exports nothing).
//
// Each export streams with constant memory: rows are read in batches (the
// event store's gap-free `readAll` for events, keyset pagination on
// (valid_from, id) for the CSVs), so no connection is held between batches;
// each batch is written out before the next is read, waiting for 'drain' when
// the socket is full, and the export stops as soon as the client goes away.
// The body is chunked (no Content-Length). A failure after the headers went
// out destroys the response, so the client sees a truncated chunked body, not
// a short file that looks complete.
import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { AUDIT_ROLES, authenticate } from '../auth/tokens.ts';
import type { EventStore } from '../eventStore/eventStore.ts';
import type { RecordedEvent } from '../eventStore/types.ts';
import type { Logger } from '../observability/logger.ts';

export type ExportParts = {
  pool: pg.Pool;
  store: Pick<EventStore, 'readAll' | 'headPosition'>;
  adminToken: string | undefined;
  logger: Logger;
  /** Rows (events) read per batch; default 1,000. */
  batchSize?: number;
};

/** How an export ended: every row written, the client gone, or an error after the headers. */
export type ExportOutcome = 'rejected' | 'complete' | 'aborted' | 'failed';

export type ExportHandler = (req: IncomingMessage, res: ServerResponse) => Promise<ExportOutcome>;

export const EXPORT_PATHS = ['/export/events.ndjson', '/export/memberships.csv', '/export/ownership.csv'] as const;
type ExportPath = (typeof EXPORT_PATHS)[number];

const DEFAULT_BATCH = 1_000;
/** Buffered output is written once it reaches this size (and at the end of every batch). */
const FLUSH_BYTES = 64 * 1024;
const POSITION = /^(0|[1-9]\d{0,18})$/;
const MAX_POSITION = 2n ** 63n - 1n;

type Client = { organizationId: string };

/** The handler for EXPORT_PATHS. Its promise never rejects: every failure is answered (or the response destroyed) and logged. */
export function createExportHandler(parts: ExportParts): ExportHandler {
  const handle = exportHandler(parts);
  return (req, res) =>
    handle(req, res).catch((error: unknown) => {
      parts.logger.error({ err: error, url: req.url }, 'export: unexpected failure');
      if (!res.headersSent && !res.destroyed) jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'The export failed');
      else res.destroy();
      return 'failed' as const;
    });
}

function exportHandler(parts: ExportParts): ExportHandler {
  const batchSize = parts.batchSize ?? DEFAULT_BATCH;
  return async (req, res) => {
    const [path, query = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    if (!isExportPath(path)) {
      jsonError(res, 404, 'NOT_FOUND', 'No such export');
      return 'rejected';
    }
    if (req.method !== 'GET') {
      res.setHeader('allow', 'GET');
      jsonError(res, 405, 'METHOD_NOT_ALLOWED', 'Exports are read with GET');
      return 'rejected';
    }
    let client: Client | undefined;
    try {
      client = await authorize(parts, req, res);
    } catch (error) {
      parts.logger.error({ err: error, path }, 'export: authentication failed');
      jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'Could not check the token');
      return 'rejected';
    }
    if (!client) return 'rejected';

    let from = 0n;
    if (path === '/export/events.ndjson') {
      const parsed = parseFrom(new URLSearchParams(query).getAll('from'));
      if (parsed === undefined) {
        jsonError(
          res,
          400,
          'BAD_USER_INPUT',
          '`from` must be one non-negative integer position as a decimal string, e.g. from=1234',
        );
        return 'rejected';
      }
      from = parsed;
    }

    // The client going away (or the socket failing) stops the export at its next step.
    const abort = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    const output = new Output(res, abort.signal);
    const started = Date.now();
    let rows = 0;
    try {
      const slug = await organizationSlug(parts.pool, client.organizationId);
      switch (path) {
        case '/export/events.ndjson':
          rows = await exportEvents(parts.store, client.organizationId, from, batchSize, res, output, slug);
          break;
        case '/export/memberships.csv':
          rows = await exportCsv(parts.pool, MEMBERSHIPS, client.organizationId, batchSize, res, output, slug);
          break;
        case '/export/ownership.csv':
          rows = await exportCsv(parts.pool, OWNERSHIP, client.organizationId, batchSize, res, output, slug);
          break;
      }
      if (abort.signal.aborted) throw abort.signal.reason;
      res.end();
      parts.logger.info({ path, organizationId: client.organizationId, rows, ms: Date.now() - started }, 'export done');
      return 'complete';
    } catch (error) {
      if (abort.signal.aborted) {
        parts.logger.info({ path, organizationId: client.organizationId, rows }, 'export: client went away');
        return 'aborted';
      }
      parts.logger.error({ err: error, path, organizationId: client.organizationId, rows }, 'export failed');
      if (res.headersSent) res.destroy(error instanceof Error ? error : new Error(String(error)));
      else jsonError(res, 500, 'INTERNAL_SERVER_ERROR', 'The export failed');
      return 'failed';
    }
  };
}

function isExportPath(path: string): path is ExportPath {
  return (EXPORT_PATHS as readonly string[]).includes(path);
}

/** The caller's organization, or undefined after answering 401/403. */
async function authorize(parts: ExportParts, req: IncomingMessage, res: ServerResponse): Promise<Client | undefined> {
  const authentication = await authenticate(parts.pool, req.headers.authorization, parts.adminToken);
  if (authentication.status !== 'ok') {
    res.setHeader('www-authenticate', 'Bearer');
    jsonError(
      res,
      401,
      'UNAUTHENTICATED',
      authentication.status === 'anonymous'
        ? 'An `Authorization: Bearer <token>` header is required'
        : 'Invalid or revoked token',
    );
    return undefined;
  }
  const viewer = authentication.viewer;
  if (viewer.kind !== 'token') {
    jsonError(res, 403, 'FORBIDDEN', 'Exports need an ANALYST or ADMIN token of an organization');
    return undefined;
  }
  if (!AUDIT_ROLES.has(viewer.role)) {
    jsonError(res, 403, 'FORBIDDEN', 'Exports need an ANALYST or ADMIN token');
    return undefined;
  }
  return { organizationId: viewer.organizationId };
}

/** `from` absent: 0. Otherwise exactly one decimal position within bigint range; anything else is undefined. */
function parseFrom(values: string[]): bigint | undefined {
  if (values.length === 0) return 0n;
  const value = values[0];
  if (values.length > 1 || value === undefined || !POSITION.test(value)) return undefined;
  const position = BigInt(value);
  return position <= MAX_POSITION ? position : undefined;
}

async function organizationSlug(pool: pg.Pool, organizationId: string): Promise<string> {
  const found = await pool.query<{ slug: string }>('SELECT slug FROM organizations WHERE id = $1', [organizationId]);
  // Slugs are [a-z0-9-] already; the filter keeps the header safe whatever the table holds.
  return (found.rows[0]?.slug ?? 'organization').replace(/[^a-z0-9-]/gi, '-');
}

function startStream(res: ServerResponse, contentType: string, filename: string, extra: Record<string, string> = {}) {
  // No Content-Length: Node sends the body chunked (HTTP/1.1).
  res.writeHead(200, {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${filename}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
  res.flushHeaders();
}

/** Buffers small strings and writes them in chunks, honouring backpressure. */
class Output {
  readonly #res: ServerResponse;
  readonly #signal: AbortSignal;
  #pending: string[] = [];
  #pendingBytes = 0;

  constructor(res: ServerResponse, signal: AbortSignal) {
    this.#res = res;
    this.#signal = signal;
  }

  async push(text: string): Promise<void> {
    this.#pending.push(text);
    this.#pendingBytes += text.length;
    if (this.#pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    this.#signal.throwIfAborted();
    if (this.#pending.length === 0) return;
    const chunk = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    if (!this.#res.write(chunk)) await once(this.#res, 'drain', { signal: this.#signal });
  }
}

// ---------------------------------------------------------------- events

/** The NDJSON line of one event: the fields of the GraphQL `Event`, positions as strings. */
export function eventLine(event: RecordedEvent): string {
  return `${JSON.stringify({
    position: event.position.toString(),
    id: event.eventId,
    streamId: event.streamId,
    version: event.streamVersion,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
  })}\n`;
}

/**
 * The organization's events after `from`, up to the head position when the
 * export started (sent as X-Orgstream-Through-Position: resume from it).
 */
async function exportEvents(
  store: ExportParts['store'],
  organizationId: string,
  from: bigint,
  batchSize: number,
  res: ServerResponse,
  output: Output,
  slug: string,
): Promise<number> {
  const head = await store.headPosition(organizationId);
  const through = head > from ? head : from;
  startStream(res, 'application/x-ndjson', `orgstream-${slug}-events-from-${from}.ndjson`, {
    'x-orgstream-through-position': through.toString(),
  });
  let after = from;
  let count = 0;
  while (after < through) {
    const batch = await store.readAll(organizationId, { from: after, limit: batchSize });
    for (const event of batch) {
      if (event.position > through) return finish();
      await output.push(eventLine(event));
      after = event.position;
      count++;
    }
    await output.flush();
    if (batch.length < batchSize) break;
  }
  return finish();

  async function finish() {
    await output.flush();
    return count;
  }
}

// ---------------------------------------------------------------- CSV

/**
 * One RFC 4180 field. Text that a spreadsheet would run as a formula (starting
 * with = + - @, tab or carriage return) gets a leading single quote; a field
 * with a comma, quote or line break is quoted, inner quotes doubled.
 */
export function csvField(value: string | number | bigint | Date | null | undefined, options = { text: true }): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (options.text && typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV record with its CRLF line ending. */
export function csvRow(fields: readonly string[]): string {
  return `${fields.join(',')}\r\n`;
}

type KeyedRow = { key_from: string; id: string };

type CsvExport<Row extends KeyedRow> = {
  name: string;
  header: readonly string[];
  /** $1 organization, $2/$3 the keyset cursor (valid_from as text, id), $4 the batch size. */
  sql: string;
  fields: (row: Row) => string[];
};

const plain = (value: string | number | Date | null) => csvField(value, { text: false });
const text = (value: string | null) => csvField(value);

type MembershipRow = KeyedRow & {
  team_id: string;
  team_name: string | null;
  person_id: string;
  person_name: string | null;
  role: string;
  allocation: number;
  valid_from: Date;
  valid_to: Date | null;
  position: string;
};

const MEMBERSHIPS: CsvExport<MembershipRow> = {
  name: 'memberships',
  header: [
    'membership_id',
    'team_id',
    'team_name',
    'person_id',
    'person_name',
    'role',
    'allocation',
    'valid_from',
    'valid_to',
    'position',
  ],
  sql: `SELECT m.id, m.team_id, t.name AS team_name, m.person_id, p.name AS person_name, m.role, m.allocation,
               m.valid_from, m.valid_to, m.position::text AS position, m.valid_from::text AS key_from
          FROM memberships m
          LEFT JOIN teams t ON t.id = m.team_id AND t.organization_id = m.organization_id
          LEFT JOIN people p ON p.id = m.person_id AND p.organization_id = m.organization_id
         WHERE m.organization_id = $1 AND (m.valid_from, m.id) > ($2::timestamptz, $3::uuid)
         ORDER BY m.valid_from, m.id
         LIMIT $4`,
  fields: (row) => [
    plain(row.id),
    plain(row.team_id),
    text(row.team_name),
    plain(row.person_id),
    text(row.person_name),
    text(row.role),
    plain(row.allocation),
    plain(row.valid_from),
    plain(row.valid_to),
    plain(row.position),
  ],
};

type OwnershipRow = KeyedRow & {
  responsibility_id: string;
  responsibility_title: string | null;
  responsibility_category: string | null;
  owner_kind: string;
  owner_id: string;
  owner_name: string | null;
  valid_from: Date;
  valid_to: Date | null;
  reason: string | null;
  actor: string | null;
  position: string;
};

const OWNERSHIP: CsvExport<OwnershipRow> = {
  name: 'ownership',
  header: [
    'interval_id',
    'responsibility_id',
    'responsibility_title',
    'responsibility_category',
    'owner_kind',
    'owner_id',
    'owner_name',
    'valid_from',
    'valid_to',
    'reason',
    'actor',
    'position',
  ],
  sql: `SELECT o.id, o.responsibility_id, r.title AS responsibility_title, r.category AS responsibility_category,
               o.owner_kind, o.owner_id,
               CASE o.owner_kind WHEN 'PERSON' THEN p.name WHEN 'TEAM' THEN t.name END AS owner_name,
               o.valid_from, o.valid_to, o.reason, o.actor, o.position::text AS position,
               o.valid_from::text AS key_from
          FROM ownership_intervals o
          LEFT JOIN responsibilities r ON r.id = o.responsibility_id AND r.organization_id = o.organization_id
          LEFT JOIN people p ON o.owner_kind = 'PERSON' AND p.id = o.owner_id AND p.organization_id = o.organization_id
          LEFT JOIN teams t ON o.owner_kind = 'TEAM' AND t.id = o.owner_id AND t.organization_id = o.organization_id
         WHERE o.organization_id = $1 AND (o.valid_from, o.id) > ($2::timestamptz, $3::uuid)
         ORDER BY o.valid_from, o.id
         LIMIT $4`,
  fields: (row) => [
    plain(row.id),
    plain(row.responsibility_id),
    text(row.responsibility_title),
    text(row.responsibility_category),
    plain(row.owner_kind),
    plain(row.owner_id),
    text(row.owner_name),
    plain(row.valid_from),
    plain(row.valid_to),
    text(row.reason),
    text(row.actor),
    plain(row.position),
  ],
};

/**
 * Keyset pagination in (valid_from, id) order. The cursor's valid_from goes
 * back as PostgreSQL printed it (full microsecond precision, same session
 * settings on every pool connection), never through a JavaScript Date.
 */
async function exportCsv<Row extends KeyedRow>(
  pool: pg.Pool,
  spec: CsvExport<Row>,
  organizationId: string,
  batchSize: number,
  res: ServerResponse,
  output: Output,
  slug: string,
): Promise<number> {
  startStream(res, 'text/csv; charset=utf-8', `orgstream-${slug}-${spec.name}.csv`);
  await output.push(csvRow(spec.header));
  await output.flush();
  let cursor: [string, string] = ['-infinity', '00000000-0000-0000-0000-000000000000'];
  let count = 0;
  for (;;) {
    const batch = await pool.query<Row>(spec.sql, [organizationId, cursor[0], cursor[1], batchSize]);
    for (const row of batch.rows) {
      await output.push(csvRow(spec.fields(row)));
      count++;
    }
    await output.flush();
    const last = batch.rows.at(-1);
    if (!last || batch.rows.length < batchSize) return count;
    cursor = [last.key_from, last.id];
  }
}

function jsonError(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ errors: [{ message, extensions: { code } }] }));
}
