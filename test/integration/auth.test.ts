import { createHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await createHarness({ PHANTOM_LOGIN_MAX_FAILURES: '3' });
});
afterAll(() => h.close());

describe('POST /api/dev/token', () => {
  it('issues a token for form-encoded credentials, as the spec shows', async () => {
    const { id } = await h.container.users.create('alice-form', 'restaurant');
    const res = await h.http().post('/api/dev/token').type('form').send('username=alice-form&password=restaurant');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual({ token: expect.any(String), user: id, success: true });
    expect(res.body.token.length).toBeGreaterThanOrEqual(43); // 256 bits in base64url
  });

  it('also accepts a JSON body', async () => {
    const { id } = await h.container.users.create('alice-json', 'restaurant');
    const res = await h.http().post('/api/dev/token').send({ username: 'alice-json', password: 'restaurant' });
    expect(res.status).toBe(200);
    expect(res.body.user).toBe(id);
  });

  it('rejects a wrong password with 401 and success false', async () => {
    await h.container.users.create('bob-wrong', 'right');
    const res = await h.http().post('/api/dev/token').type('form').send({ username: 'bob-wrong', password: 'wrong' });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ success: false, message: expect.any(String), code: 'unauthorized' });
  });

  it('throttles repeated failures from one client address across usernames', async () => {
    const strict = await createHarness({ PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    try {
      const u = await strict.createUser();
      for (const name of ['guess-1', 'guess-2']) {
        await strict.http().post('/api/dev/token').send({ username: name, password: 'x' }).expect(401);
      }
      const res = await strict.http().post('/api/dev/token').send({ username: u.username, password: u.password });
      expect(res.status).toBe(429);
      expect(res.headers['retry-after']).toBeDefined();
    } finally {
      await strict.close();
    }
  });

  it('rejects an unknown user the same way', async () => {
    const res = await h.http().post('/api/dev/token').type('form').send({ username: 'nobody-here', password: 'x' });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
  });

  it('names the missing fields with 400', async () => {
    const res = await h.http().post('/api/dev/token').type('form').send({ username: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'password', message: 'required' }]);
  });

  it('stores only a hash of the token', async () => {
    const u = await h.createUser();
    const rows = await h.container.db.token.findMany({ where: { userId: u.id } });
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.tokenHash).not.toContain(u.token);
    expect(rows.some((r) => r.tokenHash === u.token)).toBe(false);
  });

  it('throttles repeated failures for one username with 429 and Retry-After', async () => {
    await h.container.users.create('carol-throttle', 'right');
    for (let i = 0; i < 3; i++) {
      const r = await h.http().post('/api/dev/token').type('form').send({ username: 'carol-throttle', password: 'bad' });
      expect(r.status).toBe(401);
    }
    const res = await h.http().post('/api/dev/token').type('form').send({ username: 'carol-throttle', password: 'right' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body.code).toBe('too_many_requests');
    h.clock.advance(h.config.login.windowSeconds + 1);
    const later = await h.http().post('/api/dev/token').type('form').send({ username: 'carol-throttle', password: 'right' });
    expect(later.status).toBe(200);
  });
});

describe('authenticating API requests', () => {
  it('accepts HTTP Basic user_id:token', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/nothing-here').auth(...u.basic);
    expect(res.status).toBe(404); // authenticated, then an unknown route
  });

  it('accepts user and token query parameters', async () => {
    const u = await h.createUser();
    const res = await h.http().get(`/api/dev/nothing-here?user=${u.id}&token=${encodeURIComponent(u.token)}`);
    expect(res.status).toBe(404);
  });

  it('accepts user and token as form fields', async () => {
    const u = await h.createUser();
    const res = await h.http().post('/api/dev/nothing-here').type('form').send({ user: String(u.id), token: u.token });
    expect(res.status).toBe(404);
  });

  it.each([
    ['no credentials', {}],
    ['a wrong token', { basic: ['1', 'not-a-token'] }],
    ['a malformed Basic header', { header: 'Basic !!!not-base64' }],
    ['a Basic header without a colon', { header: `Basic ${Buffer.from('justuser').toString('base64')}` }],
  ])('answers %s with 401, WWW-Authenticate and a JSON body', async (_name, how: { basic?: string[]; header?: string }) => {
    let req = h.http().get('/api/dev/sites');
    if (how.basic) req = req.auth(how.basic[0], how.basic[1]);
    if (how.header) req = req.set('Authorization', how.header);
    const res = await req;
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Basic realm="phantom"');
    expect(res.body).toMatchObject({ success: false, code: 'unauthorized' });
  });

  it("rejects one user's token presented with another user's id", async () => {
    const a = await h.createUser();
    const b = await h.createUser();
    const res = await h.http().get('/api/dev/sites').auth(String(b.id), a.token);
    expect(res.status).toBe(401);
  });

  it('rejects an expired token', async () => {
    const short = await createHarness({ PHANTOM_TOKEN_TTL_SECONDS: '60' });
    try {
      const u = await short.createUser();
      expect((await short.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
      short.clock.advance(61);
      expect((await short.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('costs one database query, which never reads a password hash, per request', async () => {
    const queries: string[] = [];
    const counted = await createHarness({}, { queries });
    try {
      const u = await counted.createUser();
      queries.length = 0;
      const res = await counted.http().get('/api/dev/no-such-route').auth(...u.basic);
      expect(res.status).toBe(404);
      // One SELECT of the token row by its hash; the password hash column is never read.
      const real = queries.filter((q) => !/^(BEGIN|COMMIT|PRAGMA)/i.test(q));
      expect(real).toHaveLength(1);
      expect(real[0]).not.toMatch(/passwordHash/);
    } finally {
      await counted.close();
    }
  });

  it('revokes the current token with DELETE /api/dev/token', async () => {
    const u = await h.createUser();
    const del = await h.http().delete('/api/dev/token').auth(...u.basic);
    expect(del.status).toBe(204);
    expect((await h.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);
  });

  it('revokes every token of the user when the password changes', async () => {
    const u = await h.createUser();
    await h.container.users.setPassword(u.username, 'new-password');
    expect((await h.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);
    expect(await h.container.db.token.count({ where: { userId: u.id } })).toBe(0);
  });

  it('keeps at most the configured number of tokens per user', async () => {
    const small = await createHarness({ PHANTOM_MAX_TOKENS_PER_USER: '2' });
    try {
      const u = await small.createUser();
      for (let i = 0; i < 3; i++) {
        await small.http().post('/api/dev/token').send({ username: u.username, password: u.password }).expect(200);
      }
      expect(await small.container.db.token.count({ where: { userId: u.id } })).toBe(2);
      expect((await small.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401); // the oldest went
    } finally {
      await small.close();
    }
  });
});
