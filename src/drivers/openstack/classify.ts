// Turns an OpenStack error response into a classified CloudError. Nova, Glance and Keystone each
// wrap their messages differently; the message is dug out so operators see the cloud's reason.
import { CloudError, type CloudErrorClass } from '../../errors';
import type { z } from 'zod';
import type { HttpResponse } from './http';

/** When a rate-limited response names no delay; libcloud waits 2 s in the same case. */
const DEFAULT_RETRY_AFTER_SECONDS = 2;
const MAX_MESSAGE = 300;

export interface ErrorContext {
  /** "create server", "list images" … */
  what: string;
  /** How to read a 404: a missing image or flavor is a permanent InvalidRequest; elsewhere Unknown. */
  notFound?: CloudErrorClass;
  now: Date;
}

export const NO_VALID_HOST = /no valid host was found/i;
const QUOTA = /quota|limit exceeded|exceeds .*limit/i;
const RATE = /rate.?limit/i;

export function classifyResponse(res: HttpResponse, ctx: ErrorContext): CloudError {
  const message = cloudMessage(res.body);
  const text = `openstack ${ctx.what} failed (HTTP ${res.status})${message ? `: ${message}` : ''}`;
  const s = res.status;
  if (NO_VALID_HOST.test(message)) return new CloudError('OutOfCapacity', text);
  if (s === 401) return new CloudError('AuthFailed', text);
  if (s === 429 || (s === 413 && RATE.test(message))) {
    return new CloudError('RateLimited', text, retryAfterSeconds(res.headers, ctx.now));
  }
  // Older Nova answers an exhausted quota with 413 overLimit, newer with 403 forbidden.
  if (s === 413 || (s === 403 && QUOTA.test(message))) return new CloudError('QuotaExceeded', text);
  if (s === 400) return new CloudError('InvalidRequest', text);
  if (s === 404) return new CloudError(ctx.notFound ?? 'Unknown', text);
  // Nova answers 409 while a server is mid-task (e.g. still building); the same call later succeeds.
  if (s === 409 || s >= 500) return new CloudError('Transient', text);
  return new CloudError('Unknown', text);
}

/**
 * The human message inside an error body: Nova's {"forbidden": {"message": …}}, Keystone's
 * {"error": {"message": …}}, or the plain text Glance and proxies send. Single line, bounded.
 */
export function cloudMessage(body: unknown): string {
  let msg = '';
  if (typeof body === 'string') {
    msg = body;
  } else if (body && typeof body === 'object') {
    for (const value of Object.values(body)) {
      if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') {
        msg = value.message;
        break;
      }
    }
    if (!msg && 'message' in body && typeof body.message === 'string') msg = body.message;
  }
  const line = msg.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
  return line.length > MAX_MESSAGE ? `${line.slice(0, MAX_MESSAGE)}…` : line;
}

/** Retry-After as delta-seconds or an HTTP date. */
export function retryAfterSeconds(headers: Headers, now: Date): number {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return DEFAULT_RETRY_AFTER_SECONDS;
  if (/^\d+$/.test(raw)) return Number(raw);
  const at = Date.parse(raw);
  if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_SECONDS;
  return Math.max(0, Math.ceil((at - now.getTime()) / 1000));
}

/** A successful response in the shape Phantom relies on; anything else is an Unknown CloudError. */
export function parseResponse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new CloudError('Unknown', `openstack ${what}: unexpected response shape`);
  return parsed.data;
}
