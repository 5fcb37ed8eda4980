// sensor_data in domain and instance responses, the engine's batched readings, retention, and the
// simulated cloud's synthetic load, all from points pushed through POST /api/put.
import { v4 as uuidv4 } from 'uuid';
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, insertInstance, sensorBody, unique } from '../helpers/resource-fixtures';
import { sitesFileEnv } from '../helpers/sites-file';

const LOAD = 'proc.loadavg.1min';
const INODES = 'df.inodes.free';

type Wire = { id: string; sensor_data: Record<string, { series: number[]; average: number }> };

function put(h: Harness, u: TestUser, points: { metric: string; tags: Record<string, string>; value: number; ago?: number }[]): Promise<unknown> {
  const now = h.clock.now().getTime();
  const body = points.map((p) => ({ metric: p.metric, tags: p.tags, value: p.value, timestamp: now - (p.ago ?? 0) * 1000 }));
  return h.http().post('/api/put').auth(...u.basic).send(body).expect(204);
}

describe('sensor_data', () => {
  let h: Harness;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    h = await createHarness();
    alice = await h.createUser('alice');
    bob = await h.createUser('bob');
  });
  afterAll(() => h.close());

  async function sensorDomain(u: TestUser, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
    return createDomain(h, u, (lc) => sensorBody(unique('dom'), lc, extra));
  }

  const getDomain = async (u: TestUser, id: string): Promise<Wire> => (await h.http().get(`/api/dev/domains/${id}`).auth(...u.basic).expect(200)).body as Wire;
  const getInstance = async (u: TestUser, domainId: string, id: string): Promise<Wire> =>
    (await h.http().get(`/api/dev/domains/${domainId}/instances/${id}`).auth(...u.basic).expect(200)).body as Wire;

  it('shows each instance its monitor_sensors series (oldest first) and the domain the aggregate', async () => {
    const domain = await sensorDomain(alice);
    const a = unique('vm-a');
    const b = unique('vm-b');
    const ia = await insertInstance(h, domain.id, { hostname: a });
    const ib = await insertInstance(h, domain.id, { hostname: b });
    await put(h, alice, [
      { metric: LOAD, tags: { host: a }, value: 1, ago: 30 },
      { metric: LOAD, tags: { host: a }, value: 3, ago: 10 },
      { metric: LOAD, tags: { host: b }, value: 8, ago: 20 },
      { metric: INODES, tags: { host: b }, value: 100, ago: 5 },
      { metric: 'not.monitored', tags: { host: a }, value: 5 },
    ]);

    expect((await getInstance(alice, domain.id, ia)).sensor_data).toEqual({ [LOAD]: { series: [1, 3], average: 2 } });
    expect((await getInstance(alice, domain.id, ib)).sensor_data).toEqual({ [LOAD]: { series: [8], average: 8 }, [INODES]: { series: [100], average: 100 } });
    // Domain: every instance's samples in time order; the average is the mean of instance averages.
    expect((await getDomain(alice, domain.id)).sensor_data).toEqual({
      [LOAD]: { series: [1, 8, 3], average: 5 },
      [INODES]: { series: [100], average: 100 },
    });
    const listed = (await h.http().get('/api/dev/domains').auth(...alice.basic).expect(200)).body as Wire[];
    expect(listed.find((d) => d.id === domain.id)?.sensor_data[LOAD]).toEqual({ series: [1, 8, 3], average: 5 });
  });

  it('shows monitor_domain_sensors from the domain-level series, by domain id or name', async () => {
    const domain = await sensorDomain(alice, { monitor_domain_sensors: 'queue.depth' });
    await put(h, alice, [
      { metric: 'queue.depth', tags: { domain: domain.id }, value: 10, ago: 20 },
      { metric: 'queue.depth', tags: { domain: domain.name }, value: 20, ago: 10 },
    ]);
    expect((await getDomain(alice, domain.id)).sensor_data).toEqual({ 'queue.depth': { series: [10, 20], average: 15 } });
  });

  it('omits metrics without data and shows {} when nothing was reported', async () => {
    const domain = await sensorDomain(alice);
    const id = await insertInstance(h, domain.id, { hostname: unique('quiet') });
    expect((await getDomain(alice, domain.id)).sensor_data).toEqual({});
    expect((await getInstance(alice, domain.id, id)).sensor_data).toEqual({});
  });

  it('matches points sent before the instance hostname was known once it is', async () => {
    const domain = await sensorDomain(alice);
    const host = unique('early');
    const id = await insertInstance(h, domain.id, { hostname: null, iaasInstanceId: null });
    await put(h, alice, [{ metric: LOAD, tags: { host }, value: 0.5 }]);
    expect((await getInstance(alice, domain.id, id)).sensor_data).toEqual({});
    await h.container.db.instance.update({ where: { id }, data: { hostname: host } });
    expect((await getInstance(alice, domain.id, id)).sensor_data).toEqual({ [LOAD]: { series: [0.5], average: 0.5 } });
  });

  it("never matches another user's points, even for the same hostname", async () => {
    const domain = await sensorDomain(alice);
    const host = unique('shared-name');
    const id = await insertInstance(h, domain.id, { hostname: host });
    await put(h, bob, [{ metric: LOAD, tags: { host }, value: 99 }]);
    await put(h, bob, [{ metric: LOAD, tags: { host: id }, value: 98 }]);
    expect((await getInstance(alice, domain.id, id)).sensor_data).toEqual({});
    expect((await getDomain(alice, domain.id)).sensor_data).toEqual({});
  });

  it('shows only the samples of the 90 s window', async () => {
    const domain = await sensorDomain(alice);
    const host = unique('win');
    const id = await insertInstance(h, domain.id, { hostname: host });
    await put(h, alice, [
      { metric: LOAD, tags: { host }, value: 1, ago: 200 },
      { metric: LOAD, tags: { host }, value: 2, ago: 60 },
    ]);
    expect((await getInstance(alice, domain.id, id)).sensor_data[LOAD]).toEqual({ series: [2], average: 2 });
  });

  it('gives the engine per-instance averages and domain averages for many domains in one call', async () => {
    const plain = await sensorDomain(alice);
    const withDomainSensor = await sensorDomain(alice, { monitor_domain_sensors: LOAD });
    const silent = await sensorDomain(alice);
    const hostA = unique('r-a');
    const a = await insertInstance(h, plain.id, { hostname: hostA });
    const b = await insertInstance(h, plain.id, { hostname: unique('r-b') });
    await insertInstance(h, silent.id, { hostname: unique('r-c') });
    await put(h, alice, [
      { metric: LOAD, tags: { host: hostA }, value: 2, ago: 40 },
      { metric: LOAD, tags: { host: hostA }, value: 4, ago: 20 },
      { metric: LOAD, tags: { domain: withDomainSensor.id }, value: 7 },
    ]);
    const readings = await h.container.sensorReader.readings([
      { domainId: plain.id, metric: LOAD, domainSensor: false },
      { domainId: withDomainSensor.id, metric: LOAD, domainSensor: true },
      { domainId: silent.id, metric: LOAD, domainSensor: false },
    ]);
    expect(readings.get(plain.id)).toEqual({ instanceAverages: { [a]: 3 } });
    expect(readings.get(plain.id)?.instanceAverages[b]).toBeUndefined();
    expect(readings.get(withDomainSensor.id)).toEqual({ instanceAverages: {}, domainAverage: 7 });
    expect(readings.get(silent.id)).toEqual({ instanceAverages: {} });
  });

  it('prunes samples past the retention', async () => {
    const host = unique('old');
    await put(h, alice, [{ metric: LOAD, tags: { host }, value: 1 }]);
    h.clock.advance(h.config.sensorRetentionSeconds - 10);
    await h.container.samplePruner.prune();
    expect(await h.container.db.sensorSample.count({ where: { seriesKey: host } })).toBe(1);
    h.clock.advance(20);
    await h.container.samplePruner.prune();
    expect(await h.container.db.sensorSample.count({ where: { seriesKey: host } })).toBe(0);
  });
});

describe('sensor_data reads in batches', () => {
  it('reads a domain listing with a fixed number of queries, whatever the number of instances', async () => {
    const queries: string[] = [];
    const h = await createHarness({}, { queries });
    try {
      const u = await h.createUser('batch');
      const domains = await Promise.all([1, 2].map(() => createDomain(h, u, (lc) => sensorBody(unique('dom'), lc, { monitor_domain_sensors: 'q.len' }))));
      const count = async (): Promise<number> => {
        queries.length = 0;
        await h.http().get('/api/dev/domains').auth(...u.basic).expect(200);
        return queries.filter((q) => /SensorSample|"Instance"/.test(q)).length;
      };
      for (const d of domains) await insertInstance(h, d.id, { hostname: unique('one') });
      const before = await count();
      for (const d of domains) for (let i = 0; i < 5; i++) await insertInstance(h, d.id, { hostname: unique('many') });
      expect(await count()).toBe(before);
    } finally {
      await h.close();
    }
  });
});

describe('synthetic load on a simulated site', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await createHarness({
      PHANTOM_ENGINE: 'off',
      ...sitesFileEnv([
        {
          id: 'sierra',
          options: {
            boot_seconds: 0,
            synthetic_load: { metric: LOAD, demand: [{ at_seconds: 0, value: 4 }, { at_seconds: 100, value: 12 }], interval_seconds: 10 },
          },
        },
        { id: 'hotel', options: {} },
      ]),
    });
  });
  afterAll(() => h.close());

  it('gives each RUNNING VM of a domain demand / RUNNING VMs, following the curve over time', async () => {
    const u = await h.createUser('sim');
    const domain = await createDomain(h, u, (lc) => sensorBody(unique('dom'), lc));
    const driver = h.container.drivers.driver('sierra');
    const creds = { accessKey: 'ak', secretKey: 'sk', keyName: 'default' };
    const launch = (instanceId: string) =>
      driver.launch(creds, { clientToken: uuidv4(), imageId: 'hello-cloud', instanceType: 'm1.small', tags: { installation: 'test', domainId: domain.id, instanceId } });
    const vms = await Promise.all([uuidv4(), uuidv4()].map(launch));
    const ids = await Promise.all(vms.map((vm) => insertInstance(h, domain.id, { hostname: vm.hostname ?? null, iaasInstanceId: vm.iaasId })));

    expect(await h.container.syntheticLoad.tick()).toBe(2);
    expect(await h.container.syntheticLoad.tick()).toBe(0); // not due again before interval_seconds
    const domainData = async (): Promise<Wire['sensor_data']> => ((await h.http().get(`/api/dev/domains/${domain.id}`).auth(...u.basic)).body as Wire).sensor_data;
    expect((await domainData())[LOAD]).toEqual({ series: [2, 2], average: 2 });

    // Half way along the curve demand is 8; a third VM boots: 8 / 3 each.
    h.clock.advance(50);
    await launch(uuidv4());
    expect(await h.container.syntheticLoad.tick()).toBe(3);
    const inst = (await h.http().get(`/api/dev/domains/${domain.id}/instances/${ids[0]}`).auth(...u.basic)).body as Wire;
    const [first, second] = inst.sensor_data[LOAD].series;
    expect(first).toBe(2);
    expect(second).toBeCloseTo(8 / 3, 9);

    // A terminated VM stops reporting; the rest share the demand.
    await driver.terminate(creds, vms[1].iaasId);
    h.clock.advance(60);
    expect(await h.container.syntheticLoad.tick()).toBe(2);
    const latest = await h.container.db.sensorSample.findMany({ where: { userId: u.id, ts: h.clock.now() }, select: { value: true } });
    expect(latest.map((r) => r.value)).toEqual([6, 6]);
  });

  it('lists the synthetic metric in the sensor catalog', async () => {
    const u = await h.createUser('cat');
    const res = await h.http().get(`/api/dev/sensors/${LOAD}`).auth(...u.basic);
    expect(res.status).toBe(200);
  });
});
