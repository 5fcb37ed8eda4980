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

export interface SensorDataSource {
  /** Data for each of the given domains; a domain without data may be absent from the map. */
  forDomains(domainIds: string[]): Promise<Map<string, SensorData>>;
  /** Data for each of the given instances; an instance without data may be absent from the map. */
  forInstances(instanceIds: string[]): Promise<Map<string, SensorData>>;
}

export const noSensorData: SensorDataSource = {
  forDomains: async () => new Map(),
  forInstances: async () => new Map(),
};
