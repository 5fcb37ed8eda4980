// The steps both policies share: assess the fleet (cleanup and excess victims, which no cooldown holds
// back), then move the kept healthy count to the policy's target with placed launches or ordered
// scale-down victims, each carrying the cause the activity log shows.

import { lifecycleLabel } from '../drivers/cloud-driver';
import { trimExcess } from './excess';
import { healthyOf, isFailure, needsCleanup } from './health';
import { pickScaleDownVictims, placeLaunches, type SiteSlot } from './placement';
import type { LaunchPlan, PolicyInput, PolicyInstance, Unplaced, Victim } from './types';

/** The fleet once cleanup and excess trimming are accounted for. */
export interface Fleet {
  /** Healthy instances before trimming. */
  healthy: PolicyInstance[];
  /** Healthy instances that stay: `healthy` minus the excess victims. */
  kept: PolicyInstance[];
  /** Cleanup (300/650) and excess victims, decided regardless of policy and cooldown. */
  victims: Victim[];
}

/** A share of the launches with one cause. */
export interface DemandChunk {
  count: number;
  cause: string;
}

export interface Moves {
  launches: LaunchPlan[];
  victims: Victim[];
  unplaced: Unplaced | null;
}

export function assessFleet(input: PolicyInput): Fleet {
  const healthy = healthyOf(input.instances);
  const excess = trimExcess(input.sites, healthy);
  const trimmed = new Set(excess.map((v) => v.instanceId));
  const cleanup: Victim[] = input.instances.filter(needsCleanup).map((i) => ({
    instanceId: i.id,
    siteId: i.siteId,
    reason: 'unhealthy',
    cause: `terminating ${lifecycleLabel(i.state)} instance`,
  }));
  return { healthy, kept: healthy.filter((i) => !trimmed.has(i.id)), victims: [...cleanup, ...excess] };
}

/**
 * Splits `count` launches into causes: first one "replacing <state> instance" per failure that no
 * healthy instance was created after (newest failure first), the rest `fallbackCause`.
 */
export function replacementChunks(input: PolicyInput, fleet: Fleet, count: number, fallbackCause: string): DemandChunk[] {
  const newest = Math.max(0, ...fleet.healthy.map((i) => i.createdAt.getTime()));
  const unreplaced = input.instances
    .filter((i) => isFailure(i) && i.stateChangedAt !== undefined && i.stateChangedAt.getTime() >= newest)
    .sort((a, b) => (b.stateChangedAt?.getTime() ?? 0) - (a.stateChangedAt?.getTime() ?? 0))
    .slice(0, Math.max(0, count));
  const chunks: DemandChunk[] = [];
  for (const i of unreplaced) addChunk(chunks, 1, `replacing ${lifecycleLabel(i.state)} instance`);
  addChunk(chunks, count - unreplaced.length, fallbackCause);
  return chunks;
}

/** Appends, merging with an existing chunk of the same cause; ignores empty shares. */
export function addChunk(chunks: DemandChunk[], count: number, cause: string): void {
  if (count <= 0) return;
  const same = chunks.find((c) => c.cause === cause);
  if (same) same.count += count;
  else chunks.push({ count, cause });
}

/**
 * Moves the kept count to `target`: launches placed in rank order (their causes from `chunks`, whose
 * counts must sum to the deficit) or scale-down victims with `scaleDownCause`.
 */
export function moveToTarget(
  input: PolicyInput,
  fleet: Fleet,
  target: number,
  chunks: readonly DemandChunk[],
  scaleDownCause: string,
): Moves {
  const delta = target - fleet.kept.length;
  if (delta < 0) {
    const victims = pickScaleDownVictims(input.sites, fleet.kept, -delta).map(
      (i): Victim => ({ instanceId: i.id, siteId: i.siteId, reason: 'scale_down', cause: scaleDownCause }),
    );
    return { launches: [], victims: [...fleet.victims, ...victims], unplaced: null };
  }
  const healthyBySite = new Map<string, number>();
  for (const i of fleet.kept) healthyBySite.set(i.siteId, (healthyBySite.get(i.siteId) ?? 0) + 1);
  const placement = placeLaunches(input.sites, healthyBySite, input.availability ?? [], delta);
  return { launches: assignCauses(placement.slots, chunks), victims: fleet.victims, unplaced: placement.unplaced };
}

/** Spreads the causes over the placed slots in order: the first chunks go to the best-ranked sites. */
function assignCauses(slots: readonly SiteSlot[], chunks: readonly DemandChunk[]): LaunchPlan[] {
  const left = chunks.map((c) => ({ ...c }));
  const plans: LaunchPlan[] = [];
  for (const slot of slots) {
    let room = slot.count;
    for (const chunk of left) {
      const take = Math.min(room, chunk.count);
      if (take <= 0) continue;
      plans.push({ siteId: slot.siteId, count: take, cause: chunk.cause });
      chunk.count -= take;
      room -= take;
    }
    // Only if a caller's chunks fell short of the deficit: the launch still happens.
    if (room > 0) plans.push({ siteId: slot.siteId, count: room, cause: 'below target' });
  }
  return plans;
}
