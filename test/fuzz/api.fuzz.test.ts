// Property-based fuzzing of every endpoint: randomised malformed requests (wrong types, missing and
// extra fields, huge and negative numbers, deep and huge JSON, bad encodings, hostile auth headers,
// path tricks). No response may be a 5xx, every error must be JSON with a message, and the server
// must stay healthy. `npm test` runs a short form; `npm run fuzz` runs FUZZ_RUNS (10,000) requests.
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, insertInstance, lcBody, unique } from '../helpers/resource-fixtures';
import { bodyArb, pct, type FuzzBody } from './bodies';
import { ENDPOINTS, type Endpoint } from './endpoints';

const RUNS = Number(process.env.FUZZ_RUNS ?? 500);
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'] as const;
type Method = (typeof METHODS)[number];

interface Fixtures {
  domainId: string;
  instanceId: string;
  lcId: string;
  chefId: string;
}

type AuthKind = 'valid-basic' | 'valid-params' | 'none' | 'hostile';

interface FuzzRequest {
  endpoint: Endpoint;
  method: Method;
  segments: string[];
  query: string;
  auth: AuthKind;
  hostileAuth: string;
  body: FuzzBody;
  extraHeaders: [string, string][];
}

let h: Harness;
let u: TestUser;
let server: Server;
let fixtures: Fixtures;
const errorLogs: string[] = [];

beforeAll(async () => {
  const logs: string[] = [];
  h = await createHarness({ PHANTOM_ENGINE: 'false', PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000' }, { logs });
  // Keep only failures: the request log would grow by a line per request.
  logs.push = (...lines: string[]): number => {
    for (const l of lines) if (l.includes('"level":50') || l.includes('"level":60')) errorLogs.push(l);
    return 0;
  };
  u = await h.createUser('fuzz');
  await h.http().post('/api/dev/credentials/sites').auth(...u.basic).send({ id: 'hotel', access_key: 'ak', secret_key: 'sk', key_name: 'default' });
  const chefId = unique('chef');
  await h.http().post('/api/dev/credentials/chef').auth(...u.basic).send({
    id: chefId,
    server_url: 'https://chef.example.org',
    client_name: 'fuzz',
    client_key: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----',
    validator_key: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----',
  });
  const lc = await h.http().post('/api/dev/launchconfigurations').auth(...u.basic).send(lcBody(unique('lc')));
  const domain = await createDomain(h, u);
  const instanceId = await insertInstance(h, domain.id);
  fixtures = { domainId: domain.id, instanceId, lcId: (lc.body as { id: string }).id, chefId };
  // One listening server for thousands of requests (supertest would listen once per request).
  server = createServer(h.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await h.close();
});

/** Path segments that try to escape, confuse or overflow routing and id lookups. */
const hostileSegment = fc.oneof(
  fc.constantFrom(
    '..', '%2e%2e', '%2E%2E%2F', '.', '%2f', '%00', 'abc%00def', '%', '%zz', '%e0%a4%a', '%ff%fe', '%C0%AF', '%F0%9F%98%80',
    '%EF%BF%BF', 'null', 'undefined', '-1', '0', '1e309', '0x10', 'NaN', '%20', '%09', ';', '*', '%3F', '%23', '%5C..%5C',
    'constructor', '__proto__', 'hasOwnProperty', '{id}', 'credentials', 'instances',
  ),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'a'.repeat(n)),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(pct),
  fc.string({ unit: 'binary', maxLength: 30 }).map(pct),
  fc.uuid().map(String),
);

function idFor(name: string): fc.Arbitrary<string> {
  const real: Record<string, string> = {
    domain: fixtures.domainId,
    instance: fixtures.instanceId,
    lc: fixtures.lcId,
    chef: fixtures.chefId,
    site: 'hotel',
    sensor: 'proc.loadavg.1min',
  };
  return fc.oneof({ weight: 1, arbitrary: fc.constant(real[name] ?? 'x') }, { weight: 3, arbitrary: hostileSegment });
}

const queryArb = fc.oneof(
  fc.constant(''),
  fc.constantFrom('pretty=true', 'pretty=TRUE&pretty=false', 'adjust_policy=true', 'adjust_policy=%zz', 'all=true', 'all=maybe', 'details=true', 'user=1&token=x', 'user=%00&token=%00', 'user[]=1&token[]=x', 'a[b][c]=d', '%zz=%zz', '&&&=&', 'pretty'),
  fc.array(fc.tuple(fc.string({ maxLength: 12 }), fc.string({ unit: 'binary', maxLength: 30 })), { maxLength: 5 }).map((pairs) =>
    pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join('&'),
  ),
);

const latin1Header = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 });
const hostileAuthArb = fc.oneof(
  fc.constantFrom('Basic', 'Basic ', 'Basic ====', 'Basic %%%', 'Basic Og==', 'Bearer abc', 'basic    ', 'Digest username="x"', 'Basic ' + 'A'.repeat(100_000)),
  fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 80 })).map(([user, token]) => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`),
  fc.constantFrom('-1', '0', '99999999999999999999', '1e3', '1.5', ' 1', '0x1', '١').map((user) => `Basic ${Buffer.from(`${user}:${'f'.repeat(64)}`).toString('base64')}`),
  fc.uint8Array({ maxLength: 64 }).map((b) => `Basic ${Buffer.from(b).toString('base64')}`),
  latin1Header,
);

const extraHeadersArb = fc.array(
  fc.oneof(
    fc.constantFrom<[string, string]>(
      ['content-encoding', 'gzip'],
      ['content-encoding', 'deflate'],
      ['content-encoding', 'br'],
      ['content-encoding', 'x-unknown'],
      ['x-request-id', 'A'.repeat(4000)],
      ['x-request-id', '../../etc/passwd'],
      ['x-forwarded-for', '1.1.1.1, ::1, garbage'],
      ['accept', 'text/html'],
      ['accept-charset', 'utf-16'],
    ),
    fc.tuple(fc.constantFrom('x-fuzz', 'x-request-id', 'x-forwarded-proto'), latin1Header),
  ),
  { maxLength: 2 },
);

function requestArb(): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...ENDPOINTS).chain((endpoint) =>
    fc.record({
      endpoint: fc.constant(endpoint),
      method: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...endpoint.methods) }, { weight: 1, arbitrary: fc.constantFrom(...METHODS) }),
      segments: fc.tuple(...endpoint.params.map(idFor)).map((ids) => [...ids]),
      query: queryArb,
      auth: fc.constantFrom<AuthKind>('valid-basic', 'valid-basic', 'valid-basic', 'valid-params', 'none', 'hostile'),
      hostileAuth: hostileAuthArb,
      body: bodyArb(endpoint.family),
      extraHeaders: extraHeadersArb,
    }),
  );
}

function urlOf(r: FuzzRequest): string {
  let i = 0;
  const path = r.endpoint.template.replace(/:[a-z]+/g, () => r.segments[i++]);
  const auth = r.auth === 'valid-params' ? `user=${u.id}&token=${u.token}` : '';
  const query = [r.query, auth].filter((q) => q !== '').join('&');
  return query === '' ? path : `${path}?${query}`;
}

async function send(r: FuzzRequest): Promise<request.Response> {
  const agent = request(server);
  const url = urlOf(r);
  const byMethod: Record<Method, () => request.Test> = {
    GET: () => agent.get(url),
    POST: () => agent.post(url),
    PUT: () => agent.put(url),
    DELETE: () => agent.delete(url),
    PATCH: () => agent.patch(url),
    OPTIONS: () => agent.options(url),
    HEAD: () => agent.head(url),
  };
  let t = byMethod[r.method]();
  if (r.auth === 'valid-basic') t = t.auth(...u.basic);
  if (r.auth === 'hostile') t = t.set('authorization', r.hostileAuth);
  for (const [k, v] of r.extraHeaders) t = t.set(k, v);
  if (r.body.contentType !== null) t = t.set('content-type', r.body.contentType);
  if (r.body.bytes !== null && r.method !== 'GET' && r.method !== 'HEAD') t = t.send(r.body.bytes);
  return t.ok(() => true);
}

/** The token was revoked by a fuzzed DELETE /api/dev/token: log in again so coverage goes on. */
async function renewToken(): Promise<void> {
  const res = await request(server).post('/api/dev/token').type('form').send({ username: u.username, password: u.password });
  if (res.status !== 200) throw new Error(`re-login failed: ${res.status} ${res.text}`);
  u = { ...u, token: res.body.token as string, basic: [String(u.id), res.body.token as string] };
}

function describeRequest(r: FuzzRequest, res: request.Response): string {
  const body = r.body.bytes === null ? '(none)' : r.body.bytes.subarray(0, 400).toString('latin1');
  return [
    `${r.method} ${urlOf(r).slice(0, 400)}`,
    `auth=${r.auth}${r.auth === 'hostile' ? ` ${JSON.stringify(r.hostileAuth.slice(0, 100))}` : ''} content-type=${r.body.contentType} headers=${JSON.stringify(r.extraHeaders).slice(0, 200)}`,
    `body (${r.body.bytes?.length ?? 0} bytes): ${body}`,
    `→ ${res.status} ${res.text?.slice(0, 400)}`,
    ...errorLogs.slice(-2).map((l) => `server log: ${l.slice(0, 1500)}`),
  ].join('\n');
}

function checkResponse(r: FuzzRequest, res: request.Response): void {
  if (res.status >= 500) {
    // The whole body, for replaying a failure: FUZZ_FAILURES_DIR=/tmp/fuzz npm run fuzz
    if (process.env.FUZZ_FAILURES_DIR && r.body.bytes) writeFileSync(join(process.env.FUZZ_FAILURES_DIR, `${res.status}-${Date.now()}.bin`), r.body.bytes);
    throw new Error(`5xx:\n${describeRequest(r, res)}`);
  }
  if (res.status < 400 || r.method === 'HEAD') return;
  // Node's HTTP parser answers a request line and headers over 16 KB before any middleware runs.
  // supertest's own server answers a bare 431; Phantom's server answers JSON through its
  // clientError handler (tested in test/integration/server.test.ts).
  if (res.status === 431) return;
  const type = String(res.headers['content-type'] ?? '');
  // /api/put answers in OpenTSDB's own shapes, as its agents expect: {"error": {"code", "message"}}, or
  // with ?details the per-point {"errors": [...], "failed", "success"}.
  const body = res.body as { message?: unknown; error?: { message?: unknown }; errors?: unknown } | undefined;
  if (r.endpoint.template === '/api/put' && type.includes('application/json') && Array.isArray(body?.errors)) return;
  const message: unknown = r.endpoint.template === '/api/put' && body?.error ? body.error.message : body?.message;
  if (!type.includes('application/json') || typeof message !== 'string' || message === '') {
    throw new Error(`error without a JSON message:\n${describeRequest(r, res)}`);
  }
}

describe('fuzzing every endpoint with malformed requests', () => {
  it(`answers ${RUNS} randomised malformed requests without a 5xx, every error JSON with a message`, async () => {
    const hits = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(requestArb(), async (r) => {
        hits.set(r.endpoint.template, (hits.get(r.endpoint.template) ?? 0) + 1);
        const res = await send(r);
        checkResponse(r, res);
        if (r.endpoint.template === '/api/dev/token' && r.method === 'DELETE' && res.status === 204) await renewToken();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: RUNS > 1000 },
    );
    if (RUNS >= 500) expect(ENDPOINTS.filter((e) => !hits.has(e.template)).map((e) => e.template)).toEqual([]);
  }, Math.max(120_000, RUNS * 100));

  it('is still healthy afterwards: health checks pass and a normal authenticated request works', async () => {
    expect((await request(server).get('/healthz')).status).toBe(200);
    expect((await request(server).get('/readyz')).status).toBe(200);
    await renewToken();
    const res = await request(server).get('/api/dev/domains').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(errorLogs).toEqual([]);
  });
});
