import { checkPoint, numericValue, timestampMs } from '../../../src/sensors/opentsdb-points';
import { demandAt } from '../../../src/sensors/synthetic-load-options';

describe('OpenTSDB data points', () => {
  it.each([
    [1_700_000_000, 1_700_000_000_000],
    ['1700000000', 1_700_000_000_000],
    [4_294_967_295, 4_294_967_295_000], // the largest value read as seconds (OpenTSDB's SECOND_MASK rule)
    [4_294_967_296, 4_294_967_296], // above it: milliseconds
    [1_700_000_000_123, 1_700_000_000_123],
    [0, null],
    [-5, null],
    [1.5, null],
    ['17e8', null],
    [99_999_999_999_999, null],
  ])('reads timestamp %p as %p ms', (raw, ms) => {
    expect(timestampMs(raw)).toBe(ms);
  });

  it.each([
    [42, 42],
    ['42', 42],
    [' -1.5e3 ', -1500],
    ['.5', 0.5],
    ['NaN', null],
    ['Infinity', null],
    ['0x10', null],
    ['', null],
    [true, null],
    [Number.POSITIVE_INFINITY, null],
  ])('reads value %p as %p', (raw, value) => {
    expect(numericValue(raw)).toBe(value);
  });

  const now = 1_700_000_000_000;
  const base = { metric: 'proc.loadavg.1min', timestamp: now / 1000, value: 1 };

  it('sends a point with a host tag to the host, even when it also names a domain', () => {
    expect(checkPoint({ ...base, tags: { host: 'vm-1', domain: 'd' } }, now, 0)).toEqual({
      ok: true,
      point: { metric: 'proc.loadavg.1min', tsMs: now, value: 1, target: { kind: 'host', host: 'vm-1' } },
    });
    expect(checkPoint({ ...base, tags: { domain: 'd', user: 'u' } }, now, 0)).toMatchObject({ ok: true, point: { target: { kind: 'domain', domain: 'd' } } });
  });

  it.each([
    [{ ...base, tags: { host: 'a b' } }, /Invalid value for tag "host"/],
    [{ ...base, tags: { host: 5 } }, /Invalid value for tag "host"/],
    [{ ...base, tags: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, 'v'])) }, /Too many tags/],
    [{ ...base, metric: 'x'.repeat(129), tags: { host: 'h' } }, /Invalid metric name/],
    [{ ...base, value: null, tags: { host: 'h' } }, /Missing value/],
    [[base], /not a JSON object/],
  ])('refuses %p', (raw, error) => {
    const checked = checkPoint(raw, now, 0);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.error).toMatch(error);
  });
});

describe('synthetic demand curves', () => {
  const curve = [
    { at_seconds: 100, value: 10 },
    { at_seconds: 0, value: 2 },
    { at_seconds: 200, value: 10 },
  ];
  it.each([
    [-5, 2],
    [0, 2],
    [50, 6],
    [100, 10],
    [150, 10],
    [999, 10],
  ])('at %p s is %p', (t, v) => {
    expect(demandAt(curve, t)).toBe(v);
  });
  it('is the constant when given one', () => expect(demandAt(3, 1234)).toBe(3));
});
