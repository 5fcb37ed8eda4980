// Kills a real server (`node dist/main.js serve`; run `npm run build` first) with SIGKILL in the
// middle of a burst of launches, restarts it, and checks the simulated cloud ends with exactly the
// domain's target and no VM that Phantom does not track.
import { createDb, type Db } from '../../../src/db/client';
import { observe } from '../../../src/drivers/simulated/lifecycle';
import { createTestDatabase, type TestDatabase } from '../../helpers/database';
import { runCli, startServerProcess, type ServerProcess } from '../../helpers/process';
import { sitesFileEnv } from '../../helpers/sites-file';

jest.setTimeout(90_000);

let database: TestDatabase;
let env: Record<string, string>;
let db: Db;
let server: ServerProcess | null = null;

beforeAll(async () => {
  database = await createTestDatabase();
  env = {
    DATABASE_URL: database.url,
    PHANTOM_DATA_DIR: database.dataDir,
    PHANTOM_SECRET_KEY: 'ab'.repeat(32),
    PHANTOM_TICK_SECONDS: '0.5',
    ...sitesFileEnv([
      { id: 'alpha', options: { boot_seconds: 1, api_latency_ms: 150 } },
      { id: 'bravo', options: { boot_seconds: 1, api_latency_ms: 150 } },
    ]),
  };
  const created = runCli(['user', 'create', 'kim', '--password', 'pw-kim-123'], env);
  if (created.status !== 0) throw new Error(created.stderr);
  db = await createDb(database.kind, database.url);
});
afterAll(async () => {
  server?.child.kill('SIGKILL');
  await db?.$disconnect();
  await database.drop();
});

async function call(method: string, path: string, auth: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server!.url}${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function aliveVms(): Promise<{ clientToken: string; tags: string }[]> {
  const now = new Date();
  return (await db.simulatedVm.findMany()).filter((r) => observe(r, now).state < 700);
}

async function waitFor(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server?.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('ends with exactly the target and nothing untracked after a SIGKILL during a burst of launches', async () => {
  server = await startServerProcess(env);
  const login = await fetch(`${server.url}/api/dev/token`, { method: 'POST', body: new URLSearchParams({ username: 'kim', password: 'pw-kim-123' }) });
  const { token, user } = (await login.json()) as { token: string; user: number };
  const auth = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;
  for (const site of ['alpha', 'bravo']) {
    const r = await call('POST', '/api/dev/credentials/sites', auth, { id: site, access_key: 'ak', secret_key: 'sk', key_name: 'default' });
    expect(r.status).toBe(201);
  }
  const cloud_params = {
    alpha: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: 7, common: true, rank: 1 },
    bravo: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: -1, common: true, rank: 2 },
  };
  expect((await call('POST', '/api/dev/launchconfigurations', auth, { name: 'burst', contextualization_method: 'none', cloud_params })).status).toBe(201);
  const domain = await call('POST', '/api/dev/domains', auth, { name: 'burst', de_name: 'multicloud', lc_name: 'burst', monitor_sensors: '', monitor_domain_sensors: '', vm_count: 12 });
  expect(domain.status).toBe(201);
  const domainId = domain.body.id as string;

  await waitFor('the burst to start', async () => (await aliveVms()).length >= 3, 20_000);
  server.child.kill('SIGKILL');
  await server.exited;
  const atKill = (await aliveVms()).length;
  expect(atKill).toBeLessThan(12); // killed mid-burst

  server = await startServerProcess(env);
  const healthy = (): Promise<number> => db.instance.count({ where: { domainId, terminateRequested: false, lifecycleState: 600 } });
  await waitFor('the domain to reach 12 running instances', async () => (await healthy()) === 12, 30_000);
  await new Promise((r) => setTimeout(r, 1500)); // a few more ticks: nothing may change now

  const vms = (await aliveVms()).filter((v) => JSON.parse(v.tags).domainId === domainId);
  expect(vms).toHaveLength(12);
  const records = await db.instance.findMany({ where: { clientToken: { in: vms.map((v) => v.clientToken) } } });
  expect(records).toHaveLength(12);
  expect(records.every((r) => r.domainId === domainId && r.lifecycleState === 600 && !r.terminateRequested)).toBe(true);
  expect(await healthy()).toBe(12);
  expect((await aliveVms()).length).toBe(12); // nothing else anywhere in the cloud

  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
  server = null;
});
