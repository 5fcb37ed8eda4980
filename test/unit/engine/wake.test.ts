// Waking the engine: a wake brings the next pass forward from the tick, and a flood of wakes (API
// changes, POST /api/put) coalesces into at most one pass in flight plus one queued, with a pause
// between them, so ingestion can never keep the engine running passes back to back.
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultSettings } from '../../../src/engine/context';
import { Engine, type EngineDeps, type PassReport } from '../../../src/engine/engine';
import { noReadings } from '../../../src/engine/readings';
import { systemClock } from '../../../src/lib/clock';
import { createLogger } from '../../../src/lib/logger';

interface Probe {
  engine: Engine;
  starts: number[];
  maxInFlight: () => number;
}

/** An engine whose passes are stand-ins taking `passMs` (the scheduling is what is under test). */
function probe(passMs: number): Probe {
  const deps = {
    // Only stop() touches the database here (it releases the leases).
    db: { domain: { updateMany: async () => ({ count: 0 }) } },
    drivers: {},
    clock: systemClock,
    logger: createLogger('silent'),
    secretBox: {},
    siteCredentials: {},
    installationId: 'test',
    readings: noReadings,
    settings: defaultSettings({ tickSeconds: 5, bootTimeoutSeconds: 600, terminalRetentionSeconds: 60, activityRetentionDays: 7 }),
  } as unknown as EngineDeps;
  const engine = new Engine(deps);
  const starts: number[] = [];
  let inFlight = 0;
  let most = 0;
  engine.runPass = async (): Promise<PassReport> => {
    starts.push(performance.now());
    most = Math.max(most, ++inFlight);
    await sleep(passMs);
    inFlight--;
    return { domains: 0, failures: 0, sweep: null };
  };
  return { engine, starts, maxInFlight: () => most };
}

describe('engine wake', () => {
  it('runs a pass soon after a wake instead of at the next tick', async () => {
    const p = probe(10);
    p.engine.start();
    try {
      await sleep(100); // the first pass, at start
      expect(p.starts).toHaveLength(1);
      const woken = performance.now();
      p.engine.pointsStored(1, ['load']); // no pass has completed a watch list yet: every metric wakes
      await sleep(300);
      expect(p.starts).toHaveLength(2);
      expect(p.starts[1] - woken).toBeLessThan(250);
    } finally {
      await p.engine.stop();
    }
  });

  it('coalesces a flood of wakes: one pass in flight, one queued, a pause between them', async () => {
    const p = probe(100);
    p.engine.start();
    try {
      await sleep(150);
      const floodStart = performance.now();
      while (performance.now() - floodStart < 1500) {
        p.engine.wake();
        await sleep(5);
      }
      const during = p.starts.filter((t) => t >= floodStart);
      expect(p.maxInFlight()).toBe(1);
      // Each queued pass waits as long as the last one took: about one pass per 200 ms, not one per
      // 100 ms (back to back) nor one per wake.
      expect(during.length).toBeGreaterThanOrEqual(4);
      expect(during.length).toBeLessThanOrEqual(9);
      for (let i = 1; i < during.length; i++) expect(during[i] - during[i - 1]).toBeGreaterThanOrEqual(190);
    } finally {
      await p.engine.stop();
    }
  });
});
