// A CloudDriver whose answers the test scripts, for what the simulated cloud cannot show: a cloud
// that never answers, calls overlapping in time, and which credentials a call was made with.
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { CloudError } from '../../src/errors';
import type { CloudDriver, CloudInstance, ImageLists, SiteCredentials } from '../../src/drivers/cloud-driver';
import { DriverRegistry, type DriverFactory } from '../../src/drivers/registry';
import { createLogger } from '../../src/lib/logger';
import { ChefCredentialsService } from '../../src/services/chef-credentials.service';
import { SiteCredentialsService } from '../../src/services/site-credentials.service';
import { SitesService } from '../../src/services/sites.service';
import type { Harness } from './harness';

export interface Script {
  /** Never answer. */
  hang?: boolean;
  /** Answer after this long. */
  delayMs?: number;
  /** Images for the given credentials; by default one user image named after the access key. */
  images?: (creds: SiteCredentials) => ImageLists;
  keys?: string[];
}

/** Counts calls in flight across every scripted driver of one registry. */
export class Concurrency {
  inFlight = 0;
  max = 0;
}

class ScriptedDriver implements CloudDriver {
  constructor(
    readonly siteId: string,
    private readonly script: Script,
    private readonly concurrency: Concurrency,
  ) {}

  listImages(creds: SiteCredentials): Promise<ImageLists> {
    return this.answer(() => this.script.images?.(creds) ?? { public: ['public-image'], user: [`image-of-${creds.accessKey}`] });
  }

  listKeyPairs(): Promise<string[]> {
    return this.answer(() => this.script.keys ?? ['scripted-key']);
  }

  listInstances(): Promise<CloudInstance[]> {
    return Promise.reject(new CloudError('InvalidRequest', 'not scripted'));
  }

  launch(): Promise<CloudInstance> {
    return Promise.reject(new CloudError('InvalidRequest', 'not scripted'));
  }

  terminate(): Promise<void> {
    return Promise.reject(new CloudError('InvalidRequest', 'not scripted'));
  }

  validateCredentials(): Promise<void> {
    return Promise.resolve();
  }

  private answer<T>(value: () => T): Promise<T> {
    if (this.script.hang) return new Promise<T>(() => undefined);
    const c = this.concurrency;
    c.inFlight += 1;
    c.max = Math.max(c.max, c.inFlight);
    return new Promise<T>((resolve) => {
      setTimeout(() => {
        c.inFlight -= 1;
        resolve(value());
      }, this.script.delayMs ?? 0);
    });
  }
}

export interface ScriptedApp {
  http(): ReturnType<typeof request>;
  concurrency: Concurrency;
  app: Express;
}

/**
 * The harness's app (same database, users and tokens) with its sites replaced by scripted ones and
 * a short lookup timeout. Each script key is a site id.
 */
export function scriptedApp(h: Harness, scripts: Record<string, Script>, lookupTimeoutMs: number): ScriptedApp {
  const concurrency = new Concurrency();
  const factory: DriverFactory = {
    validateOptions: () => [],
    create: (site) => new ScriptedDriver(site.id, scripts[site.id] ?? {}, concurrency),
  };
  const sites = Object.keys(scripts).map((id) => ({ id, driver: 'scripted', instanceTypes: ['m1.small'], options: {} }));
  const logger = createLogger('silent');
  const { db, clock, secretBox } = h.container;
  const drivers = new DriverRegistry(sites, { scripted: factory }, { db, clock, logger });
  const siteCredentials = new SiteCredentialsService({ db, drivers, secretBox, logger, lookupTimeoutMs });
  const app = createApp({
    ...h.container,
    drivers,
    siteCredentials,
    sites: new SitesService({ drivers, credentials: siteCredentials, logger, lookupTimeoutMs }),
    chefCredentials: new ChefCredentialsService({ db, secretBox }),
  });
  return { app, concurrency, http: () => request(app) };
}
