// Counts every HTTP request by its route pattern, not its URL: ids in paths would give each domain
// and instance its own series. The pattern is recorded by src/http/route.ts when a route matches;
// requests no route matched (404s, and 401s answered before routing) share the label "unmatched".
import type { RequestHandler } from 'express';
import type { Metrics } from './metrics';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const method = KNOWN_METHODS.has(req.method) ? req.method : 'OTHER';
      metrics.httpRequest(method, req.routePattern ?? 'unmatched', res.statusCode, seconds);
    });
    next();
  };
}
