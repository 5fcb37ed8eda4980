// The composition root: builds every long-lived object once and hands each its dependencies.
import type { Config } from './config';
import { createDb, type Db } from './db/client';
import { DriverRegistry, type DriverFactory } from './drivers/registry';
import { simulatedDriverFactory } from './drivers/simulated';
import { systemClock, type Clock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import { SecretBox } from './lib/secret-box';
import { resolveSecretKey } from './lib/secret-key';
import { LoginThrottle } from './services/login-throttle';
import { TokensService } from './services/tokens.service';
import { UsersService } from './services/users.service';
import { loadSites } from './sites/sites-file';

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
  // <lc-domains-instances-sensors services: fields>
  // <drivers: fields>
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
};

export async function createContainer(config: Config, overrides: ContainerOverrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const sites = loadSites(config.sitesFile);
  const db = await createDb(config.database.kind, config.database.url, overrides.onQuery);
  const drivers = new DriverRegistry(sites, DRIVER_FACTORIES, { db, clock, logger }, config.sitesFile ?? 'built-in sites');
  const secretBox = new SecretBox(resolveSecretKey(config.secretKey, config.dataDir));
  const users = new UsersService({ db });
  const tokens = new TokensService({
    db,
    clock,
    throttles: {
      byUser: new LoginThrottle(config.login.maxFailures, config.login.windowSeconds, clock),
      byAddress: new LoginThrottle(config.login.maxFailuresPerAddress, config.login.windowSeconds, clock),
    },
    ttlSeconds: config.tokenTtlSeconds,
    maxTokensPerUser: config.maxTokensPerUser,
  });
  // <sites-credentials services: construction>
  // <lc-domains-instances-sensors services: construction>
  // <drivers: construction>
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
    // <lc-domains-instances-sensors services: members>
    // <drivers: members>
    close: () => db.$disconnect(),
  };
}
