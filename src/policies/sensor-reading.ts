// What the sensor policy reads: the metric's average and the step it asks for. Unlike the original,
// instances without data are left out of the average instead of counting as 0 (which pulled the
// average down and scaled domains in whenever a collector was missing).

import type { PolicyInstance, SensorPolicy, SensorReadings } from './types';

/**
 * The domain-level average when the metric is a domain sensor, else the mean of the per-instance
 * averages of the `healthy` instances that reported data. null when there is no data at all.
 */
export function sensorAverage(
  policy: SensorPolicy,
  readings: SensorReadings | undefined,
  healthy: readonly PolicyInstance[],
): number | null {
  if (!readings) return null;
  if (policy.metricIsDomainSensor) {
    const value = readings.domainAverage;
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  }
  const values = healthy
    .filter((i) => Object.prototype.hasOwnProperty.call(readings.instanceAverages, i.id))
    .map((i) => readings.instanceAverages[i.id])
    .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * +scaleUpVms if strictly above the up threshold, −scaleDownVms if strictly below the down
 * threshold, else 0 (equality never moves). Should the thresholds overlap (the API rejects it),
 * scale-up wins, as in the original.
 */
export function sensorStep(policy: SensorPolicy, average: number): number {
  if (average > policy.scaleUpThreshold) return Math.abs(policy.scaleUpVms);
  if (average < policy.scaleDownThreshold) return -Math.abs(policy.scaleDownVms);
  return 0;
}

/** The activity cause of a step, e.g. "sensor proc.loadavg.1min average 2.3 > 1". */
export function sensorCause(policy: SensorPolicy, average: number, step: number): string {
  const comparison = step > 0 ? `> ${policy.scaleUpThreshold}` : `< ${policy.scaleDownThreshold}`;
  return `sensor ${policy.metric} average ${formatAverage(average)} ${comparison}`;
}

/** True while `cooldownSeconds` have not passed since the last sensor-driven change. */
export function inCooldown(policy: SensorPolicy, now: Date): boolean {
  if (policy.lastSensorActionAt === null) return false;
  return now.getTime() - policy.lastSensorActionAt.getTime() < policy.cooldownSeconds * 1000;
}

function formatAverage(value: number): string {
  return String(Number(value.toFixed(3)));
}
