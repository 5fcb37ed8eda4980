// Where domain and instance `sensor_data` comes from. Until the sensors issue lands, nothing
// collects metrics, so the source reports none; that issue replaces `noSensorData` in the container
// and every response picks the data up without touching the services.

/** One metric's recent samples, as the original served them (lower-case keys). */
export interface SensorSeries {
  series: number[];
  average: number;
}

/** Metric name → its samples. */
export type SensorData = Record<string, SensorSeries>;

/**
 * A domain as sensor_data needs it. Callers pass the row they already read, so the reader does not
 * read it again, and a domain that monitors nothing costs no query at all.
 */
export interface DomainSensorRef {
  id: string;
  userId: number;
  /** Comma-separated metric names, as stored. */
  monitorSensors: string;
  monitorDomainSensors: string;
}

/** An instance as sensor_data needs it: every name an agent may report it under, and its domain's metrics. */
export interface InstanceSensorRef {
  id: string;
  siteId: string;
  hostname: string | null;
  iaasInstanceId: string | null;
  /** The owner of its domain. */
  userId: number;
  /** Its domain's monitor_sensors. */
  monitorSensors: string;
}

export interface SensorDataSource {
  /** Data for each of the given domains; a domain without data may be absent from the map. */
  forDomains(domains: DomainSensorRef[]): Promise<Map<string, SensorData>>;
  /** Data for each of the given instances; an instance without data may be absent from the map. */
  forInstances(instances: InstanceSensorRef[]): Promise<Map<string, SensorData>>;
}

export const noSensorData: SensorDataSource = {
  forDomains: async () => new Map(),
  forInstances: async () => new Map(),
};
