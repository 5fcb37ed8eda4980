// Sites whose instance metrics come from CloudWatch or an existing OpenTSDB, each against a local stub.
import { v4 as uuidv4 } from 'uuid';
import { splitCommonOptions } from '../../src/drivers/common-options';
import { startCloudWatchStub, type CloudWatchStub } from '../helpers/cloudwatch-stub';
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { startOpenTsdbStub, type OpenTsdbStub } from '../helpers/opentsdb-stub';
import { createDomain, sensorBody, unique } from '../helpers/resource-fixtures';
import { sitesFileEnv } from '../helpers/sites-file';

type Wire = { sensor_data: Record<string, { series: number[]; average: number }> };

const KEYS = { accessKey: 'AKIDSTUBCLOUDWATCH', secretKey: 'stub-secret-key-for-signing' };

let cloudwatch: CloudWatchStub;
let tsdb: OpenTsdbStub;
let h: Harness;
let user: TestUser;

beforeAll(async () => {
  cloudwatch = await startCloudWatchStub(KEYS);
  tsdb = await startOpenTsdbStub();
  h = await createHarness(
    sitesFileEnv([
      { id: 'hotel', options: { metrics_source: 'cloudwatch', cloudwatch_endpoint: cloudwatch.url, cloudwatch_region: 'us-test-1' } },
      { id: 'sierra', options: { metrics_source: 'opentsdb', opentsdb_url: tsdb.url } },
    ]),
  );
  user = await h.createUser('metrics');
});
afterAll(async () => {
  await h.close();
  await cloudwatch.close();
  await tsdb.close();
});

async function instanceOn(domainId: string, siteId: string, hostname: string | null, iaasInstanceId: string | null): Promise<string> {
  const id = uuidv4();
  await h.container.db.instance.create({
    data: { id, domainId, siteId, clientToken: uuidv4(), lifecycleState: 600, imageId: 'img', instanceType: 'm1.small', hostname, iaasInstanceId },
  });
  return id;
}

const secondsAgo = (s: number): Date => new Date(h.clock.now().getTime() - s * 1000);

describe('metrics_source: cloudwatch', () => {
  it("reads the instances' metrics with GetMetricData, signed with the user's site credentials", async () => {
    await h.container.siteCredentials.create(user.id, 'hotel', { ...KEYS, keyName: 'default' });
    const domain = await createDomain(h, user, (lc) => sensorBody(unique('dom'), lc, { monitor_sensors: 'CPUUtilization,NetworkIn', sensor_metric: 'CPUUtilization' }));
    const a = await instanceOn(domain.id, 'hotel', 'ec2-a.example', 'i-aaaa1111');
    const b = await instanceOn(domain.id, 'hotel', 'ec2-b.example', 'i-bbbb2222');
    await instanceOn(domain.id, 'hotel', null, null); // not launched yet: nothing to ask for
    cloudwatch.data.set('i-aaaa1111', new Map([['CPUUtilization', [{ ts: secondsAgo(120), value: 40 }, { ts: secondsAgo(60), value: 60 }]]]));
    cloudwatch.data.set('i-bbbb2222', new Map([['CPUUtilization', [{ ts: secondsAgo(60), value: 10 }]]]));

    const inst = (await h.http().get(`/api/dev/domains/${domain.id}/instances/${a}`).auth(...user.basic).expect(200)).body as Wire;
    expect(inst.sensor_data).toEqual({ CPUUtilization: { series: [40, 60], average: 50 } });
    const dom = (await h.http().get(`/api/dev/domains/${domain.id}`).auth(...user.basic).expect(200)).body as Wire;
    expect(dom.sensor_data).toEqual({ CPUUtilization: { series: [40, 60, 10], average: 30 } });

    const last = cloudwatch.calls[cloudwatch.calls.length - 1];
    // One call for every instance and metric of the domain.
    expect(last.MetricDataQueries).toHaveLength(4);
    expect(last.MetricDataQueries[0].MetricStat).toMatchObject({ Metric: { Namespace: 'AWS/EC2', Dimensions: [{ Name: 'InstanceId' }] }, Stat: 'Average' });

    const readings = await h.container.sensorReader.readings([{ domainId: domain.id, metric: 'CPUUtilization', domainSensor: false }], 300);
    expect(readings.get(domain.id)).toEqual({ instanceAverages: { [a]: 50, [b]: 10 } });
  });

  it('shows no data, and no error, for a user without credentials for the site', async () => {
    const other = await h.createUser('nocreds');
    const domain = await createDomain(h, other, (lc) => sensorBody(unique('dom'), lc, { monitor_sensors: 'CPUUtilization' }));
    await instanceOn(domain.id, 'hotel', 'ec2-c.example', 'i-aaaa1111');
    const calls = cloudwatch.calls.length;
    const dom = (await h.http().get(`/api/dev/domains/${domain.id}`).auth(...other.basic).expect(200)).body as Wire;
    expect(dom.sensor_data).toEqual({});
    expect(cloudwatch.calls.length).toBe(calls);
  });
});

describe('metrics_source: opentsdb', () => {
  it('queries /api/query by host tag for every instance at once', async () => {
    const domain = await createDomain(h, user, (lc) => sensorBody(unique('dom'), lc));
    const a = await instanceOn(domain.id, 'sierra', 'vm-1.tsdb', 'i-1');
    await instanceOn(domain.id, 'sierra', 'vm-2.tsdb', 'i-2');
    const now = h.clock.now().getTime();
    tsdb.data.set(
      'proc.loadavg.1min',
      new Map([
        ['vm-1.tsdb', [[now - 200_000, 9], [now - 30_000, 1], [now - 15_000, 2]]],
        ['vm-2.tsdb', [[now - 10_000, 6]]],
        ['someone-else', [[now - 10_000, 100]]],
      ]),
    );
    const inst = (await h.http().get(`/api/dev/domains/${domain.id}/instances/${a}`).auth(...user.basic).expect(200)).body as Wire;
    expect(inst.sensor_data).toEqual({ 'proc.loadavg.1min': { series: [1, 2], average: 1.5 } });
    const before = tsdb.queries.length;
    const dom = (await h.http().get(`/api/dev/domains/${domain.id}`).auth(...user.basic).expect(200)).body as Wire;
    // df.inodes.free was never reported: the stub answers 400, which reads as no data.
    expect(dom.sensor_data).toEqual({ 'proc.loadavg.1min': { series: [1, 2, 6], average: 3.75 } });
    const asked = tsdb.queries.slice(before) as { queries: { metric: string; tags: Record<string, string> }[] }[];
    expect(asked.map((q) => q.queries[0])).toEqual(
      expect.arrayContaining([{ aggregator: 'avg', metric: 'proc.loadavg.1min', tags: { host: 'vm-1.tsdb|vm-2.tsdb' } }]),
    );
    expect(asked).toHaveLength(2); // one per metric
  });
});

describe('metrics options in the sites file', () => {
  it('are taken out of the driver options and checked', () => {
    expect(splitCommonOptions({ metrics_source: 'opentsdb', boot_seconds: 1 })).toMatchObject({
      problems: ['options.opentsdb_url: required when metrics_source is opentsdb'],
      driverOptions: { boot_seconds: 1 },
    });
    expect(splitCommonOptions({ metrics_source: 'graphite' }).problems).toEqual([expect.stringMatching(/^options\.metrics_source: /)]);
    expect(splitCommonOptions({ metrics_source: 'cloudwatch', cloudwatch_endpoint: 'http://127.0.0.1:1' }).problems).toEqual([]);
  });
});
