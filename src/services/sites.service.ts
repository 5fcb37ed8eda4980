// The sites Phantom serves (from the sites file), optionally decorated with the images each site
// offers the caller. Image lookups use the caller's own credentials, run for all sites at once, and
// are bounded so one slow or failing cloud never fails or stalls the request beyond the timeout.
import type { ImageLists } from '../drivers/cloud-driver';
import type { DriverRegistry } from '../drivers/registry';
import { NotFound } from '../errors';
import type { Logger } from '../lib/logger';
import type { SiteDefinition } from '../sites/sites-file';
import { DEFAULT_LOOKUP_TIMEOUT_MS, describeFailure, lookupOr } from './cloud-lookup';
import type { SiteCredentialsService } from './site-credentials.service';

export interface Site {
  id: string;
  instanceTypes: string[];
  /** Present only when details were asked for. */
  publicImages?: string[];
  userImages?: string[];
}

export interface SitesServiceDeps {
  drivers: DriverRegistry;
  credentials: SiteCredentialsService;
  logger: Logger;
  /** Bound on each site's image lookup; defaults to DEFAULT_LOOKUP_TIMEOUT_MS. */
  lookupTimeoutMs?: number;
}

const NO_IMAGES: ImageLists = { public: [], user: [] };

export class SitesService {
  private readonly lookupTimeoutMs: number;

  constructor(private readonly deps: SitesServiceDeps) {
    this.lookupTimeoutMs = deps.lookupTimeoutMs ?? DEFAULT_LOOKUP_TIMEOUT_MS;
  }

  async list(userId: number, opts: { details: boolean }): Promise<Site[]> {
    const sites = this.deps.drivers.list();
    return opts.details ? Promise.all(sites.map((s) => this.withImages(userId, s))) : sites.map(summary);
  }

  async get(userId: number, siteId: string, opts: { details: boolean }): Promise<Site> {
    const site = this.deps.drivers.site(siteId);
    if (!site) throw new NotFound(`Site ${siteId} not found`);
    return opts.details ? this.withImages(userId, site) : summary(site);
  }

  private async withImages(userId: number, site: SiteDefinition): Promise<Site> {
    const images = await lookupOr(
      async () => {
        const secrets = await this.deps.credentials.secretsFor(userId, site.id);
        return secrets ? this.deps.drivers.driver(site.id).listImages(secrets) : NO_IMAGES;
      },
      NO_IMAGES,
      this.lookupTimeoutMs,
      (reason) => this.deps.logger.warn({ userId, siteId: site.id, reason: describeFailure(reason) }, 'image lookup failed'),
    );
    return { ...summary(site), publicImages: images.public, userImages: images.user };
  }
}

function summary(site: SiteDefinition): Site {
  return { id: site.id, instanceTypes: site.instanceTypes };
}
