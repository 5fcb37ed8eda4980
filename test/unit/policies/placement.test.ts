import { pickScaleDownVictims, placeLaunches, type PolicySite, type SiteAvailability } from '../../../src/policies';
import { at, blocked, inst, site } from './fixtures';

describe('placeLaunches', () => {
  const cases: Array<{
    name: string;
    sites: PolicySite[];
    healthy?: Record<string, number>;
    availability?: SiteAvailability[];
    demand: number;
    slots: Record<string, number>;
    unplaced: number;
    reason?: RegExp;
  }> = [
    { name: 'fills rank 1 first', sites: [site('b', 2, 5), site('a', 1, 5)], demand: 3, slots: { a: 3 }, unplaced: 0 },
    { name: 'overflows to rank 2 when max_vms is hit', sites: [site('a', 1, 2), site('b', 2, 5)], demand: 4, slots: { a: 2, b: 2 }, unplaced: 0 },
    { name: 'counts healthy instances against max_vms', sites: [site('a', 1, 3), site('b', 2)], healthy: { a: 2 }, demand: 3, slots: { a: 1, b: 2 }, unplaced: 0 },
    { name: 'treats -1 as unlimited', sites: [site('a', 1, -1), site('b', 2)], healthy: { a: 50 }, demand: 100, slots: { a: 100 }, unplaced: 0 },
    { name: 'max_vms 0 takes nothing', sites: [site('a', 1, 0), site('b', 2, -1)], demand: 2, slots: { b: 2 }, unplaced: 0 },
    {
      name: 'caps a site at its capacity cap',
      sites: [site('a', 1, -1), site('b', 2, -1)],
      healthy: { a: 3 },
      availability: [{ siteId: 'a', blocked: false, capacityCap: 4, capacityReason: 'OutOfCapacity' }],
      demand: 3,
      slots: { a: 1, b: 2 },
      unplaced: 0,
    },
    {
      name: 'the lower of max_vms and capacity cap wins',
      sites: [site('a', 1, 2), site('b', 2, -1)],
      availability: [{ siteId: 'a', blocked: false, capacityCap: 10 }],
      demand: 3,
      slots: { a: 2, b: 1 },
      unplaced: 0,
    },
    { name: 'skips a blocked site', sites: [site('a', 1), site('b', 2)], availability: [blocked('a', 'AuthFailed: bad key')], demand: 2, slots: { b: 2 }, unplaced: 0 },
    {
      name: 'reports demand no site can take, naming each site',
      sites: [site('a', 1, 1), site('b', 2, 1)],
      availability: [blocked('b', 'InvalidRequest: bad image', at(60))],
      demand: 3,
      slots: { a: 1 },
      unplaced: 2,
      reason: /2 more VM.*a full \(max_vms 1\).*b blocked \(InvalidRequest: bad image\) until 2026-01-01T00:01:00/,
    },
    {
      name: 'names the capacity cap in the reason',
      sites: [site('a', 1)],
      healthy: { a: 2 },
      availability: [{ siteId: 'a', blocked: false, capacityCap: 2, capacityReason: 'QuotaExceeded' }],
      demand: 1,
      slots: {},
      unplaced: 1,
      reason: /a at capacity \(2 VMs, QuotaExceeded\)/,
    },
    { name: 'with no sites everything is unplaced', sites: [], demand: 2, slots: {}, unplaced: 2, reason: /no sites/ },
    { name: 'zero demand places nothing', sites: [site('a', 1)], demand: 0, slots: {}, unplaced: 0 },
  ];

  it.each(cases)('$name', ({ sites, healthy = {}, availability = [], demand, slots, unplaced, reason }) => {
    const p = placeLaunches(sites, new Map(Object.entries(healthy)), availability, demand);
    expect(Object.fromEntries(p.slots.map((s) => [s.siteId, s.count]))).toEqual(slots);
    expect(p.unplaced?.count ?? 0).toBe(unplaced);
    if (reason) expect(p.unplaced?.reason).toMatch(reason);
  });

  it('returns slots in rank order', () => {
    const p = placeLaunches([site('c', 3), site('a', 1, 1), site('b', 2, 1)], new Map(), [], 5);
    expect(p.slots.map((s) => s.siteId)).toEqual(['a', 'b', 'c']);
  });
});

describe('pickScaleDownVictims', () => {
  const sites = [site('a', 1), site('b', 2)];

  it.each([
    {
      name: 'takes from the lowest-priority site first',
      instances: [inst('a1', 'a', 600, 5), inst('b1', 'b', 600, 1), inst('b2', 'b', 600, 2)],
      count: 3,
      expected: ['b2', 'b1', 'a1'],
    },
    {
      name: 'takes instances not yet running first, then the newest',
      instances: [inst('old', 'b', 600, 1), inst('new', 'b', 600, 9), inst('req', 'b', 100, 2), inst('pend', 'b', 400, 3)],
      count: 4,
      expected: ['pend', 'req', 'new', 'old'],
    },
    {
      name: 'breaks ties by id',
      instances: [inst('z', 'b', 600, 1), inst('m', 'b', 600, 1), inst('c', 'b', 600, 1)],
      count: 2,
      expected: ['c', 'm'],
    },
    {
      name: 'a booting instance on a better site stays while a lower-priority site has any',
      instances: [inst('a-boot', 'a', 400, 9), inst('b-old', 'b', 600, 0)],
      count: 1,
      expected: ['b-old'],
    },
    { name: 'zero picks nothing', instances: [inst('a1', 'a')], count: 0, expected: [] },
  ])('$name', ({ instances, count, expected }) => {
    expect(pickScaleDownVictims(sites, instances, count).map((i) => i.id)).toEqual(expected);
  });

  it('does not depend on input order', () => {
    const instances = [inst('x', 'a', 600, 1), inst('y', 'b', 500, 1), inst('z', 'b', 600, 1)];
    const forward = pickScaleDownVictims(sites, instances, 2).map((i) => i.id);
    const backward = pickScaleDownVictims([...sites].reverse(), [...instances].reverse(), 2).map((i) => i.id);
    expect(forward).toEqual(['y', 'z']);
    expect(backward).toEqual(forward);
  });
});
