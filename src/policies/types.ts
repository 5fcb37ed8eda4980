// The inputs and outputs of the scaling policies. Policies are pure: the engine gathers everything
// below (domain parameters, the launch configuration's sites, instance rows, per-site availability,
// sensor readings and the clock), calls decide(), and carries out the Decision. Nothing here touches
// the database, a driver or the wall clock.

/** multicloud: keep exactly `vmCount` healthy instances across the launch configuration's sites. */
export interface MulticloudPolicy {
  kind: 'multicloud';
  vmCount: number;
}

/** sensor: step the healthy count up or down on a metric's average, within [min, max]. */
export interface SensorPolicy {
  kind: 'sensor';
  min: number;
  max: number;
  metric: string;
  /** True when `metric` is listed in the domain's monitor_domain_sensors: the domain-level series is used. */
  metricIsDomainSensor: boolean;
  scaleUpThreshold: number;
  scaleDownThreshold: number;
  scaleUpVms: number;
  scaleDownVms: number;
  cooldownSeconds: number;
  /** When a sensor step last changed the target; null if never. Only sensor steps are cooled down. */
  lastSensorActionAt: Date | null;
  /**
   * The target the previous decision settled on (the engine persists Decision.target), like AWS's
   * desired capacity. It is what lets a failed instance be replaced: healthy drops, the desired count
   * does not. null (never decided, or not persisted) means "the current healthy count".
   */
  desiredVms?: number | null;
}

export type DomainPolicy = MulticloudPolicy | SensorPolicy;

/** One site of the domain's launch configuration. */
export interface PolicySite {
  siteId: string;
  /** 1 is the most preferred. Ties are broken by siteId so decisions are deterministic. */
  rank: number;
  /** Most healthy instances this domain may hold at the site; -1 = unlimited. */
  maxVms: number;
}

/** One of the domain's instance rows, as the policies need it. */
export interface PolicyInstance {
  id: string;
  siteId: string;
  /** The lifecycle code (100 … 950, see LIFECYCLE_STATES). Unknown codes are not healthy. */
  state: number;
  createdAt: Date;
  /**
   * When the row last changed state (the row's updatedAt). Used only to word activity causes
   * ("replacing 900-FAILED instance"); never changes what is decided.
   */
  stateChangedAt?: Date;
  /**
   * A termination was asked for (by the user or by an earlier decision). Such an instance is not
   * healthy, is never picked as a victim again and is not reported as a failure to replace.
   */
  terminateRequested?: boolean;
}

/** Why the engine is not launching on a site right now (backoff, permanent error, …). */
export interface SiteBlock {
  /** Shown to the user in the unplaced reason, e.g. "AuthFailed: credentials rejected". */
  reason: string;
  until?: Date;
}

/** The engine's view of a site's health; sites without an entry are available without a cap. */
export interface SiteAvailability {
  siteId: string;
  blocked: false | SiteBlock;
  /**
   * OutOfCapacity/QuotaExceeded cool-off: the site holds at most this many healthy instances of the
   * domain (the engine sets it to the count at the time of the error).
   */
  capacityCap?: number;
  /** Why the cap is in force, for the unplaced reason; e.g. "OutOfCapacity". */
  capacityReason?: string;
}

/** Sensor data gathered by the engine for the sample window ending at `now`. */
export interface SensorReadings {
  /**
   * Instance id → the metric's average over the window. Instances absent from the record, or whose
   * value is not a finite number, reported no data and are left out of the average.
   */
  instanceAverages: Readonly<Record<string, number>>;
  /** The domain-level series average, when the metric is a domain sensor and had data. */
  domainAverage?: number | null;
}

export interface PolicyInput {
  policy: DomainPolicy;
  /** The launch configuration's sites, in any order (they are sorted by rank). */
  sites: readonly PolicySite[];
  /** Every instance row the domain still lists, terminal ones included. */
  instances: readonly PolicyInstance[];
  availability?: readonly SiteAvailability[];
  /** Required by the sensor policy; ignored by multicloud. */
  readings?: SensorReadings;
  now: Date;
}

/** Launch `count` new instances at `siteId`. One entry per (site, cause), in rank order. */
export interface LaunchPlan {
  siteId: string;
  count: number;
  /** For the activity log, e.g. "replacing 900-FAILED instance", "sensor … average 2.3 > 1". */
  cause: string;
}

export type VictimReason =
  /** Target below the healthy count (vm_count lowered, sensor step down, sensor maximum). */
  | 'scale_down'
  /** The site holds more healthy instances than its max_vms. */
  | 'max_vms'
  /** The site is no longer in the launch configuration. */
  | 'site_removed'
  /** 300-ERROR_RETRYING or 650-RUNNING_FAILED: not counted, so it is replaced; terminate it too. */
  | 'unhealthy';

export interface Victim {
  instanceId: string;
  siteId: string;
  reason: VictimReason;
  cause: string;
}

/** Demand no site can take right now; shown on the domain, never silently dropped. */
export interface Unplaced {
  count: number;
  reason: string;
}

export interface SensorOutcome {
  /** The average the step was computed from; null when there was no data. */
  average: number | null;
  /** The step the thresholds asked for (+up, −down, 0). */
  step: number;
  /** Why the step was not applied, if it was not. */
  suppressedBy?: 'cooldown' | 'no_data';
}

export interface Decision {
  /** Healthy instances when the decision was taken. */
  healthy: number;
  /** The healthy count this decision aims for. Sensor domains persist it as `desiredVms`. */
  target: number;
  launches: LaunchPlan[];
  victims: Victim[];
  unplaced: Unplaced | null;
  /** A sensor step changed the target: the engine sets lastSensorActionAt = now. */
  sensorDriven: boolean;
  sensor?: SensorOutcome;
}
