// The rows the engine works on, loaded in batches (a constant number of queries per batch of
// domains, never one per domain), and the per-pass index of decrypted credentials.
import type { Db } from '../db/client';
import type { SiteCredentials } from '../drivers/cloud-driver';
import type { SiteCredentialsService } from '../services/site-credentials.service';

export const DOMAIN_SELECT = {
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
  launchConfiguration: {
    select: {
      contextualizationMethod: true,
      userData: true,
      chefRunlist: true,
      chefAttributes: true,
      updatedAt: true,
      sites: { select: { siteId: true, imageId: true, instanceType: true, maxVms: true, rank: true } },
    },
  },
  chefCredential: { select: { serverUrl: true, validationClientName: true, validatorKey: true, updatedAt: true } },
} as const;

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

export type DomainRecord = Awaited<ReturnType<typeof loadDomains>>[number];
export type InstanceRecord = Awaited<ReturnType<typeof loadInstances>>[number];

/** The next batch of domains this replica holds, by id after `afterId`. */
export function loadDomains(db: Db, held: object, afterId: string | null, size: number) {
  return db.domain.findMany({
    where: { ...held, ...(afterId ? { id: { gt: afterId } } : {}) },
    select: DOMAIN_SELECT,
    orderBy: { id: 'asc' },
    take: size,
  });
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
