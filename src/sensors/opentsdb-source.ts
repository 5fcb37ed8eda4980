// Reads instance metrics from an existing OpenTSDB, as the original Phantom did: one `/api/query`
// per metric for many hosts at once (`tags: {host: "a|b|c"}` groups by host, OpenTSDB 2.0+), the
// instance's hostname being the tag value.
import type { Logger } from '../lib/logger';
import { addSample, type InstanceSamples, type InstanceTarget, type MetricSource, type TimeWindow } from './metric-sources';

/** Hosts per query, so the OR-ed tag value stays a reasonable size. */
const HOSTS_PER_QUERY = 100;
const TIMEOUT_MS = 10_000;

interface QueryResult {
  metric?: unknown;
  tags?: unknown;
  dps?: unknown;
}

export class OpenTsdbSource implements MetricSource {
  constructor(
    private readonly baseUrl: string,
    private readonly tag: string,
    private readonly logger: Logger,
  ) {}

  async fetch(targets: InstanceTarget[], window: TimeWindow): Promise<InstanceSamples> {
    const out: InstanceSamples = new Map();
    const byMetric = new Map<string, Map<string, string[]>>();
    for (const t of targets) {
      if (!t.hostname) continue; // OpenTSDB knows a VM only by its hostname tag
      for (const m of t.metrics) {
        let hosts = byMetric.get(m);
        if (!hosts) byMetric.set(m, (hosts = new Map()));
        hosts.set(t.hostname, [...(hosts.get(t.hostname) ?? []), t.instanceId]);
      }
    }
    const calls: Promise<void>[] = [];
    for (const [metric, hosts] of byMetric) {
      const names = [...hosts.keys()];
      for (let i = 0; i < names.length; i += HOSTS_PER_QUERY) {
        calls.push(this.query(metric, names.slice(i, i + HOSTS_PER_QUERY), window, hosts, out));
      }
    }
    await Promise.all(calls);
    for (const byM of out.values()) for (const list of byM.values()) list.sort((a, b) => a.ts.getTime() - b.ts.getTime());
    return out;
  }

  private async query(metric: string, hosts: string[], window: TimeWindow, owners: Map<string, string[]>, out: InstanceSamples): Promise<void> {
    const body = {
      start: window.since.getTime(),
      end: window.until.getTime(),
      msResolution: true,
      queries: [{ aggregator: 'avg', metric, tags: { [this.tag]: hosts.join('|') } }],
    };
    let results: unknown;
    try {
      const res = await fetch(new URL('api/query', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      // OpenTSDB answers 400 "No such name for 'metrics'" for a metric it has never seen: no data.
      if (!res.ok) {
        if (res.status !== 400) this.logger.warn({ metric, status: res.status }, 'opentsdb query failed');
        return;
      }
      results = await res.json();
    } catch (err) {
      this.logger.warn({ metric, err: (err as Error).message }, 'opentsdb query failed');
      return;
    }
    if (!Array.isArray(results)) return;
    for (const r of results as QueryResult[]) {
      const tags = typeof r.tags === 'object' && r.tags !== null ? (r.tags as Record<string, unknown>) : {};
      const host = tags[this.tag];
      if (typeof host !== 'string' || typeof r.dps !== 'object' || r.dps === null) continue;
      for (const [ts, value] of Object.entries(r.dps as Record<string, unknown>)) {
        const n = Number(ts);
        // msResolution asks for milliseconds; an older OpenTSDB may still answer in seconds.
        const tsMs = n > 0xffff_ffff ? n : n * 1000;
        if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isFinite(tsMs)) continue;
        if (tsMs < window.since.getTime() || tsMs > window.until.getTime()) continue;
        for (const id of owners.get(host) ?? []) addSample(out, id, metric, { ts: new Date(tsMs), value });
      }
    }
  }
}
