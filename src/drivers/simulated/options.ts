// The simulated cloud's site options (sites file `options`), with the defaults a fresh install runs.
import { z } from 'zod';
import { optionProblems } from '../options-problems';
import { syntheticLoadSchema } from '../../sensors/synthetic-load-options';

const rate = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const schema = z.strictObject({
  /** Seconds a VM stays PENDING before it is RUNNING (or FAILED, for a failed launch). */
  boot_seconds: z.number().min(0).max(86_400).default(5),
  /** Concurrent VMs that are not terminated; beyond it a launch is OutOfCapacity. Unlimited if absent. */
  capacity: z.number().int().min(0).optional(),
  /** Chance a launch is accepted but the VM ends FAILED when it would have booted. */
  launch_failure_rate: rate.default(0),
  /** Chance any API call fails with a Transient error. */
  api_error_rate: rate.default(0),
  /** Delay added to every API call. */
  api_latency_ms: z.number().int().min(0).max(60_000).default(0),
  /** Mean crashes per running VM per hour (a Poisson process): a crashed VM is TERMINATED with a reason. */
  crash_rate_per_hour: z.number().min(0).max(3_600_000).default(0),
  public_images: z.array(z.string().min(1)).min(1).default(['hello-cloud', 'centos-5.5-x64-vine.gz']),
  key_names: z.array(z.string().min(1)).default(['default', 'phantom_ssh_key']),
  /** The VMs' reported load, for sensor domains (src/sensors/synthetic-load.ts). Off if absent. */
  synthetic_load: syntheticLoadSchema.optional(),
});

export type SimulatedOptions = z.output<typeof schema>;

export type ParsedOptions = { ok: true; options: SimulatedOptions } | { ok: false; problems: string[] };

export function parseSimulatedOptions(options: Record<string, unknown>): ParsedOptions {
  const parsed = schema.safeParse(options);
  return parsed.success ? { ok: true, options: parsed.data } : { ok: false, problems: optionProblems(parsed.error) };
}
