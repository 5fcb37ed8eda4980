// The simulated cloud's load model (site option `synthetic_load`): its RUNNING VMs report `metric`
// = the demand at that moment divided by the number of RUNNING VMs of the same domain at the site,
// so a sensor domain scales end to end with no real cloud. Validated with the simulated driver's
// own options (drivers/simulated/options.ts).
import { z } from 'zod';
import { METRIC_NAME } from '../services/sensors.service';

const curvePoint = z.strictObject({ at_seconds: z.number().min(0), value: z.number().min(0).max(1e9) });

export const syntheticLoadSchema = z.strictObject({
  metric: z.string().regex(METRIC_NAME, 'must be a metric name').default('proc.loadavg.1min'),
  /**
   * A constant, or a curve: points `{at_seconds, value}` since the generator started, linearly
   * interpolated, held at the first value before and the last value after.
   */
  demand: z.union([z.number().min(0).max(1e9), z.array(curvePoint).min(1).max(1000)]),
  /** How often each RUNNING VM "reports" (tcollector's default interval is 15 s). */
  interval_seconds: z.number().min(1).max(3600).default(10),
});

export type SyntheticLoadOptions = z.output<typeof syntheticLoadSchema>;

/** The demand at `elapsedSeconds` after the generator started. */
export function demandAt(demand: SyntheticLoadOptions['demand'], elapsedSeconds: number): number {
  if (typeof demand === 'number') return demand;
  const points = [...demand].sort((a, b) => a.at_seconds - b.at_seconds);
  if (elapsedSeconds <= points[0].at_seconds) return points[0].value;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1];
    const b = points[i];
    if (elapsedSeconds <= b.at_seconds) {
      const span = b.at_seconds - a.at_seconds;
      return span === 0 ? b.value : a.value + ((b.value - a.value) * (elapsedSeconds - a.at_seconds)) / span;
    }
  }
  return points[points.length - 1].value;
}
