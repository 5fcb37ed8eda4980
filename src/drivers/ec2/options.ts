// The `options` an ec2 site may carry in the sites file, checked once at boot (registry.ts).
import { z } from 'zod';
import { optionProblems } from '../options-problems';

const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });

const ec2OptionsSchema = z.strictObject({
  /** Signing region; EC2-compatible clouds (Eucalyptus, OpenStack EC2 API, Nimbus) accept any name. */
  region: z.string().min(1).default('us-east-1'),
  /** The EC2 Query API endpoint; omitted means AWS's regional endpoint. */
  endpoint: httpUrl.optional(),
  /** MaxResults per DescribeInstances page. AWS's own bounds; a cloud may still return smaller pages. */
  page_size: z.number().int().min(5).max(1000).default(1000),
  /**
   * Public images are capped: AWS lists well over 100,000 public AMIs, and the resource API only
   * needs a bounded sample. The caller's own images are capped at the same number.
   */
  image_limit: z.number().int().min(1).max(10000).default(1000),
  /**
   * HTTP attempts per driver call. 1 by default: Phantom's engine retries with its own backoff, and
   * one driver call = one API request keeps the per-site rate limit honest. Retries are safe
   * (RunInstances carries its ClientToken), just rarely useful.
   */
  max_attempts: z.number().int().min(1).max(3).default(1),
  /**
   * Per HTTP request. Shorter than the guard's per-call timeout (call_timeout_seconds, 30 s by
   * default) so a hung request fails as a clean Transient before the whole call is abandoned.
   */
  timeout_seconds: z.number().positive().max(600).default(20),
});

export interface Ec2Options {
  region: string;
  endpoint?: string;
  pageSize: number;
  imageLimit: number;
  maxAttempts: number;
  requestTimeoutMs: number;
}

/** Problems with a site's options, each as "options.<name>: <what is wrong>". */
export function validateEc2Options(options: Record<string, unknown>): string[] {
  const parsed = ec2OptionsSchema.safeParse(options);
  return parsed.success ? [] : optionProblems(parsed.error);
}

/** The typed options; call only after validateEc2Options found no problems. */
export function parseEc2Options(options: Record<string, unknown>): Ec2Options {
  const o = ec2OptionsSchema.parse(options);
  return {
    region: o.region,
    endpoint: o.endpoint,
    pageSize: o.page_size,
    imageLimit: o.image_limit,
    maxAttempts: o.max_attempts,
    requestTimeoutMs: Math.round(o.timeout_seconds * 1000),
  };
}
