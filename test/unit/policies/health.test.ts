import { isHealthy, needsCleanup } from '../../../src/policies';
import { inst } from './fixtures';

describe('instance health', () => {
  it.each([
    [100, true, false],
    [200, true, false],
    [300, false, true],
    [400, true, false],
    [500, true, false],
    [600, true, false],
    [650, false, true],
    [700, false, false],
    [800, false, false],
    [900, false, false],
    [950, false, false],
    [123, false, false],
  ])('state %i: healthy %s, needs cleanup %s', (state, healthy, cleanup) => {
    const i = inst('i', 'a', state);
    expect(isHealthy(i)).toBe(healthy);
    expect(needsCleanup(i)).toBe(cleanup);
  });

  it.each([100, 400, 600, 650, 300])('an instance in %i marked for termination is neither healthy nor cleaned up again', (state) => {
    const i = inst('i', 'a', state, 0, { terminateRequested: true });
    expect(isHealthy(i)).toBe(false);
    expect(needsCleanup(i)).toBe(false);
  });
});
