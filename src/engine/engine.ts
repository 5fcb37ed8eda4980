// The scaling engine: a loop that never dies. Every tick (and soon after wake()) it runs one pass:
// claim leases, then for each batch of held domains load everything in a constant number of
// queries, refresh from one listing per site + credential, and reconcile each domain. A failure in
// one domain is logged, recorded as an activity, and the pass goes on; a failed pass is logged and
// the next tick runs as usual. stop() waits for the pass in flight and gives the leases back.
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/client';
import type { DriverRegistry } from '../drivers/registry';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { SecretBox } from '../lib/secret-box';
import type { SensorReadings } from '../policies';
import type { SiteCredentialsService } from '../services/site-credentials.service';
import { ActivityLog } from './activities';
import { sweep, type SweepReport } from './adoption';
import { DEFAULT_BACKOFF, SiteBackoff, type BackoffOptions } from './backoff';
import { forEachLimited, type EngineSettings, type PassContext } from './context';
import { Leases } from './leases';
import type { BackoffEntry, EngineObserver } from './observer';
import { CloudListings, describe } from './listings';
import { splitList } from './policy-input';
import type { ReadingRequest, SensorReadingsSource } from './readings';
import { reconcileDomain } from './reconcile';
import { CredentialsIndex, loadDomains, loadInstances, type DomainRecord, type InstanceRecord } from './records';
import { pruneOld } from './retention';

export interface EngineDeps {
  db: Db;
  drivers: DriverRegistry;
  clock: Clock;
  logger: Logger;
  secretBox: SecretBox;
  siteCredentials: SiteCredentialsService;
  installationId: string;
  readings: SensorReadingsSource;
  settings: EngineSettings;
  /** This replica's lease owner id; unique per process by default. */
  owner?: string;
  backoff?: BackoffOptions;
  /** Told of every pass and activity (the Prometheus metrics). */
  observer?: EngineObserver;
}

export interface PassOptions {
  /** Also list every site for untracked VMs (done at start and every sweepIntervalSeconds anyway). */
  sweep?: boolean;
}

export interface PassReport {
  domains: number;
  failures: number;
  sweep: SweepReport | null;
}

/** Delay between a wake() and the pass it triggers: API changes arriving together share one pass. */
const WAKE_DELAY_MS = 50;

const watchKey = (userId: number, metric: string): string => `${userId}\u0000${metric}`;

export class Engine {
  readonly owner: string;
  private readonly leases: Leases;
  private readonly backoff: SiteBackoff;
  private timer: NodeJS.Timeout | null = null;
  /** When `timer` fires (performance.now() ms): a wake only ever brings a pass forward, never back. */
  private timerDueAt = 0;
  /** A timer-driven pass is in flight; wakes meanwhile are coalesced into `wakeQueued`. */
  private passing = false;
  /** At most one pass waits behind the one in flight, however many wakes arrived during it. */
  private wakeQueued = false;
  /** The pending timer was set by a wake (not the tick). */
  private timerForWake = false;
  /** No wake-triggered pass starts before this (performance.now() ms); see timerFired. */
  private restUntil = 0;
  /**
   * (user, metric) pairs that an active sensor domain scales on, as of the passes so far; null until
   * a pass has completed (until then every stored point wakes the engine).
   */
  private watched: Set<string> | null = null;
  private watching = new Set<string>();
  private running = false;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatInFlight: Promise<void> | null = null;
  private current: Promise<PassReport> | null = null;
  private lastSweepAt: number | null = null;

  constructor(private readonly deps: EngineDeps) {
    this.owner = deps.owner ?? `${process.pid}-${randomUUID()}`;
    this.leases = new Leases(deps.db, this.owner, deps.settings.leaseSeconds * 1000);
    this.backoff = new SiteBackoff(deps.backoff ?? DEFAULT_BACKOFF);
  }

  /** Starts the loop: a first pass (with a sweep) at once, then one every tick. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.deps.logger.info({ owner: this.owner, tickSeconds: this.deps.settings.tickSeconds }, 'scaling engine started');
    const heartbeatMs = (this.deps.settings.leaseSeconds * 1000) / 3;
    this.heartbeatTimer = setInterval(() => {
      this.heartbeatInFlight ??= this.heartbeat().finally(() => (this.heartbeatInFlight = null));
    }, heartbeatMs);
    this.scheduleWithin(0);
  }

  /**
   * Asks for a pass soon (after an API change or stored sensor points) instead of at the next tick.
   * Wakes coalesce: one during the debounce delay shares the pass already due, and any number during a
   * pass queue one more pass, so a flood of wakes can never stack passes up.
   */
  wake(): void {
    if (!this.running) return;
    if (this.passing) this.wakeQueued = true;
    else this.scheduleWithin(Math.max(WAKE_DELAY_MS, this.restUntil - performance.now()), true);
  }

  /**
   * Sensor points were stored for `userId`: wakes the engine when one of their metrics drives an
   * active sensor domain of that user, so a threshold breach is acted on within one short pass instead
   * of waiting for the tick. Points no sensor domain scales on cost nothing.
   */
  pointsStored(userId: number, metrics: Iterable<string>): void {
    const watched = this.watched;
    for (const metric of metrics) {
      const key = watchKey(userId, metric);
      if (watched === null || watched.has(key) || this.watching.has(key)) {
        this.wake();
        return;
      }
    }
  }

  /** Stops the loop, waits for the pass in flight, and releases this replica's leases. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    await this.heartbeatInFlight;
    await this.current?.catch(() => undefined);
    try {
      await this.leases.release();
    } catch (err) {
      this.deps.logger.warn({ error: describe(err) }, 'could not release leases; they expire by themselves');
    }
    this.deps.logger.info('scaling engine stopped');
  }

  /**
   * Renews this replica's leases between passes and takes over expired ones at once: a pass runs as
   * soon as another replica's domains are taken, instead of at this replica's next tick.
   */
  private async heartbeat(): Promise<void> {
    if (!this.running) return;
    try {
      const acquired = await this.leases.claim(this.deps.clock.now());
      if (acquired > 0) {
        this.deps.logger.info({ acquired }, 'took over domains whose lease had expired');
        this.wake();
      }
    } catch (err) {
      this.deps.logger.warn({ error: describe(err) }, 'lease heartbeat failed; the next one retries');
    }
  }

  /** What holds sites back in this replica's memory now (for metrics; the memory is per process). */
  backoffState(): BackoffEntry[] {
    return this.backoff.snapshot(this.deps.clock.now());
  }

  /**
   * Runs one pass now (after the one in flight, if any). Never rejects: a failing pass is logged and
   * reported. Tests drive the engine with this instead of waiting for timers.
   */
  runPass(options: PassOptions = {}): Promise<PassReport> {
    const previous = this.current ?? Promise.resolve(null);
    const next = previous.catch(() => null).then(() => this.pass(options));
    this.current = next;
    void next.finally(() => {
      if (this.current === next) this.current = null;
    });
    return next;
  }

  /** Makes the next timer-driven pass start within `delayMs`; a timer due sooner is kept as is. */
  private scheduleWithin(delayMs: number, forWake = false): void {
    const dueAt = performance.now() + delayMs;
    if (this.timer) {
      if (this.timerDueAt <= dueAt) return;
      clearTimeout(this.timer);
    }
    this.timerDueAt = dueAt;
    this.timerForWake = forWake;
    this.timer = setTimeout(() => this.timerFired(), delayMs);
  }

  private timerFired(): void {
    const forWake = this.timerForWake;
    this.timer = null;
    this.passing = true;
    const started = performance.now();
    void this.runPass().then(() => {
      this.passing = false;
      if (!this.running) return;
      const tickMs = this.deps.settings.tickSeconds * 1000;
      const now = performance.now();
      // After a pass run for a wake, the next wake waits as long as that pass took (at least the
      // debounce, at most a tick): under a continuous stream of wakes (agents pushing points all the
      // time) the engine works at most about half the time, leaving the API and ingestion their share,
      // while a lone wake after a tick's pass is still served at once.
      this.restUntil = forWake ? now + Math.min(tickMs, Math.max(WAKE_DELAY_MS, now - started)) : 0;
      this.scheduleWithin(tickMs);
      if (this.wakeQueued) {
        this.wakeQueued = false;
        this.wake();
      }
    });
  }

  private async pass(options: PassOptions): Promise<PassReport> {
    const report: PassReport = { domains: 0, failures: 0, sweep: null };
    const started = performance.now();
    try {
      const ctx = this.context();
      const sweepDue = options.sweep || this.lastSweepAt === null || ctx.now.getTime() - this.lastSweepAt >= this.deps.settings.sweepIntervalSeconds * 1000;
      if (sweepDue) report.sweep = await this.sweep(ctx);
      let claimedAt = this.deps.clock.now();
      await this.leases.claim(claimedAt);
      let afterId: string | null = null;
      this.watching = new Set();
      for (;;) {
        // A long pass renews its leases before they could lapse under it.
        const now = this.deps.clock.now();
        if (now.getTime() - claimedAt.getTime() > (this.deps.settings.leaseSeconds * 1000) / 2) {
          claimedAt = now;
          await this.leases.claim(now);
        }
        const domains = await loadDomains(this.deps.db, this.leases.held(ctx.now), afterId, this.deps.settings.batchSize);
        if (domains.length === 0) break;
        report.failures += await this.runBatch(ctx, domains);
        report.domains += domains.length;
        afterId = domains[domains.length - 1].id;
        if (domains.length < this.deps.settings.batchSize) break;
      }
      // Every held domain was seen: what they watch now replaces the last complete pass's set.
      this.watched = this.watching;
      await pruneOld(ctx);
      await ctx.activities.flush(this.deps.db);
    } catch (err) {
      report.failures++;
      this.deps.logger.error({ error: describe(err) }, 'engine pass failed; the next tick retries');
    }
    this.deps.observer?.passCompleted((performance.now() - started) / 1000, report);
    return report;
  }

  private context(): PassContext {
    const { db, drivers, logger, secretBox, installationId, settings, clock } = this.deps;
    return {
      db, drivers, logger, secretBox, installationId, settings,
      now: clock.now(),
      listings: new CloudListings(drivers, installationId, logger),
      credentials: new CredentialsIndex(),
      readings: new Map<string, SensorReadings>(),
      backoff: this.backoff,
      activities: new ActivityLog(() => clock.now(), (a) => this.deps.observer?.activityRecorded(a)),
    };
  }

  private async sweep(ctx: PassContext): Promise<SweepReport> {
    const users = await this.deps.db.siteCredential.findMany({ select: { userId: true }, distinct: ['userId'] });
    const userIds = users.map((u) => u.userId);
    const withCreds: PassContext = { ...ctx, credentials: await CredentialsIndex.load(this.deps.siteCredentials, userIds) };
    const result = await sweep(withCreds, userIds);
    this.lastSweepAt = ctx.now.getTime();
    await ctx.activities.flush(this.deps.db);
    return result;
  }

  /** One batch: three queries (instances, credentials, readings) for all its domains. Returns failures. */
  private async runBatch(base: PassContext, domains: DomainRecord[]): Promise<number> {
    const ids = domains.map((d) => d.id);
    const [instances, credentials] = await Promise.all([
      loadInstances(this.deps.db, ids),
      CredentialsIndex.load(this.deps.siteCredentials, domains.map((d) => d.userId)),
    ]);
    const byDomain = new Map<string, InstanceRecord[]>();
    for (const r of instances) {
      const list = byDomain.get(r.domainId);
      if (list) list.push(r);
      else byDomain.set(r.domainId, [r]);
    }
    const readings = await this.readingsFor(base, domains, byDomain);
    const ctx: PassContext = { ...base, credentials, readings };
    let failures = 0;
    await forEachLimited(domains, this.deps.settings.domainConcurrency, async (d) => {
      try {
        await reconcileDomain(ctx, d, byDomain.get(d.id) ?? []);
      } catch (err) {
        failures++;
        this.deps.logger.error({ domainId: d.id, error: describe(err) }, 'reconciling a domain failed; the engine goes on');
        ctx.activities.record({ domainId: d.id, kind: 'error', cause: `engine error: ${describe(err)}`, errorClass: err instanceof Error ? err.name : 'Error' });
      }
    });
    await ctx.activities.flush(this.deps.db);
    return failures;
  }

  private async readingsFor(ctx: PassContext, domains: DomainRecord[], byDomain: Map<string, InstanceRecord[]>): Promise<Map<string, SensorReadings>> {
    const requests: ReadingRequest[] = [];
    for (const d of domains) {
      if (d.deName !== 'sensor' || d.state !== 'active' || !d.sensorMetric) continue;
      this.watching.add(watchKey(d.userId, d.sensorMetric));
      requests.push({
        domainId: d.id,
        metric: d.sensorMetric,
        domainSensor: splitList(d.monitorDomainSensors).includes(d.sensorMetric),
        instanceIds: (byDomain.get(d.id) ?? []).map((r) => r.id),
      });
    }
    if (requests.length === 0) return new Map();
    try {
      return await this.deps.readings.read(requests, ctx.now);
    } catch (err) {
      // No data means no sensor-driven change; replacements and min/max still happen.
      this.deps.logger.warn({ error: describe(err) }, 'reading sensor data failed; sensor domains hold their size this pass');
      return new Map();
    }
  }
}
