// Site options every driver understands, because the registry (not the driver) applies them: the
// client-side rate limit and the per-call timeout (see guarded-driver.ts).
import { z } from 'zod';
import type { GuardOptions } from './guarded-driver';
import { optionProblems } from './options-problems';
import { METRICS_OPTION_KEYS, metricsOptionProblems } from '../sensors/metrics-options';

// The metrics keys (metrics_source, …) are read by the sensor readers, not the driver.
const COMMON_KEYS = ['rate_limit_per_second', 'rate_limit_burst', 'call_timeout_seconds', ...METRICS_OPTION_KEYS] as const;

const schema = z.object({
  /** Calls per second this Phantom makes to the site, over all its users. */
  rate_limit_per_second: z.number().positive().max(10_000).default(10),
  /** Calls that may go at once after a quiet spell; defaults to two seconds' worth. */
  rate_limit_burst: z.number().int().min(1).max(100_000).optional(),
  call_timeout_seconds: z.number().positive().max(3_600).default(30),
});

export interface SplitOptions {
  problems: string[];
  guard: GuardOptions;
  /** The options left for the driver itself to validate. */
  driverOptions: Record<string, unknown>;
}

export function splitCommonOptions(options: Record<string, unknown>): SplitOptions {
  const common: Record<string, unknown> = {};
  const driverOptions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if ((COMMON_KEYS as readonly string[]).includes(key)) common[key] = value;
    else driverOptions[key] = value;
  }
  const parsed = schema.safeParse(common);
  const o = parsed.success ? parsed.data : schema.parse({});
  return {
    problems: [...(parsed.success ? [] : optionProblems(parsed.error)), ...metricsOptionProblems(common)],
    guard: {
      callTimeoutSeconds: o.call_timeout_seconds,
      ratePerSecond: o.rate_limit_per_second,
      burst: o.rate_limit_burst ?? Math.max(1, Math.ceil(o.rate_limit_per_second * 2)),
    },
    driverOptions,
  };
}
