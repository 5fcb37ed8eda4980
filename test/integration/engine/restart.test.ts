import { v4 as uuidv4 } from 'uuid';
import { createLaunchConfiguration, createMulticloud, engineWorld, liveVms, passes, type EngineWorld } from '../../helpers/engine';

let w: EngineWorld;
beforeAll(async () => {
  w = await engineWorld([{ id: 'alpha', options: { boot_seconds: 1 } }], { settings: { orphanGraceSeconds: 60 } });
});
afterAll(() => w.close());

const creds = { accessKey: 'ak', secretKey: 'sk', keyName: 'default' };

describe('restart safety', () => {
  it('adopts the VM of a REQUESTING record (a crash between the launch call and its answer)', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const id = await createMulticloud(w, lc.name, 0);
    const instanceId = uuidv4();
    const clientToken = uuidv4();
    const c = w.h.container;
    await c.db.instance.create({ data: { id: instanceId, domainId: id, siteId: 'alpha', clientToken, lifecycleState: 100, imageId: 'hello-cloud', instanceType: 'm1.small', createdAt: w.h.clock.now() } });
    const vm = await c.drivers.driver('alpha').launch(creds, { clientToken, imageId: 'hello-cloud', instanceType: 'm1.small', tags: { installation: c.installationId, domainId: id, instanceId } });
    // The domain now wants exactly one VM: the adopted one, not a second.
    const got = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    await w.h.http().put(`/api/dev/domains/${id}`).auth(...w.u.basic).send({ ...got.body, vm_count: 1 });
    await passes(w, 3, 1);
    const row = await c.db.instance.findUniqueOrThrow({ where: { id: instanceId } });
    expect(row).toMatchObject({ iaasInstanceId: vm.iaasId, lifecycleState: 600 });
    expect((await liveVms(c)).filter((v) => JSON.parse(v.tags).domainId === id)).toHaveLength(1);
    expect(await c.db.instance.count({ where: { domainId: id } })).toBe(1);
  });

  it('relaunches a REQUESTING record whose call never reached the cloud, with the same token', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const id = await createMulticloud(w, lc.name, 0);
    const c = w.h.container;
    const clientToken = uuidv4();
    await c.db.instance.create({ data: { id: uuidv4(), domainId: id, siteId: 'alpha', clientToken, lifecycleState: 100, imageId: 'hello-cloud', instanceType: 'm1.small', createdAt: w.h.clock.now() } });
    const got = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    await w.h.http().put(`/api/dev/domains/${id}`).auth(...w.u.basic).send({ ...got.body, vm_count: 1 });
    await passes(w, 2, 1);
    const vms = (await liveVms(c)).filter((v) => JSON.parse(v.tags).domainId === id);
    expect(vms.map((v) => v.clientToken)).toEqual([clientToken]);
  });

  it('terminates an unknown VM tagged with this installation once the grace period has passed', async () => {
    const c = w.h.container;
    const stray = await c.drivers.driver('alpha').launch(creds, {
      clientToken: uuidv4(), imageId: 'hello-cloud', instanceType: 'm1.small', tags: { installation: c.installationId, domainId: uuidv4(), instanceId: uuidv4() },
    });
    const foreign = await c.drivers.driver('alpha').launch(creds, {
      clientToken: uuidv4(), imageId: 'hello-cloud', instanceType: 'm1.small', tags: { installation: 'another-installation', domainId: uuidv4(), instanceId: uuidv4() },
    });
    w.h.clock.advance(30);
    expect((await w.engine.runPass({ sweep: true })).sweep?.terminated).toBe(0);
    expect((await liveVms(c)).map((v) => v.iaasId)).toContain(stray.iaasId);
    w.h.clock.advance(31);
    expect((await w.engine.runPass({ sweep: true })).sweep?.terminated).toBe(1);
    const live = (await liveVms(c)).map((v) => v.iaasId);
    expect(live).not.toContain(stray.iaasId);
    expect(live).toContain(foreign.iaasId); // never touch another installation's VMs
  });

  it('terminates a VM whose record is final (a launch that went through after it was marked failed)', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const id = await createMulticloud(w, lc.name, 0);
    const c = w.h.container;
    const instanceId = uuidv4();
    const clientToken = uuidv4();
    await c.db.instance.create({ data: { id: instanceId, domainId: id, siteId: 'alpha', clientToken, lifecycleState: 900, stateReason: 'Transient: timed out', imageId: 'hello-cloud', instanceType: 'm1.small' } });
    const vm = await c.drivers.driver('alpha').launch(creds, { clientToken, imageId: 'hello-cloud', instanceType: 'm1.small', tags: { installation: c.installationId, domainId: id, instanceId } });
    await w.engine.runPass({ sweep: true });
    expect((await liveVms(c)).map((v) => v.iaasId)).not.toContain(vm.iaasId);
  });
});
