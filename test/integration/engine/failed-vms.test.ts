import { createLaunchConfiguration, createMulticloud, engineWorld, liveVms, passes, type EngineWorld } from '../../helpers/engine';

let w: EngineWorld;
beforeAll(async () => {
  w = await engineWorld([{ id: 'alpha', options: { boot_seconds: 1 } }]);
});
afterAll(() => w.close());

describe('a FAILED record whose VM is still alive', () => {
  it('gets its VM terminated at the next pass, not only at the next sweep', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const id = await createMulticloud(w, lc.name, 1);
    await passes(w, 2, 2);
    const [record] = await w.h.container.db.instance.findMany({ where: { domainId: id } });
    expect(record.iaasInstanceId).not.toBeNull();
    // As if Phantom crashed right after recording the failure, before terminating the VM, and the
    // domain was then lowered to zero, so no live record keeps the site in the pass.
    await w.h.container.db.instance.update({ where: { id: record.id }, data: { lifecycleState: 900, stateReason: 'failed' } });
    await w.h.container.db.domain.update({ where: { id }, data: { vmCount: 0 } });
    expect((await liveVms(w.h.container, 'alpha')).map((v) => v.iaasId)).toContain(record.iaasInstanceId);
    await passes(w, 1, 1); // well within the 60 s sweep interval
    expect((await liveVms(w.h.container, 'alpha')).map((v) => v.iaasId)).not.toContain(record.iaasInstanceId);
  });
});
