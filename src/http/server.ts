// The HTTP surface: /graphql (yoga), /health, /ready and /metrics on one
// node:http server (the WebSocket transport attaches to the same server).
// Request bodies are read here, up to MAX_REQUEST_BYTES; a larger one is a
// 413 before anything parses it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import type { Metrics } from '../observability/metrics.ts';
import { MAX_REQUEST_BYTES } from './limits.ts';

/** The paths the request counter labels by name (API.md "Transport and access"). */
const ROUTES = new Set([
  '/graphql',
  '/health',
  '/ready',
  '/metrics',
  '/export/events.ndjson',
  '/export/memberships.csv',
  '/export/ownership.csv',
]);

export type ReadinessCheck = () => Promise<{ ready: boolean; checks: Record<string, unknown> }>;

export type HttpServerParts = {
  graphql: (req: IncomingMessage, res: ServerResponse) => void;
  /** The analyst exports (exports.ts); it answers every request it is given, errors included. */
  exports: (req: IncomingMessage, res: ServerResponse) => void;
  readiness: ReadinessCheck;
  metrics: Metrics;
};

export function createHttpServer(parts: HttpServerParts): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    // A bounded label set: unknown paths (scanners, typos) are all "other".
    const route = path !== undefined && ROUTES.has(path) ? path.slice(1) : 'other';
    res.on('finish', () => parts.metrics.httpRequests.inc({ route, status: String(res.statusCode) }));
    switch (path) {
      case '/graphql':
        return withLimitedBody(req, res, MAX_REQUEST_BYTES, (limited) => parts.graphql(limited, res));
      case '/health':
        return json(res, 200, { status: 'ok' });
      case '/ready':
        parts.readiness().then(
          (result) =>
            json(res, result.ready ? 200 : 503, { status: result.ready ? 'ready' : 'not ready', ...result.checks }),
          (error: unknown) => json(res, 503, { status: 'not ready', error: String(error) }),
        );
        return;
      case '/metrics':
        parts.metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': parts.metrics.registry.contentType });
            res.end(text);
          },
          () => json(res, 500, { error: 'metrics unavailable' }),
        );
        return;
      case '/export/events.ndjson':
      case '/export/memberships.csv':
      case '/export/ownership.csv':
        parts.exports(req, res);
        return;
      default:
        return json(res, 404, { error: 'not found', see: '/graphql' });
    }
  });
}

/**
 * Passes a request on only if its body fits in `limit` bytes; otherwise 413
 * and the connection closed. A declared Content-Length is checked up front
 * (Node's parser never delivers more than it declares), and the request goes
 * on as it is. A body without one (chunked) is read here up to the limit and
 * handed on as a stream over what was read.
 */
function withLimitedBody(
  req: IncomingMessage,
  res: ServerResponse,
  limit: number,
  next: (req: IncomingMessage) => void,
): void {
  const tooLarge = () => {
    res.setHeader('connection', 'close');
    json(res, 413, {
      errors: [
        { message: `Request body larger than ${limit} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE', limit } },
      ],
    });
    // Let the client finish sending (so it reads the answer); the connection closes after it.
    req.resume();
  };
  const declared = req.headers['content-length'];
  if (declared !== undefined) {
    if (Number(declared) > limit) tooLarge();
    else next(req);
    return;
  }
  if (req.headers['transfer-encoding'] === undefined) {
    next(req); // no body
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let rejected = false;
  const onData = (chunk: Buffer) => {
    size += chunk.length;
    if (size <= limit) {
      chunks.push(chunk);
      return;
    }
    rejected = true;
    chunks.length = 0;
    req.off('data', onData);
    tooLarge();
  };
  req.on('data', onData);
  req.once('end', () => {
    if (rejected) return;
    const body = Readable.from(chunks.length > 0 ? [Buffer.concat(chunks, size)] : []);
    // What yoga reads of a node request: method, url, headers, socket, and the body stream.
    next(Object.assign(body, { method: req.method, url: req.url, headers: req.headers, socket: req.socket }) as never);
  });
  req.once('error', () => {
    if (!res.headersSent) json(res, 400, { error: 'could not read the request body' });
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
