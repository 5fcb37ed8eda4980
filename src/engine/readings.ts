// The sensor readings the sensor policy needs, gathered for a whole batch of domains at once. The
// container wires the sensors component's batched reader; tests may feed readings directly.
import type { SensorReadings } from '../policies';

export interface ReadingRequest {
  domainId: string;
  metric: string;
  /** The metric is listed in monitor_domain_sensors: the domain-level series is used. */
  domainSensor: boolean;
  /** The domain's instances that may have reported (the policy keeps only the healthy ones). */
  instanceIds: string[];
}

export interface SensorReadingsSource {
  /** Readings for each requested domain over the sample window ending at `now`. */
  read(requests: ReadingRequest[], now: Date): Promise<Map<string, SensorReadings>>;
}

export const noReadings: SensorReadingsSource = { read: async () => new Map() };

/** What the sensors component offers the engine (src/sensors/sensor-reader.ts): batched readings. */
export interface BatchedReader {
  readings(requests: { domainId: string; metric: string; domainSensor: boolean }[]): Promise<Map<string, SensorReadings>>;
}

/** The engine's source over the sensors component's reader (its sample window applies). */
export function readingsFrom(reader: BatchedReader): SensorReadingsSource {
  return { read: (requests) => reader.readings(requests.map(({ domainId, metric, domainSensor }) => ({ domainId, metric, domainSensor }))) };
}
