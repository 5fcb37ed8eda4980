// Phantom's Prometheus series, on one prom-client Registry built by the composition root (never the
// global default registry, so tests and several containers in one process stay apart). Counters and
// histograms are fed by hooks (HTTP middleware, the engine's observer, the ingest service); domains,
// instances and backoff state are read when Prometheus scrapes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client';
import type { Clock } from '../lib/clock';
import { lifecycleLabel } from '../drivers/cloud-driver';
import type { Activity } from '../engine/activities';
import type { BackoffEntry, EngineObserver, PassSummary } from '../engine/observer';

/** How long the grouped state queries are reused: several scrapers (or a fast one) cost one query. */
export const STATE_CACHE_MS = 5_000;

export interface MetricsDeps {
  db: Db;
  /** The engine's backoff memory; read at scrape time. */
  backoff: () => BackoffEntry[];
  /** Times the state cache. */
  clock: Clock;
}

interface StateCounts {
  domains: { state: string; count: number }[];
  instances: { state: string; count: number }[];
}

const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const PASS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export class Metrics implements EngineObserver {
  readonly registry = new Registry();
  private readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly passDuration: Histogram;
  private readonly passFailures: Counter;
  private readonly domainsHeld: Gauge;
  private readonly launches: Counter<'site'>;
  private readonly terminations: Counter<'site'>;
  private readonly failures: Counter<'site' | 'operation' | 'error_class'>;
  private readonly pointsIngested: Counter;
  private readonly pointsRejected: Counter;
  private states: { at: number; value: Promise<StateCounts> } | null = null;

  constructor(private readonly deps: MetricsDeps) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.httpRequests = new Counter({
      name: 'phantom_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'phantom_http_request_duration_seconds',
      help: 'HTTP request latency, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: HTTP_BUCKETS,
      registers,
    });
    this.passDuration = new Histogram({ name: 'phantom_engine_pass_duration_seconds', help: 'Duration of engine passes', buckets: PASS_BUCKETS, registers });
    this.passFailures = new Counter({ name: 'phantom_engine_domain_failures_total', help: 'Domains whose reconciliation failed in a pass (and failed passes)', registers });
    this.domainsHeld = new Gauge({ name: 'phantom_engine_domains_held', help: 'Domains this replica reconciled in its last pass (those it holds the lease of)', registers });
    this.launches = new Counter({ name: 'phantom_engine_launches_total', help: 'VMs launched, by site', labelNames: ['site'], registers });
    this.terminations = new Counter({ name: 'phantom_engine_terminations_total', help: 'VM terminations the cloud accepted, by site', labelNames: ['site'], registers });
    this.failures = new Counter({
      name: 'phantom_engine_failures_total',
      help: 'Failed launches and terminations (and domain errors), by site, operation and error class',
      labelNames: ['site', 'operation', 'error_class'],
      registers,
    });
    this.pointsIngested = new Counter({ name: 'phantom_sensor_points_ingested_total', help: 'Data points stored by POST /api/put', registers });
    this.pointsRejected = new Counter({ name: 'phantom_sensor_points_rejected_total', help: 'Data points POST /api/put rejected', registers });
    this.stateGauges(registers);
  }

  /** One answered HTTP request; `route` is the pattern (e.g. /api/dev/domains/:id), never the raw path. */
  httpRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }

  pointsStored(stored: number, rejected: number): void {
    if (stored > 0) this.pointsIngested.inc(stored);
    if (rejected > 0) this.pointsRejected.inc(rejected);
  }

  passCompleted(seconds: number, summary: PassSummary): void {
    this.passDuration.observe(seconds);
    this.domainsHeld.set(summary.domains);
    if (summary.failures > 0) this.passFailures.inc(summary.failures);
  }

  activityRecorded(a: Activity): void {
    const site = a.siteId ?? '';
    switch (a.kind) {
      case 'launch':
        this.launches.inc({ site });
        return;
      case 'terminate':
        this.terminations.inc({ site });
        return;
      case 'launch_failed':
        this.failures.inc({ site, operation: 'launch', error_class: a.errorClass ?? 'Unknown' });
        return;
      case 'terminate_failed':
        this.failures.inc({ site, operation: 'terminate', error_class: a.errorClass ?? 'Unknown' });
        return;
      case 'error':
        this.failures.inc({ site, operation: 'reconcile', error_class: a.errorClass ?? 'Error' });
        return;
      default:
        return;
    }
  }

  /** The exposition text and its content type, for GET /metrics. */
  async expose(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private stateGauges(registers: Registry[]): void {
    const metrics = this;
    new Gauge({
      name: 'phantom_domains',
      help: 'Domains by state (the whole installation, as every replica sees it)',
      labelNames: ['state'],
      registers,
      async collect() {
        const { domains } = await metrics.stateCounts();
        this.reset();
        for (const d of domains) this.set({ state: d.state }, d.count);
      },
    });
    new Gauge({
      name: 'phantom_instances',
      help: 'Instance records by lifecycle state (the whole installation, as every replica sees it)',
      labelNames: ['state'],
      registers,
      async collect() {
        const { instances } = await metrics.stateCounts();
        this.reset();
        for (const i of instances) this.set({ state: i.state }, i.count);
      },
    });
    new Gauge({
      name: 'phantom_engine_site_backoff',
      help: "Active retry delays, capacity caps and blocks holding a site back, in this replica's engine",
      labelNames: ['site', 'kind'],
      registers,
      collect() {
        this.reset();
        const counts = new Map<string, { site: string; kind: string; n: number }>();
        for (const e of metrics.deps.backoff()) {
          const key = `${e.siteId}\u0000${e.kind}`;
          const entry = counts.get(key) ?? { site: e.siteId, kind: e.kind, n: 0 };
          entry.n++;
          counts.set(key, entry);
        }
        for (const { site, kind, n } of counts.values()) this.set({ site, kind }, n);
      },
    });
  }

  /** One grouped query per table, shared by the gauges of one scrape and reused for STATE_CACHE_MS. */
  private stateCounts(): Promise<StateCounts> {
    const now = this.deps.clock.now().getTime();
    if (this.states && now - this.states.at < STATE_CACHE_MS) return this.states.value;
    const value = this.queryStates();
    this.states = { at: now, value };
    // A failed query is not cached: the next scrape tries again.
    value.catch(() => {
      if (this.states?.value === value) this.states = null;
    });
    return value;
  }

  private async queryStates(): Promise<StateCounts> {
    const [domains, instances] = await Promise.all([
      this.deps.db.domain.groupBy({ by: ['state'], _count: { _all: true } }),
      this.deps.db.instance.groupBy({ by: ['lifecycleState'], _count: { _all: true } }),
    ]);
    return {
      domains: domains.map((d) => ({ state: d.state, count: d._count._all })),
      instances: instances.map((i) => ({ state: lifecycleLabel(i.lifecycleState), count: i._count._all })),
    };
  }
}
