// One domain, one pass: refresh its records from the clouds, finish terminations, then (for a live
// domain) ask the policy what to do and do it; a terminating domain is removed once nothing is left.
import { decide, type Decision } from '../policies';
import type { PassContext } from './context';
import { forEachLimited } from './context';
import { createRecord, launch } from './launcher';
import type { Listing } from './listings';
import { policyInput } from './policy-input';
import type { DomainRecord, InstanceRecord } from './records';
import { listingsFor, refreshRecords } from './refresh';
import { pendingTerminations, terminate } from './terminator';
import { isTerminal, S } from './transitions';

export async function reconcileDomain(ctx: PassContext, d: DomainRecord, rows: InstanceRecord[]): Promise<void> {
  const listings = await listingsFor(ctx, d, rows);
  await refreshRecords(ctx, d, rows, listings);
  for (const t of pendingTerminations(ctx, d, rows, listings)) await terminate(ctx, d, t, listings.get(t.row.siteId));
  if (d.state === 'terminating') {
    await finishDeletion(ctx, d, rows);
    return;
  }
  await relaunchRequesting(ctx, d, rows, listings);
  const decision = decide(policyInput(ctx, d, rows, ctx.readings.get(d.id)));
  await carryOut(ctx, d, rows, decision);
  await saveDomainState(ctx, d, decision);
}

/** Records left REQUESTING by a crash or a lost response: launch again with the same token. */
async function relaunchRequesting(ctx: PassContext, d: DomainRecord, rows: InstanceRecord[], listings: Map<string, Listing | null>): Promise<void> {
  const stuck = rows.filter((r) => r.lifecycleState === S.REQUESTING && !r.iaasInstanceId && !r.terminateRequested && listings.get(r.siteId));
  for (const row of stuck) await launch(ctx, d, row, rows, 'retrying a launch interrupted before the cloud answered');
}

async function carryOut(ctx: PassContext, d: DomainRecord, rows: InstanceRecord[], decision: Decision): Promise<void> {
  if (decision.victims.length > 0) {
    const ids = decision.victims.map((v) => v.instanceId);
    await ctx.db.instance.updateMany({ where: { id: { in: ids } }, data: { terminateRequested: true } });
    const listings = await listingsFor(ctx, d, rows);
    for (const v of decision.victims) {
      const row = rows.find((r) => r.id === v.instanceId);
      if (!row) continue;
      row.terminateRequested = true;
      await terminate(ctx, d, { row, cause: v.cause, finalState: S.TERMINATING, reason: v.cause }, listings.get(row.siteId));
    }
  }
  // Sites are launched at together: each site's calls wait on that site's own rate limit, so one
  // site after the other would leave the others idle (launches per second were one site's limit).
  await Promise.all(
    decision.launches.map(async (plan) => {
      // One launch probes the site first, so a failing site costs one attempt, never a burst; a failure
      // stops launches there and the next decision moves the rest of the demand to the next rank.
      let healthy = await launchNew(ctx, d, rows, plan.siteId, plan.cause);
      const rest = Array.from({ length: healthy ? plan.count - 1 : 0 }, (_, i) => i);
      await forEachLimited(rest, ctx.settings.launchConcurrency, async () => {
        if (healthy) healthy = await launchNew(ctx, d, rows, plan.siteId, plan.cause);
      });
    }),
  );
}

async function launchNew(ctx: PassContext, d: DomainRecord, rows: InstanceRecord[], siteId: string, cause: string): Promise<boolean> {
  const row = await createRecord(ctx, d, siteId);
  if (!row) return false;
  rows.push(row);
  return launch(ctx, d, row, rows, cause);
}

async function saveDomainState(ctx: PassContext, d: DomainRecord, decision: Decision): Promise<void> {
  const unplacedVms = decision.unplaced?.count ?? 0;
  const unplacedReason = decision.unplaced?.reason ?? null;
  const desiredVms = d.deName === 'sensor' ? decision.target : null;
  const lastSensorActionAt = decision.sensorDriven ? ctx.now : d.lastSensorActionAt;
  if (unplacedReason !== d.unplacedReason && unplacedReason) {
    ctx.activities.record({ domainId: d.id, kind: 'unplaced', cause: unplacedReason });
  }
  const same =
    unplacedVms === d.unplacedVms &&
    unplacedReason === d.unplacedReason &&
    desiredVms === d.desiredVms &&
    lastSensorActionAt?.getTime() === d.lastSensorActionAt?.getTime();
  if (same) return;
  await ctx.db.domain.updateMany({ where: { id: d.id }, data: { unplacedVms, unplacedReason, desiredVms, lastSensorActionAt } });
}

/** A terminating domain is removed once every one of its records is final. */
async function finishDeletion(ctx: PassContext, d: DomainRecord, rows: InstanceRecord[]): Promise<void> {
  if (!rows.every((r) => isTerminal(r.lifecycleState))) return;
  const { count } = await ctx.db.domain.deleteMany({ where: { id: d.id, state: 'terminating' } });
  if (count > 0) ctx.activities.record({ domainId: d.id, kind: 'domain_removed', cause: 'domain deleted: every instance terminated' });
}
