// The CloudDriver for OpenStack: Nova for servers, flavors and key pairs; Glance for images;
// Keystone v3 for tokens. Plain HTTP, no SDK.
import { CloudError } from '../../errors';
import type { Clock } from '../../lib/clock';
import type { Logger } from '../../lib/logger';
import type { SiteDefinition } from '../../sites/sites-file';
import type { CloudDriver, CloudInstance, ImageLists, LaunchRequest, SiteCredentials } from '../cloud-driver';
import { OpenStackApi } from './api';
import { NO_VALID_HOST } from './classify';
import { Glance } from './glance';
import { Keystone } from './keystone';
import { Nova } from './nova';
import { parseOpenStackOptions } from './options';
import { resolveFlavor, resolveImage } from './resolve';
import { META, toCloudInstance, type NovaServer } from './server-mapping';

/** Nova's limit on user_data, counted after base64 encoding. */
const MAX_USER_DATA_BYTES = 65535;

export class OpenStackDriver implements CloudDriver {
  private readonly keystone: Keystone;
  private readonly nova: Nova;
  private readonly glance: Glance;
  private readonly logger: Logger;

  constructor(
    private readonly site: SiteDefinition,
    deps: { clock: Clock; logger: Logger },
  ) {
    this.logger = deps.logger;
    const options = parseOpenStackOptions(site.options);
    this.keystone = new Keystone(options, deps.clock);
    const api = new OpenStackApi(this.keystone, deps.clock, options.request_timeout_ms);
    this.nova = new Nova(api);
    this.glance = new Glance(api);
  }

  get siteId(): string {
    return this.site.id;
  }

  // Nova filters servers by metadata only for admins (and not in every release), so the whole
  // project is paged through once and filtered here.
  async listInstances(creds: SiteCredentials, installation: string): Promise<CloudInstance[]> {
    const servers = await this.nova.listServers(creds);
    return servers.filter((s) => s.metadata[META.installation] === installation).map(toCloudInstance);
  }

  // Nova has no idempotency key. The client token is kept in the server's metadata and looked
  // for before creating: a retry after a lost answer finds the first server. Two launches with
  // the same token racing between that look-up and the create can still make two servers; the
  // engine issues one launch per token at a time, and listInstances reports any duplicate (same
  // phantom_instance tag) so it can be reaped.
  async launch(creds: SiteCredentials, req: LaunchRequest): Promise<CloudInstance> {
    const name = serverName(req);
    const userData = encodeUserData(req.userData);
    const existing = await this.findByClientToken(creds, req, name);
    if (existing) return this.launched(creds, existing);
    const [imageRef, flavorRef] = await Promise.all([
      resolveImage(this.glance, creds, req.imageId),
      resolveFlavor(this.nova, creds, req.instanceType),
    ]);
    const id = await this.nova.createServer(creds, {
      name,
      imageRef,
      flavorRef,
      keyName: req.keyName ?? (creds.keyName || undefined),
      userData,
      metadata: {
        [META.installation]: req.tags.installation,
        [META.domainId]: req.tags.domainId,
        [META.instanceId]: req.tags.instanceId,
        [META.clientToken]: req.clientToken,
      },
    });
    const server = await this.nova.getServer(creds, id);
    if (!server) throw new CloudError('Unknown', `openstack: server ${id} vanished right after it was created`);
    return this.launched(creds, server);
  }

  async terminate(creds: SiteCredentials, iaasId: string): Promise<void> {
    await this.nova.deleteServer(creds, iaasId);
  }

  async listImages(creds: SiteCredentials): Promise<ImageLists> {
    const [images, session] = await Promise.all([this.glance.listImages(creds), this.keystone.session(creds)]);
    const usable = images.filter((i) => !i.status || i.status === 'active');
    const label = (i: { id: string; name?: string | null }): string => i.name || i.id;
    const own = (i: { owner?: string | null; visibility?: string }): boolean =>
      i.owner === session.projectId && (i.visibility === 'private' || i.visibility === 'shared');
    return {
      public: unique(usable.filter((i) => i.visibility === 'public').map(label)),
      user: unique(usable.filter(own).map(label)),
    };
  }

  listKeyPairs(creds: SiteCredentials): Promise<string[]> {
    return this.nova.listKeyPairs(creds);
  }

  async validateCredentials(creds: SiteCredentials): Promise<void> {
    await this.keystone.session(creds);
  }

  /** Nova's `name` filter is a server-side regex, so the look-up reads only this launch's server. */
  private async findByClientToken(creds: SiteCredentials, req: LaunchRequest, name: string): Promise<NovaServer | undefined> {
    const candidates = await this.nova.listServers(creds, `^${escapeRegex(name)}$`);
    return candidates
      .filter((s) => s.metadata[META.clientToken] === req.clientToken && s.metadata[META.installation] === req.tags.installation)
      .sort((a, b) => (a.created ?? '').localeCompare(b.created ?? ''))[0];
  }

  /**
   * A server the scheduler already failed for want of a host is deleted (ERROR servers still hold
   * quota) and reported as OutOfCapacity, so the engine can place the VM elsewhere. A scheduler
   * failure that comes later shows up in listInstances as FAILED with Nova's fault message.
   */
  private async launched(creds: SiteCredentials, server: NovaServer): Promise<CloudInstance> {
    const fault = server.status === 'ERROR' ? server.fault?.message ?? '' : '';
    if (!NO_VALID_HOST.test(fault)) return toCloudInstance(server);
    await this.nova.deleteServer(creds, server.id).catch((err: unknown) => {
      this.logger.warn({ site: this.site.id, server: server.id, err: (err as Error).message }, 'could not delete a server nova failed to place');
    });
    throw new CloudError('OutOfCapacity', `openstack: ${fault}`);
  }
}

function serverName(req: LaunchRequest): string {
  return `phantom-${req.tags.instanceId}`;
}

function encodeUserData(userData: string | undefined): string | undefined {
  if (!userData) return undefined;
  const encoded = Buffer.from(userData, 'utf8').toString('base64');
  if (encoded.length > MAX_USER_DATA_BYTES) {
    throw new CloudError('InvalidRequest', `openstack: user data is ${encoded.length} bytes base64-encoded; Nova accepts ${MAX_USER_DATA_BYTES}`);
  }
  return encoded;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
