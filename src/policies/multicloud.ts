// multicloud: keep exactly vm_count healthy instances. Excess is trimmed first (max_vms lowered,
// site removed), then launches or victims bring the kept count to vm_count. No cooldown applies.

import { assessFleet, moveToTarget, replacementChunks } from './reconcile';
import type { Decision, MulticloudPolicy, PolicyInput } from './types';

export function decideMulticloud(input: PolicyInput, policy: MulticloudPolicy): Decision {
  const fleet = assessFleet(input);
  const target = Math.max(0, policy.vmCount);
  const kept = fleet.kept.length;
  const chunks = replacementChunks(input, fleet, target - kept, `below vm_count ${target} (${kept} healthy)`);
  const scaleDownCause = `vm_count lowered to ${target} (${kept} healthy)`;
  const moves = moveToTarget(input, fleet, target, chunks, scaleDownCause);
  return { healthy: fleet.healthy.length, target, ...moves, sensorDriven: false };
}
