// The rows the engine works on, loaded in batches (a constant number of queries per batch of
// domains, never one per domain), and the per-pass index of decrypted credentials.
import type { Db } from '../db/client';
import type { SiteCredentials } from '../drivers/cloud-driver';
import type { SiteCredentialsService } from '../services/site-credentials.service';

/** The domain columns a pass reads (its launch configuration and chef credential come per batch). */
const DOMAIN_COLUMNS = {
  id: true,
  userId: true,
  state: true,
  deName: true,
  vmCount: true,
  sensorMinimumVms: true,
  sensorMaximumVms: true,
  sensorMetric: true,
  sensorScaleUpThreshold: true,
  sensorScaleDownThreshold: true,
  sensorScaleUpVms: true,
  sensorScaleDownVms: true,
  sensorCooldown: true,
  monitorDomainSensors: true,
  launchConfigurationId: true,
  chefCredentialId: true,
  unplacedVms: true,
  unplacedReason: true,
  desiredVms: true,
  lastSensorActionAt: true,
} as const;

const LAUNCH_CONFIGURATION_SELECT = {
  id: true,
  contextualizationMethod: true,
  userData: true,
  chefRunlist: true,
  chefAttributes: true,
  updatedAt: true,
  sites: { select: { siteId: true, imageId: true, instanceType: true, maxVms: true, rank: true } },
} as const;

const CHEF_CREDENTIAL_SELECT = { id: true, serverUrl: true, validationClientName: true, validatorKey: true, updatedAt: true } as const;

export const INSTANCE_SELECT = {
  id: true,
  domainId: true,
  siteId: true,
  clientToken: true,
  iaasInstanceId: true,
  lifecycleState: true,
  stateReason: true,
  terminateRequested: true,
  imageId: true,
  instanceType: true,
  keyname: true,
  hostname: true,
  publicIp: true,
  privateIp: true,
  createdAt: true,
  launchedAt: true,
  stateChangedAt: true,
} as const;

type DomainRow = Awaited<ReturnType<typeof domainRows>>[number];
export type LaunchConfigurationRecord = Awaited<ReturnType<typeof launchConfigurations>>[number];
export type ChefCredentialRecord = Awaited<ReturnType<typeof chefCredentials>>[number];
/**
 * A domain with its launch configuration and chef credential. Domains of a batch sharing a launch
 * configuration share one object (read-only for the engine).
 */
export type DomainRecord = DomainRow & { launchConfiguration: LaunchConfigurationRecord; chefCredential: ChefCredentialRecord | null };
export type InstanceRecord = Awaited<ReturnType<typeof loadInstances>>[number];

/** Stands in for a deleted launch configuration: no sites, so no launches and every VM is excess. */
function noLaunchConfiguration(id: string): LaunchConfigurationRecord {
  return { id, contextualizationMethod: 'none', userData: null, chefRunlist: null, chefAttributes: null, updatedAt: new Date(0), sites: [] };
}

function domainRows(db: Db, held: object, afterId: string | null, size: number) {
  return db.domain.findMany({
    where: { ...held, ...(afterId ? { id: { gt: afterId } } : {}) },
    select: DOMAIN_COLUMNS,
    orderBy: { id: 'asc' },
    take: size,
  });
}

function launchConfigurations(db: Db, ids: string[]) {
  return db.launchConfiguration.findMany({ where: { id: { in: ids } }, select: LAUNCH_CONFIGURATION_SELECT });
}

function chefCredentials(db: Db, ids: number[]) {
  return db.chefCredential.findMany({ where: { id: { in: ids } }, select: CHEF_CREDENTIAL_SELECT });
}

/**
 * The next batch of domains this replica holds, by id after `afterId`. Launch configurations and chef
 * credentials are read once per batch for the distinct ids (a fleet's thousands of domains typically
 * share a handful), not materialised again for every domain.
 */
export async function loadDomains(db: Db, held: object, afterId: string | null, size: number): Promise<DomainRecord[]> {
  const rows = await domainRows(db, held, afterId, size);
  if (rows.length === 0) return [];
  const lcIds = [...new Set(rows.flatMap((r) => (r.launchConfigurationId === null ? [] : [r.launchConfigurationId])))];
  const chefIds = [...new Set(rows.flatMap((r) => (r.chefCredentialId === null ? [] : [r.chefCredentialId])))];
  const [lcs, chefs] = await Promise.all([launchConfigurations(db, lcIds), chefIds.length > 0 ? chefCredentials(db, chefIds) : []]);
  const lcById = new Map(lcs.map((lc) => [lc.id, lc]));
  const chefById = new Map(chefs.map((c) => [c.id, c]));
  const out: DomainRecord[] = [];
  for (const r of rows) {
    const found = r.launchConfigurationId === null ? undefined : lcById.get(r.launchConfigurationId);
    // A launch configuration can only be deleted once no active domain uses it, so a missing one
    // belongs to a terminating domain: it launches nothing and has its VMs terminated. An active
    // domain without one (a delete racing a create) is left alone rather than trimmed to nothing.
    if (!found && r.state !== 'terminating') continue;
    const launchConfiguration = found ?? noLaunchConfiguration(r.launchConfigurationId ?? '');
    out.push({ ...r, launchConfiguration, chefCredential: r.chefCredentialId === null ? null : (chefById.get(r.chefCredentialId) ?? null) });
  }
  return out;
}

export function loadInstances(db: Db, domainIds: string[]) {
  return db.instance.findMany({ where: { domainId: { in: domainIds } }, select: INSTANCE_SELECT, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
}

export interface CredentialEntry {
  secrets: SiteCredentials;
  /** Changes whenever the credentials are updated. */
  fingerprint: string;
}

/** Decrypted credentials by user and site. */
export class CredentialsIndex {
  private readonly byKey = new Map<string, CredentialEntry>();

  static async load(service: SiteCredentialsService, userIds: number[]): Promise<CredentialsIndex> {
    const index = new CredentialsIndex();
    for (const c of await service.secretsForUsers(userIds)) {
      index.byKey.set(key(c.userId, c.siteId), { secrets: c.secrets, fingerprint: c.updatedAt.toISOString() });
    }
    return index;
  }

  get(userId: number, siteId: string): CredentialEntry | undefined {
    return this.byKey.get(key(userId, siteId));
  }
}

const key = (userId: number, siteId: string): string => `${userId}\u0000${siteId}`;
