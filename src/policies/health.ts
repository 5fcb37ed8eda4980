// Which instances count towards a domain's target. Pending and booting VMs count (as in the
// original), so a launch in flight is never launched twice; every other state is replaced.

import { LIFECYCLE_STATES } from '../drivers/cloud-driver';
import type { PolicyInstance } from './types';

const S = LIFECYCLE_STATES;

/** 100-REQUESTING, 200-REQUESTED, 400-PENDING, 500-STARTED, 600-RUNNING. */
export const HEALTHY_STATES: ReadonlySet<number> = new Set([S.REQUESTING, S.REQUESTED, S.PENDING, S.STARTED, S.RUNNING]);

/**
 * States that are not counted but may still hold a VM at the cloud. The policy terminates them so a
 * replacement never runs beside them (the original left 650 VMs running forever).
 */
const LINGERING_STATES: ReadonlySet<number> = new Set([S.ERROR_RETRYING, S.RUNNING_FAILED]);

/** Counted towards the target: a healthy state and no termination asked for. */
export function isHealthy(i: PolicyInstance): boolean {
  return HEALTHY_STATES.has(i.state) && !i.terminateRequested;
}

/** 600-RUNNING; the scale-down order takes everything not yet running first. */
export function isRunning(i: PolicyInstance): boolean {
  return i.state === S.RUNNING;
}

/** Not counted, still possibly alive at the cloud, and nobody has asked to terminate it yet. */
export function needsCleanup(i: PolicyInstance): boolean {
  return LINGERING_STATES.has(i.state) && !i.terminateRequested;
}

/**
 * Lost without anyone asking: failed, rejected, running-failed, error-retrying, or terminated by the
 * cloud (a 700/800 with terminateRequested was a user or policy termination, not a failure).
 */
export function isFailure(i: PolicyInstance): boolean {
  return !HEALTHY_STATES.has(i.state) && !i.terminateRequested;
}

export function healthyOf(instances: readonly PolicyInstance[]): PolicyInstance[] {
  return instances.filter(isHealthy);
}
