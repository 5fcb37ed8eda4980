// EC2 instance states onto Phantom's lifecycle. EC2-compatible clouds use the same names; when a
// name is unfamiliar the numeric code (low byte, as EC2 documents it) decides instead.
import { LIFECYCLE_STATES, type LifecycleCode } from '../cloud-driver';

const BY_NAME: Record<string, LifecycleCode> = {
  pending: LIFECYCLE_STATES.PENDING,
  running: LIFECYCLE_STATES.RUNNING,
  'shutting-down': LIFECYCLE_STATES.TERMINATING,
  stopping: LIFECYCLE_STATES.TERMINATING,
  stopped: LIFECYCLE_STATES.TERMINATING,
  terminated: LIFECYCLE_STATES.TERMINATED,
};

const BY_CODE: Record<number, LifecycleCode> = {
  0: LIFECYCLE_STATES.PENDING,
  16: LIFECYCLE_STATES.RUNNING,
  32: LIFECYCLE_STATES.TERMINATING,
  48: LIFECYCLE_STATES.TERMINATED,
  64: LIFECYCLE_STATES.TERMINATING,
  80: LIFECYCLE_STATES.TERMINATING,
};

/**
 * A state Phantom cannot interpret maps to FAILED: such a VM cannot be trusted to serve, and the
 * engine replaces FAILED instances rather than waiting on them forever.
 */
export function toLifecycleState(name: string | undefined, code: number | undefined): LifecycleCode {
  const byName = name === undefined ? undefined : BY_NAME[name];
  if (byName !== undefined) return byName;
  // The high byte of EC2's state code is reserved for internal use, hence the mask.
  const byCode = code === undefined ? undefined : BY_CODE[code & 0xff];
  return byCode ?? LIFECYCLE_STATES.FAILED;
}
