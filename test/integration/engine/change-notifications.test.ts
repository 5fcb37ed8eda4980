import { createContainer, type Container } from '../../../src/container';
import { createApp } from '../../../src/app';
import { loadConfig } from '../../../src/config';
import request from 'supertest';
import { createLaunchConfiguration, engineWorld, healthyRecords, type EngineWorld } from '../../helpers/engine';
import { testBackend } from '../../helpers/database';

// Several replicas share PostgreSQL: a change made through one replica's API must wake the engine
// of the replica that holds the domain, not wait for its tick. (SQLite serves one process.)
const onPostgres = testBackend() === 'postgres' ? describe : describe.skip;

let w: EngineWorld;
let apiOnly: Container;
beforeAll(async () => {
  w = await engineWorld([{ id: 'alpha', options: { boot_seconds: 0 } }], {}, { PHANTOM_TICK_SECONDS: '60' });
  // An API-only replica: its own container and connections on the same database.
  apiOnly = await createContainer(loadConfig({ ...process.env, ...envOf(w) }), { logger: w.h.container.logger });
});
afterAll(async () => {
  await w.h.container.engine.stop();
  await apiOnly.close();
  await w.close();
});

function envOf(world: EngineWorld): Record<string, string> {
  const c = world.h.config;
  return {
    DATABASE_URL: c.database.url,
    PHANTOM_DATA_DIR: c.dataDir,
    PHANTOM_SECRET_KEY: c.secretKey!.toString('hex'),
    PHANTOM_SITES_FILE: c.sitesFile!,
    PHANTOM_ENGINE: 'false',
    LOG_LEVEL: 'silent',
  };
}

onPostgres('changes made through another replica', () => {
  it('wake the engine holding the domain within a second, long before its 60 s tick', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    w.h.container.engine.start();
    await new Promise((r) => setTimeout(r, 500)); // its first pass goes by; the next tick is a minute away
    const res = await request(createApp(apiOnly))
      .post('/api/dev/domains')
      .auth(...w.u.basic)
      .send({ name: 'via-other-replica', de_name: 'multicloud', lc_name: lc.name, vm_count: 1 });
    expect(res.status).toBe(201);
    const started = Date.now();
    let launched = 0;
    while (launched === 0 && Date.now() - started < 10_000) {
      await new Promise((r) => setTimeout(r, 50));
      launched = (await healthyRecords(w.h.container, res.body.id as string)).length;
    }
    expect(launched).toBe(1); // within 10 s, against a 60 s tick: only a notification explains it
  });
});
