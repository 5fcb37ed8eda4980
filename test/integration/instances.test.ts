import { v4 as uuidv4 } from 'uuid';
import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, createLc, insertInstance, lcBody, multicloudBody, sensorBody, unique } from '../helpers/resource-fixtures';

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await createHarness();
  u = await h.createUser();
});
afterAll(() => h.close());

const instancesOf = (domainId: string) => `/api/dev/domains/${domainId}/instances`;
const stored = (id: string) => h.container.db.instance.findUniqueOrThrow({ where: { id } });
const domainRow = (id: string) => h.container.db.domain.findUniqueOrThrow({ where: { id } });

describe('instances', () => {
  it('lists none for a new domain', async () => {
    const dom = await createDomain(h, u);
    const res = await h.http().get(instancesOf(dom.id)).auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('shows each instance with the spec fields, missing strings as ""', async () => {
    const dom = await createDomain(h, u);
    const full = await insertInstance(h, dom.id, { lifecycleState: 400 });
    const bare = await insertInstance(h, dom.id, { lifecycleState: 100, iaasInstanceId: null, hostname: null, stateReason: null });
    const list = await h.http().get(instancesOf(dom.id)).auth(...u.basic);
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(2);
    const one = await h.http().get(`${instancesOf(dom.id)}/${full}`).auth(...u.basic);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      id: full,
      iaas_instance_id: 'i-75c0b81b',
      lifecycle_state: '400-PENDING',
      hostname: 'vm-25.sdsc.futuregrid.org',
      cloud: '/api/dev/sites/sierra',
      image_id: 'hello-phantom.gz',
      instance_type: 'm1.small',
      sensor_data: {},
      keyname: 'phantomkey',
      public_ip: '',
      private_ip: '',
      state_reason: '',
      uri: `${instancesOf(dom.id)}/${full}`,
    });
    expect(list.body).toContainEqual(one.body);
    const b = list.body.find((i: { id: string }) => i.id === bare);
    expect(b).toMatchObject({ lifecycle_state: '100-REQUESTING', iaas_instance_id: '', hostname: '', state_reason: '' });
  });

  it('reports why an instance failed in state_reason', async () => {
    const dom = await createDomain(h, u);
    const id = await insertInstance(h, dom.id, { lifecycleState: 900, stateReason: 'IAAS_FULL: InstanceLimitExceeded' });
    const res = await h.http().get(`${instancesOf(dom.id)}/${id}`).auth(...u.basic);
    expect(res.body).toMatchObject({ lifecycle_state: '900-FAILED', state_reason: 'IAAS_FULL: InstanceLimitExceeded' });
  });

  it('marks an instance for termination with DELETE (204) and leaves the policy alone', async () => {
    const dom = await createDomain(h, u, (lc) => multicloudBody(unique('d'), lc, 3));
    const id = await insertInstance(h, dom.id, { lifecycleState: 600 });
    const res = await h.http().delete(`${instancesOf(dom.id)}/${id}`).auth(...u.basic);
    expect(res.status).toBe(204);
    expect((await stored(id)).terminateRequested).toBe(true);
    expect((await domainRow(dom.id)).vmCount).toBe(3);
    const falseFlag = await insertInstance(h, dom.id, { lifecycleState: 600 });
    expect((await h.http().delete(`${instancesOf(dom.id)}/${falseFlag}?adjust_policy=false`).auth(...u.basic)).status).toBe(204);
    expect((await domainRow(dom.id)).vmCount).toBe(3);
  });

  it('with adjust_policy=true decrements a multicloud vm_count, never below 0', async () => {
    const dom = await createDomain(h, u, (lc) => multicloudBody(unique('d'), lc, 1));
    const a = await insertInstance(h, dom.id, { lifecycleState: 600 });
    const b = await insertInstance(h, dom.id, { lifecycleState: 600 });
    expect((await h.http().delete(`${instancesOf(dom.id)}/${a}?adjust_policy=true`).auth(...u.basic)).status).toBe(204);
    expect((await domainRow(dom.id)).vmCount).toBe(0);
    expect((await stored(a)).terminateRequested).toBe(true);
    expect((await h.http().delete(`${instancesOf(dom.id)}/${b}?adjust_policy=TRUE`).auth(...u.basic)).status).toBe(204);
    expect((await domainRow(dom.id)).vmCount).toBe(0);
    expect((await stored(b)).terminateRequested).toBe(true);
    const got = await h.http().get(`/api/dev/domains/${dom.id}`).auth(...u.basic);
    expect(got.body.vm_count).toBe(0);
  });

  it('with adjust_policy=true decrements sensor_minimum_vms and sets sensor_maximum_vms to it, never below 0', async () => {
    const dom = await createDomain(h, u, (lc) => sensorBody(unique('d'), lc, { sensor_minimum_vms: 1, sensor_maximum_vms: 10 }));
    const a = await insertInstance(h, dom.id, { lifecycleState: 600 });
    const b = await insertInstance(h, dom.id, { lifecycleState: 500 });
    await h.http().delete(`${instancesOf(dom.id)}/${a}?adjust_policy=true`).auth(...u.basic).expect(204);
    expect(await domainRow(dom.id)).toMatchObject({ sensorMinimumVms: 0, sensorMaximumVms: 0 });
    await h.http().delete(`${instancesOf(dom.id)}/${b}?adjust_policy=true`).auth(...u.basic).expect(204);
    expect(await domainRow(dom.id)).toMatchObject({ sensorMinimumVms: 0, sensorMaximumVms: 0 });
  });

  it('shrinks the sensor range from the minimum', async () => {
    const dom = await createDomain(h, u, (lc) => sensorBody(unique('d'), lc, { sensor_minimum_vms: 3, sensor_maximum_vms: 8 }));
    const a = await insertInstance(h, dom.id, { lifecycleState: 600 });
    await h.http().delete(`${instancesOf(dom.id)}/${a}?adjust_policy=true`).auth(...u.basic).expect(204);
    expect(await domainRow(dom.id)).toMatchObject({ sensorMinimumVms: 2, sensorMaximumVms: 2 });
    const got = await h.http().get(`/api/dev/domains/${dom.id}`).auth(...u.basic);
    expect(got.body).toMatchObject({ sensor_minimum_vms: 2, sensor_maximum_vms: 2 });
  });

  it('does not shrink the policy twice for an instance already being terminated', async () => {
    const dom = await createDomain(h, u, (lc) => multicloudBody(unique('d'), lc, 4));
    const a = await insertInstance(h, dom.id, { lifecycleState: 600 });
    const gone = await insertInstance(h, dom.id, { lifecycleState: 800 });
    await h.http().delete(`${instancesOf(dom.id)}/${a}?adjust_policy=true`).auth(...u.basic).expect(204);
    await h.http().delete(`${instancesOf(dom.id)}/${a}?adjust_policy=true`).auth(...u.basic).expect(204);
    await h.http().delete(`${instancesOf(dom.id)}/${gone}?adjust_policy=true`).auth(...u.basic).expect(204);
    expect((await domainRow(dom.id)).vmCount).toBe(3);
  });

  it('answers 404 for an instance of another domain, an unknown instance and non-UUID ids', async () => {
    const d1 = await createDomain(h, u);
    const d2 = await createDomain(h, u);
    const inD2 = await insertInstance(h, d2.id);
    for (const path of [
      `${instancesOf(d1.id)}/${inD2}`,
      `${instancesOf(d1.id)}/${uuidv4()}`,
      `${instancesOf(d1.id)}/not-a-uuid`,
      `${instancesOf('not-a-uuid')}/${inD2}`,
    ]) {
      for (const method of ['get', 'delete'] as const) {
        const res = await h.http()[method](path).auth(...u.basic);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
    }
    expect((await stored(inD2)).terminateRequested).toBe(false);
    for (const id of [uuidv4(), 'not-a-uuid']) {
      expect((await h.http().get(instancesOf(id)).auth(...u.basic)).status).toBe(404);
    }
  });
});

describe('isolation between users', () => {
  it('hides every launch configuration, domain and instance from another user, for every verb', async () => {
    const owner = await h.createUser('owner');
    const other = await h.createUser('other');
    const lc = await createLc(h, owner);
    const dom = await createDomain(h, owner);
    const inst = await insertInstance(h, dom.id, { lifecycleState: 600 });
    const otherLc = await createLc(h, other); // so the PUT bodies below are valid for `other`

    const as = (path: string) => ({
      get: () => h.http().get(path).auth(...other.basic),
      put: (body: object) => h.http().put(path).auth(...other.basic).send(body),
      delete: () => h.http().delete(path).auth(...other.basic),
    });

    const lcPath = as(`/api/dev/launchconfigurations/${lc.id}`);
    expect((await lcPath.get()).status).toBe(404);
    expect((await lcPath.put(lcBody(unique('x')))).status).toBe(404);
    expect((await lcPath.delete()).status).toBe(404);

    const domPath = as(`/api/dev/domains/${dom.id}`);
    expect((await domPath.get()).status).toBe(404);
    expect((await domPath.put(multicloudBody(unique('x'), otherLc.name, 9))).status).toBe(404);
    expect((await domPath.delete()).status).toBe(404);

    expect((await as(instancesOf(dom.id)).get()).status).toBe(404);
    const instPath = as(`${instancesOf(dom.id)}/${inst}`);
    expect((await instPath.get()).status).toBe(404);
    expect((await h.http().delete(`${instancesOf(dom.id)}/${inst}?adjust_policy=true`).auth(...other.basic)).status).toBe(404);

    const lcList = await h.http().get('/api/dev/launchconfigurations').auth(...other.basic);
    expect(lcList.body.map((l: { id: string }) => l.id)).toEqual([otherLc.id]);
    expect((await h.http().get('/api/dev/domains').auth(...other.basic)).body).toEqual([]);

    // A domain cannot be built on someone else's launch configuration either.
    const borrowed = await h.http().post('/api/dev/domains').auth(...other.basic).send(multicloudBody(unique('x'), lc.name));
    expect(borrowed.status).toBe(400);

    // Nothing changed for the owner.
    expect(await h.container.db.launchConfiguration.findUnique({ where: { id: lc.id } })).toMatchObject({ name: lc.name });
    expect(await domainRow(dom.id)).toMatchObject({ state: 'active', name: dom.name, vmCount: 1 });
    expect((await stored(inst)).terminateRequested).toBe(false);
    expect((await h.http().get(`/api/dev/domains/${dom.id}`).auth(...owner.basic)).status).toBe(200);
  });
});
