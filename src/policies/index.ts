// The policies' public face: decide() for the engine, plus the building blocks it may reuse
// (health, placement order) so the engine and the policies never disagree about them.

import { decideMulticloud } from './multicloud';
import { decideSensor } from './sensor';
import type { Decision, PolicyInput } from './types';

/** The pure decision for one domain at `input.now`: launches per site, victims, unplaced demand. */
export function decide(input: PolicyInput): Decision {
  const { policy } = input;
  switch (policy.kind) {
    case 'multicloud':
      return decideMulticloud(input, policy);
    case 'sensor':
      return decideSensor(input, policy);
  }
}

export { decideMulticloud } from './multicloud';
export { decideSensor } from './sensor';
export { HEALTHY_STATES, isHealthy, isRunning, needsCleanup } from './health';
export { byRank, compareVictims, pickScaleDownVictims, placeLaunches, roomAt } from './placement';
export { trimExcess } from './excess';
export { inCooldown, sensorAverage, sensorStep } from './sensor-reading';
export type * from './types';
