// How a simulated VM's state follows from its timestamps. Nothing moves a VM along in the
// background: whoever looks (a listing, the sim CLI) computes the state at the clock's `now`, so
// every replica and a restarted process see the same VM in the same state.
import { LIFECYCLE_STATES, type LifecycleCode } from '../cloud-driver';

/** The only states ever written; RUNNING, FAILED and crashes are derived. */
export const RECORDED_STATE = { PENDING: 'PENDING', TERMINATED: 'TERMINATED' } as const;

/** Terminated VMs stay listed this long, as EC2 keeps reporting them for about an hour. */
export const TERMINATED_RETENTION_MS = 60 * 60 * 1000;

export const REASONS = {
  userTerminated: 'Client.UserInitiatedShutdown: User initiated shutdown',
  crashed: 'Server.InternalError: Internal error on launch or instance crashed (simulated)',
  launchFailed: 'Server.InsufficientInstanceCapacity: the VM failed to boot (simulated launch failure)',
} as const;

export interface VmTimeline {
  failsAtBoot: boolean;
  runningAt: Date;
  crashAt: Date | null;
  terminatedAt: Date | null;
  reason: string | null;
}

export interface Observed {
  state: LifecycleCode;
  reason?: string;
  /** When the VM stopped existing (terminated or crashed); retention counts from here. */
  goneAt?: Date;
}

export function observe(vm: VmTimeline, now: Date): Observed {
  const t = now.getTime();
  const crashed = vm.crashAt !== null && vm.crashAt.getTime() <= t && (vm.terminatedAt === null || vm.crashAt < vm.terminatedAt);
  if (crashed && vm.crashAt) return { state: LIFECYCLE_STATES.TERMINATED, reason: REASONS.crashed, goneAt: vm.crashAt };
  if (vm.terminatedAt) return { state: LIFECYCLE_STATES.TERMINATED, reason: vm.reason ?? REASONS.userTerminated, goneAt: vm.terminatedAt };
  if (t < vm.runningAt.getTime()) return { state: LIFECYCLE_STATES.PENDING };
  if (vm.failsAtBoot) return { state: LIFECYCLE_STATES.FAILED, reason: REASONS.launchFailed };
  return { state: LIFECYCLE_STATES.RUNNING };
}

/** True once a gone VM has passed its retention: the cloud no longer reports it. */
export function expired(observed: Observed, now: Date): boolean {
  return observed.goneAt !== undefined && now.getTime() - observed.goneAt.getTime() > TERMINATED_RETENTION_MS;
}

/**
 * When a VM that boots at `runningAt` will crash, for a Poisson crash process of `ratePerHour`:
 * an exponentially distributed lifetime drawn from `uniform` in [0, 1). Null when it never crashes.
 */
export function crashTime(runningAt: Date, ratePerHour: number, uniform: number): Date | null {
  if (ratePerHour <= 0) return null;
  const hours = -Math.log(1 - Math.min(uniform, 1 - Number.EPSILON)) / ratePerHour;
  return new Date(runningAt.getTime() + Math.max(1, Math.round(hours * 3_600_000)));
}
