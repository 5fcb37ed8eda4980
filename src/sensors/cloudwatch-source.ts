// Reads instance metrics from CloudWatch (GetMetricData) with each user's own site credentials, as
// the original's 'cloudwatch' sensor type did: metric names are CloudWatch's (CPUUtilization, …), the
// dimension is InstanceId = the VM's cloud id. One call per user per 500 metric queries.
import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import type { SiteCredentials } from '../drivers/cloud-driver';
import type { Logger } from '../lib/logger';
import type { MetricsOptions } from './metrics-options';
import { addSample, type InstanceSamples, type InstanceTarget, type MetricSource, type TimeWindow } from './metric-sources';

/** The user's decrypted credentials for a site, or null when they have none. */
export type CredentialsLookup = (userId: number, siteId: string) => Promise<SiteCredentials | null>;

/** GetMetricData's own limit on queries per call. */
const QUERIES_PER_CALL = 500;
/**
 * CloudWatch publishes EC2 metrics every 1 min (detailed) or 5 min (basic) and a few minutes late,
 * so a 90 s window usually holds nothing: look back at least this far.
 */
const MIN_LOOKBACK_MS = 10 * 60 * 1000;
const PERIOD_SECONDS = 60;
const TIMEOUT_MS = 10_000;

type CloudWatchOptions = Extract<MetricsOptions, { source: 'cloudwatch' }>;

export class CloudWatchSource implements MetricSource {
  constructor(
    private readonly siteId: string,
    private readonly options: CloudWatchOptions,
    private readonly credentials: CredentialsLookup,
    private readonly logger: Logger,
  ) {}

  async fetch(targets: InstanceTarget[], window: TimeWindow): Promise<InstanceSamples> {
    const byUser = new Map<number, InstanceTarget[]>();
    for (const t of targets) {
      if (!t.iaasInstanceId) continue; // not launched yet: CloudWatch cannot know it
      byUser.set(t.userId, [...(byUser.get(t.userId) ?? []), t]);
    }
    const out: InstanceSamples = new Map();
    await Promise.all([...byUser].map(([userId, list]) => this.fetchForUser(userId, list, window, out)));
    return out;
  }

  private async fetchForUser(userId: number, targets: InstanceTarget[], window: TimeWindow, out: InstanceSamples): Promise<void> {
    const creds = await this.credentials(userId, this.siteId);
    if (!creds) return;
    const queries: { query: MetricDataQuery; instanceId: string; metric: string }[] = [];
    for (const t of targets) {
      for (const metric of t.metrics) {
        queries.push({
          instanceId: t.instanceId,
          metric,
          query: {
            Id: `q${queries.length}`,
            MetricStat: {
              Metric: { Namespace: this.options.namespace, MetricName: metric, Dimensions: [{ Name: 'InstanceId', Value: t.iaasInstanceId ?? '' }] },
              Period: PERIOD_SECONDS,
              Stat: 'Average',
            },
            ReturnData: true,
          },
        });
      }
    }
    const client = new CloudWatchClient({
      region: this.options.region,
      endpoint: this.options.endpoint,
      credentials: { accessKeyId: creds.accessKey, secretAccessKey: creds.secretKey },
      maxAttempts: 1,
      requestHandler: { requestTimeout: TIMEOUT_MS, connectionTimeout: TIMEOUT_MS, throwOnRequestTimeout: true },
    });
    const since = new Date(Math.min(window.since.getTime(), window.until.getTime() - MIN_LOOKBACK_MS));
    try {
      for (let i = 0; i < queries.length; i += QUERIES_PER_CALL) {
        const chunk = queries.slice(i, i + QUERIES_PER_CALL);
        const byId = new Map(chunk.map((q) => [q.query.Id, q]));
        let nextToken: string | undefined;
        do {
          const res = await client.send(
            new GetMetricDataCommand({
              MetricDataQueries: chunk.map((q) => q.query),
              StartTime: since,
              EndTime: window.until,
              ScanBy: 'TimestampAscending',
              NextToken: nextToken,
            }),
          );
          for (const r of res.MetricDataResults ?? []) {
            const q = byId.get(r.Id);
            const ts = r.Timestamps ?? [];
            const values = r.Values ?? [];
            if (!q) continue;
            for (let k = 0; k < Math.min(ts.length, values.length); k++) {
              addSample(out, q.instanceId, q.metric, { ts: ts[k], value: values[k] });
            }
          }
          nextToken = res.NextToken;
        } while (nextToken);
      }
    } catch (err) {
      // The message only: SDK errors carry the request, never log credentials.
      this.logger.warn({ site: this.siteId, userId, err: (err as Error).message }, 'cloudwatch GetMetricData failed');
    } finally {
      client.destroy();
    }
    for (const byMetric of out.values()) for (const list of byMetric.values()) list.sort((a, b) => a.ts.getTime() - b.ts.getTime());
  }
}
