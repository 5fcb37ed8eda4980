// Authenticated calls to Nova and Glance: the token comes from Keystone's cache, and a 401 (a
// token revoked or expired early) costs one re-authentication and one retry before AuthFailed.
import type { CloudErrorClass } from '../../errors';
import type { Clock } from '../../lib/clock';
import type { SiteCredentials } from '../cloud-driver';
import { classifyResponse } from './classify';
import { send, type HttpResponse } from './http';
import type { Keystone, KeystoneSession } from './keystone';

export type Service = 'compute' | 'image';

export interface CallOptions {
  what: string;
  body?: unknown;
  query?: Record<string, string | undefined>;
  /** How to read a 404 (see ErrorContext.notFound); ignored when `allow404`. */
  notFound?: CloudErrorClass;
  /** Hand a 404 back to the caller instead of throwing (deleting or fetching a gone server). */
  allow404?: boolean;
}

export interface CallResult {
  status: number;
  body: unknown;
  session: KeystoneSession;
}

export class OpenStackApi {
  constructor(
    private readonly keystone: Keystone,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  async call(creds: SiteCredentials, service: Service, method: 'GET' | 'POST' | 'DELETE', path: string, opts: CallOptions): Promise<CallResult> {
    let session = await this.keystone.session(creds);
    let res = await this.send(session, service, method, path, opts);
    if (res.status === 401) {
      await this.keystone.invalidate(creds, session.token);
      session = await this.keystone.session(creds);
      res = await this.send(session, service, method, path, opts);
    }
    const ok = (res.status >= 200 && res.status < 300) || (res.status === 404 && opts.allow404);
    if (!ok) throw classifyResponse(res, { what: opts.what, notFound: opts.notFound, now: this.clock.now() });
    return { status: res.status, body: res.body, session };
  }

  private send(session: KeystoneSession, service: Service, method: 'GET' | 'POST' | 'DELETE', path: string, opts: CallOptions): Promise<HttpResponse> {
    const base = service === 'compute' ? session.computeUrl : session.imageUrl;
    const url = new URL(`${base}${path}`);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    return send({ method, url: url.toString(), what: opts.what, token: session.token, body: opts.body, timeoutMs: this.timeoutMs });
  }
}
