// What the engine remembers about failing sites, so a broken site is skipped and its demand
// overflows to the next rank instead of the original's storm of one failed VM every few seconds.
//   - Transient, Unknown, RateLimited: exponential backoff with jitter per site + instance type;
//     RateLimited never retries before the cloud's retry-after.
//   - OutOfCapacity, QuotaExceeded: the domain's count at the site becomes a cap for a cool-off.
//   - AuthFailed (per user + site) and InvalidRequest (per domain + site): launches stop until the
//     credentials, or the domain / its launch configuration, change (compared by fingerprint).
// The memory is per process: a restart or a lease takeover starts afresh, costing one failed launch.
import type { CloudErrorClass } from '../errors';
import type { SiteAvailability, SiteBlock } from '../policies';
import type { BackoffEntry } from './observer';

export interface BackoffOptions {
  baseSeconds: number;
  maxSeconds: number;
  capacityCoolOffSeconds: number;
  /** Uniform in [0, 1); injectable for deterministic tests. */
  random: () => number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseSeconds: 5, maxSeconds: 300, capacityCoolOffSeconds: 120, random: Math.random };

/** Where a launch was tried, and what "changed" means for permanent blocks. */
export interface LaunchSite {
  domainId: string;
  userId: number;
  siteId: string;
  instanceType: string;
  /** Changes when the domain or its launch configuration changes. */
  domainFingerprint: string;
  /** Changes when the user's credentials for the site change. */
  credentialsFingerprint: string;
}

export interface LaunchFailure {
  errorClass: CloudErrorClass;
  message: string;
  retryAfterSeconds?: number;
}

interface Retry {
  failures: number;
  until: Date;
  reason: string;
}

interface Cap {
  cap: number;
  until: Date;
  reason: string;
}

interface Block {
  fingerprint: string;
  reason: string;
}

export class SiteBackoff {
  private readonly retries = new Map<string, Retry>();
  private readonly caps = new Map<string, Cap>();
  private readonly blocks = new Map<string, Block>();

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Feeds a failed launch; `healthyOnSite` is the domain's healthy count there, the failed one excluded. */
  failed(at: LaunchSite, failure: LaunchFailure, healthyOnSite: number, now: Date): void {
    const reason = `${failure.errorClass}: ${failure.message}`;
    switch (failure.errorClass) {
      case 'AuthFailed':
        this.blocks.set(authKey(at), { fingerprint: at.credentialsFingerprint, reason });
        return;
      case 'InvalidRequest':
        this.blocks.set(invalidKey(at), { fingerprint: invalidFingerprint(at), reason });
        return;
      case 'OutOfCapacity':
      case 'QuotaExceeded': {
        const until = new Date(now.getTime() + this.options.capacityCoolOffSeconds * 1000);
        this.caps.set(capKey(at), { cap: healthyOnSite, until, reason: failure.errorClass });
        return;
      }
      default:
        this.retry(at, failure, reason, now);
    }
  }

  /** A launch went through: the site + instance type is healthy again. */
  succeeded(at: LaunchSite): void {
    this.retries.delete(retryKey(at));
  }

  /** The site's availability for the policy, or undefined when nothing holds it back. */
  availability(at: LaunchSite, now: Date): SiteAvailability | undefined {
    const blocked = this.blockOf(at, now);
    const cap = this.caps.get(capKey(at));
    const capActive = cap !== undefined && cap.until > now;
    if (cap && !capActive) this.caps.delete(capKey(at));
    if (!blocked && !capActive) return undefined;
    return {
      siteId: at.siteId,
      blocked: blocked ?? false,
      ...(capActive ? { capacityCap: cap.cap, capacityReason: cap.reason } : {}),
    };
  }

  /**
   * What holds sites back at `now`, for metrics. Every key names its site (retry keys begin with
   * it, the others end with it; see the key functions below). A permanent block whose fingerprint
   * has changed is lifted only at the next availability check, so it may be listed until then.
   */
  snapshot(now: Date): BackoffEntry[] {
    const out: BackoffEntry[] = [];
    for (const [key, r] of this.retries) if (r.until > now) out.push({ siteId: key.split('\u0000')[0], kind: 'retry' });
    for (const [key, c] of this.caps) if (c.until > now) out.push({ siteId: key.split('\u0000')[1], kind: 'capacity_cap' });
    for (const key of this.blocks.keys()) out.push({ siteId: key.split('\u0000')[1], kind: 'blocked' });
    return out;
  }

  /** Seconds until a failing site + instance type may be tried again (0 if it may now). */
  retryDelaySeconds(failures: number, retryAfterSeconds: number | undefined): number {
    const { baseSeconds, maxSeconds, random } = this.options;
    const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(0, failures - 1));
    // "Equal jitter": at least half the ceiling, so a failing site is never hammered, spread so
    // replicas and domains do not retry in lockstep.
    const jittered = ceiling / 2 + (random() * ceiling) / 2;
    return Math.max(jittered, retryAfterSeconds ?? 0);
  }

  private retry(at: LaunchSite, failure: LaunchFailure, reason: string, now: Date): void {
    const failures = (this.retries.get(retryKey(at))?.failures ?? 0) + 1;
    const delay = this.retryDelaySeconds(failures, failure.errorClass === 'RateLimited' ? failure.retryAfterSeconds : undefined);
    this.retries.set(retryKey(at), { failures, until: new Date(now.getTime() + delay * 1000), reason });
  }

  private blockOf(at: LaunchSite, now: Date): SiteBlock | undefined {
    const auth = this.current(authKey(at), at.credentialsFingerprint);
    if (auth) return { reason: auth.reason };
    const invalid = this.current(invalidKey(at), invalidFingerprint(at));
    if (invalid) return { reason: invalid.reason };
    const retry = this.retries.get(retryKey(at));
    if (retry && retry.until > now) return { reason: retry.reason, until: retry.until };
    return undefined;
  }

  /** A permanent block still in force; a block whose fingerprint changed is lifted. */
  private current(key: string, fingerprint: string): Block | undefined {
    const block = this.blocks.get(key);
    if (block && block.fingerprint !== fingerprint) {
      this.blocks.delete(key);
      return undefined;
    }
    return block;
  }
}

const retryKey = (at: LaunchSite): string => `${at.siteId}\u0000${at.instanceType}`;
const capKey = (at: LaunchSite): string => `${at.domainId}\u0000${at.siteId}`;
const authKey = (at: LaunchSite): string => `${at.userId}\u0000${at.siteId}`;
const invalidKey = (at: LaunchSite): string => `${at.domainId}\u0000${at.siteId}`;
const invalidFingerprint = (at: LaunchSite): string => `${at.domainFingerprint}\u0000${at.credentialsFingerprint}`;
