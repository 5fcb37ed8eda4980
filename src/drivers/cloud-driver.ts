// The port every cloud driver implements. The engine and the resource API speak only this
// interface; drivers speak their cloud's wire protocol. Every method may throw only CloudError
// (src/errors.ts), classified so callers can react: OutOfCapacity, QuotaExceeded, RateLimited (with
// retryAfterSeconds), AuthFailed, InvalidRequest (permanent: bad image, bad type), Transient, Unknown.
// Callers wrap drivers in a per-call timeout and a per-site rate limit (see guarded-driver.ts).

/** Phantom's numbered lifecycle states (the original's), ordered: states only move forward. */
export const LIFECYCLE_STATES = {
  REQUESTING: 100,
  REQUESTED: 200,
  ERROR_RETRYING: 300,
  PENDING: 400,
  STARTED: 500,
  RUNNING: 600,
  RUNNING_FAILED: 650,
  TERMINATING: 700,
  TERMINATED: 800,
  FAILED: 900,
  REJECTED: 950,
} as const;

export type LifecycleStateName = keyof typeof LIFECYCLE_STATES;
export type LifecycleCode = (typeof LIFECYCLE_STATES)[LifecycleStateName];

/** "400-PENDING" etc., the wire form of a state. */
export function lifecycleLabel(code: number): string {
  const name = (Object.keys(LIFECYCLE_STATES) as LifecycleStateName[]).find((k) => LIFECYCLE_STATES[k] === code);
  return name ? `${code}-${name}` : String(code);
}

/** A user's credentials for one site, decrypted, as the driver needs them. */
export interface SiteCredentials {
  accessKey: string;
  secretKey: string;
  keyName: string;
}

/** Tags Phantom puts on every VM it creates, so it can always find its own VMs again. */
export interface PhantomTags {
  /** This Phantom installation's id: VMs of other installations sharing an account are never touched. */
  installation: string;
  domainId: string;
  /** The Phantom instance id (a UUID). */
  instanceId: string;
}

export interface LaunchRequest {
  /** Idempotency key: launching again with the same token never creates a second VM. */
  clientToken: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  /** Passed verbatim; drivers encode it as their API requires. */
  userData?: string;
  tags: PhantomTags;
}

/** A VM as the cloud reports it, with its provider state mapped onto Phantom's lifecycle. */
export interface CloudInstance {
  iaasId: string;
  clientToken?: string;
  tags: Partial<PhantomTags>;
  /** One of 400 PENDING, 600 RUNNING, 700 TERMINATING, 800 TERMINATED, 900 FAILED, 300 ERROR_RETRYING. */
  state: LifecycleCode;
  stateReason?: string;
  imageId?: string;
  instanceType?: string;
  keyName?: string;
  hostname?: string;
  publicIp?: string;
  privateIp?: string;
  launchedAt?: Date;
}

export interface ImageLists {
  /** Public images offered by the site. */
  public: string[];
  /** The caller's own images that are not public. */
  user: string[];
}

export interface CloudDriver {
  /** The site this driver instance serves. */
  readonly siteId: string;

  /**
   * Every VM at the site tagged with `installation`, including recently terminated ones the cloud
   * still reports. One logical call per site (the driver pages through results itself).
   */
  listInstances(creds: SiteCredentials, installation: string): Promise<CloudInstance[]>;

  /**
   * Creates one VM. Idempotent by `req.clientToken`: a retry with the same token returns the VM the
   * first call created instead of creating another.
   */
  launch(creds: SiteCredentials, req: LaunchRequest): Promise<CloudInstance>;

  /** Terminates a VM. Idempotent: terminating a VM that is already gone succeeds. */
  terminate(creds: SiteCredentials, iaasId: string): Promise<void>;

  listImages(creds: SiteCredentials): Promise<ImageLists>;

  listKeyPairs(creds: SiteCredentials): Promise<string[]>;

  /** Resolves when the credentials are accepted by the site; AuthFailed otherwise. */
  validateCredentials(creds: SiteCredentials): Promise<void>;
}
