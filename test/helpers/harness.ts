// Builds the real app on a real, fresh database for one test file: supertest drives it over HTTP
// (no listen), and the container is exposed so tests can check what was stored.
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import request from 'supertest';
import { createApp } from '../../src/app';
import { loadConfig, type Config } from '../../src/config';
import { createContainer, type Container } from '../../src/container';
import { migrate } from '../../src/db/migrator';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/logger';
import { createTestDatabase, type TestDatabase } from './database';

export interface TestUser {
  id: number;
  username: string;
  password: string;
  token: string;
  /** [user, token] for supertest's .auth(). */
  basic: [string, string];
}

export interface Harness {
  app: Express;
  container: Container;
  config: Config;
  clock: ManualClock;
  database: TestDatabase;
  http(): ReturnType<typeof request>;
  createUser(prefix?: string): Promise<TestUser>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Collects every log line the app writes (LOG_LEVEL defaults to info when given). */
  logs?: string[];
  /** Collects every SQL statement the app runs. */
  queries?: string[];
}

export async function createHarness(env: Record<string, string> = {}, options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    PHANTOM_DATA_DIR: database.dataDir,
    PHANTOM_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: options.logs ? 'info' : 'silent',
    ...env,
  });
  await migrate(config.database.kind, config.database.url);
  const clock = new ManualClock(new Date());
  const logs = options.logs;
  const logger = logs ? createLogger(config.logLevel, { write: (line: string) => void logs.push(line) }) : createLogger('silent');
  const queries = options.queries;
  const onQuery = queries ? (sql: string): void => void queries.push(sql) : undefined;
  const container = await createContainer(config, { clock, logger, onQuery });
  const app = createApp(container);
  const harness: Harness = {
    app,
    container,
    config,
    clock,
    database,
    http: () => request(app),
    async createUser(prefix = 'user') {
      const username = `${prefix}-${randomBytes(4).toString('hex')}`;
      const password = `pw-${randomBytes(6).toString('hex')}`;
      const { id } = await container.users.create(username, password);
      const res = await request(app).post('/api/dev/token').type('form').send({ username, password });
      if (res.status !== 200) throw new Error(`login failed in test setup: ${res.status} ${res.text}`);
      const token = res.body.token as string;
      return { id, username, password, token, basic: [String(id), token] };
    },
    async close() {
      await container.close();
      await database.drop();
    },
  };
  return harness;
}
