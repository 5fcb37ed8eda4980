// Wraps every driver (the registry applies it) so no cloud can hang or flood the engine: each call
// waits for a token of the site's client-side rate limit, then runs under a timeout; anything a
// driver throws that is not a CloudError becomes CloudError Unknown.
import { CloudError } from '../errors';
import type { Logger } from '../lib/logger';
import type { CloudDriver, CloudInstance, ImageLists, LaunchRequest, SiteCredentials } from './cloud-driver';
import { realTimer, TokenBucket, type Timer } from './token-bucket';

export interface GuardOptions {
  /** A call that has not settled after this long fails Transient (the call itself is abandoned). */
  callTimeoutSeconds: number;
  ratePerSecond: number;
  /** Tokens the bucket holds: calls that may go at once after a quiet spell. */
  burst: number;
  /** Longest a call waits for a token; a call that would wait longer fails RateLimited at once. */
  maxWaitSeconds?: number;
}

const DEFAULT_MAX_WAIT_SECONDS = 10;

export class GuardedDriver implements CloudDriver {
  private readonly bucket: TokenBucket;
  private readonly maxWaitMs: number;

  constructor(
    private readonly inner: CloudDriver,
    private readonly options: GuardOptions,
    private readonly logger?: Logger,
    private readonly timer: Timer = realTimer,
  ) {
    this.bucket = new TokenBucket(options.ratePerSecond, options.burst, timer);
    this.maxWaitMs = (options.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS) * 1000;
  }

  get siteId(): string {
    return this.inner.siteId;
  }

  listInstances(creds: SiteCredentials, installation: string): Promise<CloudInstance[]> {
    return this.guard('listInstances', () => this.inner.listInstances(creds, installation));
  }

  launch(creds: SiteCredentials, req: LaunchRequest): Promise<CloudInstance> {
    return this.guard('launch', () => this.inner.launch(creds, req));
  }

  terminate(creds: SiteCredentials, iaasId: string): Promise<void> {
    return this.guard('terminate', () => this.inner.terminate(creds, iaasId));
  }

  listImages(creds: SiteCredentials): Promise<ImageLists> {
    return this.guard('listImages', () => this.inner.listImages(creds));
  }

  listKeyPairs(creds: SiteCredentials): Promise<string[]> {
    return this.guard('listKeyPairs', () => this.inner.listKeyPairs(creds));
  }

  validateCredentials(creds: SiteCredentials): Promise<void> {
    return this.guard('validateCredentials', () => this.inner.validateCredentials(creds));
  }

  private async guard<T>(call: string, fn: () => Promise<T>): Promise<T> {
    await this.takeToken(call);
    return this.withTimeout(call, fn);
  }

  private async takeToken(call: string): Promise<void> {
    const r = this.bucket.reserve(this.maxWaitMs);
    if (!r.granted) {
      const retryAfterSeconds = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
      throw new CloudError('RateLimited', `${call} at site ${this.siteId}: client-side rate limit reached, too many calls waiting`, retryAfterSeconds);
    }
    if (r.waitMs > 0) await new Promise<void>((resolve) => this.timer.schedule(r.waitMs, resolve));
  }

  private withTimeout<T>(call: string, fn: () => Promise<T>): Promise<T> {
    const seconds = this.options.callTimeoutSeconds;
    return new Promise<T>((resolve, reject) => {
      const cancel = this.timer.schedule(seconds * 1000, () =>
        reject(new CloudError('Transient', `${call} at site ${this.siteId} timed out after ${seconds} s`)),
      );
      let pending: Promise<T>;
      try {
        pending = fn();
      } catch (err) {
        pending = Promise.reject(err);
      }
      // Settling after the timeout is a no-op; the handlers also keep a late rejection handled.
      pending.then(
        (value) => {
          cancel();
          resolve(value);
        },
        (err: unknown) => {
          cancel();
          reject(this.classify(call, err));
        },
      );
    });
  }

  /** The message names only the error's type: a driver's raw message may carry URLs or secrets. */
  private classify(call: string, err: unknown): CloudError {
    if (err instanceof CloudError) return err;
    const kind = err instanceof Error ? err.name : typeof err;
    const raw = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
    // Codes such as ECONNRESET help an operator; anything that does not look like one is dropped.
    const code = typeof raw === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(raw) ? raw : undefined;
    this.logger?.warn({ site: this.siteId, call, error: kind, code }, 'driver threw an unclassified error');
    return new CloudError('Unknown', `${call} at site ${this.siteId} failed unexpectedly (${code ? `${kind} ${code}` : kind})`);
  }
}
