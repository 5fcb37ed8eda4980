// Where instance metrics are read from, chosen per site (`metrics_source`, see metrics-options.ts):
// Phantom's own store (what agents push to /api/put), CloudWatch, or an existing OpenTSDB. Every
// source answers for many instances at once, so a domain's data is one round trip per source.
import type { Logger } from '../lib/logger';
import type { SiteDefinition } from '../sites/sites-file';
import { CloudWatchSource, type CredentialsLookup } from './cloudwatch-source';
import { parseMetricsOptions } from './metrics-options';
import { OpenTsdbSource } from './opentsdb-source';
import type { SampleStore } from './sample-store';

/** One instance whose metrics are wanted, with every name an agent may report it under. */
export interface InstanceTarget {
  instanceId: string;
  userId: number;
  siteId: string;
  hostname: string | null;
  iaasInstanceId: string | null;
  metrics: string[];
}

export interface Sample {
  ts: Date;
  value: number;
}

/** Instance id → metric → samples in the window, oldest first. Instances without data are absent. */
export type InstanceSamples = Map<string, Map<string, Sample[]>>;

export interface TimeWindow {
  since: Date;
  until: Date;
}

export interface MetricSource {
  /** Never throws for an unreachable backend: what cannot be read is reported as no data. */
  fetch(targets: InstanceTarget[], window: TimeWindow): Promise<InstanceSamples>;
}

export function addSample(out: InstanceSamples, instanceId: string, metric: string, sample: Sample): void {
  let byMetric = out.get(instanceId);
  if (!byMetric) out.set(instanceId, (byMetric = new Map()));
  let list = byMetric.get(metric);
  if (!list) byMetric.set(metric, (list = []));
  list.push(sample);
}

/** The keys an agent may tag an instance's points with: its hostname, cloud id or Phantom id. */
export function hostKeys(t: InstanceTarget): string[] {
  return [t.hostname, t.iaasInstanceId, t.instanceId].filter((k): k is string => typeof k === 'string' && k !== '');
}

/** Phantom's own store: points pushed to /api/put, matched to instances by host key now. */
export class StoredMetricSource implements MetricSource {
  constructor(private readonly store: SampleStore) {}

  async fetch(targets: InstanceTarget[], window: TimeWindow): Promise<InstanceSamples> {
    const byKey = new Map<string, InstanceTarget[]>();
    for (const t of targets) {
      for (const key of hostKeys(t)) {
        const k = `${t.userId}\u0000${key}`;
        const list = byKey.get(k);
        if (list) list.push(t);
        else byKey.set(k, [t]);
      }
    }
    const rows = await this.store.window({
      userIds: targets.map((t) => t.userId),
      metrics: targets.flatMap((t) => t.metrics),
      seriesKeys: targets.flatMap(hostKeys),
      since: window.since,
      until: window.until,
    });
    const out: InstanceSamples = new Map();
    for (const r of rows) {
      for (const t of byKey.get(`${r.userId}\u0000${r.seriesKey}`) ?? []) {
        if (t.metrics.includes(r.metric)) addSample(out, t.instanceId, r.metric, { ts: r.ts, value: r.value });
      }
    }
    return out;
  }
}

export interface MetricSourcesDeps {
  store: SampleStore;
  credentials: CredentialsLookup;
  logger: Logger;
}

/** The source of each site, built once from the sites file (validated by the driver registry). */
export class MetricSources {
  private readonly stored: StoredMetricSource;
  private readonly bySite = new Map<string, MetricSource>();

  constructor(sites: SiteDefinition[], deps: MetricSourcesDeps) {
    this.stored = new StoredMetricSource(deps.store);
    for (const site of sites) {
      const parsed = parseMetricsOptions(site.options);
      if (!parsed.ok) continue; // the registry already refused such a sites file
      const o = parsed.options;
      if (o.source === 'opentsdb') this.bySite.set(site.id, new OpenTsdbSource(o.url, o.tag, deps.logger));
      if (o.source === 'cloudwatch') this.bySite.set(site.id, new CloudWatchSource(site.id, o, deps.credentials, deps.logger));
    }
  }

  sourceFor(siteId: string): MetricSource {
    return this.bySite.get(siteId) ?? this.stored;
  }

  /** Fetches every target from its site's source, the sources in parallel. */
  async fetch(targets: InstanceTarget[], window: TimeWindow): Promise<InstanceSamples> {
    const groups = new Map<MetricSource, InstanceTarget[]>();
    for (const t of targets) {
      if (t.metrics.length === 0) continue;
      const source = this.sourceFor(t.siteId);
      const list = groups.get(source);
      if (list) list.push(t);
      else groups.set(source, [t]);
    }
    const results = await Promise.all([...groups].map(([source, list]) => source.fetch(list, window)));
    const out: InstanceSamples = new Map();
    for (const r of results) for (const [id, byMetric] of r) out.set(id, byMetric);
    return out;
  }
}
