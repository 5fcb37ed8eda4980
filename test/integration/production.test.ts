import { request as httpRequest } from 'node:http';
// The production setup, for real: nginx with the repository's deploy/nginx configuration in front of
// three Phantom replicas (`node dist/main.js serve`) on one PostgreSQL. Everything the client does
// goes through nginx. Needs PostgreSQL (DATABASE_URL) and nginx (.ci/run installs it).
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../src/db/migrator';
import { createTestDatabase, testBackend, type TestDatabase } from '../helpers/database';
import { findNginx, freePort, shippedFailTimeoutSeconds, startNginx, type NginxProcess } from '../helpers/nginx';
import { runCli, startServerProcess, type ServerProcess } from '../helpers/process';
import { unique } from '../helpers/resource-fixtures';
import { sitesFileEnv } from '../helpers/sites-file';

const TICK_SECONDS = 1;
/** The engine's lease: max(1.5 ticks, 1.5 s), renewed by a heartbeat every third of it (src/engine/context.ts). */
const LEASE_SECONDS = Math.max(1.5 * TICK_SECONDS, 1.5);
const VM_COUNT = 3;
/** Per replica and per client address; the last test trips it. */
const LOGIN_FAILURES_PER_ADDRESS = 3;
const CLIENT_ADDRESS = '127.0.0.1';
/** nginx connects to the replicas from here, so its address and the client's differ in their logs. */
const NGINX_ADDRESS = '127.0.0.2';
const METRICS_TOKEN = randomBytes(24).toString('hex');

const nginxBinary = findNginx();
const skipReason =
  testBackend() !== 'postgres'
    ? 'needs PostgreSQL: set DATABASE_URL=postgresql://… (CI runs it there)'
    : nginxBinary === null
      ? 'needs nginx: apt-get install -y nginx (.ci/run does)'
      : null;
// A skipped suite prints nothing of its own: say why, so a local run does not read as a pass.
if (skipReason) console.warn(`production.test.ts skipped: ${skipReason}`);
const describeProduction = skipReason ? describe.skip : describe;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Replica {
  port: number;
  proc: ServerProcess;
  /** Every process this replica slot has run, for the log checks. */
  outputs: (() => string)[];
}

interface Outcome {
  method: 'GET' | 'POST';
  status: number;
  /** The launch configuration a POST created. */
  name?: string;
}

/** Requests through nginx, one after another, until stopped: reads, and creates that must persist. */
class ClientLoop {
  readonly outcomes: Outcome[] = [];
  private running = true;
  private readonly done: Promise<void>;

  constructor(private readonly base: string, private readonly auth: string, private readonly domainId: string) {
    this.done = this.run();
  }

  async stop(): Promise<Outcome[]> {
    this.running = false;
    await this.done;
    return this.outcomes;
  }

  private async run(): Promise<void> {
    for (let i = 0; this.running; i++) {
      if (i % 3 === 2) {
        const name = unique('loop-lc');
        const status = await this.send('POST', '/api/dev/launchconfigurations', lcBody(name));
        this.outcomes.push({ method: 'POST', status, name });
      } else {
        const path = i % 3 === 0 ? `/api/dev/domains/${this.domainId}` : '/api/dev/sites';
        this.outcomes.push({ method: 'GET', status: await this.send('GET', path) });
      }
    }
  }

  /**
   * One request on its own connection, as curl one-liners and scripts send them: a kept-alive
   * connection that nginx closes on reload would be the client's retry to make, not a lost request.
   */
  private send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<number> {
    const payload = body ? JSON.stringify(body) : undefined;
    return new Promise((resolveStatus) => {
      const req = httpRequest(`${this.base}${path}`, {
        method,
        agent: false,
        timeout: 15_000,
        headers: { Authorization: this.auth, ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) } : {}) },
      });
      req.on('response', (res) => {
        res.resume();
        res.on('end', () => resolveStatus(res.statusCode ?? 0));
        res.on('error', () => resolveStatus(0));
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => resolveStatus(0)); // no answer at all
      req.end(payload);
    });
  }
}

function lcBody(name: string): Record<string, unknown> {
  return {
    name,
    contextualization_method: 'none',
    cloud_params: {
      hotel: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: 2, common: true, rank: 1 },
      sierra: { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: -1, common: true, rank: 2 },
    },
  };
}

describeProduction(`production setup: nginx in front of three replicas on PostgreSQL${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let db: TestDatabase;
  let pg: Client;
  let env: Record<string, string>;
  let nginx: NginxProcess;
  const replicas: Replica[] = [];
  /** Stopped in afterAll too, so a failed test does not leave one running. */
  const loops: ClientLoop[] = [];
  let auth = '';
  let domainId = '';

  // Response bodies are read as the few shapes the test looks at.
  const api = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${nginx.url}${path}`, {
      method,
      headers: { ...(auth ? { Authorization: auth } : {}), ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };

  const startReplica = async (port: number): Promise<ServerProcess> => startServerProcess({ ...env, PORT: String(port) });

  /** The engine's lease owner id of each running replica, from its start-up log line. */
  const ownerOf = (r: Replica): string => {
    const m = /"owner":"([^"]+)"[^\n]*"msg":"scaling engine started"|"msg":"scaling engine started"[^\n]*"owner":"([^"]+)"/.exec(r.proc.output());
    if (!m) throw new Error(`no engine start line in replica ${r.port}'s log`);
    return m[1] ?? m[2];
  };

  const leaseOwner = async (): Promise<string | null> => {
    const r = await pg.query<{ leaseOwner: string | null }>('SELECT "leaseOwner" FROM "Domain" WHERE id = $1', [domainId]);
    return r.rows[0]?.leaseOwner ?? null;
  };

  /** What the simulated cloud holds, read by the admin CLI straight from its own store. */
  const simulatedVms = (): { client_token: string; state: string }[] => {
    const r = runCli(['sim', 'instances'], env);
    if (r.status !== 0) throw new Error(`sim instances failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as { client_token: string; state: string }[];
  };

  /** Exactly VM_COUNT live VMs, each one of the domain's records, each client token launched once. */
  const expectNoDoubleLaunch = async (): Promise<void> => {
    const live = simulatedVms().filter((vm) => Number.parseInt(vm.state, 10) < 700);
    expect(live).toHaveLength(VM_COUNT);
    const tokens = live.map((vm) => vm.client_token);
    expect(new Set(tokens).size).toBe(tokens.length);
    const records = await pg.query<{ clientToken: string; lifecycleState: number }>('SELECT "clientToken", "lifecycleState" FROM "Instance" WHERE "domainId" = $1', [domainId]);
    const healthy = records.rows.filter((r) => r.lifecycleState < 700);
    expect(healthy.map((r) => r.clientToken).sort()).toEqual([...tokens].sort());
    const launches = await api<{ activities: { kind: string }[] }>('GET', `/api/dev/domains/${domainId}/activities?limit=500`);
    expect(launches.body.activities.filter((a) => a.kind === 'launch')).toHaveLength(VM_COUNT);
  };

  /** Every 2xx create answered during the loop is there afterwards; `allowed` POSTs may have no 2xx. */
  const expectNothingLost = async (outcomes: Outcome[], allowedPostFailures: number): Promise<void> => {
    expect(outcomes.length).toBeGreaterThan(20);
    const failedGets = outcomes.filter((o) => o.method === 'GET' && (o.status < 200 || o.status > 299));
    expect(failedGets).toEqual([]);
    const failedPosts = outcomes.filter((o) => o.method === 'POST' && o.status !== 201);
    expect(failedPosts.length).toBeLessThanOrEqual(allowedPostFailures);
    // A POST that reached the killed replica cannot be retried elsewhere (it may have been applied): 502.
    for (const f of failedPosts) expect(f.status).toBe(502);
    const created = outcomes.filter((o) => o.method === 'POST' && o.status === 201).map((o) => o.name);
    const listed = await api<{ name: string }[]>('GET', '/api/dev/launchconfigurations');
    const names = new Set(listed.body.map((lc) => lc.name));
    expect(created.filter((n) => !names.has(n ?? ''))).toEqual([]);
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // Migrated once up front; replicas starting together would also serialise on the migration lock.
    await migrate(db.kind, db.url);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    env = {
      DATABASE_URL: db.url,
      PHANTOM_DATA_DIR: db.dataDir,
      PHANTOM_SECRET_KEY: randomBytes(32).toString('hex'),
      PHANTOM_TICK_SECONDS: String(TICK_SECONDS),
      TRUST_PROXY: 'loopback',
      PHANTOM_LOGIN_MAX_FAILURES_PER_ADDRESS: String(LOGIN_FAILURES_PER_ADDRESS),
      PHANTOM_SHUTDOWN_TIMEOUT_SECONDS: '10',
      PHANTOM_METRICS_TOKEN: METRICS_TOKEN,
      ...sitesFileEnv([
        { id: 'hotel', options: { boot_seconds: 1 } },
        { id: 'sierra', options: { boot_seconds: 1 } },
      ]),
    };
    const ports = [await freePort(), await freePort(), await freePort()];
    const procs = await Promise.all(ports.map((p) => startReplica(p)));
    procs.forEach((proc, i) => replicas.push({ port: ports[i], proc, outputs: [proc.output] }));
    nginx = await startNginx(nginxBinary ?? 'nginx', { replicaPorts: ports, bindAddress: NGINX_ADDRESS });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(loops.map((l) => l.stop()));
    await nginx?.stop();
    await Promise.all(
      replicas.map(async (r) => {
        if (r.proc.child.exitCode === null && r.proc.child.signalCode === null) r.proc.child.kill('SIGTERM');
        await r.proc.exited;
      }),
    );
    await pg?.end();
    await db?.drop();
  }, 30_000);

  it('serves a user through nginx: token, credentials, launch configuration, and a domain at its count', async () => {
    const username = unique('ops');
    const password = `pw-${randomBytes(8).toString('hex')}`;
    expect(runCli(['user', 'create', username, '--password', password], env).status).toBe(0);
    const login = await fetch(`${nginx.url}/api/dev/token`, { method: 'POST', body: new URLSearchParams({ username, password }) });
    expect(login.status).toBe(200);
    const { token, user } = (await login.json()) as { token: string; user: number };
    auth = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

    for (const site of ['hotel', 'sierra']) {
      expect((await api('POST', '/api/dev/credentials/sites', { id: site, access_key: 'ak', secret_key: 'sk', key_name: 'default' })).status).toBe(201);
    }
    const lc = await api<{ name: string }>('POST', '/api/dev/launchconfigurations', lcBody(unique('lc')));
    expect(lc.status).toBe(201);
    const domain = await api<{ id: string }>('POST', '/api/dev/domains', {
      name: unique('dom'),
      de_name: 'multicloud',
      lc_name: lc.body.name,
      monitor_sensors: '',
      monitor_domain_sensors: '',
      vm_count: VM_COUNT,
    });
    expect(domain.status).toBe(201);
    domainId = domain.body.id;

    const running = await waitFor('the domain to reach its count', 30_000, async () => {
      const res = await api<{ lifecycle_state: string }[]>('GET', `/api/dev/domains/${domainId}/instances`);
      const up = res.body.filter((i) => i.lifecycle_state === '600-RUNNING');
      return up.length === VM_COUNT ? up : undefined;
    });
    expect(running).toHaveLength(VM_COUNT);
    await expectNoDoubleLaunch();

    // Prometheus scrapes each replica itself; the launches, wherever they ran, add up to the count.
    let launched = 0;
    for (const r of replicas) {
      const res = await fetch(`http://127.0.0.1:${r.port}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      for (const m of (await res.text()).matchAll(/^phantom_engine_launches_total\{[^}]*\} (\d+)$/gm)) launched += Number(m[1]);
    }
    expect(launched).toBe(VM_COUNT);
    expect((await fetch(`${nginx.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(404);
  }, 60_000);

  it('moves a SIGKILLed replica’s domain to another within the lease and the next pass, with no double launch and no lost request', async () => {
    const holderOwner = await leaseOwner();
    const holder = replicas.find((r) => ownerOf(r) === holderOwner);
    expect(holder).toBeDefined();
    const survivors = replicas.filter((r) => r !== holder).map(ownerOf);

    const loop = new ClientLoop(nginx.url, auth, domainId);
    loops.push(loop);
    await sleep(500);
    const killedAt = Date.now();
    holder!.proc.child.kill('SIGKILL');
    await holder!.proc.exited;
    const newOwner = await waitFor('another replica to take the domain over', 15_000, async () => {
      const owner = await leaseOwner();
      return owner !== null && survivors.includes(owner) ? owner : undefined;
    });
    const takeoverMs = Date.now() - killedAt;
    // The dead lease runs out at most LEASE_SECONDS after its last renewal and a survivor's heartbeat,
    // a third of a lease later at most, claims it: two ticks. One second of slack for a loaded CI machine.
    expect(takeoverMs).toBeLessThanOrEqual((LEASE_SECONDS + LEASE_SECONDS / 3 + 1) * 1000);
    expect(survivors).toContain(newOwner);

    await sleep(3 * TICK_SECONDS * 1000); // a few passes by the new owner
    const outcomes = await loop.stop();
    await expectNothingLost(outcomes, 1);
    await expectNoDoubleLaunch();
    const unanswered = outcomes.filter((o) => o.status < 200 || o.status > 299).length;
    console.info(`lease takeover after SIGKILL: ${takeoverMs} ms; ${outcomes.length} requests through nginx during the kill, ${unanswered} not 2xx`);

    // Back to three replicas on the same port, for the rolling restart.
    holder!.proc = await startReplica(holder!.port);
    holder!.outputs.push(holder!.proc.output);
  }, 60_000);

  it('loses no request through a rolling restart of every replica (out of rotation, SIGTERM, start, back in)', async () => {
    // As the README's procedure: take each replica out of nginx's rotation, restart it, put it back.
    const failTimeoutMs = shippedFailTimeoutSeconds() * 1000;
    await sleep(failTimeoutMs); // nginx may still skip the replica the previous test killed
    const loop = new ClientLoop(nginx.url, auth, domainId);
    loops.push(loop);
    await sleep(300);
    for (const r of replicas) {
      // Out of rotation first: a request nginx had already sent when the listener closed could only
      // be answered 502 (a POST is never retried on another replica, it may have been applied).
      await nginx.setDown([r.port]);
      r.proc.child.kill('SIGTERM');
      expect(await r.proc.exited).toBe(0);
      r.proc = await startReplica(r.port);
      r.outputs.push(r.proc.output);
      await nginx.setDown([]);
      await sleep(200);
    }
    const outcomes = await loop.stop();
    await expectNothingLost(outcomes, 0);
    expect(outcomes.every((o) => o.status >= 200 && o.status < 300)).toBe(true);
    // The engine handed its lease over on each clean stop; the domain is still exactly at its count.
    const owners = replicas.map(ownerOf);
    await waitFor('a live replica to hold the domain', 10_000, async () => (owners.includes((await leaseOwner()) ?? '') ? true : undefined));
    await expectNoDoubleLaunch();
    console.info(`rolling restart: ${outcomes.length} requests through nginx, all 2xx`);
  }, 60_000);

  it('logs and throttles the real client address, not nginx’s nor one the client claims', async () => {
    const spoofed = '203.0.113.9';
    const requestId = unique('trace');
    const res = await api('GET', '/api/dev/sites', undefined, { 'X-Forwarded-For': spoofed, 'X-Request-Id': requestId });
    expect(res.status).toBe(200);
    const requestLines = (): { reqId: string; client: string }[] =>
      replicas
        .flatMap((r) => r.outputs.map((o) => o()))
        .join('\n')
        .split('\n')
        .filter((l) => l.includes('"msg":"request"'))
        .map((l) => JSON.parse(l) as { reqId: string; client: string });
    // The replica writes the line as the response ends; it reaches this process a moment later.
    const traced = await waitFor('the request to be logged', 5_000, async () => requestLines().find((l) => l.reqId === requestId));
    expect(traced.client).toBe(CLIENT_ADDRESS);
    const lines = requestLines();
    expect(lines.length).toBeGreaterThan(50);
    expect(lines.filter((l) => l.client !== CLIENT_ADDRESS)).toEqual([]);

    // Failed logins claiming ever new addresses all count against the real one. Throttles live in
    // each replica's memory: with 3 replicas, 3 × the limit failures trip at least one of them.
    for (let i = 0; i < 3 * LOGIN_FAILURES_PER_ADDRESS; i++) {
      const failed = await fetch(`${nginx.url}/api/dev/token`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': `198.51.100.${i + 1}` },
        body: new URLSearchParams({ username: unique('nobody'), password: 'guess' }),
      });
      expect([401, 429]).toContain(failed.status);
    }
    const statuses: number[] = [];
    for (let i = 0; i < replicas.length; i++) {
      const attempt = await fetch(`${nginx.url}/api/dev/token`, {
        method: 'POST',
        headers: { 'X-Forwarded-For': `198.51.100.${200 + i}` },
        body: new URLSearchParams({ username: unique('nobody'), password: 'guess' }),
      });
      statuses.push(attempt.status);
    }
    expect(statuses).toContain(429);
  }, 30_000);
});
