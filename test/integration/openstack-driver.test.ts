// The openstack driver against a local Keystone/Nova/Glance stub: authentication and the token
// cache, pagination, idempotent launches, name resolution and the classification of every failure.
import { randomUUID } from 'node:crypto';
import type { CloudInstance, LaunchRequest, SiteCredentials } from '../../src/drivers/cloud-driver';
import { OpenStackDriver } from '../../src/drivers/openstack';
import { CloudError, type CloudErrorClass } from '../../src/errors';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/logger';
import { startOpenStackStub, type OpenStackStub } from '../helpers/openstack-stub';

const AUTH = 'POST /v3/auth/tokens';
const CREATE = 'POST /compute/servers';
const DETAIL = 'GET /compute/servers/detail';

let stub: OpenStackStub;
let creds: SiteCredentials;
let clock: ManualClock;

beforeEach(async () => {
  stub = await startOpenStackStub();
  creds = { accessKey: stub.user.name, secretKey: stub.user.password, keyName: 'default' };
  clock = new ManualClock(new Date());
});
afterEach(() => stub.close());

function driverFor(options: Record<string, unknown> = {}): OpenStackDriver {
  const site = {
    id: `os-${randomUUID().slice(0, 8)}`,
    driver: 'openstack',
    instanceTypes: ['m1.small'],
    options: { auth_url: stub.authUrl, region: 'RegionOne', project_name: stub.projectName, ...options },
  };
  return new OpenStackDriver(site, { clock, logger: createLogger('silent') });
}

const installation = `inst-${randomUUID()}`;

function request(overrides: Partial<LaunchRequest> = {}): LaunchRequest {
  return {
    clientToken: randomUUID(),
    imageId: 'ubuntu-24.04',
    instanceType: 'm1.small',
    keyName: 'phantom_ssh_key',
    tags: { installation, domainId: 'dom-1', instanceId: randomUUID() },
    ...overrides,
  };
}

async function cloudError(p: Promise<unknown>): Promise<CloudError> {
  const err = await p.then(
    () => new Error('expected the call to fail'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CloudError);
  return err as CloudError;
}

async function expectClass(p: Promise<unknown>, errorClass: CloudErrorClass): Promise<CloudError> {
  const err = await cloudError(p);
  expect(err.errorClass).toBe(errorClass);
  return err;
}

describe('openstack driver: authentication', () => {
  it('authenticates once and reuses the token for many Nova and Glance calls', async () => {
    const driver = driverFor();
    await Promise.all([driver.listKeyPairs(creds), driver.listInstances(creds, installation), driver.listImages(creds)]);
    await driver.launch(creds, request());
    await driver.listInstances(creds, installation);
    expect(stub.calls(AUTH)).toBe(1);
  });

  it('re-authenticates once when Nova answers 401 for a revoked token, and retries the call', async () => {
    const driver = driverFor();
    await driver.listKeyPairs(creds);
    stub.revokeTokens();
    await expect(driver.listKeyPairs(creds)).resolves.toContain('default');
    expect(stub.calls(AUTH)).toBe(2);
    expect(stub.calls('GET /compute/os-keypairs')).toBe(3);
  });

  it('renews the token shortly before it expires, without waiting for a 401', async () => {
    const driver = driverFor();
    await driver.listKeyPairs(creds);
    clock.advance(3600 - 30);
    await driver.listKeyPairs(creds);
    expect(stub.calls(AUTH)).toBe(2);
    expect(stub.calls('GET /compute/os-keypairs')).toBe(2);
  });

  it('rejects a wrong password with AuthFailed, even after the same user logged in, and never echoes it', async () => {
    const driver = driverFor();
    await driver.validateCredentials(creds);
    const bad = { ...creds, secretKey: 'not-the-password' };
    const err = await expectClass(driver.validateCredentials(bad), 'AuthFailed');
    expect(err.message).not.toContain('not-the-password');
    await expectClass(driver.listInstances(bad, installation), 'AuthFailed');
  });

  it('authenticates with an application credential, unscoped', async () => {
    const driver = driverFor({ auth_type: 'application_credential', project_name: undefined });
    const appCreds = { accessKey: stub.appCredential.id, secretKey: stub.appCredential.secret, keyName: '' };
    await driver.validateCredentials(appCreds);
    const vm = await driver.launch(appCreds, request());
    expect(stub.servers().map((s) => s.id)).toEqual([vm.iaasId]);
    await expectClass(driver.validateCredentials({ ...appCreds, secretKey: 'wrong' }), 'AuthFailed');
  });

  it('uses the public endpoints of the configured region, and says so when the region has none', async () => {
    await expect(driverFor().listKeyPairs(creds)).resolves.toContain('default');
    const err = await expectClass(driverFor({ region: 'RegionTwo' }).listImages(creds), 'InvalidRequest');
    expect(err.message).toMatch(/image endpoint in region RegionTwo/);
  });
});

describe('openstack driver: launch', () => {
  it('creates a server from image and flavor names, with Phantom metadata, key and base64 user data', async () => {
    const driver = driverFor();
    const userData = '#!/bin/sh\necho "héllo" > /tmp/phantom\n';
    const req = request({ instanceType: 'm1.large', userData });
    const vm = await driver.launch(creds, req);
    const [server] = stub.servers();
    expect(server.id).toBe(vm.iaasId);
    expect(server.imageRef).toBe(stub.images.find((i) => i.name === 'ubuntu-24.04')?.id);
    expect(server.flavorRef).toBe('2');
    expect(server.keyName).toBe('phantom_ssh_key');
    expect(server.userData).toBe(Buffer.from(userData, 'utf8').toString('base64'));
    expect(Buffer.from(server.userData ?? '', 'base64').toString('utf8')).toBe(userData);
    expect(server.metadata).toEqual({
      phantom_installation: installation,
      phantom_domain: 'dom-1',
      phantom_instance: req.tags.instanceId,
      phantom_client_token: req.clientToken,
    });
    expect(vm).toMatchObject({ state: 400, tags: req.tags, clientToken: req.clientToken, instanceType: '2', keyName: 'phantom_ssh_key' });
  });

  it('accepts an image id and a flavor id as well as names', async () => {
    const image = stub.images.find((i) => i.name === 'centos-9');
    await driverFor().launch(creds, request({ imageId: image?.id ?? '', instanceType: '3' }));
    expect(stub.servers()[0]).toMatchObject({ imageRef: image?.id, flavorRef: '3' });
  });

  it('falls back to the credential key pair when the request names none', async () => {
    await driverFor().launch(creds, request({ keyName: undefined }));
    expect(stub.servers()[0].keyName).toBe('default');
  });

  it('returns the first server when a launch is retried with the same client token', async () => {
    const driver = driverFor();
    const req = request();
    const first = await driver.launch(creds, req);
    const again = await driver.launch(creds, req);
    expect(again.iaasId).toBe(first.iaasId);
    expect(stub.servers()).toHaveLength(1);
    expect(stub.calls(CREATE)).toBe(1);
  });

  it('finds the server of a launch whose answer was lost to a timeout, instead of creating another', async () => {
    const driver = driverFor({ request_timeout_ms: 200 });
    const req = request();
    stub.delayNext(CREATE, 600);
    await expectClass(driver.launch(creds, req), 'Transient');
    expect(stub.servers()).toHaveLength(1);
    const retried = await driver.launch(creds, req);
    expect(retried.iaasId).toBe(stub.servers()[0].id);
    expect(stub.servers()).toHaveLength(1);
  });

  it('refuses an unknown image or flavor with InvalidRequest and creates nothing', async () => {
    const driver = driverFor();
    await expectClass(driver.launch(creds, request({ imageId: 'no-such-image' })), 'InvalidRequest');
    await expectClass(driver.launch(creds, request({ imageId: randomUUID() })), 'InvalidRequest');
    await expectClass(driver.launch(creds, request({ imageId: 'half-uploaded' })), 'InvalidRequest');
    await expectClass(driver.launch(creds, request({ instanceType: 'm9.huge' })), 'InvalidRequest');
    await expectClass(driver.launch(creds, request({ keyName: 'nobody' })), 'InvalidRequest');
    expect(stub.servers()).toHaveLength(0);
  });

  it('classifies a 403 quota refusal as QuotaExceeded', async () => {
    stub.failNextCreate('quota');
    const err = await expectClass(driverFor().launch(creds, request()), 'QuotaExceeded');
    expect(err.message).toMatch(/Quota exceeded for instances/);
  });

  it('classifies "No valid host was found" as OutOfCapacity and deletes the failed server', async () => {
    stub.failNextCreate('noValidHost');
    const err = await expectClass(driverFor().launch(creds, request()), 'OutOfCapacity');
    expect(err.message).toMatch(/No valid host was found/);
    expect(stub.servers()).toHaveLength(0);
  });

  it('classifies 429 as RateLimited with the Retry-After delay', async () => {
    stub.failNextCreate('rateLimit', 7);
    const err = await expectClass(driverFor().launch(creds, request()), 'RateLimited');
    expect(err.retryAfterSeconds).toBe(7);
  });

  it('refuses user data Nova would reject for size before calling it', async () => {
    await expectClass(driverFor().launch(creds, request({ userData: 'x'.repeat(60_000) })), 'InvalidRequest');
    expect(stub.calls(CREATE)).toBe(0);
  });
});

describe('openstack driver: listing and terminating', () => {
  it('pages through every server and keeps only this installation\'s', async () => {
    await stub.close();
    stub = await startOpenStackStub({ maxPageSize: 3 });
    creds = { accessKey: stub.user.name, secretKey: stub.user.password, keyName: 'default' };
    const ours = Array.from({ length: 8 }, () => stub.seedServer({ phantom_installation: installation, phantom_instance: randomUUID() }));
    stub.seedServer({ phantom_installation: 'someone-else' });
    stub.seedServer({});
    const list = await driverFor().listInstances(creds, installation);
    expect(list.map((i) => i.iaasId).sort()).toEqual(ours.map((s) => s.id).sort());
    expect(stub.calls(DETAIL)).toBe(4);
  });

  it('maps Nova states onto the lifecycle, with addresses once active and the fault of an ERROR', async () => {
    const driver = driverFor();
    const vm = await driver.launch(creds, request());
    const errored = stub.seedServer({ phantom_installation: installation }, 'ERROR');
    errored.fault = { code: 500, message: 'Build of instance aborted: disk full', created: errored.created };
    const off = stub.seedServer({ phantom_installation: installation }, 'SHUTOFF');
    const byId = async (): Promise<Map<string, CloudInstance>> =>
      new Map((await driver.listInstances(creds, installation)).map((i) => [i.iaasId, i]));

    expect((await byId()).get(vm.iaasId)).toMatchObject({ state: 400 });
    stub.advanceBoot();
    const seen = await byId();
    expect(seen.get(vm.iaasId)).toMatchObject({
      state: 600,
      hostname: `phantom-${vm.tags.instanceId}`,
      privateIp: expect.stringMatching(/^10\.0\.0\./),
      publicIp: expect.stringMatching(/^203\.0\.113\./),
    });
    expect(seen.get(vm.iaasId)?.launchedAt).toBeInstanceOf(Date);
    expect(seen.get(errored.id)).toMatchObject({ state: 900, stateReason: 'Build of instance aborted: disk full' });
    expect(seen.get(off.id)).toMatchObject({ state: 700, stateReason: 'nova status SHUTOFF' });
  });

  it('terminates idempotently, including a server Nova never had', async () => {
    const driver = driverFor();
    const vm = await driver.launch(creds, request());
    await driver.terminate(creds, vm.iaasId);
    await driver.terminate(creds, vm.iaasId);
    await driver.terminate(creds, randomUUID());
    expect(stub.servers()).toHaveLength(0);
  });

  it('lists public images and the project\'s own, active ones only, and the key pairs', async () => {
    const driver = driverFor();
    const images = await driver.listImages(creds);
    expect(images.public.sort()).toEqual(['centos-9', 'ubuntu-24.04']);
    expect(images.user).toEqual(['my-golden']);
    expect(await driver.listKeyPairs(creds)).toEqual(['default', 'phantom_ssh_key']);
  });

  it('reports an endpoint that does not answer in time as Transient', async () => {
    stub.delayNext('GET /compute/os-keypairs', 600);
    await expectClass(driverFor({ request_timeout_ms: 150 }).listKeyPairs(creds), 'Transient');
  });
});
