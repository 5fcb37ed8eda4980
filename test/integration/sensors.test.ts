import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { STANDARD_METRICS } from '../../src/sensors/catalog';

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await createHarness();
  u = await h.createUser();
});
afterAll(() => h.close());

describe('sensors', () => {
  it('lists the 68 standard tcollector metrics, sorted, as {id, uri}', async () => {
    const res = await h.http().get('/api/dev/sensors').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(STANDARD_METRICS).toHaveLength(68);
    expect(new Set(STANDARD_METRICS).size).toBe(68);
    const ids = res.body.map((s: { id: string }) => s.id);
    expect(ids).toEqual([...STANDARD_METRICS].sort());
    expect(res.body.slice(0, 3)).toEqual([
      { id: 'df.1kblocks.free', uri: '/api/dev/sensors/df.1kblocks.free' },
      { id: 'df.1kblocks.total', uri: '/api/dev/sensors/df.1kblocks.total' },
      { id: 'df.1kblocks.used', uri: '/api/dev/sensors/df.1kblocks.used' },
    ]);
    for (const family of ['df.inodes.', 'iostat.part.', 'net.sockstat.', 'net.stat.tcp.', 'proc.net.', 'proc.loadavg.', 'proc.meminfo.', 'tcollector.collector.lines_', 'tcollector.reader.lines_']) {
      expect(ids.some((id: string) => id.startsWith(family))).toBe(true);
    }
    expect(ids.filter((id: string) => id.startsWith('proc.meminfo.'))).toHaveLength(19);
    expect(ids).toContain('proc.kernel.entropy_avail');
  });

  it('gets one sensor, and 404 for an unknown name', async () => {
    const res = await h.http().get('/api/dev/sensors/proc.loadavg.1min').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'proc.loadavg.1min', uri: '/api/dev/sensors/proc.loadavg.1min' });
    for (const name of ['no.such.metric', 'bad%20name', 'x'.repeat(300)]) {
      const missing = await h.http().get(`/api/dev/sensors/${name}`).auth(...u.basic);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('not_found');
    }
  });

  it('adds metric names reported to this server to the catalog', async () => {
    await h.container.sensors.recordReported(['myapp.queue_length', 'proc.loadavg.1min', 'myapp.queue_length']);
    expect(await h.container.db.sensorMetric.findMany()).toEqual([{ name: 'myapp.queue_length', firstSeenAt: expect.any(Date) }]);
    const list = await h.http().get('/api/dev/sensors').auth(...u.basic);
    const ids = list.body.map((s: { id: string }) => s.id);
    expect(ids).toHaveLength(69);
    expect(ids).toEqual([...ids].sort());
    const one = await h.http().get('/api/dev/sensors/myapp.queue_length').auth(...u.basic);
    expect(one.status).toBe(200);
    await expect(h.container.sensors.recordReported(['bad name'])).rejects.toThrow('Invalid metric name');
  });

  it('requires authentication', async () => {
    expect((await h.http().get('/api/dev/sensors')).status).toBe(401);
  });
});
