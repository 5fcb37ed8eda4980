// What the engine tells an observer (the Prometheus metrics, src/metrics) as it works. Optional: an
// engine without one behaves identically. Observers are called synchronously on the engine's path and
// must be cheap and never throw.
import type { Activity } from './activities';

export interface PassSummary {
  /** Domains this replica reconciled in the pass (those it held the lease of). */
  domains: number;
  failures: number;
}

export interface EngineObserver {
  /** A pass ended, failed or not, after `seconds` of wall-clock time. */
  passCompleted(seconds: number, summary: PassSummary): void;
  /** Each activity as the engine records it: launches, terminations and their failures, with site and error class. */
  activityRecorded(activity: Activity): void;
}

/** What holds a site back at one moment: one entry per active retry delay, capacity cap or block. */
export interface BackoffEntry {
  siteId: string;
  kind: 'retry' | 'capacity_cap' | 'blocked';
}
