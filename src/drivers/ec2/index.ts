// The `ec2` driver as the registry sees it.
import type { DriverFactory } from '../registry';
import { Ec2Driver } from './ec2-driver';
import { parseEc2Options, validateEc2Options } from './options';

export { Ec2Driver } from './ec2-driver';

export const ec2DriverFactory: DriverFactory = {
  validateOptions: validateEc2Options,
  create: (site) => new Ec2Driver(site.id, parseEc2Options(site.options)),
};
