// Launch requests name images and flavors the way users know them; Nova wants ids. A name that
// matches nothing, or several things, is a permanent InvalidRequest: retrying cannot fix it.
import { CloudError } from '../../errors';
import type { SiteCredentials } from '../cloud-driver';
import type { Glance } from './glance';
import type { Nova } from './nova';

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** The flavor id for `instanceType`, matched by name first and then by id. */
export async function resolveFlavor(nova: Nova, creds: SiteCredentials, instanceType: string): Promise<string> {
  const flavors = await nova.listFlavors(creds);
  const byName = flavors.filter((f) => f.name === instanceType);
  if (byName.length === 1) return byName[0].id;
  if (byName.length > 1) throw new CloudError('InvalidRequest', `openstack: ${byName.length} flavors are named ${instanceType}; use a flavor id`);
  const byId = flavors.find((f) => f.id === instanceType);
  if (byId) return byId.id;
  throw new CloudError('InvalidRequest', `openstack: no flavor named ${instanceType}`);
}

/** The id of the active image `image` names, by id when it looks like one, else by name. */
export async function resolveImage(glance: Glance, creds: SiteCredentials, image: string): Promise<string> {
  if (UUID.test(image)) {
    const found = await glance.getImage(creds, image);
    if (found) {
      if (found.status && found.status !== 'active') {
        throw new CloudError('InvalidRequest', `openstack: image ${image} is ${found.status}, not active`);
      }
      return found.id;
    }
  }
  const named = (await glance.listImages(creds, { name: image })).filter((i) => i.name === image && (!i.status || i.status === 'active'));
  if (named.length === 1) return named[0].id;
  if (named.length > 1) throw new CloudError('InvalidRequest', `openstack: ${named.length} images are named ${image}; use an image id`);
  throw new CloudError('InvalidRequest', `openstack: no active image ${image}`);
}
