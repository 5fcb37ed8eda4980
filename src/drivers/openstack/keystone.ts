// Keystone v3 authentication and the token cache. A token is reused until shortly before it
// expires; concurrent callers with the same credentials share one in-flight authentication, so a
// burst of Nova calls costs one Keystone call.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { CloudError } from '../../errors';
import type { Clock } from '../../lib/clock';
import type { SiteCredentials } from '../cloud-driver';
import { classifyResponse } from './classify';
import { send } from './http';
import type { OpenStackOptions } from './options';

/** Tokens are dropped this long before Keystone's expires_at, so none expires mid-call. */
const EXPIRY_MARGIN_MS = 60_000;

export interface KeystoneSession {
  token: string;
  expiresAt: Date;
  /** The project the token is scoped to: images it owns are the caller's own. */
  projectId: string;
  computeUrl: string;
  imageUrl: string;
}

const endpointSchema = z.object({
  interface: z.string(),
  url: z.string(),
  region: z.string().nullish(),
  region_id: z.string().nullish(),
});

const tokenBodySchema = z.object({
  token: z.object({
    expires_at: z.string(),
    project: z.object({ id: z.string() }).optional(),
    // Application credentials carry their project in application_credential.project_id on some
    // releases and in project on others.
    application_credential: z.object({ project_id: z.string().optional() }).optional(),
    catalog: z.array(z.object({ type: z.string(), endpoints: z.array(endpointSchema) })).default([]),
  }),
});

type Endpoint = z.infer<typeof endpointSchema>;

export class Keystone {
  private readonly cache = new Map<string, Promise<KeystoneSession>>();

  constructor(
    private readonly options: OpenStackOptions,
    private readonly clock: Clock,
  ) {}

  /** A valid session for these credentials, from the cache when one is still fresh. */
  async session(creds: SiteCredentials): Promise<KeystoneSession> {
    const key = cacheKey(creds);
    const cached = this.cache.get(key);
    if (cached) {
      // Callers that joined an authentication in flight share its failure too: a wrong password
      // costs one Keystone call, not one per caller. A failed attempt leaves the cache at once.
      const s = await cached;
      if (s.expiresAt.getTime() - EXPIRY_MARGIN_MS > this.clock.now().getTime()) return s;
      if (this.cache.get(key) === cached) this.cache.delete(key);
      return this.session(creds);
    }
    const pending = this.authenticate(creds);
    this.cache.set(key, pending);
    pending.catch(() => {
      if (this.cache.get(key) === pending) this.cache.delete(key);
    });
    return pending;
  }

  /**
   * Forgets `token` after the cloud refused it (revoked, or expired early). Only that token: a
   * concurrent caller may already have replaced it with a fresh one.
   */
  async invalidate(creds: SiteCredentials, token: string): Promise<void> {
    const key = cacheKey(creds);
    const cached = this.cache.get(key);
    if (!cached) return;
    const s = await cached.catch(() => null);
    if ((!s || s.token === token) && this.cache.get(key) === cached) this.cache.delete(key);
  }

  private async authenticate(creds: SiteCredentials): Promise<KeystoneSession> {
    const base = this.options.auth_url.replace(/\/+$/, '');
    const res = await send({
      method: 'POST',
      url: `${base}/auth/tokens`,
      what: 'authenticate with keystone',
      body: this.authBody(creds),
      timeoutMs: this.options.request_timeout_ms,
    });
    if (res.status !== 201 && res.status !== 200) {
      throw classifyResponse(res, { what: 'authenticate with keystone', now: this.clock.now() });
    }
    const token = res.headers.get('x-subject-token');
    const parsed = tokenBodySchema.safeParse(res.body);
    if (!token || !parsed.success) throw new CloudError('Unknown', 'openstack keystone answered without a usable token');
    const t = parsed.data.token;
    const projectId = t.project?.id ?? t.application_credential?.project_id;
    if (!projectId) throw new CloudError('InvalidRequest', 'openstack keystone issued a token with no project scope');
    return {
      token,
      expiresAt: new Date(t.expires_at),
      projectId,
      computeUrl: this.endpoint(t.catalog, 'compute'),
      imageUrl: this.endpoint(t.catalog, 'image').replace(/\/v2\/?$/, ''),
    };
  }

  private authBody(creds: SiteCredentials): unknown {
    const o = this.options;
    if (o.auth_type === 'application_credential') {
      // An application credential is bound to its project: Keystone rejects an explicit scope.
      return {
        auth: {
          identity: { methods: ['application_credential'], application_credential: { id: creds.accessKey, secret: creds.secretKey } },
        },
      };
    }
    return {
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: creds.accessKey, domain: { name: o.domain_name }, password: creds.secretKey } },
        },
        scope: { project: { name: o.project_name, domain: { name: o.project_domain_name ?? o.domain_name } } },
      },
    };
  }

  /** The service's URL for the configured interface and region, without a trailing slash. */
  private endpoint(catalog: { type: string; endpoints: Endpoint[] }[], type: 'compute' | 'image'): string {
    const { region, interface: iface } = this.options;
    const candidates = catalog
      .filter((s) => s.type === type)
      .flatMap((s) => s.endpoints)
      .filter((e) => e.interface === iface && (!region || e.region_id === region || e.region === region));
    const regions = new Set(candidates.map((e) => e.region_id ?? e.region ?? ''));
    if (candidates.length === 0) {
      throw new CloudError('InvalidRequest', `openstack catalog has no ${iface} ${type} endpoint${region ? ` in region ${region}` : ''}`);
    }
    if (!region && regions.size > 1) {
      throw new CloudError('InvalidRequest', `openstack catalog offers ${type} in several regions (${[...regions].join(', ')}); set options.region`);
    }
    return candidates[0].url.replace(/\/+$/, '');
  }
}

// Keyed by a digest of the secret too, so a wrong password for a user with a cached token is still
// refused; the digest never leaves this map.
function cacheKey(creds: SiteCredentials): string {
  const secret = createHash('sha256').update(creds.secretKey).digest('hex');
  return `${creds.accessKey}\u0000${secret}`;
}
