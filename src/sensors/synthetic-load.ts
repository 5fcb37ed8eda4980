// The simulated cloud's "agents": for every simulated site with a `synthetic_load` option, each of
// its RUNNING VMs reports `metric` = demand(t) / (RUNNING VMs of the same domain at the site), into
// the same store /api/put writes, keyed by the VM's hostname as tcollector would send it. More VMs
// → lower load per VM, so a sensor domain scales up and settles with no real cloud.
import type { Db } from '../db/client';
import { splitCommonOptions } from '../drivers/common-options';
import { parseSimulatedOptions } from '../drivers/simulated/options';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { SensorsService } from '../services/sensors.service';
import type { SiteDefinition } from '../sites/sites-file';
import type { SampleRow, SampleStore } from './sample-store';
import { demandAt, type SyntheticLoadOptions } from './synthetic-load-options';

export interface SyntheticSite {
  siteId: string;
  load: SyntheticLoadOptions;
}

export interface SyntheticLoadDeps {
  db: Db;
  store: SampleStore;
  catalog: SensorsService;
  clock: Clock;
  logger: Logger;
  sites: SyntheticSite[];
}

/** How often the timer looks for due sites; each site reports at its own interval_seconds. */
const POLL_MS = 1000;

/** The simulated sites of a sites file that carry a load model. */
export function syntheticSites(sites: SiteDefinition[]): SyntheticSite[] {
  const out: SyntheticSite[] = [];
  for (const site of sites) {
    if (site.driver !== 'simulated') continue;
    const parsed = parseSimulatedOptions(splitCommonOptions(site.options).driverOptions);
    if (parsed.ok && parsed.options.synthetic_load) out.push({ siteId: site.id, load: parsed.options.synthetic_load });
  }
  return out;
}

function domainOf(tags: string): string | null {
  try {
    const parsed: unknown = JSON.parse(tags);
    const id = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).domainId : undefined;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

export class SyntheticLoad {
  private readonly startedAt: Date;
  private readonly lastAt = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<number> | null = null;
  private metricsRecorded = false;

  constructor(private readonly deps: SyntheticLoadDeps) {
    this.startedAt = deps.clock.now();
  }

  start(): void {
    if (this.timer || this.deps.sites.length === 0) return;
    this.timer = setInterval(() => void this.tick().catch((err: unknown) => this.deps.logger.warn({ err }, 'synthetic load pass failed')), POLL_MS);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
  }

  /** One pass: every site whose interval has passed on the clock reports now. Returns samples written. */
  async tick(): Promise<number> {
    // Passes never overlap: a pass asked for while one runs waits for it and then runs.
    const previous = this.inFlight ?? Promise.resolve(0);
    const run = previous.catch(() => 0).then(() => this.pass());
    this.inFlight = run;
    return run;
  }

  private async pass(): Promise<number> {
    const now = this.deps.clock.now();
    const due = this.deps.sites.filter((s) => {
      const last = this.lastAt.get(s.siteId);
      return last === undefined || now.getTime() - last >= s.load.interval_seconds * 1000;
    });
    if (due.length === 0) return 0;
    if (!this.metricsRecorded) {
      await this.deps.catalog.recordReported([...new Set(this.deps.sites.map((s) => s.load.metric))]);
      this.metricsRecorded = true;
    }
    const rows: SampleRow[] = [];
    for (const site of due) rows.push(...(await this.siteRows(site, now)));
    await this.deps.store.insert(rows);
    for (const s of due) this.lastAt.set(s.siteId, now.getTime());
    return rows.length;
  }

  /** RUNNING as the simulated cloud derives it (drivers/simulated/lifecycle.ts): booted, not failed, not gone. */
  private async siteRows(site: SyntheticSite, now: Date): Promise<SampleRow[]> {
    const vms = await this.deps.db.simulatedVm.findMany({
      where: { site: site.siteId, terminatedAt: null, failsAtBoot: false, runningAt: { lte: now }, OR: [{ crashAt: null }, { crashAt: { gt: now } }] },
      select: { hostname: true, tags: true },
    });
    const byDomain = new Map<string, string[]>();
    for (const vm of vms) {
      const domainId = domainOf(vm.tags);
      if (domainId) byDomain.set(domainId, [...(byDomain.get(domainId) ?? []), vm.hostname]);
    }
    if (byDomain.size === 0) return [];
    const owners = await this.deps.db.domain.findMany({ where: { id: { in: [...byDomain.keys()] } }, select: { id: true, userId: true } });
    const demand = demandAt(site.load.demand, (now.getTime() - this.startedAt.getTime()) / 1000);
    const rows: SampleRow[] = [];
    for (const { id, userId } of owners) {
      const hosts = byDomain.get(id) ?? [];
      for (const host of hosts) rows.push({ userId, metric: site.load.metric, seriesKey: host, ts: now, value: demand / hosts.length });
    }
    return rows;
  }
}
