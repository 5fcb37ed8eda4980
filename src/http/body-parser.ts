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

/** True when any string (key or value) inside `value` holds a NUL, which PostgreSQL text cannot store. */
export function containsNul(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      // One push per item: spreading a huge array into push's arguments can overflow the stack.
      for (const item of v) stack.push(item);
    } else if (v && typeof v === 'object') {
      for (const [k, inner] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(inner);
      }
    }
  }
  return false;
}

/** Far deeper than any API body (an OpenTSDB batch is 3 levels): anything deeper is hostile. */
export const MAX_JSON_DEPTH = 32;

/** True when arrays and objects inside `value` nest deeper than `max` levels. Iterative, for any depth. */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    if (depth >= max) return true;
    for (const inner of Array.isArray(v) ? v : Object.values(v)) stack.push([inner, depth + 1]);
  }
  return false;
}

/**
 * Rejects NUL characters anywhere in the path, query or body with a 400: no resource name or id can
 * hold one, and on PostgreSQL they would otherwise surface as a database error.
 */
export const rejectNul: RequestHandler = (req, _res, next) => {
  let path: string;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    return next(new Invalid('Malformed percent-encoding in the URL'));
  }
  if (path.includes('\u0000') || containsNul(req.query) || containsNul(req.body)) {
    return next(new Invalid('NUL characters are not allowed in requests'));
  }
  next();
};

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
      // Serialising a deeply nested body back (an error echoing it) would overflow the stack.
      if (nestedDeeperThan(req.body, MAX_JSON_DEPTH)) return next(new Invalid(`JSON body nested deeper than ${MAX_JSON_DEPTH} levels`));
      return next();
    }
    if (type === '' || type.startsWith('application/x-www-form-urlencoded') || type.startsWith('text/plain')) {
      req.body = { ...parseQuery(text) };
      return next();
    }
    next(new Invalid(`Unsupported body type ${type}: send JSON or form-encoded fields`));
  };
  return [raw, interpret, rejectNul];
}
