// The one contract every cloud driver passes (issue 4). Each driver's test file supplies a
// ContractTarget (the driver, credentials, a valid image/type/key, and hooks to inject a capacity
// failure and to let VMs boot) and calls describeDriverContract. The suite only speaks the port
// (src/drivers/cloud-driver.ts), so it holds for unwrapped and guarded drivers alike.
import { randomUUID } from 'node:crypto';
import { LIFECYCLE_STATES, type CloudDriver, type CloudInstance, type LaunchRequest, type PhantomTags, type SiteCredentials } from '../../src/drivers/cloud-driver';
import { CloudError, type CloudErrorClass } from '../../src/errors';

export interface ContractTarget {
  driver: CloudDriver;            // the driver under test (unwrapped or guarded)
  creds: SiteCredentials;         // accepted
  badCreds: SiteCredentials;      // rejected → CloudError AuthFailed
  imageId: string;                // a valid public image at the site
  instanceType: string;           // a valid type
  keyName: string;                // an existing key pair
  /**
   * Make the site refuse the next launch for lack of capacity (→ OutOfCapacity). Called once, by
   * the last test of the suite, so it may leave the site refusing every later launch.
   */
  injectCapacityError(): Promise<void>;
  /** Let time pass / advance the fake clock so PENDING VMs become RUNNING. */
  advanceBoot(): Promise<void>;
  close(): Promise<void>;
  /** An id the site has never issued (default: a well-formed EC2-style id no stub issues). */
  unknownIaasId?: string;
  /** An image the site does not offer (default: a well-formed AMI id no stub offers). */
  invalidImageId?: string;
}

const DEFAULT_UNKNOWN_ID = 'i-0f0f0f0f0f0f0f0f0';
const DEFAULT_INVALID_IMAGE = 'ami-0deadbeefdeadbeef';

/** Rejects with an Error naming the call when a driver throws anything but a CloudError. */
function onlyCloudErrors(driver: CloudDriver): CloudDriver {
  const guard = <T>(call: string, p: Promise<T>): Promise<T> =>
    p.catch((err: unknown) => {
      if (err instanceof CloudError) throw err;
      const what = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      throw new Error(`contract: ${call} threw a non-CloudError (${what})`);
    });
  return {
    get siteId() {
      return driver.siteId;
    },
    listInstances: (c, i) => guard('listInstances', driver.listInstances(c, i)),
    launch: (c, r) => guard('launch', driver.launch(c, r)),
    terminate: (c, id) => guard('terminate', driver.terminate(c, id)),
    listImages: (c) => guard('listImages', driver.listImages(c)),
    listKeyPairs: (c) => guard('listKeyPairs', driver.listKeyPairs(c)),
    validateCredentials: (c) => guard('validateCredentials', driver.validateCredentials(c)),
  };
}

async function expectCloudError(p: Promise<unknown>, errorClass: CloudErrorClass): Promise<void> {
  const outcome = await p.then(
    () => ({ resolved: true as const }),
    (err: unknown) => ({ resolved: false as const, err }),
  );
  if (outcome.resolved) throw new Error(`contract: expected CloudError ${errorClass}, but the call succeeded`);
  expect(outcome.err).toBeInstanceOf(CloudError);
  expect((outcome.err as CloudError).errorClass).toBe(errorClass);
}

export function describeDriverContract(name: string, setup: () => Promise<ContractTarget>): void {
  describe(`cloud driver contract: ${name}`, () => {
    let t: ContractTarget;
    let driver: CloudDriver;
    // Unique per run: drivers backed by shared state (a database, a stub) never see another run's VMs.
    const installation = `inst-${randomUUID()}`;

    beforeAll(async () => {
      t = await setup();
      driver = onlyCloudErrors(t.driver);
    });
    afterAll(async () => {
      await t?.close();
    });

    const tagsFor = (inst = installation): PhantomTags => ({ installation: inst, domainId: `dom-${randomUUID()}`, instanceId: randomUUID() });
    const request = (tags = tagsFor()): LaunchRequest => ({
      clientToken: randomUUID(),
      imageId: t.imageId,
      instanceType: t.instanceType,
      keyName: t.keyName,
      userData: '#!/bin/sh\necho hello from phantom\n',
      tags,
    });
    const mine = (list: CloudInstance[], tags: PhantomTags): CloudInstance[] => list.filter((i) => i.tags.instanceId === tags.instanceId);
    const listed = async (iaasId: string): Promise<CloudInstance | undefined> =>
      (await driver.listInstances(t.creds, installation)).find((i) => i.iaasId === iaasId);

    it('launches an instance carrying the given tags, PENDING or RUNNING', async () => {
      const req = request();
      const vm = await driver.launch(t.creds, req);
      expect(vm.iaasId).toEqual(expect.any(String));
      expect(vm.iaasId.length).toBeGreaterThan(0);
      expect(vm.tags).toMatchObject(req.tags);
      expect([LIFECYCLE_STATES.PENDING, LIFECYCLE_STATES.RUNNING]).toContain(vm.state);
      const seen = await listed(vm.iaasId);
      expect(seen?.tags).toMatchObject(req.tags);
    });

    it('returns the same VM when a launch is retried with the same client token, never a second', async () => {
      const req = request();
      const first = await driver.launch(t.creds, req);
      const again = await driver.launch(t.creds, req);
      expect(again.iaasId).toBe(first.iaasId);
      const list = await driver.listInstances(t.creds, installation);
      const forToken = mine(list, req.tags);
      expect(forToken.map((i) => i.iaasId)).toEqual([first.iaasId]);
      if (forToken[0].clientToken !== undefined) expect(forToken[0].clientToken).toBe(req.clientToken);
    });

    it('lists only the VMs tagged with the asked installation', async () => {
      const ours = await driver.launch(t.creds, request());
      const theirs = await driver.launch(t.creds, request(tagsFor(`other-${randomUUID()}`)));
      const list = await driver.listInstances(t.creds, installation);
      const ids = list.map((i) => i.iaasId);
      expect(ids).toContain(ours.iaasId);
      expect(ids).not.toContain(theirs.iaasId);
      for (const vm of list) expect(vm.tags.installation).toBe(installation);
      await driver.terminate(t.creds, theirs.iaasId);
    });

    it('reports a launched VM RUNNING once it has booted, then TERMINATED (or gone) after terminate', async () => {
      const vm = await driver.launch(t.creds, request());
      await t.advanceBoot();
      expect((await listed(vm.iaasId))?.state).toBe(LIFECYCLE_STATES.RUNNING);
      await driver.terminate(t.creds, vm.iaasId);
      const after = await listed(vm.iaasId);
      if (after) expect(after.state).toBe(LIFECYCLE_STATES.TERMINATED);
    });

    it('terminates idempotently: again, and for an id the site never issued', async () => {
      const vm = await driver.launch(t.creds, request());
      await driver.terminate(t.creds, vm.iaasId);
      await expect(driver.terminate(t.creds, vm.iaasId)).resolves.toBeUndefined();
      await expect(driver.terminate(t.creds, t.unknownIaasId ?? DEFAULT_UNKNOWN_ID)).resolves.toBeUndefined();
    });

    it('lists the public image and the key pair', async () => {
      const images = await driver.listImages(t.creds);
      expect(images.public).toContain(t.imageId);
      expect(Array.isArray(images.user)).toBe(true);
      expect(await driver.listKeyPairs(t.creds)).toContain(t.keyName);
    });

    it('accepts good credentials and rejects bad ones with AuthFailed', async () => {
      await expect(driver.validateCredentials(t.creds)).resolves.toBeUndefined();
      await expectCloudError(driver.validateCredentials(t.badCreds), 'AuthFailed');
    });

    it('refuses an image the site does not offer with InvalidRequest', async () => {
      await expectCloudError(driver.launch(t.creds, { ...request(), imageId: t.invalidImageId ?? DEFAULT_INVALID_IMAGE }), 'InvalidRequest');
    });

    // Last: the injection may leave the site full.
    it('refuses a launch the site has no capacity for with OutOfCapacity', async () => {
      await t.injectCapacityError();
      await expectCloudError(driver.launch(t.creds, request()), 'OutOfCapacity');
    });
  });
}
