import { decide, type PolicyInput, type PolicyInstance, type SensorPolicy } from '../../../src/policies';
import { at, inst, readingsFor, running, sensorPolicy, site, totalLaunches, victimIds } from './fixtures';

const NOW = at(1000);
const three = running({ a: 3 });
const ids = three.map((i) => i.id);

function sensorInput(policy: Partial<SensorPolicy>, instances: PolicyInstance[], averages: Record<string, number>, extra: Partial<PolicyInput> = {}): PolicyInput {
  return {
    policy: sensorPolicy(policy),
    sites: [site('a', 1), site('b', 2)],
    instances,
    readings: { instanceAverages: averages },
    now: NOW,
    ...extra,
  };
}

/** Net change in healthy count the decision asks for. */
function change(input: PolicyInput): number {
  const d = decide(input);
  return totalLaunches(d) - d.victims.filter((v) => v.reason === 'scale_down').length;
}

describe('sensor: the step', () => {
  // thresholds: up 1, down 0.2; scaleUpVms 2, scaleDownVms 1; 3 healthy; min 1, max 10
  it.each([
    ['above the up threshold', 2.3, 2, true],
    ['equal to the up threshold', 1, 0, false],
    ['between the thresholds', 0.5, 0, false],
    ['equal to the down threshold', 0.2, 0, false],
    ['below the down threshold', 0.1, -1, true],
  ])('%s (%d) → %d', (_name, value, expected, driven) => {
    const input = sensorInput({}, three, readingsFor(ids, value));
    expect(change(input)).toBe(expected);
    expect(decide(input).sensorDriven).toBe(driven);
  });

  it('words the cause after the metric and threshold', () => {
    const up = decide(sensorInput({}, three, readingsFor(ids, 2.3)));
    expect(up.launches).toEqual([{ siteId: 'a', count: 2, cause: 'sensor proc.loadavg.1min average 2.3 > 1' }]);
    const down = decide(sensorInput({}, three, readingsFor(ids, 0.1)));
    expect(down.victims).toEqual([{ instanceId: 'a-3', siteId: 'a', reason: 'scale_down', cause: 'sensor proc.loadavg.1min average 0.1 < 0.2' }]);
  });

  it('reports the outcome', () => {
    expect(decide(sensorInput({}, three, readingsFor(ids, 2.3))).sensor).toEqual({ average: 2.3, step: 2 });
    expect(decide(sensorInput({}, three, {})).sensor).toEqual({ average: null, step: 0, suppressedBy: 'no_data' });
  });

  it('when thresholds overlap (the API forbids it) scale-up wins', () => {
    expect(change(sensorInput({ scaleUpThreshold: 0.5, scaleDownThreshold: 2 }, three, readingsFor(ids, 1)))).toBe(2);
  });
});

describe('sensor: clamping to [min, max]', () => {
  it.each([
    ['a step up stops at max', { max: 4 }, 2.3, 1, true],
    ['a step down stops at min', { min: 3 }, 0.1, 0, false],
    ['at max, a step up is no sensor action', { max: 3 }, 2.3, 0, false],
    ['above max is trimmed even between thresholds', { max: 2 }, 0.5, -1, false],
    ['below min is raised even between thresholds', { min: 5 }, 0.5, 2, false],
    ['min above max (the API forbids it): max wins', { min: 6, max: 2 }, 0.5, -1, false],
  ])('%s', (_name, policy: Partial<SensorPolicy>, value, expected, driven) => {
    const input = sensorInput(policy, three, readingsFor(ids, value));
    expect(change(input)).toBe(expected);
    expect(decide(input).sensorDriven).toBe(driven);
  });

  it('names min and max enforcement in the causes', () => {
    expect(decide(sensorInput({ min: 5 }, three, {})).launches[0]?.cause).toBe('sensor_minimum_vms 5 enforced');
    expect(decide(sensorInput({ max: 2 }, three, {})).victims[0]?.cause).toBe('sensor_maximum_vms 2 enforced');
  });
});

describe('sensor: no data and cooldown hold back only the step', () => {
  const cooling = { lastSensorActionAt: at(970), cooldownSeconds: 60 };

  it.each([
    ['no data: no change', {}, {}, 0, false],
    ['no data: min still enforced', { min: 5 }, {}, 2, false],
    ['no data: max still enforced', { max: 1 }, {}, -2, false],
    ['cooldown: step up blocked', cooling, readingsFor(ids, 2.3), 0, false],
    ['cooldown: step down blocked', cooling, readingsFor(ids, 0.1), 0, false],
    ['cooldown: min still enforced', { ...cooling, min: 4 }, readingsFor(ids, 0.5), 1, false],
    ['cooldown: max still enforced', { ...cooling, max: 2 }, readingsFor(ids, 2.3), -1, false],
    ['cooldown over exactly at cooldownSeconds', { lastSensorActionAt: at(940), cooldownSeconds: 60 }, readingsFor(ids, 2.3), 2, true],
    ['cooldown 0 never blocks', { lastSensorActionAt: NOW, cooldownSeconds: 0 }, readingsFor(ids, 2.3), 2, true],
  ])('%s', (_name, policy: Partial<SensorPolicy>, averages: Record<string, number>, expected, driven) => {
    const input = sensorInput(policy, three, averages);
    expect(change(input)).toBe(expected);
    expect(decide(input).sensorDriven).toBe(driven);
  });

  it('says the cooldown suppressed the step', () => {
    const d = decide(sensorInput(cooling, three, readingsFor(ids, 2.3)));
    expect(d.sensor).toEqual({ average: 2.3, step: 2, suppressedBy: 'cooldown' });
  });

  it('replaces a failed instance during the cooldown', () => {
    const instances = [...running({ a: 2 }), inst('dead', 'a', 900, 0, { stateChangedAt: at(990) })];
    const d = decide(sensorInput({ ...cooling, desiredVms: 3 }, instances, readingsFor(['a-1', 'a-2'], 2.3)));
    expect(d.launches).toEqual([{ siteId: 'a', count: 1, cause: 'replacing 900-FAILED instance' }]);
    expect(d.sensorDriven).toBe(false);
    expect(d.target).toBe(3);
  });

  it('replaces a failed instance with no data, and steps on top of the replacement otherwise', () => {
    const instances = [...running({ a: 2 }), inst('dead', 'a', 900, 0, { stateChangedAt: at(990) })];
    expect(totalLaunches(decide(sensorInput({ desiredVms: 3 }, instances, {})))).toBe(1);
    const d = decide(sensorInput({ desiredVms: 3 }, instances, readingsFor(['a-1', 'a-2'], 2.3)));
    expect(d.launches).toEqual([
      { siteId: 'a', count: 1, cause: 'replacing 900-FAILED instance' },
      { siteId: 'a', count: 2, cause: 'sensor proc.loadavg.1min average 2.3 > 1' },
    ]);
    expect(d.target).toBe(5);
  });

  it('without a desired count the healthy count is the base', () => {
    const instances = [...running({ a: 2 }), inst('dead', 'a', 900, 0, { stateChangedAt: at(990) })];
    expect(decide(sensorInput({}, instances, {})).launches).toEqual([]);
  });

  it('a desired count above the healthy count is restored (e.g. a site was removed)', () => {
    const instances = running({ a: 2, gone: 1 });
    const d = decide(sensorInput({ desiredVms: 3 }, instances, {}));
    expect(victimIds(d)).toEqual(['gone-1']);
    expect(d.launches).toEqual([{ siteId: 'a', count: 1, cause: 'restoring desired count 3' }]);
  });
});

describe('sensor: the average', () => {
  it('leaves out instances with no data instead of counting them as 0', () => {
    // original: (1.5 + 1.5) / 3 = 1 → no change; here 1.5 > 1 → up
    expect(change(sensorInput({}, three, { 'a-1': 1.5, 'a-2': 1.5 }))).toBe(2);
  });

  it('averages the instances that reported, zeros included', () => {
    expect(decide(sensorInput({}, three, { 'a-1': 0, 'a-2': 3, 'a-3': 0 })).sensor?.average).toBe(1);
  });

  it('ignores readings of unhealthy or unknown instances and non-finite values', () => {
    const instances = [...three, inst('dead', 'a', 900)];
    const d = decide(sensorInput({}, instances, { 'a-1': 0.5, dead: 99, stranger: 99, 'a-2': Number.NaN }));
    expect(d.sensor?.average).toBe(0.5);
  });

  it('uses the domain-level series when the metric is a domain sensor', () => {
    const input = sensorInput({ metricIsDomainSensor: true }, three, readingsFor(ids, 0.5));
    expect(change({ ...input, readings: { instanceAverages: readingsFor(ids, 0.5), domainAverage: 5 } })).toBe(2);
    expect(change({ ...input, readings: { instanceAverages: readingsFor(ids, 5), domainAverage: null } })).toBe(0);
  });

  it('with no readings at all there is no sensor-driven change', () => {
    expect(change({ ...sensorInput({}, three, {}), readings: undefined })).toBe(0);
  });
});
