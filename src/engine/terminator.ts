// Terminating VMs. A record moves to 700-TERMINATING once the cloud accepted the terminate (to
// 800 when a later listing no longer shows the VM alive), or straight to a terminal state when there
// is nothing at the cloud to wait for. A failed terminate is recorded and retried next pass.
import { CloudError } from '../errors';
import type { PassContext } from './context';
import type { Listing } from './listings';
import { describe } from './listings';
import type { DomainRecord, InstanceRecord } from './records';
import { applyChange, isTerminal, S, vmAlive } from './transitions';

export interface Termination {
  row: InstanceRecord;
  cause: string;
  /** 700 TERMINATING for a requested termination; 900 FAILED for a boot timeout. */
  finalState: number;
  reason: string;
}

/** What must be terminated this pass, besides the policy's victims. */
export function pendingTerminations(ctx: PassContext, domain: DomainRecord, rows: InstanceRecord[], listings: Map<string, Listing | null>): Termination[] {
  const out: Termination[] = [];
  const deleting = domain.state === 'terminating';
  const bootLimitMs = ctx.settings.bootTimeoutSeconds * 1000;
  for (const row of rows) {
    const state = row.lifecycleState;
    const vm = listings.get(row.siteId)?.find(row.iaasInstanceId, row.clientToken);
    if (state < S.TERMINATING && (row.terminateRequested || deleting)) {
      out.push({ row, cause: deleting ? 'domain deleted' : 'termination requested', finalState: S.TERMINATING, reason: 'terminate requested' });
    } else if ((state === S.PENDING || state === S.STARTED) && row.launchedAt && ctx.now.getTime() - row.launchedAt.getTime() > bootLimitMs) {
      const reason = `boot timeout: not RUNNING ${ctx.settings.bootTimeoutSeconds} s after launch`;
      out.push({ row, cause: reason, finalState: S.FAILED, reason });
    } else if ((state === S.TERMINATING || isTerminal(state)) && row.iaasInstanceId && vm && vmAlive(vm)) {
      // Asked before but still alive (or failed at boot and still holding capacity): ask again.
      out.push({ row, cause: 'VM still alive after termination', finalState: state, reason: row.stateReason ?? 'terminate requested' });
    }
  }
  return out;
}

export async function terminate(ctx: PassContext, domain: DomainRecord, t: Termination, listing: Listing | null | undefined): Promise<void> {
  const { row } = t;
  if (!row.iaasInstanceId) {
    // No VM is known. Only when the site's listing shows none for the client token is the record
    // closed; the orphan sweep catches a VM a crashed launch call might still create.
    if (listing && !listing.byToken.has(row.clientToken)) {
      await applyChange(ctx.db, row, { lifecycleState: S.TERMINATED, stateReason: 'terminated before the cloud created a VM', terminateRequested: true }, ctx.now);
    }
    return;
  }
  const creds = ctx.credentials.get(domain.userId, row.siteId);
  try {
    if (!creds) throw new CloudError('AuthFailed', `no credentials for site ${row.siteId}`);
    await ctx.drivers.driver(row.siteId).terminate(creds.secrets, row.iaasInstanceId);
  } catch (err) {
    const errorClass = err instanceof CloudError ? err.errorClass : 'Unknown';
    ctx.activities.record({ domainId: domain.id, kind: 'terminate_failed', siteId: row.siteId, instanceId: row.id, cause: `${t.cause}: ${describe(err)}`, errorClass });
    return;
  }
  const first = row.lifecycleState < S.TERMINATING;
  const finalState = Math.max(t.finalState, row.lifecycleState);
  await applyChange(ctx.db, row, { lifecycleState: finalState, stateReason: first ? t.reason : row.stateReason, terminateRequested: row.terminateRequested || finalState === S.TERMINATING }, ctx.now);
  if (first) ctx.activities.record({ domainId: domain.id, kind: 'terminate', siteId: row.siteId, instanceId: row.id, cause: t.cause });
}
