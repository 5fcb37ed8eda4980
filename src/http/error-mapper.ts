// The one mapping from anything thrown to an HTTP status and JSON body. Pure: no req/res.
import { ZodError } from 'zod';
import { FOREIGN_KEY_VIOLATION, hasPrismaCode, RECORD_NOT_FOUND, UNIQUE_VIOLATION } from '../services/prisma-codes';
import { CloudError, Conflict, Invalid, MethodNotAllowed, NotFound, PhantomError, TooManyRequests, Unauthorized } from '../errors';

export interface ErrorBody {
  success: false;
  message: string;
  code: string;
  details?: { field: string; message: string }[];
  request_id?: string;
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

/** Express's body parsers and http-errors set `status`/`type` on what they throw. */
interface HttpLikeError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

function fieldName(path: PropertyKey[]): string {
  return path.map(String).join('.') || '(body)';
}

export function zodDetails(err: ZodError): { field: string; message: string }[] {
  return err.issues.map((i) => ({ field: fieldName(i.path), message: i.message }));
}

function body(message: string, code: string, extra: Partial<ErrorBody> = {}): ErrorBody {
  return { success: false, message, code, ...extra };
}

export function toHttpError(err: unknown, requestId?: string): HttpError {
  const headers: Record<string, string> = {};
  if (err instanceof ZodError) {
    const details = zodDetails(err);
    const summary = details.map((d) => `${d.field}: ${d.message}`).join('; ');
    return { status: 400, headers, body: body(`Invalid request: ${summary}`, 'invalid_request', { details }) };
  }
  if (err instanceof PhantomError) {
    if (err instanceof Invalid) {
      const extra = err.problems.length > 0 ? { details: err.problems } : {};
      return { status: 400, headers, body: body(err.message, err.code, extra) };
    }
    if (err instanceof NotFound) return { status: 404, headers, body: body(err.message, err.code) };
    if (err instanceof MethodNotAllowed) return { status: 405, headers, body: body(err.message, err.code) };
    if (err instanceof Conflict) return { status: 409, headers, body: body(err.message, err.code) };
    if (err instanceof Unauthorized) {
      headers['WWW-Authenticate'] = 'Basic realm="phantom"';
      return { status: 401, headers, body: body(err.message, err.code) };
    }
    if (err instanceof TooManyRequests) {
      headers['Retry-After'] = String(err.retryAfterSeconds);
      return { status: 429, headers, body: body(err.message, err.code) };
    }
    if (err instanceof CloudError) {
      return { status: 502, headers, body: body(`cloud error (${err.errorClass}): ${err.message}`, err.code) };
    }
  }
  // Prisma errors a service did not translate itself: a unique key taken by a concurrent request, a
  // row still referenced, a row gone meanwhile. Other Prisma errors stay 500s: never echo SQL.
  if (hasPrismaCode(err, UNIQUE_VIOLATION)) return { status: 409, headers, body: body('A resource with that name or id already exists', 'conflict') };
  if (hasPrismaCode(err, FOREIGN_KEY_VIOLATION)) return { status: 409, headers, body: body('The resource is still in use', 'conflict') };
  if (hasPrismaCode(err, RECORD_NOT_FOUND)) return { status: 404, headers, body: body('The resource no longer exists', 'not_found') };
  const httpLike = (typeof err === 'object' && err !== null ? err : {}) as HttpLikeError;
  const status = httpLike.status ?? httpLike.statusCode;
  if (httpLike.type === 'entity.too.large' || status === 413) {
    return { status: 413, headers, body: body('Request body is too large', 'payload_too_large') };
  }
  if (httpLike.type === 'encoding.unsupported' || httpLike.type === 'charset.unsupported' || status === 415) {
    return { status: 415, headers, body: body('Unsupported body encoding or charset', 'unsupported_media_type') };
  }
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, headers, body: body('Malformed request', 'bad_request') };
  }
  return {
    status: 500,
    headers,
    body: body('Internal server error; the request id identifies it in the server log', 'internal_error', {
      ...(requestId ? { request_id: requestId } : {}),
    }),
  };
}
