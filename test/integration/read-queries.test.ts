// Database round trips of the hot read endpoints: each costs a constant number of queries, whatever
// the number of domains or instances, so an N+1 (or a query too many) fails here before it shows up
// in a benchmark. Auth caching is off so every request pays its token lookup and the counts are exact.
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, createLc, insertInstance, multicloudBody, sensorBody, unique } from '../helpers/resource-fixtures';

/** Statements that are not reads the request asked for: transactions and connection set-up. */
const BOOKKEEPING = /^(BEGIN|COMMIT|ROLLBACK|PRAGMA|SET|DEALLOCATE)\b/i;

describe('queries per read request', () => {
  let h: Harness;
  let u: TestUser;
  const queries: string[] = [];

  beforeAll(async () => {
    h = await createHarness({ PHANTOM_AUTH_CACHE_SECONDS: '0' }, { queries });
    u = await h.createUser('reads');
  });
  afterAll(() => h.close());

  async function count(path: string): Promise<string[]> {
    queries.length = 0;
    await h.http().get(path).auth(...u.basic).expect(200);
    return queries.filter((q) => !BOOKKEEPING.test(q));
  }

  it('GET /domains/{id}: the token and the domain, nothing for sensor_data without monitored sensors', async () => {
    const d = await createDomain(h, u);
    for (let i = 0; i < 3; i++) await insertInstance(h, d.id);
    const q = await count(`/api/dev/domains/${d.id}`);
    expect(q).toHaveLength(2);
    expect(q.join('\n')).not.toMatch(/SensorSample|"Instance"/);
  });

  it('GET /domains/{id} of a sensor domain: one query more for the instances and one per metric source', async () => {
    const d = await createDomain(h, u, (lc) => sensorBody(unique('dom'), lc, { monitor_domain_sensors: 'q.len' }));
    await insertInstance(h, d.id, { hostname: unique('vm') });
    const one = await count(`/api/dev/domains/${d.id}`);
    for (let i = 0; i < 5; i++) await insertInstance(h, d.id, { hostname: unique('vm') });
    const many = await count(`/api/dev/domains/${d.id}`);
    expect(many).toHaveLength(one.length);
    // token, domain, its live instances, their samples and the domain-level series.
    expect(one).toHaveLength(5);
  });

  it('GET /domains: the same number of queries for 1 domain as for 20', async () => {
    const other = await h.createUser('list');
    const lc = await createLc(h, other);
    const countFor = async (): Promise<number> => {
      queries.length = 0;
      await h.http().get('/api/dev/domains').auth(...other.basic).expect(200);
      return queries.filter((q) => !BOOKKEEPING.test(q)).length;
    };
    await h.http().post('/api/dev/domains').auth(...other.basic).send(multicloudBody(unique('dom'), lc.name)).expect(201);
    const one = await countFor();
    for (let i = 0; i < 19; i++) {
      await h.http().post('/api/dev/domains').auth(...other.basic).send(multicloudBody(unique('dom'), lc.name)).expect(201);
    }
    expect(await countFor()).toBe(one);
    // The token and one joined read of the domains; no sensor_data queries, nothing is monitored.
    expect(one).toBe(2);
  });

  it('GET /domains/{id}/instances and GET /launchconfigurations: a constant number of queries', async () => {
    const d = await createDomain(h, u);
    await insertInstance(h, d.id);
    const instancesOne = (await count(`/api/dev/domains/${d.id}/instances`)).length;
    const lcsOne = (await count('/api/dev/launchconfigurations')).length;
    for (let i = 0; i < 5; i++) await insertInstance(h, d.id);
    await createLc(h, u);
    await createLc(h, u);
    expect((await count(`/api/dev/domains/${d.id}/instances`)).length).toBe(instancesOne);
    expect((await count('/api/dev/launchconfigurations')).length).toBe(lcsOne);
    // The token, the domain, its instances (no samples: the domain monitors nothing).
    expect(instancesOne).toBe(3);
    // The token, the configurations, their sites.
    expect(lcsOne).toBe(3);
  });
});
