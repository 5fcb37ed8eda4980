import { createLaunchConfiguration, createMulticloud, engineWorld, healthyRecords, liveBySite, passes, type EngineWorld } from '../../helpers/engine';

let w: EngineWorld;
beforeAll(async () => {
  w = await engineWorld([
    { id: 'alpha', options: { boot_seconds: 2 } },
    { id: 'bravo', options: { boot_seconds: 2, capacity: 1 } },
    { id: 'charlie', options: { boot_seconds: 2 } },
  ]);
});
afterAll(() => w.close());

describe('multicloud domains', () => {
  it('reach vm_count across ranked sites, overflowing past max_vms and the cloud capacity', async () => {
    const lc = await createLaunchConfiguration(w, {
      alpha: { rank: 1, max_vms: 2 },
      bravo: { rank: 2, max_vms: -1 },
      charlie: { rank: 3, max_vms: 3 },
    });
    const id = await createMulticloud(w, lc.name, 5);
    await w.engine.runPass();
    // bravo's cloud holds one VM: its second launch fails OutOfCapacity, capping it at 1.
    await passes(w, 3, 1);
    expect(await liveBySite(w.h.container)).toEqual({ alpha: 2, bravo: 1, charlie: 2 });
    await passes(w, 2, 2);
    const healthy = await healthyRecords(w.h.container, id);
    expect(healthy).toHaveLength(5);
    expect(healthy.every((r) => r.lifecycleState === 600)).toBe(true);

    // Beyond what every site can take: the rest is shown on the domain, not dropped.
    const put = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    const res = await w.h.http().put(`/api/dev/domains/${id}`).auth(...w.u.basic).send({ ...put.body, vm_count: 8 });
    expect(res.status).toBe(200);
    await passes(w, 3, 1);
    expect(await liveBySite(w.h.container)).toEqual({ alpha: 2, bravo: 1, charlie: 3 });
    const shown = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    expect(shown.body.unplaced_vms).toBe(2);
    expect(shown.body.unplaced_reason).toMatch(/no site can take 2 more/);

    // Lowering vm_count trims the lowest-priority site first.
    await w.h.http().put(`/api/dev/domains/${id}`).auth(...w.u.basic).send({ ...put.body, vm_count: 2 });
    await passes(w, 2, 1);
    expect(await liveBySite(w.h.container)).toEqual({ alpha: 2 });
    const after = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    expect(after.body.unplaced_vms).toBe(0);

    const acts = await w.h.http().get(`/api/dev/domains/${id}/activities?limit=500`).auth(...w.u.basic);
    expect(acts.status).toBe(200);
    const causes = (acts.body.activities as { kind: string; cause: string }[]).map((a) => `${a.kind}: ${a.cause}`);
    expect(causes).toContainEqual(expect.stringMatching(/^terminate: vm_count lowered to 2/));
    expect(causes).toContainEqual(expect.stringMatching(/^launch_failed: .*OutOfCapacity/));
    expect(causes).toContainEqual(expect.stringMatching(/^launch: below vm_count 5/));
  });
});
