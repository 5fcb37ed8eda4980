// Turns stored samples into what responses show (`sensor_data`) and what the engine decides on
// (SensorReadings). Everything is read in batches: one query for the domains and their instances,
// one per metric source for the instances' samples, one for the domain-level series.
import type { Db } from '../db/client';
import type { Clock } from '../lib/clock';
import type { SensorReadings } from '../policies/types';
import { TERMINAL_LIFECYCLE_STATES } from '../services/resource-support';
import { addSample, type InstanceSamples, type InstanceTarget, type MetricSources, type Sample, type TimeWindow } from './metric-sources';
import { domainSeriesKey, type SampleStore } from './sample-store';
import type { DomainSensorRef, InstanceSensorRef, SensorData, SensorDataSource, SensorSeries } from './sensor-data';

/** The original's sample period: what "recent" means for decisions and for sensor_data. */
export const DEFAULT_SAMPLE_WINDOW_SECONDS = 90;
/** Values shown per series; a chatty agent must not make a domain listing megabytes long. */
const MAX_SERIES_VALUES = 500;

/** One domain's question to the engine's reader: the sensor metric and whether it is a domain sensor. */
export interface ReadingRequest {
  domainId: string;
  metric: string;
  /** True when the metric is in monitor_domain_sensors: the domain-level series is read. */
  domainSensor: boolean;
}

export interface SensorReaderDeps {
  db: Db;
  store: SampleStore;
  sources: MetricSources;
  clock: Clock;
  windowSeconds?: number;
}

interface InstanceRow {
  id: string;
  siteId: string;
  hostname: string | null;
  iaasInstanceId: string | null;
}

/** "a, b,,c" → ["a", "b", "c"]: the API keeps monitor lists as comma-separated text. */
export function metricList(text: string): string[] {
  if (text === '') return []; // the common case, on every domain of every listing
  return [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

function toSeries(samples: Sample[]): SensorSeries {
  const values = samples.map((s) => s.value);
  return { series: values.slice(-MAX_SERIES_VALUES), average: mean(values) };
}

/** A domain's instances that can still report: terminal ones (800, 900, 950) are left out. */
const LIVE_INSTANCES = {
  where: { lifecycleState: { notIn: TERMINAL_LIFECYCLE_STATES } },
  select: { id: true, siteId: true, hostname: true, iaasInstanceId: true },
} as const;

export class SensorReader implements SensorDataSource {
  private readonly windowSeconds: number;

  constructor(private readonly deps: SensorReaderDeps) {
    this.windowSeconds = deps.windowSeconds ?? DEFAULT_SAMPLE_WINDOW_SECONDS;
  }

  /**
   * Per domain: monitor_sensors across its live instances (series = every instance's samples in
   * time order, average = the mean of the instances' averages) and monitor_domain_sensors from the
   * domain-level series, which wins when a metric is in both lists. At most one query for the live
   * instances of the domains that monitor instance sensors, then the samples (one per metric
   * source); none at all when no domain monitors anything.
   */
  async forDomains(domainRefs: DomainSensorRef[]): Promise<Map<string, SensorData>> {
    // Only the fields used: spreading a whole row per domain was a tenth of a 100-domain listing's CPU.
    const domains = domainRefs.map((d) => ({ id: d.id, userId: d.userId, instanceMetrics: metricList(d.monitorSensors), domainMetrics: metricList(d.monitorDomainSensors) }));
    const withInstanceMetrics = domains.filter((d) => d.instanceMetrics.length > 0);
    if (withInstanceMetrics.length === 0 && domains.every((d) => d.domainMetrics.length === 0)) return new Map();
    const instancesOf = new Map<string, InstanceRow[]>();
    if (withInstanceMetrics.length > 0) {
      const rows = await this.deps.db.instance.findMany({
        where: { domainId: { in: withInstanceMetrics.map((d) => d.id) }, ...LIVE_INSTANCES.where },
        select: { ...LIVE_INSTANCES.select, domainId: true },
      });
      for (const r of rows) {
        const list = instancesOf.get(r.domainId);
        if (list) list.push(r);
        else instancesOf.set(r.domainId, [r]);
      }
    }
    const window = this.window(this.windowSeconds);
    const targets = withInstanceMetrics.flatMap((d) => (instancesOf.get(d.id) ?? []).map((i) => target(i, d.userId, d.instanceMetrics)));
    const [perInstance, perDomain] = await Promise.all([
      this.deps.sources.fetch(targets, window),
      this.domainSeries(domains.map((d) => ({ id: d.id, userId: d.userId, metrics: d.domainMetrics })), window),
    ]);
    const out = new Map<string, SensorData>();
    for (const d of domains) {
      const data: SensorData = {};
      const instances = instancesOf.get(d.id) ?? [];
      for (const metric of d.instanceMetrics) {
        const perInst = instances.map((i) => perInstance.get(i.id)?.get(metric)).filter((s): s is Sample[] => !!s && s.length > 0);
        if (perInst.length === 0) continue;
        const all = perInst.flat().sort((a, b) => a.ts.getTime() - b.ts.getTime());
        data[metric] = { series: all.map((s) => s.value).slice(-MAX_SERIES_VALUES), average: mean(perInst.map((s) => mean(s.map((x) => x.value)))) };
      }
      for (const [metric, samples] of perDomain.get(d.id) ?? []) data[metric] = toSeries(samples);
      if (Object.keys(data).length > 0) out.set(d.id, data);
    }
    return out;
  }

  /** Per instance: each metric of its domain's monitor_sensors that it reported in the window. */
  async forInstances(instances: InstanceSensorRef[]): Promise<Map<string, SensorData>> {
    const targets = instances.map((i) => target(i, i.userId, metricList(i.monitorSensors))).filter((t) => t.metrics.length > 0);
    if (targets.length === 0) return new Map();
    return toSensorData(await this.deps.sources.fetch(targets, this.window(this.windowSeconds)));
  }

  /**
   * What the engine decides on, for many domains at once: per live instance the metric's average
   * over the window (instances without data are absent), or the domain-level series' average for a
   * domain sensor. Domains with no data at all map to empty readings.
   */
  async readings(requests: ReadingRequest[], windowSeconds = this.windowSeconds): Promise<Map<string, SensorReadings>> {
    if (requests.length === 0) return new Map();
    const byDomain = new Map(requests.map((r) => [r.domainId, r]));
    const domains = await this.deps.db.domain.findMany({
      where: { id: { in: [...byDomain.keys()] } },
      select: { id: true, userId: true, instances: LIVE_INSTANCES },
    });
    const window = this.window(windowSeconds);
    const instanceDomains = domains.filter((d) => !byDomain.get(d.id)?.domainSensor);
    const targets = instanceDomains.flatMap((d) => d.instances.map((i) => target(i, d.userId, [byDomain.get(d.id)!.metric])));
    const sensorDomains = domains
      .filter((d) => byDomain.get(d.id)?.domainSensor)
      .map((d) => ({ id: d.id, userId: d.userId, metrics: [byDomain.get(d.id)!.metric] }));
    const [perInstance, perDomain] = await Promise.all([this.deps.sources.fetch(targets, window), this.domainSeries(sensorDomains, window)]);
    const out = new Map<string, SensorReadings>();
    for (const d of domains) {
      const { metric, domainSensor } = byDomain.get(d.id)!;
      if (domainSensor) {
        const samples = perDomain.get(d.id)?.get(metric);
        out.set(d.id, { instanceAverages: {}, domainAverage: samples && samples.length > 0 ? toSeries(samples).average : null });
        continue;
      }
      const instanceAverages: Record<string, number> = {};
      for (const i of d.instances) {
        const samples = perInstance.get(i.id)?.get(metric);
        if (samples && samples.length > 0) instanceAverages[i.id] = toSeries(samples).average;
      }
      out.set(d.id, { instanceAverages });
    }
    return out;
  }

  private window(seconds: number): TimeWindow {
    const until = this.deps.clock.now();
    return { since: new Date(until.getTime() - seconds * 1000), until };
  }

  /** Domain-level series ("domain:<id>" keys) of many domains in one query. */
  private async domainSeries(domains: { id: string; userId: number; metrics: string[] }[], window: TimeWindow): Promise<Map<string, Map<string, Sample[]>>> {
    const wanted = domains.filter((d) => d.metrics.length > 0);
    const rows = await this.deps.store.window({
      userIds: wanted.map((d) => d.userId),
      metrics: wanted.flatMap((d) => d.metrics),
      seriesKeys: wanted.map((d) => domainSeriesKey(d.id)),
      ...window,
    });
    const byKey = new Map(wanted.map((d) => [`${d.userId}\u0000${domainSeriesKey(d.id)}`, d]));
    const out: InstanceSamples = new Map();
    for (const r of rows) {
      const d = byKey.get(`${r.userId}\u0000${r.seriesKey}`);
      if (!d || !d.metrics.includes(r.metric)) continue;
      addSample(out, d.id, r.metric, { ts: r.ts, value: r.value });
    }
    return out;
  }
}

function target(i: InstanceRow, userId: number, metrics: string[]): InstanceTarget {
  return { instanceId: i.id, userId, siteId: i.siteId, hostname: i.hostname, iaasInstanceId: i.iaasInstanceId, metrics };
}

function toSensorData(samples: InstanceSamples): Map<string, SensorData> {
  const out = new Map<string, SensorData>();
  for (const [id, byMetric] of samples) {
    const data: SensorData = {};
    for (const [metric, list] of byMetric) if (list.length > 0) data[metric] = toSeries(list);
    if (Object.keys(data).length > 0) out.set(id, data);
  }
  return out;
}
