// Where a site's instance metrics come from (sites file `options`), for every driver: the registry
// removes these keys before the driver validates its own options (drivers/common-options.ts), and
// the sensor readers pick the source per site from them.
import { z } from 'zod';
import { optionProblems } from '../drivers/options-problems';

export const METRICS_OPTION_KEYS = [
  'metrics_source',
  'opentsdb_url',
  'opentsdb_tag',
  'cloudwatch_endpoint',
  'cloudwatch_region',
  'cloudwatch_namespace',
] as const;

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const schema = z.object({
  /**
   * phantom: what VMs push to POST /api/put (the default); cloudwatch: GetMetricData with the
   * user's site credentials (ec2 sites); opentsdb: an existing OpenTSDB's /api/query by host tag.
   */
  metrics_source: z.enum(['phantom', 'cloudwatch', 'opentsdb']).default('phantom'),
  opentsdb_url: httpUrl.optional(),
  /** The tag an existing OpenTSDB keys hosts by; the original's default was `host` = the VM's hostname. */
  opentsdb_tag: z.string().regex(/^[A-Za-z0-9._\-/]{1,64}$/).default('host'),
  /** CloudWatch's endpoint (it is not the EC2 endpoint); omitted means AWS's regional one. */
  cloudwatch_endpoint: httpUrl.optional(),
  /** Signing region; defaults to the site's own `region` option, else us-east-1. */
  cloudwatch_region: z.string().min(1).optional(),
  cloudwatch_namespace: z.string().min(1).max(255).default('AWS/EC2'),
});

export type MetricsOptions =
  | { source: 'phantom' }
  | { source: 'opentsdb'; url: string; tag: string }
  | { source: 'cloudwatch'; endpoint?: string; region: string; namespace: string };

export type ParsedMetricsOptions = { ok: true; options: MetricsOptions } | { ok: false; problems: string[] };

/** Reads the metrics keys out of a site's options (other keys are ignored). */
export function parseMetricsOptions(options: Record<string, unknown>): ParsedMetricsOptions {
  const picked: Record<string, unknown> = {};
  for (const k of METRICS_OPTION_KEYS) if (k in options) picked[k] = options[k];
  const parsed = schema.safeParse(picked);
  if (!parsed.success) return { ok: false, problems: optionProblems(parsed.error) };
  const o = parsed.data;
  if (o.metrics_source === 'opentsdb') {
    if (!o.opentsdb_url) return { ok: false, problems: ['options.opentsdb_url: required when metrics_source is opentsdb'] };
    return { ok: true, options: { source: 'opentsdb', url: o.opentsdb_url, tag: o.opentsdb_tag } };
  }
  if (o.metrics_source === 'cloudwatch') {
    const siteRegion = typeof options.region === 'string' && options.region !== '' ? options.region : 'us-east-1';
    const region = o.cloudwatch_region ?? siteRegion;
    return { ok: true, options: { source: 'cloudwatch', endpoint: o.cloudwatch_endpoint, region, namespace: o.cloudwatch_namespace } };
  }
  return { ok: true, options: { source: 'phantom' } };
}

/** Problems with a site's metrics options, each as "options.<name>: <what is wrong>". */
export function metricsOptionProblems(options: Record<string, unknown>): string[] {
  const parsed = parseMetricsOptions(options);
  return parsed.ok ? [] : parsed.problems;
}
