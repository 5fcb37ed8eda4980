// Request bodies, parsed liberally as the original's clients expect: JSON with any content type
// (curl -d '{...}' sends it as form data, python requests `data=json.dumps(...)` sends none), and
// form-encoded fields. Malformed JSON is a 400; bodies over the limit are a 413.
import { parse as parseQuery } from 'node:querystring';
import express, { type RequestHandler } from 'express';
import { Invalid } from '../errors';

function looksLikeJson(text: string): boolean {
  const c = text.trimStart()[0];
  return c === '{' || c === '[';
}

export function bodyParser(limitBytes: number): RequestHandler[] {
  const raw = express.raw({ type: () => true, limit: limitBytes });
  const interpret: RequestHandler = (req, _res, next) => {
    const buf: unknown = req.body;
    if (!Buffer.isBuffer(buf) || buf.length === 0) {
      req.body = {};
      return next();
    }
    const text = buf.toString('utf8');
    const type = (req.get('content-type') ?? '').toLowerCase();
    if (type.includes('json') || looksLikeJson(text)) {
      try {
        req.body = JSON.parse(text) as unknown;
      } catch {
        return next(new Invalid('Malformed JSON body'));
      }
      return next();
    }
    if (type === '' || type.startsWith('application/x-www-form-urlencoded') || type.startsWith('text/plain')) {
      req.body = { ...parseQuery(text) };
      return next();
    }
    next(new Invalid(`Unsupported body type ${type}: send JSON or form-encoded fields`));
  };
  return [raw, interpret];
}
