// The composition root: builds every long-lived object once and hands each its dependencies.
import type { Config } from './config';
import { createDb, type Db } from './db/client';
import { DriverRegistry, type DriverFactory } from './drivers/registry';
import { ec2DriverFactory } from './drivers/ec2';
import { simulatedDriverFactory } from './drivers/simulated';
import { openstackDriverFactory } from './drivers/openstack';
import { systemClock, type Clock } from './lib/clock';
import { LocalChangeNotifier, PostgresChangeNotifier, type ChangeNotifier } from './lib/change-notifier';
import { createLogger, type Logger } from './lib/logger';
import { SecretBox } from './lib/secret-box';
import { resolveSecretKey } from './lib/secret-key';
import { ChefCredentialsService } from './services/chef-credentials.service';
import { ensureInstallationId } from './services/installation-id';
import { LoginThrottle } from './services/login-throttle';
import { SiteCredentialsService } from './services/site-credentials.service';
import { SitesService } from './services/sites.service';
import { TokensService } from './services/tokens.service';
import { TokenCache } from './services/token-cache';
import { UsersService } from './services/users.service';
import { DomainsService } from './services/domains.service';
import { InstancesService } from './services/instances.service';
import { LaunchConfigurationsService } from './services/launch-configurations.service';
import { SensorsService } from './services/sensors.service';
import type { SensorDataSource } from './sensors/sensor-data';
import { SensorIngestService } from './sensors/ingest.service';
import { MetricSources } from './sensors/metric-sources';
import { SamplePruner } from './sensors/sample-pruner';
import { SampleStore } from './sensors/sample-store';
import { SensorReader } from './sensors/sensor-reader';
import { SyntheticLoad, syntheticSites } from './sensors/synthetic-load';
import { loadSites } from './sites/sites-file';
import { Engine } from './engine/engine';
import { defaultSettings } from './engine/context';
import { readingsFrom } from './engine/readings';
import { ActivitiesService } from './services/activities.service';
import { Metrics } from './metrics/metrics';

export interface Container {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Db;
  secretBox: SecretBox;
  /** The sites served and the driver for each. */
  drivers: DriverRegistry;
  users: UsersService;
  tokens: TokensService;
  // <sites-credentials services: fields>
  sites: SitesService;
  siteCredentials: SiteCredentialsService;
  chefCredentials: ChefCredentialsService;
  // <lc-domains-instances-sensors services: fields>
  launchConfigurations: LaunchConfigurationsService;
  domains: DomainsService;
  instances: InstancesService;
  sensors: SensorsService;
  /** Where domain and instance sensor_data comes from; the sensors issue replaces the empty source. */
  sensorData: SensorDataSource;
  /** The same reader, with the engine's batched `readings()`. */
  sensorReader: SensorReader;
  /** What POST /api/put stores. */
  sensorIngest: SensorIngestService;
  /** The simulated sites' load model; `tick()` is for tests with a manual clock. */
  syntheticLoad: SyntheticLoad;
  samplePruner: SamplePruner;
  // <drivers: fields>
  /** This installation's stable id: the `installation` tag on every VM it creates. */
  installationId: string;
  /** The scaling engine; startServer starts it when config.engineEnabled. */
  engine: Engine;
  activities: ActivitiesService;
  /** Prometheus metrics; null unless config.metrics turns them on. */
  metrics: Metrics | null;
  /**
   * Starts the background work: the sample pruner and, where the engine runs, the engine and the
   * simulated sites' synthetic load (so API-only replicas do not write samples twice). Tests leave it
   * off and drive passes themselves.
   */
  startBackground(): void;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  logger?: Logger;
  clock?: Clock;
  /** Sees every SQL statement; for tests that count database round trips. */
  onQuery?: (sql: string) => void;
}

/** Every driver Phantom ships, by the name a sites file gives in `driver`. */
export const DRIVER_FACTORIES: Record<string, DriverFactory> = {
  simulated: simulatedDriverFactory,
  ec2: ec2DriverFactory,
  openstack: openstackDriverFactory,
};

export async function createContainer(config: Config, overrides: ContainerOverrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const sites = loadSites(config.sitesFile);
  const db = await createDb(config.database.kind, config.database.url, overrides.onQuery);
  const drivers = new DriverRegistry(sites, DRIVER_FACTORIES, { db, clock, logger }, config.sitesFile ?? 'built-in sites');
  const secretBox = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir));
  // Built only when enabled: default process metrics start collectors that cost something.
  let engine: Engine | undefined;
  const metrics = config.metrics ? new Metrics({ db, clock, backoff: () => engine?.backoffState() ?? [] }) : null;
  const tokenCache = new TokenCache(config.authCacheSeconds, clock);
  const users = new UsersService({ db, tokenCache });
  const tokens = new TokensService({
    db,
    clock,
    throttles: {
      byUser: new LoginThrottle(config.login.maxFailures, config.login.windowSeconds, clock),
      byAddress: new LoginThrottle(config.login.maxFailuresPerAddress, config.login.windowSeconds, clock),
    },
    ttlSeconds: config.tokenTtlSeconds,
    maxTokensPerUser: config.maxTokensPerUser,
    cache: tokenCache,
  });
  // <sites-credentials services: construction>
  const siteCredentials = new SiteCredentialsService({ db, drivers, secretBox, logger });
  const sitesService = new SitesService({ drivers, credentials: siteCredentials, logger });
  const chefCredentials = new ChefCredentialsService({ db, secretBox });
  // <lc-domains-instances-sensors services: construction>
  const sampleStore = new SampleStore(db, config.database.kind);
  const metricSources = new MetricSources(drivers.list(), {
    store: sampleStore,
    credentials: (userId, siteId) => siteCredentials.secretsFor(userId, siteId),
    logger,
  });
  const sensorReader = new SensorReader({ db, store: sampleStore, sources: metricSources, clock });
  const sensorData: SensorDataSource = sensorReader;
  const launchConfigurations = new LaunchConfigurationsService({ db, drivers });
  // API changes wake the engine so it reacts at once rather than at the next tick.
  const changes: ChangeNotifier =
    config.database.kind === 'postgres' ? new PostgresChangeNotifier(config.database.url, logger) : new LocalChangeNotifier();
  const onChange = (): void => changes.publish();
  // wake() does nothing while the engine is not running (API-only replicas, tests driving passes).
  changes.subscribe(() => engine?.wake());
  const domains = new DomainsService({ db, sensorData, onChange });
  const instances = new InstancesService({ db, sensorData, onChange });
  const sensors = new SensorsService({ db });
  const sensorIngest = new SensorIngestService({
    db, store: sampleStore, catalog: sensors, clock, retentionSeconds: config.sensorRetentionSeconds,
    onIngested: metrics ? (stored, rejected) => metrics.pointsStored(stored, rejected) : undefined,
    // Stored points wake the engine when a sensor domain scales on them (it debounces and coalesces).
    onIngest: (userId, metricNames) => engine?.pointsStored(userId, metricNames),
  });
  const samplePruner = new SamplePruner({ store: sampleStore, clock, logger, retentionSeconds: config.sensorRetentionSeconds });
  const syntheticLoad = new SyntheticLoad({ db, store: sampleStore, catalog: sensors, clock, logger, sites: syntheticSites(drivers.list()) });
  // <drivers: construction>
  const installationId = await ensureInstallationId(db);
  // <engine: construction>
  engine = new Engine({
    db,
    drivers,
    clock,
    logger,
    secretBox,
    siteCredentials,
    installationId,
    readings: readingsFrom(sensorReader),
    settings: defaultSettings(config.engine),
    observer: metrics ?? undefined,
  });
  const activities = new ActivitiesService({ db });
  return {
    config,
    logger,
    clock,
    db,
    secretBox,
    drivers,
    users,
    tokens,
    // <sites-credentials services: members>
    sites: sitesService,
    siteCredentials,
    chefCredentials,
    // <lc-domains-instances-sensors services: members>
    launchConfigurations,
    domains,
    instances,
    sensors,
    sensorData,
    sensorReader,
    sensorIngest,
    syntheticLoad,
    samplePruner,
    // <drivers: members>
    installationId,
    engine,
    activities,
    metrics,
    startBackground: () => {
      samplePruner.start();
      if (config.engineEnabled) {
        syntheticLoad.start();
        engine?.start();
      }
    },
    close: async () => {
      await engine?.stop();
      await Promise.all([syntheticLoad.stop(), samplePruner.stop(), changes.close()]);
      await db.$disconnect();
    },
  };
}
