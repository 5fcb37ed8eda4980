// Launching VMs. The record (100-REQUESTING, with its client token) is committed before the cloud is
// called, so a crash between the two can never lose a VM: a restarted engine finds the VM by token
// (adoption) or launches again with the same token, which the cloud answers with the same VM.
// A failed launch marks the record 900-FAILED with the error class in state_reason and feeds the
// backoff, so the next decision places that demand on the next rank. (Transient errors fail the
// record too, rather than retrying it in place: a retry in place would pin the demand to a failing
// site. If the VM was created after all, the sweep terminates it, since its record is terminal.)
import { v4 as uuidv4 } from 'uuid';
import { CloudError, type CloudErrorClass } from '../errors';
import { isHealthy } from '../policies';
import type { LaunchSite } from './backoff';
import { ContextualizationError, userDataFor } from './contextualization';
import type { PassContext } from './context';
import { describe } from './listings';
import { INSTANCE_SELECT, type DomainRecord, type InstanceRecord } from './records';
import { applyChange, observedChange, S } from './transitions';

export function domainFingerprint(d: DomainRecord): string {
  const { launchConfiguration: lc, chefCredential: chef } = d;
  return JSON.stringify([
    d.deName, d.vmCount, d.sensorMinimumVms, d.sensorMaximumVms, d.launchConfigurationId, d.chefCredentialId,
    lc.updatedAt.toISOString(), chef?.updatedAt.toISOString() ?? null,
  ]);
}

export function launchSite(ctx: PassContext, d: DomainRecord, siteId: string, instanceType: string): LaunchSite {
  return {
    domainId: d.id,
    userId: d.userId,
    siteId,
    instanceType,
    domainFingerprint: domainFingerprint(d),
    credentialsFingerprint: ctx.credentials.get(d.userId, siteId)?.fingerprint ?? 'none',
  };
}

/** Creates the REQUESTING record of a new launch at `siteId`; null when the site left the LC. */
export async function createRecord(ctx: PassContext, d: DomainRecord, siteId: string): Promise<InstanceRecord | null> {
  const site = d.launchConfiguration.sites.find((s) => s.siteId === siteId);
  if (!site) return null;
  const keyName = ctx.credentials.get(d.userId, siteId)?.secrets.keyName || null;
  return ctx.db.instance.create({
    data: {
      id: uuidv4(),
      domainId: d.id,
      siteId,
      clientToken: uuidv4(),
      lifecycleState: S.REQUESTING,
      imageId: site.imageId,
      instanceType: site.instanceType,
      keyname: keyName,
      createdAt: ctx.now,
      stateChangedAt: ctx.now,
    },
    select: INSTANCE_SELECT,
  });
}

/**
 * Calls the cloud for a REQUESTING record (new, or left by a crash). Returns false when the launch
 * failed, so the caller stops launching at that site this pass.
 */
export async function launch(ctx: PassContext, d: DomainRecord, row: InstanceRecord, rows: InstanceRecord[], cause: string): Promise<boolean> {
  const at = launchSite(ctx, d, row.siteId, row.instanceType);
  try {
    const creds = ctx.credentials.get(d.userId, row.siteId);
    if (!creds) throw new CloudError('AuthFailed', `no credentials for site ${row.siteId}`);
    const vm = await ctx.drivers.driver(row.siteId).launch(creds.secrets, {
      clientToken: row.clientToken,
      imageId: row.imageId,
      instanceType: row.instanceType,
      keyName: row.keyname ?? undefined,
      userData: userDataFor(d.launchConfiguration, row.id, chefServer(ctx, d)),
      tags: { installation: ctx.installationId, domainId: d.id, instanceId: row.id },
    });
    const change = observedChange(row, vm, ctx.now) ?? {};
    await applyChange(ctx.db, row, { ...change, lifecycleState: Math.max(vm.state, S.PENDING), launchedAt: ctx.now }, ctx.now);
    ctx.backoff.succeeded(at);
    ctx.activities.record({ domainId: d.id, kind: 'launch', siteId: row.siteId, instanceId: row.id, cause });
    return true;
  } catch (err) {
    const errorClass = classOf(err);
    const message = err instanceof Error ? err.message : String(err);
    const healthyOnSite = rows.filter((r) => r.id !== row.id && r.siteId === row.siteId && isHealthy(toHealth(r))).length;
    ctx.backoff.failed(at, { errorClass, message, retryAfterSeconds: err instanceof CloudError ? err.retryAfterSeconds : undefined }, healthyOnSite, ctx.now);
    await applyChange(ctx.db, row, { lifecycleState: S.FAILED, stateReason: `${errorClass}: ${message}`.slice(0, 1000) }, ctx.now);
    ctx.activities.record({ domainId: d.id, kind: 'launch_failed', siteId: row.siteId, instanceId: row.id, cause: `${cause}: ${describe(err)}`, errorClass });
    return false;
  }
}

function classOf(err: unknown): CloudErrorClass {
  if (err instanceof CloudError) return err.errorClass;
  if (err instanceof ContextualizationError) return 'InvalidRequest';
  return 'Unknown';
}

function toHealth(r: InstanceRecord): { id: string; siteId: string; state: number; createdAt: Date; terminateRequested: boolean } {
  return { id: r.id, siteId: r.siteId, state: r.lifecycleState, createdAt: r.createdAt, terminateRequested: r.terminateRequested };
}

function chefServer(ctx: PassContext, d: DomainRecord): { serverUrl: string; validationClientName: string; validatorKey: string } | null {
  const chef = d.chefCredential;
  if (!chef) return null;
  return { serverUrl: chef.serverUrl, validationClientName: chef.validationClientName, validatorKey: ctx.secretBox.open(chef.validatorKey) };
}
