import type { Principal } from '../services/tokens.service';

declare global {
  namespace Express {
    interface Request {
      /** Set by request-context: the request id echoed as X-Request-Id and logged. */
      id: string;
      /** Set by authentication on every /api/dev route except the token endpoint. */
      principal?: Principal;
    }
  }
}

export {};
