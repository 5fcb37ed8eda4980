// The driver contract for the ec2 driver against the local EC2 Query API stub, wrapped in the
// guard the registry puts around every driver in production.
import { splitCommonOptions } from '../../src/drivers/common-options';
import { Ec2Driver } from '../../src/drivers/ec2';
import { parseEc2Options } from '../../src/drivers/ec2/options';
import { GuardedDriver } from '../../src/drivers/guarded-driver';
import { createLogger } from '../../src/lib/logger';
import { DEFAULT_ACCOUNT, PUBLIC_IMAGE, startEc2Stub } from '../helpers/ec2-stub';
import { describeDriverContract, type ContractTarget } from './driver-contract';

describeDriverContract('ec2', async (): Promise<ContractTarget> => {
  const stub = await startEc2Stub();
  const { guard, driverOptions } = splitCommonOptions({ endpoint: stub.endpoint, region: 'us-east-1', rate_limit_per_second: 50 });
  const ec2 = new Ec2Driver('contract-ec2', parseEc2Options(driverOptions));
  const creds = { accessKey: DEFAULT_ACCOUNT.accessKey, secretKey: DEFAULT_ACCOUNT.secretKey, keyName: 'phantom-key' };
  return {
    driver: new GuardedDriver(ec2, guard, createLogger('silent')),
    creds,
    badCreds: { ...creds, accessKey: 'AKIAUNKNOWN000000000' },
    imageId: PUBLIC_IMAGE,
    instanceType: 'm1.small',
    keyName: 'phantom-key',
    async injectCapacityError() {
      stub.failNext('RunInstances', 'InsufficientInstanceCapacity', { message: 'We currently do not have sufficient m1.small capacity.' });
    },
    async advanceBoot() {
      stub.advanceBoot();
    },
    async close() {
      ec2.close();
      await stub.close();
    },
  };
});
