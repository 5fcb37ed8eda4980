// The driver contract against the simulated cloud on a real test database, through the registry
// (so the driver is guarded, as in production).
import { randomUUID } from 'node:crypto';
import { createDb, type Db } from '../../src/db/client';
import { migrate } from '../../src/db/migrator';
import { DriverRegistry } from '../../src/drivers/registry';
import { simulatedDriverFactory, SimulatedStore } from '../../src/drivers/simulated';
import { ManualClock } from '../../src/lib/clock';
import { createLogger } from '../../src/lib/logger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { describeDriverContract, type ContractTarget } from './driver-contract';

const SITE = 'contract-sim';
const BOOT_SECONDS = 5;
const CAPACITY = 12;

describeDriverContract('simulated', async (): Promise<ContractTarget> => {
  const database: TestDatabase = await createTestDatabase();
  await migrate(database.kind, database.url);
  const db: Db = await createDb(database.kind, database.url);
  const clock = new ManualClock(new Date());
  const site = {
    id: SITE,
    driver: 'simulated',
    instanceTypes: ['m1.small', 'm1.large'],
    options: { boot_seconds: BOOT_SECONDS, capacity: CAPACITY, rate_limit_per_second: 50 },
  };
  const registry = new DriverRegistry([site], { simulated: simulatedDriverFactory }, { db, clock, logger: createLogger('silent') });
  const driver = registry.driver(SITE);
  const creds = { accessKey: 'any-key', secretKey: 'any-secret', keyName: 'default' };
  return {
    driver,
    creds,
    badCreds: { ...creds, accessKey: 'invalid' },
    imageId: 'hello-cloud',
    instanceType: 'm1.small',
    keyName: 'phantom_ssh_key',
    // Another tenant fills the site up to its capacity, as on a real cloud.
    async injectCapacityError() {
      const active = await new SimulatedStore(db).countActive(SITE, clock.now());
      for (let i = active; i < CAPACITY; i++) {
        const tags = { installation: `filler-${randomUUID()}`, domainId: 'filler', instanceId: randomUUID() };
        await driver.launch(creds, { clientToken: randomUUID(), imageId: 'hello-cloud', instanceType: 'm1.small', tags });
      }
    },
    async advanceBoot() {
      clock.advance(BOOT_SECONDS);
    },
    async close() {
      await db.$disconnect();
      await database.drop();
    },
  };
});
