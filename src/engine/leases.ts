// Leases: each domain is driven by at most one engine replica at a time. A replica claims every
// domain whose lease is free, its own, or expired, in one conditional UPDATE (a single statement, so
// on PostgreSQL the row lock makes a concurrent claimer re-check the condition and skip the row; on
// SQLite writers are serialised), and renews the claim on a heartbeat (a third of the lease) and
// every pass. A dead replica's leases expire after `ttlMs` and a live replica's next heartbeat takes
// them over, so a takeover happens within a lease plus a heartbeat.
import type { Db } from '../db/client';

export class Leases {
  constructor(
    private readonly db: Db,
    /** This replica's id, unique per process. */
    readonly owner: string,
    private readonly ttlMs: number,
  ) {}

  /** When this replica last renewed its leases (clock ms); null before the first claim. */
  private renewedAt: number | null = null;

  /**
   * Claims every free or expired domain and returns how many it newly took. Renewing the domains
   * already held rewrites every one of them, so it is done only once a third of the lease has gone
   * by since the last renewal: heartbeat and passes both call this, and the leases never run short.
   */
  async claim(now: Date): Promise<number> {
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    if (this.renewedAt === null || now.getTime() - this.renewedAt >= this.ttlMs / 3) {
      await this.db.domain.updateMany({ where: { leaseOwner: this.owner }, data: { leaseExpiresAt: expiresAt } });
      this.renewedAt = now.getTime();
    }
    const { count } = await this.db.domain.updateMany({
      where: { OR: [{ leaseOwner: null }, { leaseExpiresAt: null }, { leaseExpiresAt: { lt: now } }] },
      data: { leaseOwner: this.owner, leaseExpiresAt: expiresAt },
    });
    return count;
  }

  /** Gives every lease back (on a clean stop), so another replica takes over at its next pass. */
  async release(): Promise<void> {
    this.renewedAt = null;
    await this.db.domain.updateMany({ where: { leaseOwner: this.owner }, data: { leaseOwner: null, leaseExpiresAt: null } });
  }

  /** The where-clause of domains this replica holds at `now`. */
  held(now: Date): { leaseOwner: string; leaseExpiresAt: { gt: Date } } {
    return { leaseOwner: this.owner, leaseExpiresAt: { gt: now } };
  }
}
