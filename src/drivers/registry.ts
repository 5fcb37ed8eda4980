// Picks the driver for each site from the sites file and validates every site's options at boot,
// reporting all problems together. Every driver it creates is wrapped in a GuardedDriver (per-call
// timeout, per-site rate limit); the options the guard takes (common-options.ts) are checked here
// for every site and are not passed on to the driver's own validateOptions or create.
import type { Db } from '../db/client';
import { NotFound } from '../errors';
import type { Clock } from '../lib/clock';
import type { Logger } from '../lib/logger';
import { SitesFileError, type SiteDefinition } from '../sites/sites-file';
import type { CloudDriver } from './cloud-driver';
import { splitCommonOptions, type SplitOptions } from './common-options';
import { GuardedDriver } from './guarded-driver';

export interface DriverDeps {
  db: Db;
  clock: Clock;
  logger: Logger;
}

export interface DriverFactory {
  /**
   * Problems with a site's `options`, each as "options.<name>: <what is wrong>". The common options
   * (rate_limit_per_second, rate_limit_burst, call_timeout_seconds) are removed beforehand.
   */
  validateOptions(options: Record<string, unknown>): string[];
  /** `site.options` holds the driver's own options only, as validated. */
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
    const split = new Map<string, SplitOptions>();
    for (const site of sites) {
      const s = splitCommonOptions(site.options);
      split.set(site.id, s);
      for (const p of s.problems) problems.push(`site ${site.id}: ${p}`);
      const factory = factories[site.driver];
      if (!factory) {
        problems.push(`site ${site.id}: unknown driver "${site.driver}" (known: ${Object.keys(factories).join(', ')})`);
        continue;
      }
      for (const p of factory.validateOptions(s.driverOptions)) problems.push(`site ${site.id}: ${p}`);
    }
    if (problems.length > 0) throw new SitesFileError(sourceName, problems);
    for (const site of sites) {
      const s = split.get(site.id)!;
      const driver = factories[site.driver].create({ ...site, options: s.driverOptions }, deps);
      this.byId.set(site.id, site);
      this.drivers.set(site.id, new GuardedDriver(driver, s.guard, deps.logger));
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
