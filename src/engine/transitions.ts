// Writing instance records. States only move forward: every write is conditional on the stored
// state not being past the new one, so a late or duplicate observation can never move a record back.
import type { Db } from '../db/client';
import { LIFECYCLE_STATES, type CloudInstance } from '../drivers/cloud-driver';
import type { InstanceRecord } from './records';

export const S = LIFECYCLE_STATES;

/** 800 TERMINATED, 900 FAILED, 950 REJECTED: the record is final. */
export function isTerminal(state: number): boolean {
  return state >= S.TERMINATED;
}

/** The VM may still hold resources at the cloud (anything not terminating or terminated). */
export function vmAlive(vm: CloudInstance): boolean {
  return vm.state !== S.TERMINATING && vm.state !== S.TERMINATED;
}

export interface Change {
  lifecycleState?: number;
  stateReason?: string | null;
  iaasInstanceId?: string;
  launchedAt?: Date;
  hostname?: string | null;
  publicIp?: string | null;
  privateIp?: string | null;
  terminateRequested?: boolean;
}

/**
 * Applies `change` to the record (in memory and in the database) unless the stored state has moved
 * past the new one. Returns false when the write lost to a later state.
 */
export async function applyChange(db: Db, row: InstanceRecord, change: Change, now: Date): Promise<boolean> {
  const state = change.lifecycleState ?? row.lifecycleState;
  if (state < row.lifecycleState) return false;
  const stateMoved = state !== row.lifecycleState;
  const data = { ...change, lifecycleState: state, ...(stateMoved ? { stateChangedAt: now } : {}) };
  const { count } = await db.instance.updateMany({ where: { id: row.id, lifecycleState: { lte: state } }, data });
  if (count === 0) return false;
  Object.assign(row, data);
  return true;
}

/** The cloud's view of a VM as a change to its record: state (forward only), id and addresses. */
export function observedChange(row: InstanceRecord, vm: CloudInstance, now: Date): Change | null {
  const change: Change = {};
  if (row.iaasInstanceId !== vm.iaasId) change.iaasInstanceId = vm.iaasId;
  if (!row.launchedAt) change.launchedAt = vm.launchedAt ?? now;
  if (vm.state > row.lifecycleState) {
    change.lifecycleState = vm.state;
    if (vm.stateReason) change.stateReason = vm.stateReason;
  }
  for (const field of ['hostname', 'publicIp', 'privateIp'] as const) {
    const value = vm[field];
    if (value !== undefined && value !== row[field]) change[field] = value;
  }
  return Object.keys(change).length > 0 ? change : null;
}
