// The driver contract against the openstack driver talking to the local Keystone/Nova/Glance stub,
// guarded as the registry guards it in production (the registry itself wants a database, which
// this driver never touches).
import { randomUUID } from 'node:crypto';
import { splitCommonOptions } from '../../src/drivers/common-options';
import { GuardedDriver } from '../../src/drivers/guarded-driver';
import { OpenStackDriver } from '../../src/drivers/openstack';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/logger';
import { startOpenStackStub } from '../helpers/openstack-stub';
import { describeDriverContract, type ContractTarget } from './driver-contract';

describeDriverContract('openstack', async (): Promise<ContractTarget> => {
  const stub = await startOpenStackStub();
  const logger = createLogger('silent');
  const options = { auth_url: stub.authUrl, region: 'RegionOne', project_name: stub.projectName, rate_limit_per_second: 50 };
  const { guard, driverOptions } = splitCommonOptions(options);
  const site = { id: 'contract-openstack', driver: 'openstack', instanceTypes: ['m1.small'], options: driverOptions };
  const driver = new GuardedDriver(new OpenStackDriver(site, { clock: new ManualClock(new Date()), logger }), guard, logger);
  const creds = { accessKey: stub.user.name, secretKey: stub.user.password, keyName: 'default' };
  return {
    driver,
    creds,
    badCreds: { ...creds, secretKey: 'wrong-password' },
    imageId: 'ubuntu-24.04',
    instanceType: 'm1.small',
    keyName: 'phantom_ssh_key',
    unknownIaasId: randomUUID(),
    invalidImageId: 'no-such-image',
    async injectCapacityError() {
      stub.failNextCreate('noValidHost');
    },
    async advanceBoot() {
      stub.advanceBoot();
    },
    close: () => stub.close(),
  };
});
