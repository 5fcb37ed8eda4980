// OpenTSDB's data-point ingestion, `POST /api/put`, so tcollector's HTTP sender (or anything that
// speaks OpenTSDB) can push straight to Phantom. app.ts mounts it at OpenTSDB's own path (not under
// /api/dev), behind the same authentication as the rest of the API. Responses follow OpenTSDB 2.x:
// 204 when every point is stored; with bad points the good ones are still stored and the answer is
// 400; `?summary` and `?details` return counts (and per-point errors) instead of an empty body.
import { Router, type Request, type Response } from 'express';
import type { SensorIngestService } from '../sensors/ingest.service';
import { principalOf } from './auth';
import { flagPresent, MAX_POINTS_PER_PUT, putBodySchema } from './opentsdb.schemas';
import { sendJson } from './respond';
import { route } from './route';

/** Per-point errors listed in a plain 400 (without ?details), enough to fix a collector. */
const ERRORS_IN_PLAIN_REPLY = 100;

function openTsdbError(req: Request, res: Response, status: number, message: string, extra: Record<string, unknown> = {}): void {
  sendJson(req, res, status, { error: { code: status, message, ...extra } });
}

export function openTsdbRouter(ingest: SensorIngestService): Router {
  const router = Router();
  route(router, '/', {
    post: async (req, res) => {
      const parsed = putBodySchema.safeParse(req.body);
      if (!parsed.success) return openTsdbError(req, res, 400, 'The body must be a data point or an array of data points');
      const points = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
      if (points.length === 0) return openTsdbError(req, res, 400, 'No data points in the request');
      if (points.length > MAX_POINTS_PER_PUT) {
        return openTsdbError(req, res, 413, `Too many data points: ${points.length} (at most ${MAX_POINTS_PER_PUT} per request)`);
      }
      const result = await ingest.put(principalOf(req), points);
      const status = result.failed > 0 ? 400 : 200;
      if (flagPresent(req.query.details)) {
        return sendJson(req, res, status, { errors: result.errors, failed: result.failed, success: result.success });
      }
      if (flagPresent(req.query.summary)) return sendJson(req, res, status, { failed: result.failed, success: result.success });
      if (result.failed === 0) return void res.status(204).end();
      openTsdbError(req, res, 400, 'One or more data points had errors', {
        details: 'Append "details" to the put request for every error',
        failed: result.failed,
        success: result.success,
        errors: result.errors.slice(0, ERRORS_IN_PLAIN_REPLY),
      });
    },
  });
  return router;
}
