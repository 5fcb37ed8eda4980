// The `options` of an openstack site in the sites file, checked once at boot by the registry.
import { z } from 'zod';
import { optionProblems } from '../options-problems';

function parsedUrl(u: string): URL | null {
  return URL.canParse(u) ? new URL(u) : null;
}

const keystoneUrl = z
  .url({ protocol: /^https?$/, error: (iss) => (iss.input === undefined ? 'is required' : 'must be an http(s) URL') })
  .refine((u) => !parsedUrl(u)?.username && !parsedUrl(u)?.password, 'must not carry credentials (they belong in the site credential)')
  .refine((u) => /\/v3\/?$/.test(parsedUrl(u)?.pathname ?? ''), 'must be the Keystone v3 endpoint (ending in /v3)');

const schema = z
  .object({
    auth_url: keystoneUrl,
    region: z.string().min(1).optional(),
    project_name: z.string().min(1).optional(),
    domain_name: z.string().min(1).default('Default'),
    project_domain_name: z.string().min(1).optional(),
    auth_type: z.enum(['password', 'application_credential']).default('password'),
    interface: z.enum(['public', 'internal', 'admin']).default('public'),
    /**
     * Per HTTP request, so a launch (several requests) fails fast on a dead endpoint; the guard's
     * call_timeout_seconds bounds the whole driver call on top of this.
     */
    request_timeout_ms: z.number().int().min(100).max(300_000).default(30_000),
  })
  .strict()
  .superRefine((o, ctx) => {
    // A password token without a project scope carries no service catalog, so nothing could be called.
    if (o.auth_type === 'password' && !o.project_name) {
      ctx.addIssue({ code: 'custom', path: ['project_name'], message: 'is required when auth_type is "password"' });
    }
  });

export type OpenStackOptions = z.output<typeof schema>;

export function validateOpenStackOptions(options: Record<string, unknown>): string[] {
  const parsed = schema.safeParse(options);
  if (parsed.success) return [];
  return optionProblems(parsed.error);
}

/** Parses options already accepted by validateOpenStackOptions. */
export function parseOpenStackOptions(options: Record<string, unknown>): OpenStackOptions {
  return schema.parse(options);
}
