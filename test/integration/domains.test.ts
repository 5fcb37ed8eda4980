import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, createLc, insertInstance, lcBody, multicloudBody, sensorBody, unique } from '../helpers/resource-fixtures';

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await createHarness();
  u = await h.createUser();
});
afterAll(() => h.close());

const DOMAINS = '/api/dev/domains';
const post = (body: unknown, who: TestUser = u) => h.http().post(DOMAINS).auth(...who.basic).send(body as object);

async function addChefCredential(user: TestUser, name: string): Promise<void> {
  await h.container.db.chefCredential.create({
    data: { userId: user.id, name, serverUrl: 'https://chef.example', clientName: 'admin', validationClientName: 'chef-validator', clientKey: 'x', validatorKey: 'x' },
  });
}

describe('domains', () => {
  it('lists none for a new user', async () => {
    const fresh = await h.createUser();
    const res = await h.http().get(DOMAINS).auth(...fresh.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('creates a multicloud domain with 201 and Location, and stores it active', async () => {
    const lc = await createLc(h, u);
    const name = unique('dom');
    const res = await post({ ...multicloudBody(name, lc.name, '3'), monitor_domain_sensors: 'my.domain.sensor' });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(res.headers.location).toBe(`${DOMAINS}/${id}`);
    expect(res.body).toEqual({
      id,
      name,
      de_name: 'multicloud',
      lc_name: lc.name,
      launchconfiguration: `/api/dev/launchconfigurations/${lc.id}`,
      monitor_sensors: '',
      monitor_domain_sensors: 'my.domain.sensor',
      vm_count: 3,
      sensor_data: {},
      state: 'active',
      unplaced_vms: 0,
      unplaced_reason: '',
      owner: u.username,
      uri: `${DOMAINS}/${id}`,
    });
    const stored = await h.container.db.domain.findUniqueOrThrow({ where: { id } });
    expect(stored).toMatchObject({ userId: u.id, name, activeName: name, state: 'active', deName: 'multicloud', vmCount: 3, launchConfigurationId: lc.id });
    expect((await h.http().get(`${DOMAINS}/${id}`).auth(...u.basic)).body).toEqual(res.body);
    expect((await h.http().get(DOMAINS).auth(...u.basic)).body).toContainEqual(res.body);
  });

  it('creates a sensor domain with typed policy fields', async () => {
    const lc = await createLc(h, u);
    const name = unique('dom');
    const res = await post(sensorBody(name, lc.name));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      de_name: 'sensor',
      monitor_sensors: 'proc.loadavg.1min,df.inodes.free',
      sensor_minimum_vms: 1,
      sensor_maximum_vms: 10,
      sensor_metric: 'proc.loadavg.1min',
      sensor_scale_down_threshold: 0.5,
      sensor_scale_down_vms: 1,
      sensor_scale_up_threshold: 1,
      sensor_scale_up_vms: 1,
      sensor_cooldown: 60,
      sensor_data: {},
    });
    expect(res.body).not.toHaveProperty('vm_count');
    const stored = await h.container.db.domain.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored).toMatchObject({ deName: 'sensor', sensorScaleDownThreshold: 0.5, sensorCooldown: 60, vmCount: null });
  });

  it('defaults the monitor lists to ""', async () => {
    const lc = await createLc(h, u);
    const res = await post({ name: unique('dom'), de_name: 'multicloud', lc_name: lc.name, vm_count: 0 });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ monitor_sensors: '', monitor_domain_sensors: '', vm_count: 0 });
  });

  describe('rejects bad input with 400 naming each bad field', () => {
    let lcName: string;
    beforeAll(async () => {
      lcName = (await createLc(h, u)).name;
    });
    it.each<[string, (lc: string) => Record<string, unknown>, string[]]>([
      ['a missing name', (lc) => ({ ...multicloudBody('', lc), name: undefined }), ['name']],
      ['a name over 128 characters', (lc) => multicloudBody('d'.repeat(129), lc), ['name']],
      ['an unknown de_name', (lc) => ({ ...multicloudBody(unique('d'), lc), de_name: 'fancy' }), ['de_name']],
      ['an lc_name the caller does not have', () => multicloudBody(unique('d'), 'no-such-lc'), ['lc_name']],
      ['a missing vm_count', (lc) => ({ ...multicloudBody(unique('d'), lc), vm_count: undefined }), ['vm_count']],
      ['a negative vm_count', (lc) => multicloudBody(unique('d'), lc, -1), ['vm_count']],
      ['a fractional vm_count', (lc) => multicloudBody(unique('d'), lc, '1.5'), ['vm_count']],
      ['a negative count and a missing name together', (lc) => ({ ...multicloudBody('', lc, -2), name: undefined }), ['name', 'vm_count']],
      ['a missing sensor_metric', (lc) => sensorBody(unique('d'), lc, { sensor_metric: undefined }), ['sensor_metric']],
      ['an empty sensor_metric', (lc) => sensorBody(unique('d'), lc, { sensor_metric: '' }), ['sensor_metric']],
      ['sensor_minimum_vms above sensor_maximum_vms', (lc) => sensorBody(unique('d'), lc, { sensor_minimum_vms: 5, sensor_maximum_vms: 2 }), ['sensor_minimum_vms']],
      ['a negative sensor_maximum_vms', (lc) => sensorBody(unique('d'), lc, { sensor_maximum_vms: -1 }), ['sensor_maximum_vms']],
      ['a negative sensor_scale_up_vms', (lc) => sensorBody(unique('d'), lc, { sensor_scale_up_vms: -1 }), ['sensor_scale_up_vms']],
      ['a negative sensor_scale_down_vms', (lc) => sensorBody(unique('d'), lc, { sensor_scale_down_vms: '-1' }), ['sensor_scale_down_vms']],
      ['a negative sensor_cooldown', (lc) => sensorBody(unique('d'), lc, { sensor_cooldown: -5 }), ['sensor_cooldown']],
      ['equal thresholds', (lc) => sensorBody(unique('d'), lc, { sensor_scale_up_threshold: 1, sensor_scale_down_threshold: 1 }), ['sensor_scale_up_threshold']],
      ['an up threshold below the down threshold', (lc) => sensorBody(unique('d'), lc, { sensor_scale_up_threshold: '0.2', sensor_scale_down_threshold: 0.5 }), ['sensor_scale_up_threshold']],
      ['a non-numeric threshold', (lc) => sensorBody(unique('d'), lc, { sensor_scale_up_threshold: 'high' }), ['sensor_scale_up_threshold']],
      ['a missing sensor field', (lc) => sensorBody(unique('d'), lc, { sensor_cooldown: undefined }), ['sensor_cooldown']],
      ['a malformed monitor_sensors list', (lc) => ({ ...multicloudBody(unique('d'), lc), monitor_sensors: 'a b,c' }), ['monitor_sensors']],
      ['a chef_credential the caller does not have', (lc) => ({ ...multicloudBody(unique('d'), lc), chef_credential: 'nope' }), ['chef_credential']],
    ])('%s', async (_what, make, fields) => {
      const body = make(lcName);
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      const before = await h.container.db.domain.count();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.details.map((d: { field: string }) => d.field).sort()).toEqual(fields);
      expect(await h.container.db.domain.count()).toBe(before);
    });
  });

  describe('chef_credential', () => {
    it('is required when the LC uses chef and the caller has several, and must be one of theirs', async () => {
      const user = await h.createUser();
      const lc = await createLc(h, user, { contextualization_method: 'chef' });
      const none = await post(multicloudBody(unique('d'), lc.name), user);
      expect(none.status).toBe(400);
      expect(none.body.details[0].field).toBe('chef_credential');

      await addChefCredential(user, 'hostedchef');
      const implied = await post(multicloudBody(unique('d'), lc.name), user);
      expect(implied.status).toBe(201);
      expect(implied.body.chef_credential).toBe('hostedchef');

      await addChefCredential(user, 'open_source_chef');
      const ambiguous = await post(multicloudBody(unique('d'), lc.name), user);
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.body.details[0].field).toBe('chef_credential');

      const chosen = await post({ ...multicloudBody(unique('d'), lc.name), chef_credential: 'open_source_chef' }, user);
      expect(chosen.status).toBe(201);
      expect(chosen.body.chef_credential).toBe('open_source_chef');
      const stored = await h.container.db.domain.findUniqueOrThrow({ where: { id: chosen.body.id }, include: { chefCredential: true } });
      expect(stored.chefCredential?.name).toBe('open_source_chef');

      // Another user's credential of the same name is not theirs.
      const other = await h.createUser();
      const otherLc = await createLc(h, other);
      const foreign = await post({ ...multicloudBody(unique('d'), otherLc.name), chef_credential: 'hostedchef' }, other);
      expect(foreign.status).toBe(400);
      expect(foreign.body.details[0].field).toBe('chef_credential');
    });
  });

  it('refuses a duplicate name with 409, and frees the name once the domain is terminating', async () => {
    const lc = await createLc(h, u);
    const name = unique('dom');
    const first = await post(multicloudBody(name, lc.name));
    expect(first.status).toBe(201);
    expect((await post(multicloudBody(name, lc.name))).status).toBe(409);
    await insertInstance(h, first.body.id, { lifecycleState: 600 }); // keeps it terminating
    expect((await h.http().delete(`${DOMAINS}/${first.body.id}`).auth(...u.basic)).status).toBe(204);
    const second = await post(multicloudBody(name, lc.name));
    expect(second.status).toBe(201);
  });

  it('takes back a PUT of the whole GET body with one field changed, ignoring read-only fields', async () => {
    const dom = await createDomain(h, u);
    const got = await h.http().get(`${DOMAINS}/${dom.id}`).auth(...u.basic);
    const body = { ...got.body, vm_count: '0', owner: 'mallory', uri: '/x', id: 'other', sensor_data: { a: 1 }, state: 'terminating', launchconfiguration: '/y' };
    const res = await h.http().put(`${DOMAINS}/${dom.id}`).auth(...u.basic).send(body);
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe(`${DOMAINS}/${dom.id}`);
    expect(res.body).toEqual({ ...got.body, vm_count: 0 });
    expect((await h.container.db.domain.findUniqueOrThrow({ where: { id: dom.id } })).vmCount).toBe(0);
  });

  it('switches policy with PUT and validates it like a POST', async () => {
    const dom = await createDomain(h, u);
    const lcName = dom.lc_name as string;
    const bad = await h.http().put(`${DOMAINS}/${dom.id}`).auth(...u.basic).send(sensorBody(dom.name, lcName, { sensor_minimum_vms: 3, sensor_maximum_vms: 1 }));
    expect(bad.status).toBe(400);
    const ok = await h.http().put(`${DOMAINS}/${dom.id}`).auth(...u.basic).send(sensorBody(dom.name, lcName));
    expect(ok.status).toBe(200);
    expect(ok.body.de_name).toBe('sensor');
    expect(ok.body).not.toHaveProperty('vm_count');
    const stored = await h.container.db.domain.findUniqueOrThrow({ where: { id: dom.id } });
    expect(stored).toMatchObject({ deName: 'sensor', vmCount: null, sensorMaximumVms: 10 });
  });

  it('moves a domain to another launch configuration with PUT', async () => {
    const dom = await createDomain(h, u);
    const lc2 = await createLc(h, u);
    const res = await h.http().put(`${DOMAINS}/${dom.id}`).auth(...u.basic).send(multicloudBody(dom.name, lc2.name, 2));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lc_name: lc2.name, launchconfiguration: `/api/dev/launchconfigurations/${lc2.id}` });
  });

  it('reflects a renamed launch configuration in lc_name', async () => {
    const lc = await createLc(h, u);
    const dom = await post(multicloudBody(unique('dom'), lc.name));
    const renamed = unique('renamed');
    expect((await h.http().put(`/api/dev/launchconfigurations/${lc.id}`).auth(...u.basic).send(lcBody(renamed))).status).toBe(200);
    expect((await h.http().get(`${DOMAINS}/${dom.body.id}`).auth(...u.basic)).body.lc_name).toBe(renamed);
  });

  it('refuses a PUT that renames onto another active domain (409)', async () => {
    const a = await createDomain(h, u);
    const b = await createDomain(h, u);
    const res = await h.http().put(`${DOMAINS}/${b.id}`).auth(...u.basic).send(multicloudBody(a.name, b.lc_name as string));
    expect(res.status).toBe(409);
  });

  it('deletes a domain without instances at once (204, then 404)', async () => {
    const dom = await createDomain(h, u);
    await insertInstance(h, dom.id, { lifecycleState: 800 });
    await insertInstance(h, dom.id, { lifecycleState: 900 });
    const res = await h.http().delete(`${DOMAINS}/${dom.id}`).auth(...u.basic);
    expect(res.status).toBe(204);
    expect(await h.container.db.domain.findUnique({ where: { id: dom.id } })).toBeNull();
    expect(await h.container.db.instance.count({ where: { domainId: dom.id } })).toBe(0);
    expect((await h.http().get(`${DOMAINS}/${dom.id}`).auth(...u.basic)).status).toBe(404);
  });

  it('leaves a domain with live instances terminating, marks them, and then refuses PUT', async () => {
    const dom = await createDomain(h, u);
    const running = await insertInstance(h, dom.id, { lifecycleState: 600 });
    const pending = await insertInstance(h, dom.id, { lifecycleState: 400 });
    const dead = await insertInstance(h, dom.id, { lifecycleState: 800 });
    const res = await h.http().delete(`${DOMAINS}/${dom.id}`).auth(...u.basic);
    expect(res.status).toBe(204);
    const stored = await h.container.db.domain.findUniqueOrThrow({ where: { id: dom.id } });
    expect(stored).toMatchObject({ state: 'terminating', activeName: null, name: dom.name });
    const flags = await h.container.db.instance.findMany({ where: { domainId: dom.id }, select: { id: true, terminateRequested: true } });
    expect(Object.fromEntries(flags.map((f) => [f.id, f.terminateRequested]))).toEqual({ [running]: true, [pending]: true, [dead]: false });

    const got = await h.http().get(`${DOMAINS}/${dom.id}`).auth(...u.basic);
    expect(got.status).toBe(200);
    expect(got.body.state).toBe('terminating');
    expect((await h.http().get(DOMAINS).auth(...u.basic)).body.find((d: { id: string }) => d.id === dom.id).state).toBe('terminating');
    const put = await h.http().put(`${DOMAINS}/${dom.id}`).auth(...u.basic).send({ ...got.body, vm_count: 5 });
    expect(put.status).toBe(409);
    expect((await h.http().delete(`${DOMAINS}/${dom.id}`).auth(...u.basic)).status).toBe(204); // idempotent
    // Only a live domain holds its launch configuration: this one is terminating, so it may go, and the
    // domain stays listed (terminating, with no configuration) until the engine has ended its VMs.
    expect((await h.http().delete(`/api/dev/launchconfigurations/${stored.launchConfigurationId}`).auth(...u.basic)).status).toBe(204);
    const after = await h.http().get(`${DOMAINS}/${dom.id}`).auth(...u.basic);
    expect(after.body).toMatchObject({ state: 'terminating', lc_name: '', launchconfiguration: '' });
  });

  it.each(['not-a-uuid', 'fcfe9272-d03f-48e4-bd5f-4eb50ec396c7'])('answers 404 JSON for the id %s', async (id) => {
    for (const req of [h.http().get(`${DOMAINS}/${id}`), h.http().put(`${DOMAINS}/${id}`).send({}), h.http().delete(`${DOMAINS}/${id}`)]) {
      const res = await req.auth(...u.basic);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });
});
