// The simulated cloud on a real database: its site options, its failure modes, and its state
// surviving a restart — read back through the driver and through the real `sim instances` CLI.
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Config } from '../../src/config';
import { createContainer } from '../../src/container';
import { createDb, type Db } from '../../src/db/client';
import { migrate } from '../../src/db/migrator';
import { LIFECYCLE_STATES, type CloudDriver, type LaunchRequest, type SiteCredentials } from '../../src/drivers/cloud-driver';
import { DriverRegistry } from '../../src/drivers/registry';
import { createSimulatedDriverFactory, simulatedDriverFactory, type RandomSource } from '../../src/drivers/simulated';
import { CloudError } from '../../src/errors';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/logger';
import { SitesFileError } from '../../src/sites/sites-file';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

let database: TestDatabase;
let db: Db;
let config: Config;

const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  DATABASE_URL: database.url,
  PHANTOM_DATA_DIR: database.dataDir,
  PHANTOM_SECRET_KEY: randomBytes(32).toString('hex'),
  LOG_LEVEL: 'silent',
  ...extra,
});

beforeAll(async () => {
  database = await createTestDatabase();
  config = loadConfig(env());
  await migrate(database.kind, database.url);
  db = await createDb(database.kind, database.url);
});
afterAll(async () => {
  await db?.$disconnect();
  await database?.drop();
});

const creds: SiteCredentials = { accessKey: 'AKIDEXAMPLE', secretKey: 's3cr3t', keyName: 'default' };

interface Sim {
  driver: CloudDriver;
  clock: ManualClock;
  siteId: string;
}

/** A simulated site of its own (unique id, so tests sharing the database never see each other's VMs). */
function simSite(options: Record<string, unknown>, random?: RandomSource, clock = new ManualClock()): Sim {
  const siteId = `sim-${randomBytes(4).toString('hex')}`;
  const factory = random ? createSimulatedDriverFactory(random) : simulatedDriverFactory;
  const site = { id: siteId, driver: 'simulated', instanceTypes: ['m1.small', 'm1.large'], options: { rate_limit_per_second: 1000, ...options } };
  const registry = new DriverRegistry([site], { simulated: factory }, { db, clock, logger: createLogger('silent') });
  return { driver: registry.driver(siteId), clock, siteId };
}

/** Uniform draws from a fixed list, in order (then 0.5 for ever). */
const sequence = (...values: number[]): RandomSource => () => values.shift() ?? 0.5;

const launchRequest = (installation = 'inst-test', overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  clientToken: randomUUID(),
  imageId: 'hello-cloud',
  instanceType: 'm1.small',
  keyName: 'default',
  tags: { installation, domainId: 'dom-1', instanceId: randomUUID() },
  ...overrides,
});

async function cloudErrorOf(p: Promise<unknown>): Promise<CloudError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!(err instanceof CloudError)) throw new Error(`expected a CloudError, got ${String(err)}`);
  return err;
}

async function stateOf(sim: Sim, iaasId: string, installation = 'inst-test') {
  return (await sim.driver.listInstances(creds, installation)).find((i) => i.iaasId === iaasId);
}

describe('simulated site options', () => {
  it('accepts a site with no options, using the defaults', async () => {
    const sim = simSite({});
    expect(await sim.driver.listImages(creds)).toEqual({ public: ['hello-cloud', 'centos-5.5-x64-vine.gz'], user: [] });
    expect(await sim.driver.listKeyPairs(creds)).toEqual(['default', 'phantom_ssh_key']);
  });

  it('reports every problem of a bad sites file at once, naming site and option', async () => {
    const file = join(database.dataDir, 'bad-sites.json');
    writeFileSync(file, JSON.stringify({
      sites: [
        {
          id: 'alpha', driver: 'simulated', instance_types: ['m1.small'],
          options: { boot_seconds: -1, capacity: 1.5, launch_failure_rate: 2, public_images: [], colour: 'blue', rate_limit_per_second: 0 },
        },
        { id: 'bravo', driver: 'simulated', instance_types: ['m1.small'], options: { api_error_rate: 'often', key_names: 'default' } },
      ],
    }));
    const err = await createContainer(loadConfig(env({ PHANTOM_SITES_FILE: file })), { logger: createLogger('silent') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SitesFileError);
    const problems = (err as SitesFileError).problems;
    for (const expected of [
      /^site alpha: options\.rate_limit_per_second: /,
      /^site alpha: options\.boot_seconds: /,
      /^site alpha: options\.capacity: /,
      /^site alpha: options\.launch_failure_rate: must be between 0 and 1$/,
      /^site alpha: options\.public_images: /,
      /^site alpha: options\.colour: unknown option$/,
      /^site bravo: options\.api_error_rate: /,
      /^site bravo: options\.key_names: /,
    ]) {
      expect(problems).toContainEqual(expect.stringMatching(expected));
    }
    expect(problems).toHaveLength(8);
  });
});

describe('simulated VMs', () => {
  it('boots PENDING → RUNNING after boot_seconds of the injected clock, with hostname and addresses', async () => {
    const sim = simSite({ boot_seconds: 30 });
    const vm = await sim.driver.launch(creds, launchRequest());
    expect(vm).toMatchObject({ state: LIFECYCLE_STATES.PENDING, imageId: 'hello-cloud', instanceType: 'm1.small', keyName: 'default' });
    expect(vm.iaasId).toMatch(/^i-[0-9a-f]{8}$/);
    expect(vm.hostname).toMatch(new RegExp(`^vm-[0-9a-f]{8}\\.${sim.siteId}\\.phantom\\.local$`));
    expect(vm.privateIp).toMatch(/^10\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
    expect(vm.publicIp).toMatch(/^203\.0\.113\.\d{1,3}$/);
    sim.clock.advance(29);
    expect((await stateOf(sim, vm.iaasId))?.state).toBe(LIFECYCLE_STATES.PENDING);
    sim.clock.advance(1);
    expect((await stateOf(sim, vm.iaasId))?.state).toBe(LIFECYCLE_STATES.RUNNING);
  });

  it('refuses launches beyond capacity with OutOfCapacity, and frees capacity on terminate', async () => {
    const sim = simSite({ capacity: 2 });
    const first = await sim.driver.launch(creds, launchRequest());
    const second = launchRequest('someone-else');
    await sim.driver.launch(creds, second);
    const err = await cloudErrorOf(sim.driver.launch(creds, launchRequest()));
    expect(err.errorClass).toBe('OutOfCapacity');
    // A retry of an accepted launch is not a new VM, so a full site still answers it.
    await expect(sim.driver.launch(creds, second)).resolves.toMatchObject({ tags: second.tags });
    await sim.driver.terminate(creds, first.iaasId);
    await expect(sim.driver.launch(creds, launchRequest())).resolves.toMatchObject({ state: LIFECYCLE_STATES.PENDING });
  });

  it('makes a launch drawn under launch_failure_rate end FAILED, with a reason, when it would have booted', async () => {
    const sim = simSite({ boot_seconds: 10, launch_failure_rate: 0.5 }, sequence(0.4, 0.6));
    const doomed = await sim.driver.launch(creds, launchRequest());
    const fine = await sim.driver.launch(creds, launchRequest());
    expect(doomed.state).toBe(LIFECYCLE_STATES.PENDING);
    sim.clock.advance(10);
    expect(await stateOf(sim, doomed.iaasId)).toMatchObject({ state: LIFECYCLE_STATES.FAILED, stateReason: expect.stringMatching(/launch failure/) });
    expect((await stateOf(sim, fine.iaasId))?.state).toBe(LIFECYCLE_STATES.RUNNING);
  });

  it('crashes running VMs under crash_rate_per_hour: TERMINATED with a reason, listed for an hour, then gone', async () => {
    // With a draw of 0.5 and one crash an hour, the VM lives ln 2 hours (≈ 2495 s) after booting.
    const sim = simSite({ boot_seconds: 5, crash_rate_per_hour: 1, capacity: 1 }, sequence(0.5));
    const vm = await sim.driver.launch(creds, launchRequest());
    sim.clock.advance(5 + 2494);
    expect((await stateOf(sim, vm.iaasId))?.state).toBe(LIFECYCLE_STATES.RUNNING);
    sim.clock.advance(2);
    expect(await stateOf(sim, vm.iaasId)).toMatchObject({ state: LIFECYCLE_STATES.TERMINATED, stateReason: expect.stringMatching(/crashed/) });
    await expect(sim.driver.launch(creds, launchRequest())).resolves.toBeDefined(); // the crash freed the capacity
    await sim.driver.terminate(creds, vm.iaasId); // terminating a crashed VM is fine
    sim.clock.advance(3601);
    expect(await stateOf(sim, vm.iaasId)).toBeUndefined();
  });

  it('answers concurrent retries of one launch with its VM even when that launch fills the site', async () => {
    const sim = simSite({ capacity: 1 });
    const req = launchRequest();
    const results = await Promise.all([1, 2, 3].map(() => sim.driver.launch(creds, req)));
    expect(new Set(results.map((r) => r.iaasId)).size).toBe(1);
  });

  it('adds api_latency_ms to every call', async () => {
    const sim = simSite({ api_latency_ms: 100 });
    const started = performance.now();
    await sim.driver.listKeyPairs(creds);
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });

  it('fails every call with Transient under api_error_rate 1', async () => {
    const sim = simSite({ api_error_rate: 1 });
    for (const call of [sim.driver.listKeyPairs(creds), sim.driver.launch(creds, launchRequest()), sim.driver.listInstances(creds, 'x')]) {
      expect((await cloudErrorOf(call)).errorClass).toBe('Transient');
    }
  });

  it('rejects an "invalid" access key, an unknown type or key pair, and a reused token with other parameters', async () => {
    const sim = simSite({});
    const auth = await cloudErrorOf(sim.driver.listInstances({ ...creds, accessKey: 'invalid' }, 'x'));
    expect(auth.errorClass).toBe('AuthFailed');
    expect(auth.message).not.toContain(creds.secretKey);
    expect((await cloudErrorOf(sim.driver.launch(creds, launchRequest('i', { instanceType: 'm9.huge' })))).errorClass).toBe('InvalidRequest');
    expect((await cloudErrorOf(sim.driver.launch(creds, launchRequest('i', { keyName: 'nobody' })))).errorClass).toBe('InvalidRequest');
    const req = launchRequest();
    await sim.driver.launch(creds, req);
    const mismatch = await cloudErrorOf(sim.driver.launch(creds, { ...req, instanceType: 'm1.large' }));
    expect(mismatch).toMatchObject({ errorClass: 'InvalidRequest', message: expect.stringMatching(/IdempotentParameterMismatch/) });
  });

  it('creates one VM for one client token even when replicas launch it concurrently', async () => {
    const a = simSite({});
    const clock = new ManualClock();
    const registryB = new DriverRegistry(
      [{ id: a.siteId, driver: 'simulated', instanceTypes: ['m1.small'], options: { rate_limit_per_second: 1000 } }],
      { simulated: simulatedDriverFactory },
      { db, clock, logger: createLogger('silent') },
    );
    const b = registryB.driver(a.siteId);
    const req = launchRequest();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a.driver : b).launch(creds, req)));
    expect(new Set(results.map((r) => r.iaasId)).size).toBe(1);
    expect(await db.simulatedVm.count({ where: { site: a.siteId, clientToken: req.clientToken } })).toBe(1);
  });
});

describe('simulated cloud across a Phantom restart', () => {
  it('keeps its VMs and the installation id when a new container opens the same database', async () => {
    const clock = new ManualClock(new Date());
    const first = await createContainer(config, { clock, logger: createLogger('silent') });
    const installation = first.installationId;
    expect(installation).toMatch(/^[0-9a-f-]{36}$/);
    const req = launchRequest(installation);
    const vm = await first.drivers.driver('hotel').launch(creds, req);
    await first.close();

    clock.advance(5);
    const second = await createContainer(config, { clock, logger: createLogger('silent') });
    try {
      expect(second.installationId).toBe(installation);
      const listed = await second.drivers.driver('hotel').listInstances(creds, installation);
      expect(listed).toEqual([expect.objectContaining({ iaasId: vm.iaasId, state: LIFECYCLE_STATES.RUNNING, tags: req.tags })]);
      await expect(second.drivers.driver('hotel').launch(creds, req)).resolves.toMatchObject({ iaasId: vm.iaasId });
    } finally {
      await second.close();
    }
  });
});

describe('npm run phantom -- sim instances', () => {
  beforeAll(async () => {
    // tsc emits even when it reports type errors; those are the typecheck step's business, and a
    // colleague's half-finished file must not hide whether this command works.
    await run('npm', ['run', 'build', '--silent'], { cwd: ROOT }).catch(() => undefined);
    if (!existsSync(join(ROOT, 'dist', 'cli', 'sim.js'))) throw new Error('npm run build did not produce dist/cli/sim.js');
  }, 120_000);

  const cli = async (...args: string[]): Promise<unknown> => {
    const { stdout } = await run('node', ['dist/main.js', 'sim', 'instances', ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env() },
    });
    return JSON.parse(stdout);
  };

  it('prints every VM the simulated cloud holds, of every installation, with tags and state', async () => {
    const sim = simSite({ boot_seconds: 0 }, undefined, new ManualClock(new Date()));
    const ours = await sim.driver.launch(creds, launchRequest('inst-ours'));
    const theirs = await sim.driver.launch(creds, launchRequest('inst-theirs'));
    await sim.driver.terminate(creds, theirs.iaasId);
    const other = simSite({});
    await other.driver.launch(creds, launchRequest('inst-ours'));

    const printed = await cli('--site', sim.siteId);
    expect(printed).toHaveLength(2);
    expect(printed).toEqual(expect.arrayContaining([
      expect.objectContaining({ site: sim.siteId, iaas_id: ours.iaasId, state: '600-RUNNING', tags: expect.objectContaining({ installation: 'inst-ours' }), hostname: ours.hostname }),
      expect.objectContaining({ site: sim.siteId, iaas_id: theirs.iaasId, state: '800-TERMINATED', state_reason: expect.stringMatching(/User initiated/), tags: expect.objectContaining({ installation: 'inst-theirs' }) }),
    ]));
    const everything = (await cli()) as { site: string }[];
    expect(everything.map((v) => v.site)).toEqual(expect.arrayContaining([sim.siteId, other.siteId]));
  }, 60_000);

  it('rejects an unknown sim command with the usage text', async () => {
    const err = await run('node', ['dist/main.js', 'sim', 'volumes'], { cwd: ROOT, env: { ...process.env, ...env() } }).then(
      () => undefined,
      (e: unknown) => e as { code: number; stderr: string },
    );
    expect(err?.code).toBe(1);
    expect(err?.stderr).toMatch(/unknown sim command: volumes/);
    expect(err?.stderr).toMatch(/sim instances \[--site ID\]/);
  });
});
