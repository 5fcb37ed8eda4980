import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createLc, lcBody, multicloudBody, unique } from '../helpers/resource-fixtures';

let h: Harness;
let u: TestUser;
beforeAll(async () => {
  h = await createHarness();
  u = await h.createUser();
});
afterAll(() => h.close());

const LCS = '/api/dev/launchconfigurations';
const post = (body: unknown, who: TestUser = u) => h.http().post(LCS).auth(...who.basic).send(body as object);

describe('launch configurations', () => {
  it('lists none for a new user', async () => {
    const fresh = await h.createUser();
    const res = await h.http().get(LCS).auth(...fresh.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('creates one with 201, a Location, typed values and a UUID id, and stores its sites', async () => {
    const name = unique('lc');
    const res = await post({
      name,
      contextualization_method: 'user_data',
      user_data: 'my user data',
      cloud_params: {
        hotel: { image_id: 'hello-phantom.gz', instance_type: 'm1.small', max_vms: '16', common: 'true', rank: '1' },
        sierra: { image_id: 'ami-deadbeef', instance_type: 'm1.large', max_vms: -1, common: 'FALSE', rank: 2 },
      },
    });
    expect(res.status).toBe(201);
    const id = res.body.id as string;
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.headers.location).toBe(`${LCS}/${id}`);
    expect(res.body).toEqual({
      id,
      name,
      cloud_params: {
        hotel: { image_id: 'hello-phantom.gz', instance_type: 'm1.small', max_vms: 16, common: true, rank: 1 },
        sierra: { image_id: 'ami-deadbeef', instance_type: 'm1.large', max_vms: -1, common: false, rank: 2 },
      },
      contextualization_method: 'user_data',
      user_data: 'my user data',
      owner: u.username,
      uri: `${LCS}/${id}`,
    });
    const stored = await h.container.db.launchConfiguration.findUniqueOrThrow({ where: { id }, include: { sites: true } });
    expect(stored).toMatchObject({ userId: u.id, name, contextualizationMethod: 'user_data', userData: 'my user data' });
    expect(stored.sites.map((s) => [s.siteId, s.maxVms, s.common, s.rank]).sort()).toEqual([
      ['hotel', 16, true, 1],
      ['sierra', -1, false, 2],
    ]);
    const got = await h.http().get(`${LCS}/${id}`).auth(...u.basic);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    const list = await h.http().get(LCS).auth(...u.basic);
    expect(list.body).toContainEqual(res.body);
  });

  it('defaults contextualization_method to none and omits the context fields', async () => {
    const res = await post({ name: unique('lc'), cloud_params: lcBody('x').cloud_params });
    expect(res.status).toBe(201);
    expect(res.body.contextualization_method).toBe('none');
    expect(res.body).not.toHaveProperty('user_data');
    expect(res.body).not.toHaveProperty('chef_runlist');
  });

  it('returns a chef configuration with chef_runlist/chef_attributes as sent and run_list/attributes too', async () => {
    const res = await post(lcBody(unique('lc'), { contextualization_method: 'chef', chef_runlist: '["recipe1", "recipe2"]', chef_attributes: '{"my": "attribute"}' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      contextualization_method: 'chef',
      chef_runlist: '["recipe1", "recipe2"]',
      chef_attributes: '{"my": "attribute"}',
      run_list: '["recipe1", "recipe2"]',
      attributes: '{"my": "attribute"}',
    });
    const stored = await h.container.db.launchConfiguration.findUniqueOrThrow({ where: { id: res.body.id } });
    expect(stored.chefRunlist).toBe('["recipe1", "recipe2"]');
  });

  it('defaults an empty chef runlist and attributes', async () => {
    const res = await post(lcBody(unique('lc'), { contextualization_method: 'chef' }));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ chef_runlist: '[]', chef_attributes: '{}' });
  });

  describe('rejects bad input with 400 naming the field', () => {
    const site = (over: Record<string, unknown>) => ({ hotel: { image_id: 'img', instance_type: 'm1.small', max_vms: 1, common: true, rank: 1, ...over } });
    it.each<[string, Record<string, unknown>, string]>([
      ['a missing name', { name: undefined }, 'name'],
      ['a name over 128 characters', { name: 'n'.repeat(129) }, 'name'],
      ['a name with odd characters', { name: 'bad/name' }, 'name'],
      ['missing cloud_params', { cloud_params: undefined }, 'cloud_params'],
      ['empty cloud_params', { cloud_params: {} }, 'cloud_params'],
      ['an unknown site', { cloud_params: { nowhere: site({}).hotel } }, 'cloud_params.nowhere'],
      ['an instance type the site does not offer', { cloud_params: site({ instance_type: 'x9.huge' }) }, 'cloud_params.hotel.instance_type'],
      ['max_vms below -1', { cloud_params: site({ max_vms: -2 }) }, 'cloud_params.hotel.max_vms'],
      ['a non-numeric max_vms', { cloud_params: site({ max_vms: 'lots' }) }, 'cloud_params.hotel.max_vms'],
      ['a fractional max_vms', { cloud_params: site({ max_vms: 1.5 }) }, 'cloud_params.hotel.max_vms'],
      ['a rank of 0', { cloud_params: site({ rank: 0 }) }, 'cloud_params.hotel.rank'],
      ['a non-boolean common', { cloud_params: site({ common: 'yes' }) }, 'cloud_params.hotel.common'],
      ['a missing image_id', { cloud_params: site({ image_id: undefined }) }, 'cloud_params.hotel.image_id'],
      [
        'a repeated rank',
        { cloud_params: { ...site({}), sierra: { image_id: 'i', instance_type: 'm1.small', max_vms: 1, common: true, rank: 1 } } },
        'cloud_params.sierra.rank',
      ],
      ['an unknown contextualization_method', { contextualization_method: 'puppet' }, 'contextualization_method'],
      ['user_data with method none', { user_data: 'echo hi' }, 'user_data'],
      ['method user_data without user_data', { contextualization_method: 'user_data' }, 'user_data'],
      ['user_data over 64 KiB', { contextualization_method: 'user_data', user_data: 'x'.repeat(64 * 1024 + 1) }, 'user_data'],
      ['chef_runlist without method chef', { chef_runlist: '["a"]' }, 'chef_runlist'],
      ['chef_attributes without method chef', { contextualization_method: 'user_data', user_data: 'x', chef_attributes: '{}' }, 'chef_attributes'],
      ['a chef_runlist that is not JSON', { contextualization_method: 'chef', chef_runlist: '[recipe1' }, 'chef_runlist'],
      ['a chef_runlist that is not a list of strings', { contextualization_method: 'chef', chef_runlist: '[1, 2]' }, 'chef_runlist'],
      ['chef_attributes that are not JSON', { contextualization_method: 'chef', chef_attributes: '{my: 1}' }, 'chef_attributes'],
      ['chef_attributes that are not an object', { contextualization_method: 'chef', chef_attributes: '["a"]' }, 'chef_attributes'],
    ])('%s', async (_what, override, field) => {
      const body: Record<string, unknown> = { ...lcBody(unique('lc')), ...override };
      for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
      const hotel = (body.cloud_params as Record<string, Record<string, unknown>> | undefined)?.hotel;
      if (hotel) for (const k of Object.keys(hotel)) if (hotel[k] === undefined) delete hotel[k];
      const before = await h.container.db.launchConfiguration.count();
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await h.container.db.launchConfiguration.count()).toBe(before);
    });
  });

  it('refuses a second configuration with the same name for the same user with 409, but not for another user', async () => {
    const name = unique('lc');
    expect((await post(lcBody(name))).status).toBe(201);
    const again = await post(lcBody(name));
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
    const other = await h.createUser();
    expect((await post(lcBody(name), other)).status).toBe(201);
  });

  it('replaces a configuration with PUT, removing sites, and answers 200 with Location', async () => {
    const lc = await createLc(h, u);
    const res = await h
      .http()
      .put(`${LCS}/${lc.id}`)
      .auth(...u.basic)
      .send({
        id: lc.id,
        owner: 'someone-else',
        uri: '/elsewhere',
        name: lc.name,
        contextualization_method: 'user_data',
        user_data: 'Hello World',
        cloud_params: { hotel: { image_id: 'hello-cloud', instance_type: 'm1.large', max_vms: 5, common: true, rank: 1 } },
      });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe(`${LCS}/${lc.id}`);
    expect(res.body).toEqual({
      id: lc.id,
      name: lc.name,
      cloud_params: { hotel: { image_id: 'hello-cloud', instance_type: 'm1.large', max_vms: 5, common: true, rank: 1 } },
      contextualization_method: 'user_data',
      user_data: 'Hello World',
      owner: u.username,
      uri: `${LCS}/${lc.id}`,
    });
    const sites = await h.container.db.launchConfigurationSite.findMany({ where: { launchConfigurationId: lc.id } });
    expect(sites.map((s) => s.siteId)).toEqual(['hotel']);
  });

  it('accepts a PUT of the GET body unchanged, chef fields included', async () => {
    const created = await post(lcBody(unique('lc'), { contextualization_method: 'chef', chef_runlist: '["r"]' }));
    const got = await h.http().get(`${LCS}/${created.body.id}`).auth(...u.basic);
    const res = await h.http().put(`${LCS}/${created.body.id}`).auth(...u.basic).send(got.body);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(got.body);
  });

  it('renames with PUT, but not onto another configuration of the caller (409)', async () => {
    const a = await createLc(h, u);
    const b = await createLc(h, u);
    const clash = await h.http().put(`${LCS}/${b.id}`).auth(...u.basic).send(lcBody(a.name));
    expect(clash.status).toBe(409);
    const renamed = unique('renamed');
    const ok = await h.http().put(`${LCS}/${b.id}`).auth(...u.basic).send(lcBody(renamed));
    expect(ok.status).toBe(200);
    expect((await h.container.db.launchConfiguration.findUniqueOrThrow({ where: { id: b.id } })).name).toBe(renamed);
  });

  it('validates a PUT like a POST', async () => {
    const lc = await createLc(h, u);
    const res = await h.http().put(`${LCS}/${lc.id}`).auth(...u.basic).send(lcBody(lc.name, { cloud_params: { hotel: { image_id: 'i', instance_type: 'm1.small', max_vms: 1, common: true, rank: -3 } } }));
    expect(res.status).toBe(400);
    expect(res.body.details[0].field).toBe('cloud_params.hotel.rank');
  });

  it('deletes with 204, then 404', async () => {
    const lc = await createLc(h, u);
    const res = await h.http().delete(`${LCS}/${lc.id}`).auth(...u.basic);
    expect(res.status).toBe(204);
    expect(await h.container.db.launchConfiguration.findUnique({ where: { id: lc.id } })).toBeNull();
    expect((await h.http().get(`${LCS}/${lc.id}`).auth(...u.basic)).status).toBe(404);
    expect((await h.http().delete(`${LCS}/${lc.id}`).auth(...u.basic)).status).toBe(404);
  });

  it('refuses to delete a configuration a live domain uses, naming the domain (409)', async () => {
    const lc = await createLc(h, u);
    const domName = unique('dom');
    const dom = await h.http().post('/api/dev/domains').auth(...u.basic).send(multicloudBody(domName, lc.name));
    expect(dom.status).toBe(201);
    const res = await h.http().delete(`${LCS}/${lc.id}`).auth(...u.basic);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain(domName);
    expect(await h.container.db.launchConfiguration.findUnique({ where: { id: lc.id } })).not.toBeNull();
    // Once the domain is gone (no instances: removed at once), the configuration can go.
    expect((await h.http().delete(`/api/dev/domains/${dom.body.id}`).auth(...u.basic)).status).toBe(204);
    expect((await h.http().delete(`${LCS}/${lc.id}`).auth(...u.basic)).status).toBe(204);
  });

  it.each(['not-a-uuid', '12345', 'fcfe9272-d03f-48e4-bd5f-4eb50ec396c7'])('answers 404 JSON for the id %s', async (id) => {
    for (const req of [
      h.http().get(`${LCS}/${id}`),
      h.http().put(`${LCS}/${id}`).send(lcBody('x')),
      h.http().delete(`${LCS}/${id}`),
    ]) {
      const res = await req.auth(...u.basic);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });

  it('pretty-prints with ?pretty=true', async () => {
    const lc = await createLc(h, u);
    const res = await h.http().get(`${LCS}/${lc.id}?pretty=true`).auth(...u.basic);
    expect(res.text).toBe(JSON.stringify(res.body, null, 4));
  });

  it('answers other methods with 405', async () => {
    const res = await h.http().patch(LCS).auth(...u.basic);
    expect(res.status).toBe(405);
  });
});
