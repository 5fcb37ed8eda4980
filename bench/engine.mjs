// Engine benchmark (not a test), on the simulated cloud with no boot delay:
//   1. one full pass at 1,000 and 10,000 domains with 5 running instances each (set up in bulk, cloud
//      and records consistent, so the pass is a steady-state pass), and RSS at 10,000 domains;
//   2. sensor threshold breach (the point arriving at /api/put) to the launch request reaching the
//      driver, with the engine running at its default tick;
//   3. 1,000 launches across three simulated sites end to end (domain created → 1,000 RUNNING).
// Run alone with `npm run bench:engine`. Options: BENCH_PASS_SIZES ("1000,10000"), BENCH_LAUNCHES (1000),
// BENCH_FLEET_DOMAINS (10), BENCH_CPU_PROFILE (a directory for .cpuprofile files of the timed passes).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import inspector from 'node:inspector';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { newVmIdentity } from '../dist/drivers/simulated/vm-identity.js';
import { benchUser, call, emit, progress, rssMb, startBenchServer } from './lib.mjs';

const PASS_SIZES = (process.env.BENCH_PASS_SIZES ?? '1000,10000').split(',').map(Number);
const LAUNCHES = Number(process.env.BENCH_LAUNCHES ?? 1000);
/** The launches are spread over this many domains, as a fleet of services would be. */
const FLEET_DOMAINS = Number(process.env.BENCH_FLEET_DOMAINS ?? 10);
const INSTANCES_PER_DOMAIN = 5;
const CHUNK = 2000;
const site = (id, options = {}) => ({ id, driver: 'simulated', instance_types: ['m1.small'], options: { boot_seconds: 0, ...options } });
const credentials = { accessKey: 'bench', secretKey: 'bench', keyName: 'default' };

async function launchConfiguration(server, user, sites, maxVms) {
  const cloud_params = Object.fromEntries(sites.map((s, i) => [s, { image_id: 'hello-cloud', instance_type: 'm1.small', max_vms: maxVms, common: true, rank: i + 1 }]));
  return call(server.base, user.authorization, 'POST', '/api/dev/launchconfigurations', { name: `lc-${randomUUID().slice(0, 8)}`, contextualization_method: 'none', cloud_params });
}

async function inChunks(rows, insert) {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

/** `count` multicloud domains at 5 VMs, each with 5 RUNNING records and their simulated VMs. */
async function seedSteadyState(server, user, lcId, count) {
  const { db, installationId } = server.container;
  const past = new Date(Date.now() - 10 * 60_000);
  const domains = [];
  const instances = [];
  const vms = [];
  for (let d = 0; d < count; d++) {
    const id = randomUUID();
    const name = `steady-${d}`;
    domains.push({ id, userId: user.id, name, activeName: name, state: 'active', deName: 'multicloud', launchConfigurationId: lcId, monitorSensors: '', monitorDomainSensors: '', vmCount: INSTANCES_PER_DOMAIN, desiredVms: INSTANCES_PER_DOMAIN });
    for (let i = 0; i < INSTANCES_PER_DOMAIN; i++) {
      const instanceId = randomUUID();
      const clientToken = randomUUID();
      // Ids made from a counter: 50,000 random 32-bit ids would collide (the driver retries; a bulk insert cannot).
      const vm = { ...newVmIdentity('hotel'), iaasId: `i-${vms.length.toString(16).padStart(8, '0')}` };
      const tags = { installation: installationId, domainId: id, instanceId };
      vms.push({ ...vm, site: 'hotel', clientToken, installation: installationId, tags: JSON.stringify(tags), state: 'PENDING', failsAtBoot: false, imageId: 'hello-cloud', instanceType: 'm1.small', keyName: 'default', userData: null, createdAt: past, runningAt: past, crashAt: null, terminatedAt: null, reason: null });
      instances.push({ id: instanceId, domainId: id, siteId: 'hotel', clientToken, iaasInstanceId: vm.iaasId, lifecycleState: 600, hostname: vm.hostname, publicIp: vm.publicIp, privateIp: vm.privateIp, imageId: 'hello-cloud', instanceType: 'm1.small', keyname: 'default', createdAt: past, launchedAt: past, stateChangedAt: past });
    }
  }
  await inChunks(domains, (data) => db.domain.createMany({ data }));
  await inChunks(instances, (data) => db.instance.createMany({ data }));
  await inChunks(vms, (data) => db.simulatedVm.createMany({ data }));
}

/** With BENCH_CPU_PROFILE=<dir>, writes a .cpuprofile of the timed passes (open it in Chrome DevTools). */
async function startProfiler() {
  const dir = process.env.BENCH_CPU_PROFILE;
  if (!dir) return { stop: async () => undefined };
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((resolve, reject) => session.post(method, params, (err, r) => (err ? reject(err) : resolve(r))));
  await post('Profiler.enable');
  await post('Profiler.start');
  return {
    async stop(count) {
      const { profile } = await post('Profiler.stop');
      writeFileSync(join(dir, `engine-pass-${count}.cpuprofile`), JSON.stringify(profile));
      session.disconnect();
    },
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function passAt(count) {
  progress(`engine pass at ${count} domains: seeding`);
  const server = await startBenchServer({ sites: [site('hotel')] });
  try {
    const user = await benchUser(server);
    await server.container.siteCredentials.create(user.id, 'hotel', credentials);
    const lc = await launchConfiguration(server, user, ['hotel'], -1);
    const t0 = performance.now();
    await seedSteadyState(server, user, lc.id, count);
    const seedMs = performance.now() - t0;
    const engine = server.container.engine;
    progress(`engine pass at ${count} domains: first pass (with sweep)`);
    let t = performance.now();
    const first = await engine.runPass({ sweep: true });
    const firstMs = performance.now() - t;
    const times = [];
    const profiler = await startProfiler();
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const report = await engine.runPass();
      times.push(performance.now() - t);
      if (report.failures > 0 || report.domains !== count) throw new Error(`pass reported ${JSON.stringify(report)}`);
    }
    await profiler.stop(count);
    global.gc?.();
    const running = await server.container.db.instance.count({ where: { lifecycleState: 600 } });
    if (running !== count * INSTANCES_PER_DOMAIN) throw new Error(`steady state broke: ${running} RUNNING records`);
    return { domains: count, instances: count * INSTANCES_PER_DOMAIN, seed_ms: Math.round(seedMs), first_pass_ms: Math.round(firstMs), first_pass_failures: first.failures, pass_ms: times.map(Math.round), median_pass_ms: Math.round(median(times)), rss_mb: rssMb() };
  } finally {
    await server.stop();
  }
}

/** Records when the driver of `siteId` is asked to launch, per domain. */
function watchLaunches(server, siteIds) {
  const seen = new Map();
  for (const id of siteIds) {
    const driver = server.container.drivers.driver(id);
    const launch = driver.launch.bind(driver);
    driver.launch = (creds, req) => {
      if (!seen.has(req.tags.domainId)) seen.set(req.tags.domainId, performance.now());
      return launch(creds, req);
    };
  }
  return seen;
}

async function breachToLaunch(trials = 5) {
  progress('threshold breach to launch request');
  const server = await startBenchServer({ sites: [site('hotel')], env: { PHANTOM_ENGINE: 'true' } });
  try {
    const user = await benchUser(server);
    await server.container.siteCredentials.create(user.id, 'hotel', credentials);
    const lc = await launchConfiguration(server, user, ['hotel'], -1);
    const launches = watchLaunches(server, ['hotel']);
    const delays = [];
    for (let i = 0; i < trials; i++) {
      const name = `sensor-${i}`;
      const domain = await call(server.base, user.authorization, 'POST', '/api/dev/domains', {
        name, de_name: 'sensor', lc_name: lc.name, monitor_sensors: '', monitor_domain_sensors: 'bench.load',
        sensor_metric: 'bench.load', sensor_minimum_vms: 0, sensor_maximum_vms: 3, sensor_scale_up_threshold: 50,
        sensor_scale_down_threshold: 10, sensor_scale_up_vms: 1, sensor_scale_down_vms: 1, sensor_cooldown: 0,
      });
      // Land the breach at a different point of the tick each time.
      await sleep(300 + Math.floor(Math.random() * 2000));
      const sentAt = performance.now();
      await call(server.base, user.authorization, 'POST', '/api/put', [{ metric: 'bench.load', timestamp: Math.floor(Date.now() / 1000), value: 100, tags: { domain: name } }]);
      const deadline = sentAt + 30_000;
      while (!launches.has(domain.id) && performance.now() < deadline) await sleep(5);
      delays.push(launches.has(domain.id) ? launches.get(domain.id) - sentAt : Number.POSITIVE_INFINITY);
    }
    return { trials, tick_seconds: server.container.config.engine.tickSeconds, delays_ms: delays.map(Math.round), median_ms: Math.round(median(delays)), max_ms: Math.round(Math.max(...delays)) };
  } finally {
    await server.stop();
  }
}

async function launchesEndToEnd() {
  progress(`${LAUNCHES} launches across three sites`);
  const ids = ['hotel', 'sierra', 'tango'];
  const server = await startBenchServer({ sites: ids.map((id) => site(id)), env: { PHANTOM_ENGINE: 'true', PHANTOM_TICK_SECONDS: '1' } });
  try {
    const user = await benchUser(server);
    for (const id of ids) await server.container.siteCredentials.create(user.id, id, credentials);
    const perSite = Math.ceil(LAUNCHES / ids.length);
    const lc = await launchConfiguration(server, user, ids, Math.ceil(perSite / FLEET_DOMAINS));
    const t0 = performance.now();
    const domainIds = [];
    for (let i = 0; i < FLEET_DOMAINS; i++) {
      const vm_count = Math.floor(LAUNCHES / FLEET_DOMAINS) + (i < LAUNCHES % FLEET_DOMAINS ? 1 : 0);
      const body = { name: `fleet-${i}`, de_name: 'multicloud', lc_name: lc.name, monitor_sensors: '', monitor_domain_sensors: '', vm_count };
      domainIds.push((await call(server.base, user.authorization, 'POST', '/api/dev/domains', body)).id);
    }
    const where = { domainId: { in: domainIds }, lifecycleState: 600 };
    const deadline = t0 + 180_000;
    let running = 0;
    while (performance.now() < deadline) {
      running = await server.container.db.instance.count({ where });
      if (running >= LAUNCHES) break;
      await sleep(100);
    }
    const seconds = (performance.now() - t0) / 1000;
    const bySite = await server.container.db.instance.groupBy({ by: ['siteId'], where, _count: true });
    return { launches: LAUNCHES, domains: FLEET_DOMAINS, running, seconds: Number(seconds.toFixed(2)), launches_per_second: Math.round(running / seconds), by_site: Object.fromEntries(bySite.map((g) => [g.siteId, g._count])) };
  } finally {
    await server.stop();
  }
}

/** Each size in a fresh process, so the RSS figure is that of a server holding only those domains. */
function passInChild(n) {
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_PART: 'pass', BENCH_PASS_SIZES: String(n) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 2 ** 24,
  });
  if (r.status !== 0) throw new Error(`engine pass at ${n} domains failed (exit ${r.status})`);
  return JSON.parse(r.stdout);
}

if (process.env.BENCH_PART === 'pass') {
  emit(await passAt(PASS_SIZES[0]));
  process.exit(0);
}
const passes = PASS_SIZES.map(passInChild);
const breach = await breachToLaunch();
const fleet = await launchesEndToEnd();

const rows = [
  ...passes.map((p) => ({ measurement: `engine pass, ${p.domains} domains × ${INSTANCES_PER_DOMAIN} VMs (median of 3; first with sweep ${p.first_pass_ms} ms)`, value: `${p.median_pass_ms} ms`, target: p.domains === 10000 ? '≤ 1000 ms' : '' })),
  ...passes.filter((p) => p.domains === 10000).map((p) => ({ measurement: 'RSS after the passes at 10,000 domains (whole server process, after GC)', value: `${p.rss_mb} MB`, target: '≤ 300 MB' })),
  { measurement: `threshold breach → launch request (${breach.trials} trials, tick ${breach.tick_seconds} s)`, value: `median ${breach.median_ms} ms, max ${breach.max_ms} ms`, target: '≤ 1000 ms' },
  { measurement: `${fleet.launches} launches across 3 sites (${fleet.domains} domains), created → all RUNNING`, value: `${fleet.seconds} s (${fleet.launches_per_second}/s; ${fleet.running} RUNNING)`, target: '' },
];
emit({ benchmark: 'engine', passes, breach, fleet, rows });
