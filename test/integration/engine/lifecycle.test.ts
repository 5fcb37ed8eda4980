import { createLaunchConfiguration, createMulticloud, engineWorld, healthyRecords, liveBySite, liveVms, passes, type EngineWorld } from '../../helpers/engine';

let w: EngineWorld;
beforeAll(async () => {
  w = await engineWorld(
    [
      { id: 'alpha', options: { boot_seconds: 2 } },
      { id: 'slow', options: { boot_seconds: 10_000 } },
    ],
    { settings: { bootTimeoutSeconds: 300, terminalRetentionSeconds: 7200 } },
  );
});
afterAll(() => w.close());

const api = (path: string): string => `/api/dev/domains${path}`;

async function domainOnAlpha(vmCount: number): Promise<string> {
  const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
  const id = await createMulticloud(w, lc.name, vmCount);
  await passes(w, 2, 2);
  return id;
}

describe('instance lifecycle', () => {
  it('replaces a crashed VM and records why', async () => {
    const id = await domainOnAlpha(2);
    const [victim] = await healthyRecords(w.h.container, id);
    const row = await w.h.container.db.instance.findUniqueOrThrow({ where: { id: victim.id } });
    await w.h.container.db.simulatedVm.updateMany({ where: { iaasId: row.iaasInstanceId! }, data: { crashAt: w.h.clock.now() } });
    await passes(w, 1, 1);
    const crashed = await w.h.container.db.instance.findUniqueOrThrow({ where: { id: victim.id } });
    expect(crashed.lifecycleState).toBe(800);
    expect(crashed.stateReason).toMatch(/crashed/);
    await passes(w, 2, 2);
    expect((await healthyRecords(w.h.container, id)).filter((r) => r.lifecycleState === 600)).toHaveLength(2);
    const acts = await w.h.http().get(api(`/${id}/activities`)).auth(...w.u.basic);
    const kinds = (acts.body.activities as { kind: string; cause: string }[]).map((a) => `${a.kind}: ${a.cause}`);
    expect(kinds).toContainEqual('launch: replacing 800-TERMINATED instance');
    expect(kinds).toContainEqual(expect.stringMatching(/^state_change: instance became 800-TERMINATED/));
  });

  it('replaces an instance deleted without adjust_policy, and shrinks the policy with it', async () => {
    const id = await domainOnAlpha(3);
    const [a, b] = await healthyRecords(w.h.container, id);
    expect((await w.h.http().delete(api(`/${id}/instances/${a.id}`)).auth(...w.u.basic)).status).toBe(204);
    await passes(w, 3, 2);
    expect(await healthyRecords(w.h.container, id)).toHaveLength(3);
    expect((await w.h.container.db.instance.findUniqueOrThrow({ where: { id: a.id } })).lifecycleState).toBe(800);

    expect((await w.h.http().delete(api(`/${id}/instances/${b.id}?adjust_policy=true`)).auth(...w.u.basic)).status).toBe(204);
    await passes(w, 3, 2);
    expect(await healthyRecords(w.h.container, id)).toHaveLength(2);
    expect((await w.h.http().get(api(`/${id}`)).auth(...w.u.basic)).body.vm_count).toBe(2);
  });

  it('deletes a domain by terminating its VMs and removing it once none is left', async () => {
    const before = (await liveBySite(w.h.container)).alpha ?? 0;
    const id = await domainOnAlpha(3);
    expect((await liveBySite(w.h.container)).alpha).toBe(before + 3);
    expect((await w.h.http().delete(api(`/${id}`)).auth(...w.u.basic)).status).toBe(204);
    await passes(w, 2, 1);
    expect((await liveBySite(w.h.container)).alpha ?? 0).toBe(before);
    expect(await w.h.container.db.domain.findUnique({ where: { id } })).toBeNull();
  });

  it('still terminates a deleted domain whose launch configuration was deleted after it', async () => {
    const before = (await liveBySite(w.h.container)).alpha ?? 0;
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    const id = await createMulticloud(w, lc.name, 2);
    await passes(w, 2, 2);
    expect((await liveBySite(w.h.container)).alpha).toBe(before + 2);
    expect((await w.h.http().delete(api(`/${id}`)).auth(...w.u.basic)).status).toBe(204);
    // Only a terminating domain uses it now, so the configuration may go at once.
    expect((await w.h.http().delete(`/api/dev/launchconfigurations/${lc.id}`).auth(...w.u.basic)).status).toBe(204);
    const shown = await w.h.http().get(api(`/${id}`)).auth(...w.u.basic);
    expect(shown.body).toMatchObject({ state: 'terminating', lc_name: '', launchconfiguration: '' });
    await passes(w, 2, 1);
    expect((await liveBySite(w.h.container)).alpha ?? 0).toBe(before);
    expect(await w.h.container.db.domain.findUnique({ where: { id } })).toBeNull();
  });

  it('fails a VM that does not boot within the boot timeout, terminates it and replaces it', async () => {
    const lc = await createLaunchConfiguration(w, { slow: { rank: 1, max_vms: -1 } });
    const id = await createMulticloud(w, lc.name, 1);
    await w.engine.runPass();
    const [first] = await healthyRecords(w.h.container, id);
    await passes(w, 1, 301);
    const failed = await w.h.container.db.instance.findUniqueOrThrow({ where: { id: first.id } });
    expect(failed.lifecycleState).toBe(900);
    expect(failed.stateReason).toMatch(/boot timeout/);
    expect((await liveVms(w.h.container, 'slow')).map((v) => v.iaasId)).not.toContain(failed.iaasInstanceId);
    await passes(w, 1, 1);
    expect(await healthyRecords(w.h.container, id)).toHaveLength(1);
  });

  it('lists terminal records for the retention period, then drops them', async () => {
    const id = await domainOnAlpha(1);
    const [only] = await healthyRecords(w.h.container, id);
    await w.h.http().delete(api(`/${id}/instances/${only.id}`)).auth(...w.u.basic);
    await passes(w, 2, 1);
    const listed = async (): Promise<string[]> =>
      ((await w.h.http().get(api(`/${id}/instances`)).auth(...w.u.basic)).body as { id: string }[]).map((i) => i.id);
    expect(await listed()).toContain(only.id);
    await passes(w, 1, 7201);
    expect(await listed()).not.toContain(only.id);
  });

  it('lists activities newest first, in pages, to the owner only', async () => {
    const id = await domainOnAlpha(3);
    const all = await w.h.http().get(api(`/${id}/activities`)).auth(...w.u.basic);
    expect(all.status).toBe(200);
    const ids = (all.body.activities as { id: number }[]).map((a) => a.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    expect([...ids].sort((x, y) => y - x)).toEqual(ids);
    const first = await w.h.http().get(api(`/${id}/activities?limit=2`)).auth(...w.u.basic);
    expect(first.body.activities).toHaveLength(2);
    expect(first.body.next).toBe(`/api/dev/domains/${id}/activities?limit=2&before=${ids[1]}`);
    const second = await w.h.http().get(first.body.next as string).auth(...w.u.basic);
    expect((second.body.activities as { id: number }[])[0].id).toBe(ids[2]);
    expect(all.body.activities[0]).toMatchObject({ kind: 'launch', site: 'alpha', cause: 'below vm_count 3 (0 healthy)', error_class: '' });
    expect((await w.h.http().get(api(`/${id}/activities?limit=501`)).auth(...w.u.basic)).status).toBe(400);
    const other = await w.h.createUser();
    expect((await w.h.http().get(api(`/${id}/activities`)).auth(...other.basic)).status).toBe(404);
  });

  it('reacts to a new domain within a second, without waiting for the tick', async () => {
    const lc = await createLaunchConfiguration(w, { alpha: { rank: 1, max_vms: -1 } });
    w.h.container.engine.start(); // the container's own engine, as startServer runs it (tick: 5 s)
    await new Promise((r) => setTimeout(r, 300)); // let its first pass go by
    try {
      const started = Date.now();
      const id = await createMulticloud(w, lc.name, 1);
      while ((await healthyRecords(w.h.container, id)).length === 0 && Date.now() - started < 3000) await new Promise((r) => setTimeout(r, 20));
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await w.h.container.engine.stop();
    }
  });
});
