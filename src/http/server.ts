// The HTTP surface: /graphql (yoga), /health, /ready and /metrics on one
// node:http server (the WebSocket transport attaches to the same server).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Metrics } from '../observability/metrics.ts';

export type ReadinessCheck = () => Promise<{ ready: boolean; checks: Record<string, unknown> }>;

export type HttpServerParts = {
  graphql: (req: IncomingMessage, res: ServerResponse) => void;
  readiness: ReadinessCheck;
  metrics: Metrics;
};

export function createHttpServer(parts: HttpServerParts): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    const route = path === '/graphql' ? 'graphql' : (path?.slice(1) ?? '');
    res.on('finish', () => parts.metrics.httpRequests.inc({ route: route || 'other', status: String(res.statusCode) }));
    switch (path) {
      case '/graphql':
        return parts.graphql(req, res);
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
      default:
        return json(res, 404, { error: 'not found', see: '/graphql' });
    }
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
