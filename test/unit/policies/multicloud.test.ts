import { decide, type PolicyInstance, type PolicySite, type SiteAvailability } from '../../../src/policies';
import { at, blocked, inst, launchesBySite, multicloudInput, running, site, victimIds } from './fixtures';

const twoSites = [site('a', 1, 2), site('b', 2, -1)];

describe('multicloud: reaching vm_count', () => {
  it.each<{
    name: string;
    vmCount: number;
    sites: PolicySite[];
    instances: PolicyInstance[];
    availability?: SiteAvailability[];
    launches: Record<string, number>;
    victims?: string[];
    unplaced?: number;
  }>([
    { name: 'a new domain fills rank 1 then overflows', vmCount: 5, sites: twoSites, instances: [], launches: { a: 2, b: 3 } },
    { name: 'at vm_count nothing happens', vmCount: 3, sites: twoSites, instances: running({ a: 2, b: 1 }), launches: {} },
    {
      name: 'pending and booting instances count, so nothing is launched twice',
      vmCount: 3,
      sites: twoSites,
      instances: [inst('r', 'a', 100), inst('p', 'a', 400), inst('s', 'b', 500)],
      launches: {},
    },
    { name: 'vm_count 0 on an empty domain does nothing', vmCount: 0, sites: twoSites, instances: [], launches: {} },
    {
      name: 'a blocked site is skipped and its demand overflows',
      vmCount: 3,
      sites: twoSites,
      instances: [],
      availability: [blocked('a', 'Transient: backoff', at(1030))],
      launches: { b: 3 },
    },
    {
      name: 'demand no site can take is unplaced',
      vmCount: 5,
      sites: [site('a', 1, 2), site('b', 2, 1)],
      instances: [],
      launches: { a: 2, b: 1 },
      unplaced: 2,
    },
    {
      name: 'vm_count lowered: victims from the lowest-priority site',
      vmCount: 2,
      sites: twoSites,
      instances: running({ a: 2, b: 2 }),
      launches: {},
      victims: ['b-2', 'b-1'],
    },
    {
      name: 'vm_count 0 terminates everything healthy',
      vmCount: 0,
      sites: twoSites,
      instances: running({ a: 2, b: 1 }),
      launches: {},
      victims: ['b-1', 'a-2', 'a-1'],
    },
    {
      name: 'max_vms lowered: excess trimmed and relaunched on the next rank',
      vmCount: 4,
      sites: [site('a', 1, 1), site('b', 2, -1)],
      instances: running({ a: 3, b: 1 }),
      launches: { b: 2 },
      victims: ['a-3', 'a-2'],
    },
    {
      name: 'site removed: its instances trimmed and replaced on the remaining sites',
      vmCount: 3,
      sites: [site('a', 1, -1)],
      instances: running({ a: 1, gone: 2 }),
      launches: { a: 2 },
      victims: ['gone-1', 'gone-2'],
    },
  ])('$name', ({ vmCount, sites, instances, availability, launches, victims = [], unplaced = 0 }) => {
    const d = decide(multicloudInput(vmCount, { sites, instances, availability }));
    expect(launchesBySite(d)).toEqual(launches);
    expect(victimIds(d)).toEqual(victims);
    expect(d.unplaced?.count ?? 0).toBe(unplaced);
    expect(d.target).toBe(vmCount);
    expect(d.sensorDriven).toBe(false);
  });
});

describe('multicloud: replacing instances that stopped counting', () => {
  it.each([
    [900, 'replacing 900-FAILED instance'],
    [800, 'replacing 800-TERMINATED instance'],
    [650, 'replacing 650-RUNNING_FAILED instance'],
    [300, 'replacing 300-ERROR_RETRYING instance'],
    [950, 'replacing 950-REJECTED instance'],
  ])('replaces a %i instance on the best site with room', (state, cause) => {
    const instances = [...running({ a: 1, b: 1 }), inst('dead', 'a', state, 0, { stateChangedAt: at(500) })];
    const d = decide(multicloudInput(3, { sites: twoSites, instances }));
    expect(d.launches).toEqual([{ siteId: 'a', count: 1, cause }]);
    expect(d.healthy).toBe(2);
  });

  it.each([
    [650, ['dead']],
    [300, ['dead']],
    [900, []],
    [800, []],
  ])('a %i instance is terminated as well when it may still be alive: %j', (state, expected) => {
    const instances = [inst('dead', 'a', state, 0, { stateChangedAt: at(500) })];
    const d = decide(multicloudInput(1, { sites: twoSites, instances }));
    expect(victimIds(d)).toEqual(expected);
    expect(d.victims.every((v) => v.reason === 'unhealthy')).toBe(true);
  });

  it('does not call an instance the user deleted a failure, but still replaces it', () => {
    const instances = [inst('gone', 'a', 700, 0, { terminateRequested: true, stateChangedAt: at(500) })];
    const d = decide(multicloudInput(1, { sites: twoSites, instances }));
    expect(d.launches).toEqual([{ siteId: 'a', count: 1, cause: 'below vm_count 1 (0 healthy)' }]);
    expect(d.victims).toEqual([]);
  });

  it('an old failure already replaced is not blamed for a later raise', () => {
    const instances = [inst('dead', 'a', 900, 0, { stateChangedAt: at(10) }), inst('new', 'a', 600, 20)];
    const d = decide(multicloudInput(2, { sites: twoSites, instances }));
    expect(d.launches).toEqual([{ siteId: 'a', count: 1, cause: 'below vm_count 2 (1 healthy)' }]);
  });

  it('splits causes: replacements take the best-ranked slots first', () => {
    const instances = [inst('a-1', 'a', 600, 0), inst('dead', 'a', 900, 0, { stateChangedAt: at(50) })];
    const d = decide(multicloudInput(4, { sites: twoSites, instances }));
    expect(d.launches).toEqual([
      { siteId: 'a', count: 1, cause: 'replacing 900-FAILED instance' },
      { siteId: 'b', count: 2, cause: 'below vm_count 4 (1 healthy)' },
    ]);
  });
});

describe('multicloud: causes and reasons', () => {
  it('gives scale-down victims the vm_count cause', () => {
    const d = decide(multicloudInput(1, { sites: twoSites, instances: running({ a: 2 }) }));
    expect(d.victims).toEqual([{ instanceId: 'a-2', siteId: 'a', reason: 'scale_down', cause: 'vm_count lowered to 1 (2 healthy)' }]);
  });

  it('gives excess victims the max_vms and site-removed causes', () => {
    const d = decide(multicloudInput(1, { sites: [site('a', 1, 0)], instances: running({ a: 1, gone: 1 }) }));
    expect(d.victims.map((v) => [v.reason, v.cause])).toEqual([
      ['max_vms', 'max_vms lowered to 0 on a'],
      ['site_removed', 'site removed from launch configuration'],
    ]);
    expect(d.unplaced?.reason).toMatch(/a full \(max_vms 0\)/);
  });

  it('a site in cool-off holds its current count and the rest overflows', () => {
    const availability: SiteAvailability[] = [{ siteId: 'a', blocked: false, capacityCap: 1, capacityReason: 'OutOfCapacity' }];
    const d = decide(multicloudInput(3, { sites: twoSites, instances: running({ a: 1 }), availability }));
    expect(launchesBySite(d)).toEqual({ b: 2 });
  });

  it('never trims excess on a site because it is blocked', () => {
    const d = decide(multicloudInput(2, { sites: twoSites, instances: running({ a: 2 }), availability: [blocked('a', 'AuthFailed')] }));
    expect(d.victims).toEqual([]);
    expect(d.launches).toEqual([]);
  });
});
