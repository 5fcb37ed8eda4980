// Brings a domain's instance records in line with what its clouds report: adopts VMs launched
// before a crash (found by client token), moves states forward, marks vanished VMs 800-TERMINATED.
import { lifecycleLabel } from '../drivers/cloud-driver';
import type { PassContext } from './context';
import type { Listing } from './listings';
import type { DomainRecord, InstanceRecord } from './records';
import { applyChange, isTerminal, observedChange, S } from './transitions';

export const VANISHED = 'NODE_DISAPPEARED';

/**
 * A record that may still have a VM at the cloud: not final yet, or FAILED/REJECTED with a VM id (a
 * VM that failed at boot can still hold quota, and a crash may have come between recording the
 * failure and terminating the VM).
 */
function mayHoldVm(r: InstanceRecord): boolean {
  return !isTerminal(r.lifecycleState) || (r.lifecycleState !== S.TERMINATED && r.iaasInstanceId !== null);
}

/** The listing of each site the domain's VMs may be on; null where it failed or has no credentials. */
export async function listingsFor(ctx: PassContext, domain: DomainRecord, rows: InstanceRecord[]): Promise<Map<string, Listing | null>> {
  const sites = new Set(rows.filter(mayHoldVm).map((r) => r.siteId));
  const result = new Map<string, Listing | null>();
  for (const siteId of sites) {
    const creds = ctx.credentials.get(domain.userId, siteId);
    result.set(siteId, creds && ctx.drivers.site(siteId) ? await ctx.listings.get(siteId, domain.userId, creds.secrets) : null);
  }
  return result;
}

export async function refreshRecords(ctx: PassContext, domain: DomainRecord, rows: InstanceRecord[], listings: Map<string, Listing | null>): Promise<void> {
  for (const row of rows) {
    if (isTerminal(row.lifecycleState)) continue;
    const listing = listings.get(row.siteId);
    if (!listing) continue;
    const vm = listing.find(row.iaasInstanceId, row.clientToken);
    const before = row.lifecycleState;
    if (vm) {
      const adopting = !row.iaasInstanceId;
      const change = observedChange(row, vm, ctx.now);
      if (!change || !(await applyChange(ctx.db, row, change, ctx.now))) continue;
      if (adopting) {
        ctx.activities.record({ domainId: domain.id, kind: 'adopt', siteId: row.siteId, instanceId: row.id, cause: `adopted VM ${vm.iaasId}, launched before a restart` });
      }
      noteUnrequestedEnd(ctx, domain, row, before);
      continue;
    }
    if (!row.iaasInstanceId) continue; // never launched, or the launch is retried by the launcher
    if (before !== S.TERMINATING && row.launchedAt && ctx.now.getTime() - row.launchedAt.getTime() < ctx.settings.vanishGraceSeconds * 1000) continue;
    const reason = before === S.TERMINATING ? 'terminated' : `${VANISHED}: no longer listed by site ${row.siteId}`;
    if (await applyChange(ctx.db, row, { lifecycleState: S.TERMINATED, stateReason: reason }, ctx.now)) noteUnrequestedEnd(ctx, domain, row, before);
  }
}

/** A VM that ended without Phantom asking (crash, boot failure, vanished) is worth an activity. */
function noteUnrequestedEnd(ctx: PassContext, domain: DomainRecord, row: InstanceRecord, before: number): void {
  if (!isTerminal(row.lifecycleState) || isTerminal(before) || row.terminateRequested || before === S.TERMINATING) return;
  const reason = row.stateReason ? `: ${row.stateReason}` : '';
  ctx.activities.record({
    domainId: domain.id,
    kind: 'state_change',
    siteId: row.siteId,
    instanceId: row.id,
    cause: `instance became ${lifecycleLabel(row.lifecycleState)}${reason}`,
  });
}
