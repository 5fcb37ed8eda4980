// A token bucket with reservations: a caller that finds no token reserves the next one and is told
// how long to wait, so waiting callers form a virtual queue served in arrival order at `rate`.

/** Monotonic milliseconds and one-shot timers; injectable so tests can run time by hand. */
export interface Timer {
  now(): number;
  /** Calls `fn` after `ms`; the returned function cancels it. */
  schedule(ms: number, fn: () => void): () => void;
}

export const realTimer: Timer = {
  now: () => performance.now(),
  schedule: (ms, fn) => {
    const handle = setTimeout(fn, ms);
    return () => clearTimeout(handle);
  },
};

export type Reservation = { granted: true; waitMs: number } | { granted: false; retryAfterMs: number };

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly timer: Timer,
  ) {
    this.tokens = burst;
    this.last = timer.now();
  }

  /** Takes a token now or reserves a later one; refuses when the wait would exceed `maxWaitMs`. */
  reserve(maxWaitMs: number): Reservation {
    const now = this.timer.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = now;
    const waitMs = this.tokens >= 1 ? 0 : ((1 - this.tokens) / this.ratePerSecond) * 1000;
    if (waitMs > maxWaitMs) return { granted: false, retryAfterMs: waitMs };
    this.tokens -= 1;
    return { granted: true, waitMs };
  }
}
