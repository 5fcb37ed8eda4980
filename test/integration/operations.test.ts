import { createHarness } from '../helpers/harness';

describe('logging', () => {
  it('never writes passwords or tokens to the log, and tags each line with the request id', async () => {
    const logs: string[] = [];
    const h = await createHarness({}, { logs });
    try {
      const u = await h.createUser();
      const res = await h.http().get(`/api/dev/anything?user=${u.id}&token=${encodeURIComponent(u.token)}`);
      await h.http().get('/api/dev/anything').auth(...u.basic);
      await h.http().post('/api/dev/token').send({ username: u.username, password: 'wrong-password-123' });
      const text = logs.join('');
      expect(text).toContain(res.headers['x-request-id']);
      expect(text).not.toContain(u.token);
      expect(text).not.toContain(u.password);
      expect(text).not.toContain('wrong-password-123');
      expect(text).not.toContain(Buffer.from(`${u.id}:${u.token}`).toString('base64'));
    } finally {
      await h.close();
    }
  });
});

describe('TRUST_PROXY', () => {
  it('takes the client address from X-Forwarded-For when set, so throttling hits the real client', async () => {
    const h = await createHarness({ TRUST_PROXY: 'loopback', PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    try {
      const u = await h.createUser();
      for (const name of ['a-guess', 'b-guess']) {
        await h.http().post('/api/dev/token').set('X-Forwarded-For', '198.51.100.7').send({ username: name, password: 'x' }).expect(401);
      }
      const blocked = await h.http().post('/api/dev/token').set('X-Forwarded-For', '198.51.100.7').send({ username: u.username, password: u.password });
      expect(blocked.status).toBe(429);
      const other = await h.http().post('/api/dev/token').set('X-Forwarded-For', '198.51.100.8').send({ username: u.username, password: u.password });
      expect(other.status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('ignores X-Forwarded-For when not set', async () => {
    const h = await createHarness({ PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS: '2' });
    try {
      const u = await h.createUser();
      for (const ip of ['198.51.100.1', '198.51.100.2']) {
        await h.http().post('/api/dev/token').set('X-Forwarded-For', ip).send({ username: 'nobody-x', password: 'x' }).expect(401);
      }
      const res = await h.http().post('/api/dev/token').set('X-Forwarded-For', '198.51.100.3').send({ username: u.username, password: u.password });
      expect(res.status).toBe(429); // all three came from the same real address
    } finally {
      await h.close();
    }
  });
});
