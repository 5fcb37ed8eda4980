import { trimExcess } from '../../../src/policies';
import { inst, running, site } from './fixtures';

describe('trimExcess', () => {
  it.each([
    { name: 'nothing within max_vms', sites: [site('a', 1, 3)], instances: running({ a: 3 }), expected: [] },
    { name: 'nothing on unlimited sites', sites: [site('a', 1, -1)], instances: running({ a: 40 }), expected: [] },
    {
      name: 'max_vms lowered: the newest beyond it',
      sites: [site('a', 1, 1)],
      instances: running({ a: 3 }),
      expected: [
        ['a-3', 'max_vms'],
        ['a-2', 'max_vms'],
      ],
    },
    {
      name: 'max_vms lowered: booting instances go first',
      sites: [site('a', 1, 1)],
      instances: [inst('old', 'a', 600, 1), inst('boot', 'a', 400, 0)],
      expected: [['boot', 'max_vms']],
    },
    {
      name: 'max_vms 0 trims all',
      sites: [site('a', 1, 0)],
      instances: running({ a: 2 }),
      expected: [
        ['a-2', 'max_vms'],
        ['a-1', 'max_vms'],
      ],
    },
    {
      name: 'site removed from the launch configuration: all of it',
      sites: [site('a', 1)],
      instances: running({ a: 1, gone: 2 }),
      expected: [
        ['gone-1', 'site_removed'],
        ['gone-2', 'site_removed'],
      ],
    },
  ])('$name', ({ sites, instances, expected }) => {
    expect(trimExcess(sites, instances).map((v) => [v.instanceId, v.reason])).toEqual(expected);
  });

  it('says why in the cause', () => {
    const victims = trimExcess([site('a', 1, 1)], running({ a: 2, gone: 1 }));
    expect(victims.map((v) => v.cause)).toEqual(['max_vms lowered to 1 on a', 'site removed from launch configuration']);
  });
});
