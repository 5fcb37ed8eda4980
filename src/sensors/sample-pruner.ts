// Drops samples older than the retention, every minute, in bounded batches (sample-store.ts), so a
// prune never holds SQLite's one writer for long. Idempotent: replicas sharing a database may all run it.
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import type { SampleStore } from './sample-store';

const EVERY_MS = 60_000;

export class SamplePruner {
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<number> | null = null;

  constructor(private readonly deps: { store: SampleStore; clock: Clock; logger: Logger; retentionSeconds: number }) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.prune().catch((err: unknown) => this.deps.logger.warn({ err }, 'sensor sample prune failed')), EVERY_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
  }

  /** Deletes what is past the retention now; returns how many samples went. */
  async prune(): Promise<number> {
    if (this.inFlight) return this.inFlight;
    const before = new Date(this.deps.clock.now().getTime() - this.deps.retentionSeconds * 1000);
    this.inFlight = this.deps.store.prune(before).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }
}
