// The composition root: builds every long-lived object once and hands each its dependencies.
import type { Config } from './config';
import { createDb, type Db } from './db/client';
import { systemClock, type Clock } from './lib/clock';
import { createLogger, type Logger } from './lib/logger';
import { SecretBox } from './lib/secret-box';
import { resolveSecretKey } from './lib/secret-key';
import { LoginThrottle } from './services/login-throttle';
import { TokensService } from './services/tokens.service';
import { UsersService } from './services/users.service';

export interface Container {
  config: Config;
  logger: Logger;
  clock: Clock;
  db: Db;
  secretBox: SecretBox;
  users: UsersService;
  tokens: TokensService;
  close(): Promise<void>;
}

export interface ContainerOverrides {
  logger?: Logger;
  clock?: Clock;
}

export async function createContainer(config: Config, overrides: ContainerOverrides = {}): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const clock = overrides.clock ?? systemClock;
  const db = await createDb(config.database.kind, config.database.url);
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
  return {
    config,
    logger,
    clock,
    db,
    secretBox,
    users,
    tokens,
    close: () => db.$disconnect(),
  };
}
