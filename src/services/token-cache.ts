// Successful token lookups, kept briefly in this process so an authenticated request does not pay a
// database round trip (Prisma costs 0.5-1 ms a query; auth runs on every request). Only positives are
// kept: an unknown token always reaches the database. Revocations made through this process drop
// their entries at once; those made elsewhere (another replica, the CLI) are seen within the TTL.
import type { Clock } from '../lib/clock';
import type { Principal } from './tokens.service';

interface Entry {
  principal: Principal;
  /** The token's own expiry (ms since the epoch), checked on every hit; null when it never expires. */
  tokenExpiresAt: number | null;
  /** When this entry stops being trusted and the database is asked again. */
  cachedUntil: number;
}

/** Bounds memory whatever the number of live tokens; the least recently used entry goes first. */
export const DEFAULT_TOKEN_CACHE_ENTRIES = 10_000;

export class TokenCache {
  /** Insertion order is recency order: a hit moves its entry to the end. */
  private readonly entries = new Map<string, Entry>();
  /**
   * Bumped by every invalidation. A lookup that started before one must not cache what it read: the
   * row it saw may be the one just deleted.
   */
  private epochValue = 0;

  constructor(
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
    private readonly maxEntries = DEFAULT_TOKEN_CACHE_ENTRIES,
  ) {}

  get enabled(): boolean {
    return this.ttlSeconds > 0;
  }

  /** Read before a database lookup and handed back to `put`, which ignores stale results. */
  get epoch(): number {
    return this.epochValue;
  }

  /** The cached principal for a token hash, or undefined when the database must be asked. */
  get(tokenHash: string): Principal | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    const now = this.clock.now().getTime();
    if (entry.cachedUntil <= now || (entry.tokenExpiresAt !== null && entry.tokenExpiresAt <= now)) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, entry);
    // A copy: requests never share a mutable principal.
    return { ...entry.principal };
  }

  put(principal: Principal, tokenExpiresAt: Date | null, epochAtLookup: number): void {
    if (!this.enabled || epochAtLookup !== this.epochValue) return;
    this.entries.delete(principal.tokenHash);
    this.entries.set(principal.tokenHash, {
      principal,
      tokenExpiresAt: tokenExpiresAt?.getTime() ?? null,
      cachedUntil: this.clock.now().getTime() + this.ttlSeconds * 1000,
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  /** Forgets the given tokens (a revoke, or tokens pruned at login). */
  forgetTokens(tokenHashes: string[]): void {
    this.epochValue++;
    for (const h of tokenHashes) this.entries.delete(h);
  }

  /** Forgets every token of a user (revoke all, a password change, the user deleted). */
  forgetUser(userId: number): void {
    this.epochValue++;
    for (const [hash, entry] of this.entries) if (entry.principal.userId === userId) this.entries.delete(hash);
  }

  get size(): number {
    return this.entries.size;
  }
}
