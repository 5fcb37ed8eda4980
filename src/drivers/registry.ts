// Picks the driver for each site from the sites file and validates every site's options at boot,
// reporting all problems together.
import type { Db } from '../db/client';
import { NotFound } from '../errors';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import { SitesFileError, type SiteDefinition } from '../sites/sites-file';
import type { CloudDriver } from './cloud-driver';

export interface DriverDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

export interface DriverFactory {
  /** Problems with a site's `options`, each as "options.<name>: <what is wrong>". */
  validateOptions(options: Record<string, unknown>): string[];
  create(site: SiteDefinition, deps: DriverDeps): CloudDriver;
}

export class DriverRegistry {
  private readonly drivers = new Map<string, CloudDriver>();
  private readonly byId = new Map<string, SiteDefinition>();

  constructor(
    private readonly sites: SiteDefinition[],
    factories: Record<string, DriverFactory>,
    deps: DriverDeps,
    sourceName = 'sites',
  ) {
    const problems: string[] = [];
    for (const site of sites) {
      const factory = factories[site.driver];
      if (!factory) {
        problems.push(`site ${site.id}: unknown driver "${site.driver}" (known: ${Object.keys(factories).join(', ')})`);
        continue;
      }
      for (const p of factory.validateOptions(site.options)) problems.push(`site ${site.id}: ${p}`);
    }
    if (problems.length > 0) throw new SitesFileError(sourceName, problems);
    for (const site of sites) {
      this.byId.set(site.id, site);
      this.drivers.set(site.id, factories[site.driver].create(site, deps));
    }
  }

  list(): SiteDefinition[] {
    return this.sites;
  }

  site(siteId: string): SiteDefinition | undefined {
    return this.byId.get(siteId);
  }

  /** The driver serving `siteId`; NotFound for an unknown site. */
  driver(siteId: string): CloudDriver {
    const d = this.drivers.get(siteId);
    if (!d) throw new NotFound(`Site ${siteId} not found`);
    return d;
  }
}
