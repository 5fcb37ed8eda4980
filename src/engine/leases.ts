// Leases: each domain is driven by at most one engine replica at a time. A replica claims every
// domain whose lease is free, its own, or expired, in one conditional UPDATE (a single statement, so
// on PostgreSQL the row lock makes a concurrent claimer re-check the condition and skip the row; on
// SQLite writers are serialised), and renews the claim every pass. A dead replica's leases expire
// after `ttlMs` and the next pass of a live replica takes them over.
import type { Db } from '../db/client';

export class Leases {
  constructor(
    private readonly db: Db,
    /** This replica's id, unique per process. */
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** Claims or renews every claimable domain; returns the expiry written. */
  async claim(now: Date): Promise<Date> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.db.domain.updateMany({
      where: { OR: [{ leaseOwner: null }, { leaseOwner: this.owner }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] },
      data: { leaseOwner: this.owner, leaseExpiresAt: expiresAt },
    });
    return expiresAt;
  }

  /** Gives every lease back (on a clean stop), so another replica takes over at its next pass. */
  async release(): Promise<void> {
    await this.db.domain.updateMany({ where: { leaseOwner: this.owner }, data: { leaseOwner: null, leaseExpiresAt: null } });
  }

  /** The where-clause of domains this replica holds at `now`. */
  held(now: Date): { leaseOwner: string; leaseExpiresAt: { gt: Date } } {
    return { leaseOwner: this.owner, leaseExpiresAt: { gt: now } };
  }
}
