// POST /api/put: OpenTSDB-compatible ingestion, authenticated like the API, stored per user.
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, insertInstance, sensorBody, unique } from '../helpers/resource-fixtures';

let h: Harness;
let alice: TestUser;

beforeAll(async () => {
  h = await createHarness();
  alice = await h.createUser('alice');
});
afterAll(() => h.close());

const nowSeconds = (): number => Math.floor(h.clock.now().getTime() / 1000);

function point(metric: string, tags: Record<string, string>, value: unknown = 1, timestamp: unknown = nowSeconds()): Record<string, unknown> {
  return { metric, timestamp, value, tags };
}

async function stored(userId: number, seriesKey: string): Promise<{ metric: string; value: number; ts: Date }[]> {
  return h.container.db.sensorSample.findMany({ where: { userId, seriesKey }, select: { metric: true, value: true, ts: true }, orderBy: { ts: 'asc' } });
}

describe('POST /api/put', () => {
  it('stores a single data point sent with Basic auth and answers 204', async () => {
    const host = unique('host');
    const res = await h.http().post('/api/put').auth(...alice.basic).send(point('proc.loadavg.1min', { host }, 0.75));
    expect(res.status).toBe(204);
    expect(await stored(alice.id, host)).toEqual([{ metric: 'proc.loadavg.1min', value: 0.75, ts: new Date(nowSeconds() * 1000) }]);
  });

  it('accepts user and token query parameters, millisecond timestamps and numeric strings', async () => {
    const host = unique('host');
    const ms = h.clock.now().getTime() - 1234;
    const res = await h
      .http()
      .post(`/api/put?user=${alice.id}&token=${alice.token}`)
      .send([point('df.inodes.free', { host }, '42.5', ms), point('df.inodes.free', { host }, 7, String(nowSeconds()))]);
    expect(res.status).toBe(204);
    expect((await stored(alice.id, host)).map((r) => [r.value, r.ts.getTime()])).toEqual([
      [42.5, ms],
      [7, nowSeconds() * 1000],
    ]);
  });

  it('refuses unauthenticated pushes with 401 and stores nothing', async () => {
    const host = unique('host');
    const res = await h.http().post('/api/put').auth(String(alice.id), 'wrong-token').send(point('m.x', { host }));
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/Basic/);
    expect(await stored(alice.id, host)).toEqual([]);
  });

  it('stores the good points of a mixed batch and details each bad one (?details)', async () => {
    const host = unique('host');
    const bad = [
      { metric: 'm.ok', timestamp: nowSeconds(), value: 'not-a-number', tags: { host } },
      { metric: 'bad metric!', timestamp: nowSeconds(), value: 1, tags: { host } },
      { metric: 'm.ok', value: 1, tags: { host } },
      { metric: 'm.ok', timestamp: nowSeconds(), value: 1, tags: {} },
      { metric: 'm.ok', timestamp: nowSeconds(), value: 1, tags: { rack: 'r1' } },
      { metric: 'm.ok', timestamp: nowSeconds(), value: 1, tags: { domain: 'no-such-domain' } },
      'not an object',
    ];
    const good = [point('m.ok', { host }, 1), point('m.ok', { host, domain: 'ignored-with-host' }, 2, nowSeconds() - 1)];
    const res = await h.http().post('/api/put?details').auth(...alice.basic).send([good[0], ...bad, good[1]]);
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(2);
    expect(res.body.failed).toBe(bad.length);
    expect(res.body.errors.map((e: { datapoint: unknown }) => e.datapoint)).toEqual(bad);
    expect(res.body.errors.map((e: { error: string }) => e.error)).toEqual([
      'Unable to parse value to a number',
      expect.stringMatching(/Invalid metric name/),
      'Missing timestamp',
      expect.stringMatching(/at least one tag/),
      expect.stringMatching(/Missing tag "host"/),
      'Unknown domain "no-such-domain"',
      'Data point is not a JSON object',
    ]);
    expect((await stored(alice.id, host)).map((r) => r.value)).toEqual([2, 1]);
  });

  it('answers ?summary with counts: 200 when all are good, 400 when some fail', async () => {
    const host = unique('host');
    const ok = await h.http().post('/api/put?summary').auth(...alice.basic).send([point('m.s', { host }), point('m.s', { host }, 2, nowSeconds() - 5)]);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ failed: 0, success: 2 });
    const mixed = await h.http().post('/api/put?summary').auth(...alice.basic).send([point('m.s', { host }, 'x')]);
    expect(mixed.status).toBe(400);
    expect(mixed.body).toEqual({ failed: 1, success: 0 });
  });

  it('answers a plain 400 in OpenTSDB form with the per-point errors listed', async () => {
    const res = await h.http().post('/api/put').auth(...alice.basic).send([point('m.p', { host: unique('h') }, Number.NaN)]);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 400, message: 'One or more data points had errors', failed: 1, success: 0 });
    expect(res.body.error.errors).toHaveLength(1);
  });

  it('refuses timestamps far in the future or older than the retention', async () => {
    const host = unique('host');
    const res = await h
      .http()
      .post('/api/put?details')
      .auth(...alice.basic)
      .send([point('m.t', { host }, 1, nowSeconds() + 3600), point('m.t', { host }, 1, nowSeconds() - 7200)]);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { error: string }) => e.error)).toEqual([expect.stringMatching(/future/), expect.stringMatching(/retention/)]);
  });

  it('refuses more than 10,000 points in one request with 413', async () => {
    const host = unique('host');
    const many = Array.from({ length: 10_001 }, (_, i) => point('m.many', { host }, i));
    const res = await h.http().post('/api/put').auth(...alice.basic).send(many);
    expect(res.status).toBe(413);
    expect(await stored(alice.id, host)).toEqual([]);
  });

  it('refuses a body that is not a point or an array of points', async () => {
    const res = await h.http().post('/api/put').auth(...alice.basic).type('json').send('42');
    expect(res.status).toBe(400);
  });

  it('stores a domain-tagged point under the domain, by id or by name, and only for the caller', async () => {
    const bob = await h.createUser('bob');
    const domain = await createDomain(h, alice, (lc) => sensorBody(unique('dom'), lc, { monitor_domain_sensors: 'queue.length' }));
    const byId = await h.http().post('/api/put').auth(...alice.basic).send(point('queue.length', { domain: domain.id }, 3));
    const byName = await h.http().post('/api/put').auth(...alice.basic).send(point('queue.length', { domain: domain.name }, 5, nowSeconds() - 2));
    expect([byId.status, byName.status]).toEqual([204, 204]);
    expect((await stored(alice.id, `domain:${domain.id}`)).map((r) => r.value)).toEqual([5, 3]);

    const intruder = await h.http().post('/api/put?details').auth(...bob.basic).send(point('queue.length', { domain: domain.id }, 99));
    expect(intruder.status).toBe(400);
    expect(intruder.body.errors[0].error).toBe(`Unknown domain "${domain.id}"`);
    expect(await h.container.db.sensorSample.count({ where: { userId: bob.id } })).toBe(0);
  });

  it('adds every metric name seen to the sensor catalog', async () => {
    const metric = unique('custom.metric');
    await h.http().post('/api/put').auth(...alice.basic).send(point(metric, { host: unique('h') }));
    const res = await h.http().get(`/api/dev/sensors/${metric}`).auth(...alice.basic);
    expect(res.status).toBe(200);
    const list = await h.http().get('/api/dev/sensors').auth(...alice.basic);
    expect(list.body.map((s: { id: string }) => s.id)).toContain(metric);
  });

  it('answers 405 to other methods', async () => {
    const res = await h.http().get('/api/put').auth(...alice.basic);
    expect(res.status).toBe(405);
  });

  it('matches a host to an instance by hostname, iaas id or Phantom id', async () => {
    const domain = await createDomain(h, alice, (lc) => sensorBody(unique('dom'), lc));
    const byHostname = await insertInstance(h, domain.id, { hostname: unique('vm'), iaasInstanceId: unique('i') });
    const byIaas = await insertInstance(h, domain.id, { hostname: null, iaasInstanceId: unique('i') });
    const byPhantomId = await insertInstance(h, domain.id, { hostname: null, iaasInstanceId: null });
    const rows = await h.container.db.instance.findMany({ where: { id: { in: [byHostname, byIaas] } } });
    const hostOf = (id: string): string => {
      const r = rows.find((x) => x.id === id)!;
      return (r.hostname ?? r.iaasInstanceId)!;
    };
    await h
      .http()
      .post('/api/put')
      .auth(...alice.basic)
      .send([
        point('proc.loadavg.1min', { host: hostOf(byHostname) }, 1),
        point('proc.loadavg.1min', { host: hostOf(byIaas) }, 2),
        point('proc.loadavg.1min', { host: byPhantomId }, 3),
      ])
      .expect(204);
    const list = await h.http().get(`/api/dev/domains/${domain.id}/instances`).auth(...alice.basic);
    const loads = Object.fromEntries(
      (list.body as { id: string; sensor_data: Record<string, { average: number }> }[]).map((i) => [i.id, i.sensor_data['proc.loadavg.1min']?.average]),
    );
    expect(loads).toEqual({ [byHostname]: 1, [byIaas]: 2, [byPhantomId]: 3 });
  });
});
