import { z } from 'zod';
import { Conflict, Invalid, NotFound, TooManyRequests, Unauthorized } from '../../src/errors';
import { toHttpError } from '../../src/http/error-mapper';

describe('toHttpError', () => {
  it.each([
    [new NotFound('x'), 404, 'not_found'],
    [new Conflict('x'), 409, 'conflict'],
    [new Invalid('x'), 400, 'invalid_request'],
    [new Unauthorized('x'), 401, 'unauthorized'],
    [new TooManyRequests('x', 5), 429, 'too_many_requests'],
  ])('maps %p to its status and code', (err, status, code) => {
    const mapped = toHttpError(err);
    expect(mapped.status).toBe(status);
    expect(mapped.body).toMatchObject({ success: false, code, message: 'x' });
  });

  it.each([
    ['P2002', 409],
    ['P2003', 409],
    ['P2025', 404],
  ])('maps an untranslated Prisma %s to %i without echoing its text', (code, status) => {
    const err = Object.assign(new Error('Invalid `prisma.user.create()` invocation: SELECT ...'), { code });
    const mapped = toHttpError(err);
    expect(mapped.status).toBe(status);
    expect(mapped.body.message).not.toMatch(/prisma|SELECT/);
  });

  it('turns zod errors into 400 with one detail per field', () => {
    const r = z.object({ a: z.number(), b: z.string() }).safeParse({ a: 'no' });
    const mapped = toHttpError(r.error);
    expect(mapped.status).toBe(400);
    expect(mapped.body.details?.map((d) => d.field)).toEqual(['a', 'b']);
  });

  it('hides everything about an unknown error behind a generic 500 with the request id', () => {
    const err = new Error('SELECT secret FROM "User" failed at /src/x.ts:12');
    const mapped = toHttpError(err, 'req-1');
    expect(mapped.status).toBe(500);
    expect(JSON.stringify(mapped.body)).not.toMatch(/SELECT|secret|\.ts/);
    expect(mapped.body.request_id).toBe('req-1');
  });

  it('sets WWW-Authenticate on 401 and Retry-After on 429', () => {
    expect(toHttpError(new Unauthorized('x')).headers['WWW-Authenticate']).toBe('Basic realm="phantom"');
    expect(toHttpError(new TooManyRequests('x', 7)).headers['Retry-After']).toBe('7');
  });
});
