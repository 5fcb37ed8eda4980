// The openstack driver as the registry sees it: option checks at boot, one driver per site.
import type { DriverFactory } from '../registry';
import { OpenStackDriver } from './openstack-driver';
import { validateOpenStackOptions } from './options';

export const openstackDriverFactory: DriverFactory = {
  validateOptions: validateOpenStackOptions,
  create: (site, deps) => new OpenStackDriver(site, deps),
};

export { OpenStackDriver };
