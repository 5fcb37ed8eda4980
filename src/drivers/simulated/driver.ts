// The simulated cloud: a real driver, not a test double. It behaves like a small EC2 (client
// tokens, boot time, capacity, failures, crashes, terminated VMs listed for an hour) and keeps its
// state in Phantom's database, so restarts and replicas see one cloud.
import { setTimeout as sleep } from 'node:timers/promises';
import { CloudError } from '../../errors';
import type { Clock } from '../../lib/clock';
import { hasPrismaCode, UNIQUE_VIOLATION } from '../../services/prisma-codes';
import type { CloudDriver, CloudInstance, ImageLists, LaunchRequest, SiteCredentials } from '../cloud-driver';
import { toCloudInstance } from './instance-view';
import { crashTime, expired, observe, RECORDED_STATE, REASONS } from './lifecycle';
import type { SimulatedOptions } from './options';
import type { SimulatedStore, SimulatedVmRow } from './store';
import { newVmIdentity } from './vm-identity';

/** Uniform numbers in [0, 1); injectable so failure and crash draws can be made deterministic. */
export type RandomSource = () => number;

export interface SimulatedSite {
  id: string;
  instanceTypes: string[];
  options: SimulatedOptions;
}

/** The access key that the simulated cloud refuses, so auth failures can be tested. */
export const REJECTED_ACCESS_KEY = 'invalid';

export class SimulatedDriver implements CloudDriver {
  /** Serialises this process's launches at a site with a capacity, so they never overshoot it together. */
  private launches: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly site: SimulatedSite,
    private readonly store: SimulatedStore,
    private readonly clock: Clock,
    private readonly random: RandomSource,
  ) {}

  get siteId(): string {
    return this.site.id;
  }

  async listInstances(creds: SiteCredentials, installation: string): Promise<CloudInstance[]> {
    await this.apiCall(creds);
    const now = this.clock.now();
    const out: CloudInstance[] = [];
    for (const r of await this.store.listed(now, this.site.id, installation)) {
      if (!expired(observe(r, now), now)) out.push(toCloudInstance(r, now));
    }
    return out;
  }

  async launch(creds: SiteCredentials, req: LaunchRequest): Promise<CloudInstance> {
    await this.apiCall(creds);
    const existing = await this.store.findByToken(this.site.id, req.clientToken);
    if (existing) return this.sameRequest(existing, req);
    this.checkRequest(req);
    // Only a capacity check needs launches in line (count, then insert); without a capacity the
    // unique (site, clientToken) key alone keeps a token to one VM, so launches run concurrently.
    if (this.site.options.capacity === undefined) return this.launchNew(req);
    const next = this.launches.then(() => this.launchNew(req));
    this.launches = next.catch(() => undefined);
    return next;
  }

  async terminate(creds: SiteCredentials, iaasId: string): Promise<void> {
    await this.apiCall(creds);
    const row = await this.store.findById(this.site.id, iaasId);
    if (!row) return;
    const now = this.clock.now();
    if (observe(row, now).goneAt) return;
    await this.store.markTerminated(this.site.id, iaasId, now, REASONS.userTerminated);
  }

  async listImages(creds: SiteCredentials): Promise<ImageLists> {
    await this.apiCall(creds);
    return { public: [...this.site.options.public_images], user: [] };
  }

  async listKeyPairs(creds: SiteCredentials): Promise<string[]> {
    await this.apiCall(creds);
    return [...this.site.options.key_names];
  }

  async validateCredentials(creds: SiteCredentials): Promise<void> {
    await this.apiCall(creds);
  }

  /** What every call costs: latency, authentication, and a chance of a transient API error. */
  private async apiCall(creds: SiteCredentials): Promise<void> {
    const { api_latency_ms: latency, api_error_rate: errorRate } = this.site.options;
    if (latency > 0) await sleep(latency);
    if (creds.accessKey === REJECTED_ACCESS_KEY) throw new CloudError('AuthFailed', `AuthFailure: site ${this.site.id} refused the credentials`);
    if (errorRate > 0 && this.random() < errorRate) throw new CloudError('Transient', `InternalError: simulated API error at site ${this.site.id}`);
  }

  private checkRequest(req: LaunchRequest): void {
    const { public_images: images, key_names: keys } = this.site.options;
    if (!images.includes(req.imageId)) throw new CloudError('InvalidRequest', `InvalidAMIID.NotFound: image ${req.imageId} does not exist at site ${this.site.id}`);
    if (!this.site.instanceTypes.includes(req.instanceType)) {
      throw new CloudError('InvalidRequest', `InvalidParameterValue: instance type ${req.instanceType} is not offered by site ${this.site.id}`);
    }
    if (req.keyName !== undefined && !keys.includes(req.keyName)) {
      throw new CloudError('InvalidRequest', `InvalidKeyPair.NotFound: key pair ${req.keyName} does not exist at site ${this.site.id}`);
    }
  }

  /** Like EC2, a client token reused with different parameters is a client error, not a new VM. */
  private sameRequest(row: SimulatedVmRow, req: LaunchRequest): CloudInstance {
    if (row.imageId !== req.imageId || row.instanceType !== req.instanceType) {
      throw new CloudError('InvalidRequest', 'IdempotentParameterMismatch: the client token was already used for a different launch');
    }
    return toCloudInstance(row, this.clock.now());
  }

  private async launchNew(req: LaunchRequest): Promise<CloudInstance> {
    const now = this.clock.now();
    const { capacity } = this.site.options;
    if (capacity !== undefined) {
      // A retry queued behind the launch it repeats must get that VM, not a capacity error. (Without a
      // capacity the insert below finds a concurrent twin through the unique key instead.)
      const earlier = await this.store.findByToken(this.site.id, req.clientToken);
      if (earlier) return this.sameRequest(earlier, req);
      // Replicas launching at once may overshoot capacity by a VM or two; a simulation can live with that.
      if ((await this.store.countActive(this.site.id, now)) >= capacity) {
        throw new CloudError('OutOfCapacity', `InsufficientInstanceCapacity: site ${this.site.id} has no capacity for more instances`);
      }
    }
    const row = this.draw(req, now);
    for (let attempt = 0; ; attempt++) {
      try {
        return toCloudInstance(await this.store.insert({ ...row, ...newVmIdentity(this.site.id) }), now);
      } catch (err) {
        if (!hasPrismaCode(err, UNIQUE_VIOLATION)) throw err;
        // Another replica (or a concurrent retry) created this token's VM first: that one is the VM.
        const winner = await this.store.findByToken(this.site.id, req.clientToken);
        if (winner) return this.sameRequest(winner, req);
        if (attempt >= 3) throw err; // repeated id collisions: something else is wrong
      }
    }
  }

  /** The new VM's fate, drawn now: whether its boot fails and when (if ever) it crashes. */
  private draw(req: LaunchRequest, now: Date): Omit<SimulatedVmRow, 'iaasId' | 'hostname' | 'privateIp' | 'publicIp'> {
    const { boot_seconds: boot, launch_failure_rate: failureRate, crash_rate_per_hour: crashRate } = this.site.options;
    const runningAt = new Date(now.getTime() + boot * 1000);
    const failsAtBoot = failureRate > 0 && this.random() < failureRate;
    return {
      site: this.site.id,
      clientToken: req.clientToken,
      installation: req.tags.installation,
      tags: JSON.stringify(req.tags),
      state: RECORDED_STATE.PENDING,
      failsAtBoot,
      imageId: req.imageId,
      instanceType: req.instanceType,
      keyName: req.keyName ?? null,
      userData: req.userData ?? null,
      createdAt: now,
      runningAt,
      crashAt: failsAtBoot ? null : crashTime(runningAt, crashRate, this.random()),
      terminatedAt: null,
      reason: null,
    };
  }
}
