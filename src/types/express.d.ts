import type { Principal } from '../services/tokens.service';

declare global {
  namespace Express {
    interface Request {
      /** Set by request-context: the request id echoed as X-Request-Id and logged. */
      id: string;
      /** Set by authentication on every /api/dev route except the token endpoint. */
      principal?: Principal;
      /** Set by src/http/route.ts when a route matches: its pattern (/api/dev/domains/:id), for metrics. */
      routePattern?: string;
    }
  }
}

export {};
