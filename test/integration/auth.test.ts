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

describe('the cache of authenticated tokens (PHANTOM_AUTH_CACHE_SECONDS)', () => {
  const BOOKKEEPING = /^(BEGIN|COMMIT|ROLLBACK|PRAGMA|SET|DEALLOCATE)\b/i;

  it('reuses a successful lookup within the TTL, then asks the database again', async () => {
    const queries: string[] = [];
    const cached = await createHarness({ PHANTOM_AUTH_CACHE_SECONDS: '5' }, { queries });
    try {
      const u = await cached.createUser();
      const lookups = async (): Promise<number> => {
        queries.length = 0;
        expect((await cached.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
        return queries.filter((q) => !BOOKKEEPING.test(q)).length;
      };
      expect(await lookups()).toBe(1);
      expect(await lookups()).toBe(0);
      cached.clock.advance(6);
      expect(await lookups()).toBe(1);
    } finally {
      await cached.close();
    }
  });

  it('never caches a failed lookup', async () => {
    const queries: string[] = [];
    const cached = await createHarness({}, { queries });
    try {
      const u = await cached.createUser();
      for (let i = 0; i < 2; i++) {
        queries.length = 0;
        expect((await cached.http().get('/api/dev/x').auth(String(u.id), 'not-a-token')).status).toBe(401);
        expect(queries.filter((q) => !BOOKKEEPING.test(q))).toHaveLength(1);
      }
    } finally {
      await cached.close();
    }
  });

  it('refuses a revoked token at once on the same replica (one token, all tokens, a password change)', async () => {
    const one = await h.createUser();
    expect((await h.http().get('/api/dev/x').auth(...one.basic)).status).toBe(404);
    await h.http().delete('/api/dev/token').auth(...one.basic).expect(204);
    expect((await h.http().get('/api/dev/x').auth(...one.basic)).status).toBe(401);

    const all = await h.createUser();
    const second = (await h.http().post('/api/dev/token').send({ username: all.username, password: all.password }).expect(200)).body.token as string;
    expect((await h.http().get('/api/dev/x').auth(String(all.id), second)).status).toBe(404);
    await h.http().delete('/api/dev/token?all=true').auth(...all.basic).expect(204);
    expect((await h.http().get('/api/dev/x').auth(String(all.id), second)).status).toBe(401);

    const changed = await h.createUser();
    expect((await h.http().get('/api/dev/x').auth(...changed.basic)).status).toBe(404);
    await h.container.users.setPassword(changed.username, 'another-password');
    expect((await h.http().get('/api/dev/x').auth(...changed.basic)).status).toBe(401);
  });

  it('forgets tokens pruned at login and the tokens of a deleted user', async () => {
    const small = await createHarness({ PHANTOM_MAX_TOKENS_PER_USER: '1' });
    try {
      const u = await small.createUser();
      expect((await small.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
      await small.http().post('/api/dev/token').send({ username: u.username, password: u.password }).expect(200);
      expect((await small.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);

      const gone = await small.createUser();
      expect((await small.http().get('/api/dev/x').auth(...gone.basic)).status).toBe(404);
      await small.container.users.delete(gone.username);
      expect((await small.http().get('/api/dev/x').auth(...gone.basic)).status).toBe(401);
    } finally {
      await small.close();
    }
  });

  it('sees a revocation made elsewhere (another replica) within the TTL', async () => {
    const u = await h.createUser();
    expect((await h.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
    // Behind this process's back, as another replica or the CLI would.
    await h.container.db.token.deleteMany({ where: { userId: u.id } });
    expect((await h.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
    h.clock.advance(h.config.authCacheSeconds + 1);
    expect((await h.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);
  });

  it('still checks the token’s own expiry on every hit', async () => {
    const short = await createHarness({ PHANTOM_TOKEN_TTL_SECONDS: '60', PHANTOM_AUTH_CACHE_SECONDS: '30' });
    try {
      const u = await short.createUser();
      short.clock.advance(58);
      expect((await short.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
      short.clock.advance(3); // still within the cache's 30 s, past the token's 60 s
      expect((await short.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);
    } finally {
      await short.close();
    }
  });

  it('is off with 0: every request asks the database, so a revocation anywhere counts at once', async () => {
    const off = await createHarness({ PHANTOM_AUTH_CACHE_SECONDS: '0' });
    try {
      const u = await off.createUser();
      expect((await off.http().get('/api/dev/x').auth(...u.basic)).status).toBe(404);
      await off.container.db.token.deleteMany({ where: { userId: u.id } });
      expect((await off.http().get('/api/dev/x').auth(...u.basic)).status).toBe(401);
    } finally {
      await off.close();
    }
  });
});
