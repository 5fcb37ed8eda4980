import { createContainer, type Container } from '../../../src/container';
import { buildEngine, createLaunchConfiguration, createMulticloud, engineWorld, healthyRecords, passes, type EngineWorld } from '../../helpers/engine';
import type { Engine } from '../../../src/engine/engine';
import { testBackend } from '../../helpers/database';

/**
 * Both replicas' passes at once on PostgreSQL (what several replicas share). On SQLite, two
 * connections in one process would block each other's synchronous driver, so they take turns.
 */
async function bothPasses(a: Engine, b: Engine): Promise<void> {
  if (testBackend() === 'postgres') await Promise.all([a.runPass(), b.runPass()]);
  else for (const e of [a, b]) await e.runPass();
}

let w: EngineWorld;
let second: Container;
let other: Engine;
beforeAll(async () => {
  w = await engineWorld([{ id: 'alpha', options: { boot_seconds: 1 } }, { id: 'bravo', options: { boot_seconds: 1 } }], { owner: 'replica-a', settings: { tickSeconds: 5, leaseSeconds: 10 } });
  // A second replica: its own container (own database connection) on the same database and clock.
  second = await createContainer(w.h.config, { clock: w.h.clock, logger: w.h.container.logger });
  other = buildEngine(second, { owner: 'replica-b', settings: { tickSeconds: 5, leaseSeconds: 10 } });
});
afterAll(async () => {
  await other.stop();
  await second.close();
  await w.close();
});

describe('several replicas on one database', () => {
  it('never drive a domain above its target, and take over a dead replica within two ticks', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: 3 }, bravo: { rank: 2, max_vms: -1 } });
    const ids = [await createMulticloud(w, lc.name, 4), await createMulticloud(w, lc.name, 2)];
    // replica-a claims the free leases first, on purpose: when both first passes race, either may win
    // the claim, and the takeover below is about replica-a's leases.
    await w.engine.runPass();
    for (let i = 0; i < 10; i++) {
      w.h.clock.advance(1);
      await bothPasses(w.engine, other);
      for (const id of ids) expect((await healthyRecords(w.h.container, id)).length).toBeLessThanOrEqual(id === ids[0] ? 4 : 2);
    }
    expect((await healthyRecords(w.h.container, ids[0])).length).toBe(4);
    const owners = await w.h.container.db.domain.findMany({ where: { id: { in: ids } }, select: { leaseOwner: true } });
    expect(owners.every((o) => o.leaseOwner === 'replica-a')).toBe(true);

    // replica-a dies without releasing its leases (last renewed just now, for 10 s = two ticks).
    const got = await w.h.http().get(`/api/dev/domains/${ids[1]}`).auth(...w.u.basic);
    await w.h.http().put(`/api/dev/domains/${ids[1]}`).auth(...w.u.basic).send({ ...got.body, vm_count: 3 });
    await passes({ ...w, engine: other }, 1, 5);
    expect(await healthyRecords(w.h.container, ids[1])).toHaveLength(2); // still replica-a's lease
    await passes({ ...w, engine: other }, 1, 6);
    expect(await healthyRecords(w.h.container, ids[1])).toHaveLength(3);
    const taken = await w.h.container.db.domain.findMany({ where: { id: { in: ids } }, select: { leaseOwner: true } });
    expect(taken.every((o) => o.leaseOwner === 'replica-b')).toBe(true);
  });

  it('loads a pass in a constant number of queries per batch, whatever the number of domains', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const queries: string[] = [];
    const counting = await createContainer(w.h.config, { clock: w.h.clock, logger: w.h.container.logger, onQuery: (q) => void queries.push(q) });
    const engine = buildEngine(counting, { owner: 'counter', settings: { batchSize: 500 } });
    try {
      await engine.runPass(); // takes the leases, sweeps
      const measure = async (): Promise<number> => {
        queries.length = 0;
        w.h.clock.advance(1);
        await engine.runPass();
        return queries.filter((q) => !/^(BEGIN|COMMIT)/i.test(q)).length;
      };
      for (let i = 0; i < 5; i++) await createMulticloud(w, lc.name, 0);
      await engine.runPass();
      const few = await measure();
      for (let i = 0; i < 30; i++) await createMulticloud(w, lc.name, 0);
      await engine.runPass();
      expect(await measure()).toBe(few);
    } finally {
      await engine.stop();
      await counting.close();
    }
  });
});
