import type { ErrorRequestHandler, RequestHandler } from 'express';
import { NotFound } from '../errors';
import type { Logger } from '../lib/logger';
import { toHttpError } from './error-mapper';
import { sendJson } from './respond';

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const mapped = toHttpError(err, req.id);
    if (mapped.status >= 500) {
      logger.error({ reqId: req.id, err }, 'request failed');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    for (const [k, v] of Object.entries(mapped.headers)) res.setHeader(k, v);
    sendJson(req, res, mapped.status, mapped.body);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFound(`No such resource: ${req.method} ${req.path}`));
};
