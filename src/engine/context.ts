// What every step of a pass shares: the dependencies, the pass's clock reading, and the per-pass
// caches (cloud listings, credentials, sensor readings) loaded once per batch.
import type { Db } from '../db/client';
import type { DriverRegistry } from '../drivers/registry';
import type { Logger } from '../lib/logger';
import type { SecretBox } from '../lib/secret-box';
import type { SensorReadings } from '../policies';
import type { ActivityLog } from './activities';
import type { SiteBackoff } from './backoff';
import type { CloudListings } from './listings';
import type { CredentialsIndex } from './records';

export interface EngineSettings {
  tickSeconds: number;
  bootTimeoutSeconds: number;
  terminalRetentionSeconds: number;
  activityRetentionDays: number;
  /** Domains loaded and reconciled together; each batch costs a constant number of queries. */
  batchSize: number;
  /** Domains of a batch reconciled at once. */
  domainConcurrency: number;
  /** Launches in flight at once for one domain. */
  launchConcurrency: number;
  leaseSeconds: number;
  /** How often every site is listed for untracked VMs (besides at start). */
  sweepIntervalSeconds: number;
  /** An untracked tagged VM younger than this is left alone: its record may be about to commit. */
  orphanGraceSeconds: number;
  /** A launched VM missing from a listing this soon after launch is not yet declared vanished. */
  vanishGraceSeconds: number;
}

export function defaultSettings(engine: {
  tickSeconds: number;
  bootTimeoutSeconds: number;
  terminalRetentionSeconds: number;
  activityRetentionDays: number;
}): EngineSettings {
  return {
    ...engine,
    batchSize: 500,
    domainConcurrency: 8,
    launchConcurrency: 4,
    // Renewed every third of a lease (the heartbeat), so 1.5 ticks leave a full tick of slack, and a
    // dead replica's domains are taken over within about two ticks (lease + heartbeat).
    leaseSeconds: Math.max(1.5 * engine.tickSeconds, 1.5),
    sweepIntervalSeconds: 60,
    orphanGraceSeconds: 60,
    vanishGraceSeconds: 60,
  };
}

export interface PassContext {
  db: Db;
  drivers: DriverRegistry;
  logger: Logger;
  secretBox: SecretBox;
  installationId: string;
  settings: EngineSettings;
  now: Date;
  listings: CloudListings;
  credentials: CredentialsIndex;
  readings: Map<string, SensorReadings>;
  backoff: SiteBackoff;
  activities: ActivityLog;
}

/** Runs `fn` over `items` with at most `limit` at once. */
export async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
