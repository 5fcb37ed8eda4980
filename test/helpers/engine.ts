// Drives the scaling engine on the simulated cloud: a harness with the given sites, a user holding
// credentials for all of them, and an engine the test runs pass by pass with runPass().
import { defaultSettings, type EngineSettings } from '../../src/engine/context';
import { Engine } from '../../src/engine/engine';
import { noReadings, type SensorReadingsSource } from '../../src/engine/readings';
import type { Container } from '../../src/container';
import { observe } from '../../src/drivers/simulated/lifecycle';
import type { SimulatedVmRow } from '../../src/drivers/simulated/store';
import { createHarness, type Harness, type TestUser } from './harness';
import { unique } from './resource-fixtures';
import { sitesFileEnv, type SiteEntry } from './sites-file';

export const IMAGE = 'hello-cloud';

export interface EngineOptions {
  settings?: Partial<EngineSettings>;
  readings?: SensorReadingsSource;
  owner?: string;
}

export function buildEngine(c: Container, o: EngineOptions = {}): Engine {
  return new Engine({
    db: c.db,
    drivers: c.drivers,
    clock: c.clock,
    logger: c.logger,
    secretBox: c.secretBox,
    siteCredentials: c.siteCredentials,
    installationId: c.installationId,
    readings: o.readings ?? noReadings,
    settings: { ...defaultSettings(c.config.engine), ...o.settings },
    owner: o.owner,
    // Deterministic jitter: every backoff is three quarters of its ceiling.
    backoff: { baseSeconds: 5, maxSeconds: 300, capacityCoolOffSeconds: 120, random: () => 0.5 },
  });
}

export interface EngineWorld {
  h: Harness;
  u: TestUser;
  engine: Engine;
  close(): Promise<void>;
}

export async function engineWorld(sites: SiteEntry[], o: EngineOptions = {}, env: Record<string, string> = {}): Promise<EngineWorld> {
  const h = await createHarness({ ...sitesFileEnv(sites), PHANTOM_ENGINE: 'off', ...env });
  const u = await h.createUser();
  for (const s of sites) {
    await h.container.siteCredentials.create(u.id, s.id, { accessKey: 'ak', secretKey: 'sk', keyName: 'default' });
  }
  const engine = buildEngine(h.container, o);
  return {
    h,
    u,
    engine,
    close: async () => {
      await engine.stop();
      await h.close();
    },
  };
}

export interface CloudParam {
  rank: number;
  max_vms: number;
  image_id?: string;
  instance_type?: string;
}

export async function createLaunchConfiguration(w: EngineWorld, params: Record<string, CloudParam>, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const cloud_params = Object.fromEntries(
    Object.entries(params).map(([site, p]) => [site, { image_id: IMAGE, instance_type: 'm1.small', common: true, ...p }]),
  );
  const res = await w.h.http().post('/api/dev/launchconfigurations').auth(...w.u.basic).send({ name: unique('lc'), contextualization_method: 'none', cloud_params, ...extra });
  if (res.status !== 201) throw new Error(`LC setup failed: ${res.status} ${res.text}`);
  return res.body as { id: string; name: string };
}

export async function createMulticloud(w: EngineWorld, lcName: string, vmCount: number): Promise<string> {
  const body = { name: unique('dom'), de_name: 'multicloud', lc_name: lcName, monitor_sensors: '', monitor_domain_sensors: '', vm_count: vmCount };
  const res = await w.h.http().post('/api/dev/domains').auth(...w.u.basic).send(body);
  if (res.status !== 201) throw new Error(`domain setup failed: ${res.status} ${res.text}`);
  return res.body.id as string;
}

/** VMs the simulated cloud holds that are not terminated (at the harness clock's now). */
export async function liveVms(c: Container, site?: string): Promise<SimulatedVmRow[]> {
  const now = c.clock.now();
  const rows = await c.db.simulatedVm.findMany({ where: site ? { site } : {} });
  return rows.filter((r) => observe(r, now).state < 700);
}

/** Live VMs per site, e.g. { a: 2, b: 1 }. */
export async function liveBySite(c: Container): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const vm of await liveVms(c)) out[vm.site] = (out[vm.site] ?? 0) + 1;
  return out;
}

/** The domain's instance records that count towards its target (healthy, not being terminated). */
export async function healthyRecords(c: Container, domainId: string): Promise<{ id: string; siteId: string; lifecycleState: number }[]> {
  const rows = await c.db.instance.findMany({ where: { domainId, terminateRequested: false, lifecycleState: { in: [100, 200, 400, 500, 600] } } });
  return rows;
}

/** Runs passes, advancing the manual clock by `seconds` before each. */
export async function passes(w: EngineWorld, n: number, seconds = 1): Promise<void> {
  for (let i = 0; i < n; i++) {
    w.h.clock.advance(seconds);
    await w.engine.runPass();
  }
}
