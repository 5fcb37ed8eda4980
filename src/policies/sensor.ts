// sensor: target = base + step, clamped to [min, max], where base is the desired count the previous
// decision settled on (or the healthy count when there is none) and step comes from the metric's
// average. The cooldown and missing data hold back only the step: replacing failed instances,
// trimming excess and enforcing min/max always happen (the original's cooldown blocked everything).

import { addChunk, assessFleet, moveToTarget, replacementChunks, type Fleet } from './reconcile';
import { inCooldown, sensorAverage, sensorCause, sensorStep } from './sensor-reading';
import type { Decision, PolicyInput, SensorOutcome, SensorPolicy } from './types';

export function decideSensor(input: PolicyInput, policy: SensorPolicy): Decision {
  const fleet = assessFleet(input);
  const kept = fleet.kept.length;
  const base = Math.max(0, policy.desiredVms ?? kept);
  const outcome = readOutcome(input, policy, fleet);
  const applied = outcome.suppressedBy ? 0 : outcome.step;
  const target = clamp(policy, base + applied);
  const sensorDriven = target !== clamp(policy, base);
  const cause = sensorDriven && outcome.average !== null ? sensorCause(policy, outcome.average, applied) : null;

  const chunks = replacementChunks(input, fleet, Math.min(base, target) - kept, `restoring desired count ${base}`);
  addChunk(chunks, target - Math.max(base, kept), cause ?? `sensor_minimum_vms ${policy.min} enforced`);
  const moves = moveToTarget(input, fleet, target, chunks, scaleDownCause(policy, kept, target, cause));
  return { healthy: fleet.healthy.length, target, ...moves, sensorDriven, sensor: outcome };
}

function readOutcome(input: PolicyInput, policy: SensorPolicy, fleet: Fleet): SensorOutcome {
  const average = sensorAverage(policy, input.readings, fleet.healthy);
  if (average === null) return { average, step: 0, suppressedBy: 'no_data' };
  const step = sensorStep(policy, average);
  if (step !== 0 && inCooldown(policy, input.now)) return { average, step, suppressedBy: 'cooldown' };
  return { average, step };
}

/** Into [min, max] and never negative; should min exceed max (the API rejects it), max wins. */
function clamp(policy: SensorPolicy, n: number): number {
  return Math.max(0, Math.min(Math.max(n, policy.min), policy.max));
}

function scaleDownCause(policy: SensorPolicy, kept: number, target: number, sensor: string | null): string {
  if (sensor) return sensor;
  if (kept > policy.max && target === Math.max(0, policy.max)) return `sensor_maximum_vms ${policy.max} enforced`;
  return `above desired count ${target}`;
}
