// GET /metrics, either on the main app behind a bearer token or on a listener of its own
// (PHANTOM_METRICS_PORT, loopback by default). Never world-readable unless the operator binds the
// metrics listener to a public address without a token.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Router } from 'express';
import type { Logger } from '../lib/logger';
import type { Metrics } from './metrics';

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Whether the Authorization header carries the token; compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]), digest(token));
}

/** The answer to one GET /metrics: status, headers and body. `token` null = no authentication. */
async function answer(metrics: Metrics, authorization: string | undefined, token: string | null): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  if (token !== null && !bearerMatches(authorization, token)) {
    const body = JSON.stringify({ success: false, code: 'unauthorized', message: 'GET /metrics needs Authorization: Bearer <PHANTOM_METRICS_TOKEN>' });
    return { status: 401, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer realm="phantom-metrics"' }, body };
  }
  const { contentType, body } = await metrics.expose();
  return { status: 200, headers: { 'Content-Type': contentType, 'Cache-Control': 'no-store' }, body };
}

/** /metrics on the main app, for scrapers presenting the bearer token. */
export function metricsRouter(metrics: Metrics, token: string): Router {
  const router = Router();
  router.get('/metrics', async (req, res) => {
    req.routePattern = '/metrics';
    const a = await answer(metrics, req.get('authorization'), token);
    res.status(a.status).set(a.headers).send(a.body);
  });
  return router;
}

/** The metrics listener: GET /metrics and nothing else. Resolves once it listens. */
export async function startMetricsServer(metrics: Metrics, o: { host: string; port: number; token: string | null; logger: Logger }): Promise<{ server: Server; port: number }> {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found: this listener serves GET /metrics only\n');
      return;
    }
    const a = await answer(metrics, req.headers.authorization, o.token);
    res.writeHead(a.status, a.headers).end(req.method === 'HEAD' ? undefined : a.body);
  };
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      o.logger.error({ err }, 'serving /metrics failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('metrics unavailable\n');
    });
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolveListen());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  o.logger.info({ host: o.host, port }, 'metrics listening');
  return { server, port };
}
