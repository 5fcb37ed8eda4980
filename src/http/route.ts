import type { RequestHandler, Router } from 'express';
import { MethodNotAllowed } from '../errors';

type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * Registers handlers for one path and answers every other method with 405 and an Allow header
 * (OPTIONS gets 204 with Allow). Express answers HEAD from GET.
 */
export function route(router: Router, path: string, handlers: Partial<Record<Method, RequestHandler | RequestHandler[]>>): void {
  const methods = Object.keys(handlers) as Method[];
  const allow = [...methods.map((m) => m.toUpperCase()), ...(methods.includes('get') ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  const r = router.route(path);
  // The pattern, not the URL, labels HTTP metrics (src/metrics/http-metrics.ts); recorded now because
  // baseUrl is unwound when an error leaves the router. OpenTSDB's '/' under /api/put is '/api/put'.
  r.all((req, _res, next) => {
    req.routePattern = path === '/' && req.baseUrl ? req.baseUrl : `${req.baseUrl}${path}`;
    next();
  });
  for (const m of methods) r[m](handlers[m]!);
  r.all((req, res, next) => {
    res.setHeader('Allow', allow);
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next(new MethodNotAllowed(`Method ${req.method} is not allowed on ${req.baseUrl}${req.path}; allowed: ${allow}`));
  });
}
