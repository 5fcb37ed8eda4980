import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { loadConfig } from '../../src/config';
import { STATE_CACHE_MS } from '../../src/metrics/metrics';
import { startServer } from '../../src/server';
import { createTestDatabase } from '../helpers/database';
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { unique } from '../helpers/resource-fixtures';
import { sitesFileEnv } from '../helpers/sites-file';

const TOKEN = 'metrics-token-0123456789abcdef';

/** The value of one series in Prometheus exposition text, or undefined when it is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = line.startsWith(`${name}{`) ? line.slice(name.length + 1, line.indexOf('}')) : '';
    if (wanted.every((w) => labelText.split(',').includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics on the main port', () => {
  let h: Harness;
  let u: TestUser;
  beforeAll(async () => {
    h = await createHarness({
      PHANTOM_METRICS_TOKEN: TOKEN,
      ...sitesFileEnv([
        { id: 'full', options: { boot_seconds: 0, capacity: 0 } },
        { id: 'open', options: { boot_seconds: 0 } },
      ]),
    });
    u = await h.createUser();
    for (const site of ['full', 'open']) await h.container.siteCredentials.create(u.id, site, { accessKey: 'ak', secretKey: 'sk', keyName: 'default' });
  });
  afterAll(() => h.close());

  const scrape = async (): Promise<string> => {
    const res = await h.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.text;
  };

  it('refuses a scraper without the token, or with a wrong one', async () => {
    const none = await h.http().get('/metrics');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="phantom-metrics"');
    expect(none.body.success).toBe(false);
    expect((await h.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`)).status).toBe(401);
    expect((await h.http().get('/metrics').auth(String(u.id), u.token)).status).toBe(401);
  });

  it('counts HTTP requests by route pattern and status, never by raw URL', async () => {
    const ids = [unique('a'), unique('b'), unique('c')];
    for (const id of ids) await h.http().get(`/api/dev/domains/${id}`).auth(...u.basic).expect(404);
    await h.http().get('/api/dev/sites').auth(...u.basic).expect(200);
    await h.http().get('/api/dev/no-such-thing').auth(...u.basic).expect(404);
    const text = await scrape();
    expect(sample(text, 'phantom_http_requests_total', { method: 'GET', route: '/api/dev/domains/:id', status: '404' })).toBe(3);
    expect(sample(text, 'phantom_http_requests_total', { method: 'GET', route: '/api/dev/sites', status: '200' })).toBe(1);
    expect(sample(text, 'phantom_http_requests_total', { route: 'unmatched', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'phantom_http_request_duration_seconds_bucket', { route: '/api/dev/domains/:id', le: '+Inf' })).toBe(3);
    for (const id of ids) expect(text).not.toContain(id);
  });

  it('counts the points POST /api/put stores and rejects', async () => {
    const now = Math.floor(Date.now() / 1000);
    const points = [
      { metric: 'proc.loadavg.1min', timestamp: now, value: 1.5, tags: { host: 'vm-1' } },
      { metric: 'proc.loadavg.1min', timestamp: now, value: 0.5, tags: { host: 'vm-2' } },
      { metric: 'proc.loadavg.1min', timestamp: now, value: 'high', tags: { host: 'vm-3' } },
    ];
    await h.http().post('/api/put').auth(...u.basic).send(points).expect(400);
    const text = await scrape();
    expect(sample(text, 'phantom_sensor_points_ingested_total')).toBe(2);
    expect(sample(text, 'phantom_sensor_points_rejected_total')).toBe(1);
    expect(sample(text, 'phantom_http_requests_total', { method: 'POST', route: '/api/put', status: '400' })).toBe(1);
  });

  it('shows engine passes, launches, terminations and failures by site and error class, and backoff state', async () => {
    const lc = await h
      .http()
      .post('/api/dev/launchconfigurations')
      .auth(...u.basic)
      .send({
        name: unique('lc'),
        contextualization_method: 'none',
        cloud_params: {
          full: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: -1, common: true, rank: 1 },
          open: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: -1, common: true, rank: 2 },
        },
      })
      .expect(201);
    const domain = await h
      .http()
      .post('/api/dev/domains')
      .auth(...u.basic)
      .send({ name: unique('dom'), de_name: 'multicloud', lc_name: lc.body.name, monitor_sensors: '', monitor_domain_sensors: '', vm_count: 2 })
      .expect(201);
    // The full site fails its probe launch; the next passes overflow the demand to the open site.
    for (let i = 0; i < 3; i++) {
      h.clock.advance(1);
      await h.container.engine.runPass();
    }
    await h.http().delete(`/api/dev/domains/${domain.body.id}`).auth(...u.basic).expect(204);
    h.clock.advance(1);
    await h.container.engine.runPass();
    h.clock.advance(STATE_CACHE_MS / 1000); // past the earlier scrapes' cached state counts

    const text = await scrape();
    expect(sample(text, 'phantom_engine_failures_total', { site: 'full', operation: 'launch', error_class: 'OutOfCapacity' })).toBe(1);
    expect(sample(text, 'phantom_engine_launches_total', { site: 'open' })).toBe(2);
    expect(sample(text, 'phantom_engine_terminations_total', { site: 'open' })).toBe(2);
    expect(sample(text, 'phantom_engine_site_backoff', { site: 'full', kind: 'capacity_cap' })).toBe(1);
    expect(sample(text, 'phantom_engine_pass_duration_seconds_count')).toBe(4);
    expect(sample(text, 'phantom_engine_domains_held')).toBe(1);
    expect(sample(text, 'phantom_domains', { state: 'terminating' })).toBe(1);
    expect(sample(text, 'phantom_instances', { state: '900-FAILED' })).toBe(1);
    expect(sample(text, 'phantom_instances', { state: '700-TERMINATING' })).toBe(2);
  });

  it('includes the default process metrics', async () => {
    const text = await scrape();
    for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
      expect(sample(text, name)).toBeDefined();
    }
  });
});

describe('metrics settings', () => {
  it('serves no /metrics by default', async () => {
    const h = await createHarness();
    try {
      expect(h.container.metrics).toBeNull();
      expect((await h.http().get('/metrics')).status).toBe(404);
    } finally {
      await h.close();
    }
  });

  it('rejects a metrics token too short to be a secret', () => {
    expect(() => loadConfig({ PHANTOM_METRICS_TOKEN: 'short' })).toThrow(/PHANTOM_METRICS_TOKEN/);
  });

  it('serves /metrics on a listener of its own with PHANTOM_METRICS_PORT, and not on the main port', async () => {
    const database = await createTestDatabase();
    const running = await startServer(
      loadConfig({
        DATABASE_URL: database.url,
        PHANTOM_DATA_DIR: database.dataDir,
        PHANTOM_SECRET_KEY: randomBytes(32).toString('hex'),
        PORT: '0',
        PHANTOM_METRICS_PORT: '0',
        PHANTOM_ENGINE: 'off',
        LOG_LEVEL: 'silent',
      }),
    );
    try {
      expect(running.metricsPort).not.toBeNull();
      const metrics = request(`http://127.0.0.1:${running.metricsPort}`);
      await request(`http://127.0.0.1:${running.port}`).get('/healthz').expect(200);
      const res = await metrics.get('/metrics').expect(200);
      expect(sample(res.text, 'phantom_http_requests_total', { route: '/healthz', status: '200' })).toBe(1);
      expect(sample(res.text, 'phantom_domains')).toBeUndefined(); // no domains, no series
      expect(res.text).toContain('# TYPE phantom_domains gauge');
      expect((await metrics.get('/other')).status).toBe(404);
      expect((await request(`http://127.0.0.1:${running.port}`).get('/metrics')).status).toBe(404);
    } finally {
      await running.stop();
      await database.drop();
    }
  });
});
