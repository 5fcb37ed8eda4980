import { Router } from 'express';
import type { Db } from '../db/client';
import { sendJson } from './respond';
import { route } from './route';

/** Liveness and readiness probes, without authentication. */
export function healthRouter(db: Db): Router {
  const router = Router();
  route(router, '/healthz', { get: (req, res) => sendJson(req, res, 200, { status: 'ok' }) });
  route(router, '/readyz', {
    get: async (req, res) => {
      try {
        await db.$queryRawUnsafe('SELECT 1');
        sendJson(req, res, 200, { status: 'ready' });
      } catch {
        sendJson(req, res, 503, { success: false, status: 'unavailable', code: 'database_unavailable', message: 'database unreachable' });
      }
    },
  });
  return router;
}
