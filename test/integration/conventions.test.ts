import { createHarness, type Harness, type TestUser } from '../helpers/harness';

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await createHarness({ PHANTOM_BODY_LIMIT_BYTES: '2048' });
  u = await h.createUser();
});
afterAll(() => h.close());

describe('response conventions', () => {
  it('indents JSON by 4 spaces with ?pretty=true, in any case', async () => {
    const res = await h.http().get('/healthz?pretty=TRUE');
    expect(res.text).toBe(JSON.stringify({ status: 'ok' }, null, 4));
    const plain = await h.http().get('/healthz');
    expect(plain.text).toBe('{"status":"ok"}');
  });

  it('answers unknown routes with a 404 JSON error', async () => {
    const res = await h.http().get('/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toMatchObject({ success: false, code: 'not_found', message: expect.any(String) });
  });

  it('answers a wrong method on a known path with 405 and Allow', async () => {
    const res = await h.http().put('/api/dev/token');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST, DELETE, OPTIONS');
    expect(res.body.code).toBe('method_not_allowed');
  });

  it('answers malformed JSON with 400', async () => {
    const res = await h.http().post('/api/dev/token').set('Content-Type', 'application/json').send('{"username": ');
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: 'invalid_request' });
  });

  it('answers a body over the limit with 413', async () => {
    const res = await h.http().post('/api/dev/token').type('form').send(`username=${'a'.repeat(4096)}&password=x`);
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('payload_too_large');
  });

  it('parses a JSON body sent with a form content type, as curl -d does', async () => {
    const res = await h.http().post('/api/dev/token').type('form').send(JSON.stringify({ username: u.username, password: u.password }));
    expect(res.status).toBe(200);
  });

  it('rejects an unsupported body type with a JSON 400', async () => {
    const res = await h.http().post('/api/dev/token').set('Content-Type', 'application/xml').send('<a/>');
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
  });

  it.each([
    ['a path', (t: TestUser) => h.http().get('/api/dev/credentials/chef/a%00b').auth(...t.basic)],
    ['a query', (t: TestUser) => h.http().get('/api/dev/sites?details=%00').auth(...t.basic)],
    ['a JSON body', (t: TestUser) => h.http().post('/api/dev/launchconfigurations').auth(...t.basic).send({ name: 'a\u0000b' })],
    ['a form body', (t: TestUser) => h.http().post('/api/dev/token').type('form').send(`username=${t.username}%00&password=x`)],
  ])('rejects a NUL character in %s with a JSON 400 on every backend', async (_where, send) => {
    const res = await send(u);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ success: false, code: 'invalid_request' });
  });

  it('echoes a sane X-Request-Id and makes one up otherwise', async () => {
    const given = await h.http().get('/healthz').set('X-Request-Id', 'abc-123');
    expect(given.headers['x-request-id']).toBe('abc-123');
    const made = await h.http().get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('serves /healthz and /readyz without authentication', async () => {
    expect((await h.http().get('/healthz')).status).toBe(200);
    const ready = await h.http().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });
});
