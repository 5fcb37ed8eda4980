import { REJECTED_ACCESS_KEY } from '../../../src/drivers/simulated';
import { createLaunchConfiguration, createMulticloud, engineWorld, liveBySite, passes, type EngineWorld } from '../../helpers/engine';

let w: EngineWorld;
beforeAll(async () => {
  w = await engineWorld([
    // Every call to "flaky" fails Transient, listings included.
    { id: 'flaky', options: { boot_seconds: 1, api_error_rate: 1 } },
    { id: 'steady', options: { boot_seconds: 1 } },
    { id: 'locked', options: { boot_seconds: 1 } },
  ]);
});
afterAll(() => w.close());

async function launchAttempts(site: string): Promise<number> {
  return w.h.container.db.instance.count({ where: { siteId: site } });
}

describe('failing sites', () => {
  it('backs a failing site off and overflows its demand to the next rank, without a storm', async () => {
    const lc = await createLaunchConfiguration(w, { flaky: { rank: 1, max_vms: -1 }, steady: { rank: 2, max_vms: 1 } });
    const id = await createMulticloud(w, lc.name, 3);
    // 60 passes a second apart. The original would have tried 60 times; backoff (5 s doubling,
    // jitter fixed at 3/4 of the ceiling here) allows attempts at about 0, 4, 11, 26 and 56 s.
    await passes(w, 60, 1);
    expect(await liveBySite(w.h.container)).toEqual({ steady: 1 });
    const attempts = await launchAttempts('flaky');
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(6);
    const failed = await w.h.container.db.instance.findFirstOrThrow({ where: { domainId: id, siteId: 'flaky' } });
    expect(failed.lifecycleState).toBe(900);
    expect(failed.stateReason).toMatch(/^Transient: /);
    const shown = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    expect(shown.body.unplaced_vms).toBe(2);
    expect(shown.body.unplaced_reason).toMatch(/flaky blocked \(Transient/);
  });

  it('stops launching on a site whose credentials are refused until they change, and surfaces why', async () => {
    await w.h.container.siteCredentials.update(w.u.id, 'locked', { accessKey: REJECTED_ACCESS_KEY, secretKey: 'sk', keyName: 'default' });
    const lc = await createLaunchConfiguration(w, { locked: { rank: 1, max_vms: 2 } });
    const id = await createMulticloud(w, lc.name, 2);
    await passes(w, 20, 30);
    expect(await w.h.container.db.instance.count({ where: { domainId: id } })).toBe(1);
    const shown = await w.h.http().get(`/api/dev/domains/${id}`).auth(...w.u.basic);
    expect(shown.body.unplaced_vms).toBe(2);
    expect(shown.body.unplaced_reason).toMatch(/locked blocked \(AuthFailed/);

    await w.h.container.siteCredentials.update(w.u.id, 'locked', { accessKey: 'good', secretKey: 'sk', keyName: 'default' });
    await passes(w, 2, 1);
    expect((await liveBySite(w.h.container)).locked).toBe(2);
  });

  it('blocks a site refusing the image until the launch configuration changes', async () => {
    const lc = await createLaunchConfiguration(w, { steady: { rank: 1, max_vms: -1, image_id: 'no-such-image' } });
    const id = await createMulticloud(w, lc.name, 1);
    await passes(w, 10, 60);
    expect(await w.h.container.db.instance.count({ where: { domainId: id } })).toBe(1);
    const acts = await w.h.http().get(`/api/dev/domains/${id}/activities`).auth(...w.u.basic);
    expect(acts.body.activities).toContainEqual(expect.objectContaining({ kind: 'launch_failed', site: 'steady', error_class: 'InvalidRequest' }));

    const got = await w.h.http().get(`/api/dev/launchconfigurations/${lc.id}`).auth(...w.u.basic);
    const fixed = { ...got.body, cloud_params: { steady: { ...got.body.cloud_params.steady, image_id: 'hello-cloud' } } };
    expect((await w.h.http().put(`/api/dev/launchconfigurations/${lc.id}`).auth(...w.u.basic).send(fixed)).status).toBe(200);
    await passes(w, 2, 1);
    expect(await w.h.container.db.instance.count({ where: { domainId: id, lifecycleState: { in: [400, 600] } } })).toBe(1);
  });
});
