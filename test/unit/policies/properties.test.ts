// Invariants over random fleets: whatever the input, a decision never leaves a site above its
// max_vms, never launches on a blocked site, and accounts for every VM of the deficit.

import fc from 'fast-check';
import { decide, HEALTHY_STATES, isHealthy, type Decision, type PolicyInput, type SiteAvailability } from '../../../src/policies';
import { at } from './fixtures';

const SITE_IDS = ['s1', 's2', 's3', 'gone'];
const STATES = [100, 200, 300, 400, 500, 600, 650, 700, 800, 900, 950];

const siteArb = fc.record({ rank: fc.integer({ min: 1, max: 4 }), maxVms: fc.integer({ min: -1, max: 5 }) });
const instanceArb = fc.record({
  siteId: fc.constantFrom(...SITE_IDS),
  state: fc.constantFrom(...STATES),
  createdS: fc.integer({ min: 0, max: 100 }),
  terminateRequested: fc.boolean(),
});
const availArb = fc.record({
  blocked: fc.boolean(),
  capacityCap: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
});
const policyArb = fc.oneof(
  fc.record({ kind: fc.constant('multicloud' as const), vmCount: fc.integer({ min: 0, max: 12 }) }),
  fc.record({
    kind: fc.constant('sensor' as const),
    min: fc.integer({ min: 0, max: 4 }),
    max: fc.integer({ min: 4, max: 12 }),
    metric: fc.constant('m'),
    metricIsDomainSensor: fc.boolean(),
    scaleUpThreshold: fc.constant(1),
    scaleDownThreshold: fc.constant(0.2),
    scaleUpVms: fc.integer({ min: 1, max: 3 }),
    scaleDownVms: fc.integer({ min: 1, max: 3 }),
    cooldownSeconds: fc.integer({ min: 0, max: 120 }),
    lastSensorActionAt: fc.option(fc.integer({ min: 0, max: 1000 }).map(at), { nil: null }),
    desiredVms: fc.option(fc.integer({ min: 0, max: 12 }), { nil: null }),
  }),
);

const inputArb = fc
  .record({
    policy: policyArb,
    sites: fc.tuple(siteArb, siteArb, siteArb),
    siteCount: fc.integer({ min: 0, max: 3 }),
    instances: fc.array(instanceArb, { maxLength: 20 }),
    avail: fc.tuple(availArb, availArb, availArb),
    reading: fc.option(fc.double({ min: 0, max: 3, noNaN: true }), { nil: undefined }),
  })
  .map(({ policy, sites, siteCount, instances, avail, reading }): PolicyInput => {
    const ids = instances.map((_, k) => `i${k}`);
    const availability: SiteAvailability[] = avail.map((a, k) => ({
      siteId: SITE_IDS[k] ?? '',
      blocked: a.blocked ? { reason: 'test' } : false,
      capacityCap: a.capacityCap,
    }));
    return {
      policy,
      sites: sites.slice(0, siteCount).map((s, k) => ({ siteId: SITE_IDS[k] ?? '', ...s })),
      instances: instances.map((i, k) => ({ id: ids[k] ?? '', siteId: i.siteId, state: i.state, createdAt: at(i.createdS), terminateRequested: i.terminateRequested })),
      availability,
      readings: reading === undefined ? undefined : { instanceAverages: Object.fromEntries(ids.map((id) => [id, reading])), domainAverage: reading },
      now: at(1000),
    };
  });

function healthyAfter(input: PolicyInput, d: Decision): Map<string, number> {
  const gone = new Set(d.victims.map((v) => v.instanceId));
  const count = new Map<string, number>();
  for (const i of input.instances.filter((x) => isHealthy(x) && !gone.has(x.id))) count.set(i.siteId, (count.get(i.siteId) ?? 0) + 1);
  for (const l of d.launches) count.set(l.siteId, (count.get(l.siteId) ?? 0) + l.count);
  return count;
}

describe('policy invariants', () => {
  it('never leaves a site above max_vms or its capacity cap, nor a removed site with VMs', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        const after = healthyAfter(input, d);
        for (const [siteId, n] of after) {
          const s = input.sites.find((x) => x.siteId === siteId);
          expect(s).toBeDefined();
          if (s && s.maxVms >= 0) expect(n).toBeLessThanOrEqual(s.maxVms);
        }
        for (const l of d.launches) {
          const cap = input.availability?.find((a) => a.siteId === l.siteId)?.capacityCap;
          if (cap !== undefined) expect(after.get(l.siteId) ?? 0).toBeLessThanOrEqual(Math.max(cap, 0));
        }
      }),
    );
  });

  it('never launches on a blocked site', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const blockedIds = new Set((input.availability ?? []).filter((a) => a.blocked).map((a) => a.siteId));
        expect(decide(input).launches.filter((l) => blockedIds.has(l.siteId))).toEqual([]);
      }),
    );
  });

  it('launches plus unplaced equal the deficit; victims are healthy or lingering, once each', () => {
    fc.assert(
      fc.property(inputArb, (input) => {
        const d = decide(input);
        const gone = new Set(d.victims.filter((v) => v.reason !== 'unhealthy').map((v) => v.instanceId));
        const kept = input.instances.filter((i) => isHealthy(i) && !gone.has(i.id)).length;
        const launched = d.launches.reduce((n, l) => n + l.count, 0);
        expect(launched + (d.unplaced?.count ?? 0)).toBe(Math.max(0, d.target - kept));
        if (launched > 0) expect(kept).toBeLessThanOrEqual(d.target);
        expect(new Set(d.victims.map((v) => v.instanceId)).size).toBe(d.victims.length);
        for (const v of d.victims) {
          const i = input.instances.find((x) => x.id === v.instanceId);
          if (!i) throw new Error(`victim ${v.instanceId} is not an instance of the domain`);
          expect(i.terminateRequested).toBe(false);
          expect(v.reason === 'unhealthy' ? !HEALTHY_STATES.has(i.state) : isHealthy(i)).toBe(true);
        }
        expect(d.launches.every((l) => l.count > 0)).toBe(true);
      }),
    );
  });
});
