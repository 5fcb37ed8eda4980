// The ec2 driver against a local EC2 Query API stub: the real SDK, real HTTP, real SigV4 signing.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { LIFECYCLE_STATES, type LaunchRequest, type PhantomTags, type SiteCredentials } from '../../src/drivers/cloud-driver';
import { Ec2Driver } from '../../src/drivers/ec2';
import { DEFAULT_RETRY_AFTER_SECONDS } from '../../src/drivers/ec2/classify-error';
import { parseEc2Options, validateEc2Options } from '../../src/drivers/ec2/options';
import { CloudError, type CloudErrorClass } from '../../src/errors';
import { DEFAULT_ACCOUNT, OWN_IMAGE, PUBLIC_IMAGE, PUBLIC_IMAGE_2, startEc2Stub, type Ec2Stub } from '../helpers/ec2-stub';

const creds: SiteCredentials = { accessKey: DEFAULT_ACCOUNT.accessKey, secretKey: DEFAULT_ACCOUNT.secretKey, keyName: 'phantom-key' };

let stub: Ec2Stub;
let driver: Ec2Driver;
const drivers: Ec2Driver[] = [];

function driverFor(options: Record<string, unknown> = {}): Ec2Driver {
  const d = new Ec2Driver('ec2-test', parseEc2Options({ endpoint: stub.endpoint, region: 'us-east-1', ...options }));
  drivers.push(d);
  return d;
}

function tagsFor(installation = `inst-${randomUUID()}`): PhantomTags {
  return { installation, domainId: `dom-${randomUUID().slice(0, 8)}`, instanceId: randomUUID() };
}

function launchRequest(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  return { clientToken: randomUUID(), imageId: PUBLIC_IMAGE, instanceType: 'm1.small', tags: tagsFor(), ...overrides };
}

async function cloudError(p: Promise<unknown>): Promise<CloudError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof CloudError)) throw new Error(`expected a CloudError, got ${String(err)}`);
  return err;
}

async function expectClass(p: Promise<unknown>, errorClass: CloudErrorClass): Promise<CloudError> {
  const err = await cloudError(p);
  expect(err.errorClass).toBe(errorClass);
  return err;
}

/** A raw POST to the stub, to see what it answers requests the SDK would never send. */
function rawPost(body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${stub.endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

beforeEach(async () => {
  stub = await startEc2Stub();
  driver = driverFor();
});

afterEach(async () => {
  for (const d of drivers.splice(0)) d.close();
  await stub.close();
});

describe('ec2 driver: launch', () => {
  it('launches one tagged VM with the key pair from the credentials and reports it PENDING', async () => {
    const req = launchRequest();
    const vm = await driver.launch(creds, req);
    expect(vm).toMatchObject({
      iaasId: expect.stringMatching(/^i-[0-9a-f]{17}$/),
      clientToken: req.clientToken,
      tags: req.tags,
      state: LIFECYCLE_STATES.PENDING,
      imageId: PUBLIC_IMAGE,
      instanceType: 'm1.small',
      keyName: 'phantom-key',
      privateIp: expect.stringMatching(/^10\.0\./),
      hostname: expect.stringMatching(/\.ec2\.internal$/),
    });
    expect(vm.launchedAt).toBeInstanceOf(Date);
    const [held] = stub.instances();
    expect(held.tags).toEqual({
      'phantom:installation': req.tags.installation,
      'phantom:domain': req.tags.domainId,
      'phantom:instance': req.tags.instanceId,
      Name: `phantom-${req.tags.domainId}-${req.tags.instanceId}`,
    });
  });

  it('prefers the launch request key name over the credentials one', async () => {
    const vm = await driver.launch(creds, launchRequest({ keyName: 'other-key' }));
    expect(vm.keyName).toBe('other-key');
  });

  it('sends user data base64-encoded, decoding to exactly the original', async () => {
    const userData = '#!/bin/bash\necho "héllo → phantom" > /tmp/ctx\nexit 0\n';
    await driver.launch(creds, launchRequest({ userData }));
    const onWire = stub.instances()[0].userData ?? '';
    expect(onWire).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(onWire, 'base64').toString('utf8')).toBe(userData);
  });

  it('retried with the same ClientToken after a lost response, creates no second VM', async () => {
    const req = launchRequest();
    // The stub creates the VM, then the answer is lost: the caller sees a 500.
    stub.failNext('RunInstances', 'InternalError', { afterApplying: true });
    await expectClass(driver.launch(creds, req), 'Transient');
    expect(stub.instances()).toHaveLength(1);

    const retried = await driver.launch(creds, req);
    const again = await driver.launch(creds, req);
    expect(stub.calls('RunInstances')).toBe(3);
    expect(stub.instances()).toHaveLength(1);
    expect(retried.iaasId).toBe(stub.instances()[0].instanceId);
    expect(again.iaasId).toBe(retried.iaasId);
    const listed = await driver.listInstances(creds, req.tags.installation);
    expect(listed.map((i) => i.iaasId)).toEqual([retried.iaasId]);
  });

  it('lets the SDK retry a lost response itself when max_attempts allows, still with one VM', async () => {
    const retrying = driverFor({ max_attempts: 2 });
    const req = launchRequest();
    stub.failNext('RunInstances', 'InternalError', { afterApplying: true });
    const vm = await retrying.launch(creds, req);
    expect(stub.calls('RunInstances')).toBe(2);
    expect(stub.instances().map((i) => i.instanceId)).toEqual([vm.iaasId]);
  });
});

describe('ec2 driver: listing', () => {
  it('pages through DescribeInstances (page size 2, 5 VMs) and returns only this installation', async () => {
    stub.setPageSize(2);
    const installation = `inst-${randomUUID()}`;
    const launched: string[] = [];
    for (let n = 0; n < 5; n++) launched.push((await driver.launch(creds, launchRequest({ tags: tagsFor(installation) }))).iaasId);
    await driver.launch(creds, launchRequest());
    const before = stub.calls('DescribeInstances');
    const listed = await driver.listInstances(creds, installation);
    expect(stub.calls('DescribeInstances') - before).toBe(3);
    expect(listed.map((i) => i.iaasId).sort()).toEqual([...launched].sort());
    for (const vm of listed) expect(vm.tags.installation).toBe(installation);
  });

  it('honours the page_size option as MaxResults', async () => {
    const paged = driverFor({ page_size: 5 });
    const installation = `inst-${randomUUID()}`;
    for (let n = 0; n < 7; n++) await paged.launch(creds, launchRequest({ tags: tagsFor(installation) }));
    const listed = await paged.listInstances(creds, installation);
    expect(listed).toHaveLength(7);
    expect(stub.calls('DescribeInstances')).toBe(2);
  });

  it('maps states: PENDING, RUNNING with public address and hostname, then TERMINATED with a reason', async () => {
    const req = launchRequest();
    const vm = await driver.launch(creds, req);
    stub.advanceBoot();
    const [running] = await driver.listInstances(creds, req.tags.installation);
    expect(running).toMatchObject({ iaasId: vm.iaasId, state: LIFECYCLE_STATES.RUNNING, tags: req.tags, clientToken: req.clientToken });
    expect(running.publicIp).toMatch(/^203\.0\.113\./);
    expect(running.hostname).toMatch(/\.compute-1\.amazonaws\.com$/);
    await driver.terminate(creds, vm.iaasId);
    const [gone] = await driver.listInstances(creds, req.tags.installation);
    expect(gone.state).toBe(LIFECYCLE_STATES.TERMINATED);
    expect(gone.stateReason).toMatch(/User initiated shutdown/);
    expect(gone.publicIp).toBeUndefined();
  });

  it('boots VMs after the stub boot delay without being told', async () => {
    await stub.close();
    stub = await startEc2Stub({ bootDelayMs: 50 });
    const d = driverFor();
    const req = launchRequest();
    await d.launch(creds, req);
    await new Promise((r) => setTimeout(r, 80));
    expect((await d.listInstances(creds, req.tags.installation))[0].state).toBe(LIFECYCLE_STATES.RUNNING);
  });

  it('lists public images and the caller own private ones, apart', async () => {
    const images = await driver.listImages(creds);
    expect(images.public.sort()).toEqual([PUBLIC_IMAGE, PUBLIC_IMAGE_2].sort());
    expect(images.user).toEqual([OWN_IMAGE]);
  });

  it('caps image lists at image_limit', async () => {
    const capped = driverFor({ image_limit: 1 });
    const images = await capped.listImages(creds);
    expect(images.public).toHaveLength(1);
  });

  it('lists key pairs', async () => {
    expect(await driver.listKeyPairs(creds)).toEqual(['phantom-key', 'other-key']);
  });
});

describe('ec2 driver: terminate', () => {
  it('terminates, and terminating again or an unknown or malformed id succeeds', async () => {
    const vm = await driver.launch(creds, launchRequest());
    await driver.terminate(creds, vm.iaasId);
    expect(stub.instances()[0].state).toBe('terminated');
    await expect(driver.terminate(creds, vm.iaasId)).resolves.toBeUndefined();
    await expect(driver.terminate(creds, 'i-0123456789abcdef0')).resolves.toBeUndefined();
    await expect(driver.terminate(creds, 'not-an-id')).resolves.toBeUndefined();
  });

  it('still fails on errors other than a gone VM', async () => {
    stub.failNext('TerminateInstances', 'RequestLimitExceeded');
    await expectClass(driver.terminate(creds, 'i-0123456789abcdef0'), 'RateLimited');
  });
});

describe('ec2 driver: error classes', () => {
  it('classifies RequestLimitExceeded as RateLimited with a default retry-after, and makes one request', async () => {
    stub.failNext('RunInstances', 'RequestLimitExceeded', { message: 'Request limit exceeded.' });
    const err = await expectClass(driver.launch(creds, launchRequest()), 'RateLimited');
    expect(err.retryAfterSeconds).toBe(DEFAULT_RETRY_AFTER_SECONDS);
    expect(stub.calls('RunInstances')).toBe(1);
    expect(stub.instances()).toHaveLength(0);
  });

  it('takes retry-after from a Retry-After header when the cloud sends one', async () => {
    stub.failNext('DescribeInstances', 'Throttling', { status: 400, retryAfterSeconds: 17 });
    const err = await expectClass(driver.listInstances(creds, 'x'), 'RateLimited');
    expect(err.retryAfterSeconds).toBe(17);
  });

  it.each([
    ['InsufficientInstanceCapacity', 'OutOfCapacity'],
    ['InsufficientCapacity', 'OutOfCapacity'],
    ['InstanceLimitExceeded', 'QuotaExceeded'],
    ['VcpuLimitExceeded', 'QuotaExceeded'],
    ['Unsupported', 'InvalidRequest'],
    ['Unavailable', 'Transient'],
    ['SomethingNobodyKnows', 'Unknown'],
  ] as const)('classifies %s as %s', async (code, errorClass) => {
    stub.failNext('RunInstances', code);
    const err = await expectClass(driver.launch(creds, launchRequest()), errorClass);
    expect(err.message).toContain(code);
    expect(stub.instances()).toHaveLength(0);
  });

  it.each([
    ['an unknown AMI', { imageId: 'ami-0123456789abcdef0' }, 'InvalidAMIID.NotFound'],
    ['a malformed AMI', { imageId: 'hello-cloud' }, 'InvalidAMIID.Malformed'],
    ['an unknown instance type', { instanceType: 'm9.huge' }, 'InvalidParameterValue'],
    ['an unknown key pair', { keyName: 'nope' }, 'InvalidKeyPair.NotFound'],
  ] as const)('refuses %s as InvalidRequest', async (_what, overrides, code) => {
    const err = await expectClass(driver.launch(creds, launchRequest(overrides)), 'InvalidRequest');
    expect(err.message).toContain(code);
  });

  it('refuses a reused ClientToken with different parameters as InvalidRequest', async () => {
    const req = launchRequest();
    await driver.launch(creds, req);
    await expectClass(driver.launch(creds, { ...req, instanceType: 'm1.large' }), 'InvalidRequest');
    expect(stub.instances()).toHaveLength(1);
  });

  it('fails AuthFailed for an unknown access key and for a wrong secret, never echoing the secret', async () => {
    await expect(driver.validateCredentials(creds)).resolves.toBeUndefined();
    await expectClass(driver.validateCredentials({ ...creds, accessKey: 'AKIAUNKNOWN000000000' }), 'AuthFailed');
    const wrongSecret = { ...creds, secretKey: 'not-the-secret-Zq81' };
    const err = await expectClass(driver.listInstances(wrongSecret, 'x'), 'AuthFailed');
    expect(err.message).toContain('SignatureDoesNotMatch');
    expect(err.message).not.toContain(wrongSecret.secretKey);
    expect(err.message).not.toContain(creds.secretKey);
    // The same access key with the right secret again works: the cached client was replaced.
    await expect(driver.listKeyPairs(creds)).resolves.toContain('phantom-key');
  });

  it('gives up on a hung request after timeout_seconds, as Transient', async () => {
    const impatient = driverFor({ timeout_seconds: 0.2 });
    stub.failNext('DescribeKeyPairs', 'InternalError', { delayMs: 2_000 });
    const started = Date.now();
    await expectClass(impatient.listKeyPairs(creds), 'Transient');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('fails Transient when the endpoint does not answer', async () => {
    await stub.close();
    try {
      const err = await expectClass(driver.listKeyPairs(creds), 'Transient');
      expect(err.message).toContain('ECONNREFUSED');
    } finally {
      stub = await startEc2Stub();
    }
  });
});

describe('EC2 stub authentication', () => {
  it('rejects a request without Authorization with AuthFailure', async () => {
    const res = await rawPost('Action=DescribeKeyPairs&Version=2016-11-15', {});
    expect(res.status).toBe(401);
    expect(res.text).toContain('<Code>AuthFailure</Code>');
  });

  it('rejects a well-formed header whose signature is wrong with SignatureDoesNotMatch', async () => {
    const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const res = await rawPost('Action=DescribeKeyPairs&Version=2016-11-15', {
      'x-amz-date': amzDate,
      authorization: `AWS4-HMAC-SHA256 Credential=${DEFAULT_ACCOUNT.accessKey}/${amzDate.slice(0, 8)}/us-east-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`,
    });
    expect(res.status).toBe(403);
    expect(res.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  });
});

describe('ec2 site options', () => {
  it('accepts none, defaulting the region', () => {
    expect(validateEc2Options({})).toEqual([]);
    expect(parseEc2Options({}).region).toBe('us-east-1');
  });

  it('reports every problem at once', () => {
    const problems = validateEc2Options({ endpoint: 'ftp://x', page_size: 2, regoin: 'eu-west-1' });
    expect(problems).toEqual(
      expect.arrayContaining([expect.stringMatching(/^options\.endpoint: /), expect.stringMatching(/^options\.page_size: /), expect.stringMatching(/^options\.regoin: /)]),
    );
    expect(problems).toHaveLength(3);
  });
});
