import type { Clock } from '../lib/clock';

/**
 * Counts failed logins per key (a username, a client address) in a sliding window. In-memory and
 * per process: behind several replicas the effective limit is per replica, which still bounds
 * guessing. The map is capped so a flood of distinct keys cannot grow memory without bound.
 */
export class LoginThrottle {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowSeconds: number,
    private readonly clock: Clock,
    private readonly maxKeys = 100_000,
  ) {}

  /** Seconds until `key` may try again, or 0 when it may try now. */
  retryAfter(key: string): number {
    const recent = this.recent(key);
    if (recent.length < this.maxFailures) return 0;
    const oldest = recent[recent.length - this.maxFailures];
    return Math.max(1, Math.ceil((oldest + this.windowSeconds * 1000 - this.clock.now().getTime()) / 1000));
  }

  recordFailure(key: string): void {
    const recent = this.recent(key);
    recent.push(this.clock.now().getTime());
    if (recent.length > this.maxFailures) recent.splice(0, recent.length - this.maxFailures);
    this.failures.delete(key); // re-insert so Map order stays least-recently-failed first
    this.failures.set(key, recent);
    while (this.failures.size > this.maxKeys) {
      const first = this.failures.keys().next().value;
      if (first === undefined) break;
      this.failures.delete(first);
    }
  }

  reset(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string): number[] {
    const cutoff = this.clock.now().getTime() - this.windowSeconds * 1000;
    return (this.failures.get(key) ?? []).filter((t) => t > cutoff);
  }
}
