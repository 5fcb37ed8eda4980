import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { createDomain, insertInstance } from '../helpers/resource-fixtures';
import { scriptedApp } from '../helpers/scripted-driver';
import { sitesFileEnv } from '../helpers/sites-file';

let h: Harness; // the built-in sites, hotel and sierra
let f: Harness; // a sites file with known key pairs and a site whose API always fails
beforeAll(async () => {
  h = await createHarness();
  f = await createHarness(
    sitesFileEnv([
      { id: 'hotel', options: { key_names: ['phantom_ssh_key', 'default'] } },
      { id: 'broken', options: { api_error_rate: 1 } },
    ]),
  );
});
afterAll(async () => {
  await h.close();
  await f.close();
});

const SIERRA = { id: 'sierra', access_key: 'sierra_access_key_id', secret_key: 'sierra_secret_access_key', key_name: 'phantom_ssh_key' };

function body(id: string, extra: Record<string, unknown> = {}) {
  return { id, access_key: `${id}_access_key_id`, secret_key: `${id}_secret_access_key`, key_name: 'phantom_ssh_key', ...extra };
}

function create(harness: Harness, u: TestUser, fields: Record<string, unknown>) {
  return harness.http().post('/api/dev/credentials/sites').auth(...u.basic).send(fields);
}

function storedRow(harness: Harness, userId: number, siteId: string) {
  return harness.container.db.siteCredential.findUnique({ where: { userId_siteId: { userId, siteId } } });
}

describe('creating site credentials', () => {
  it('saves them at POST /api/dev/sites/credentials as the spec shows: 201, Location and the body', async () => {
    const u = await h.createUser();
    const res = await h.http().post('/api/dev/sites/credentials').auth(...u.basic).send(SIERRA);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/dev/credentials/sites/sierra');
    expect(res.body).toEqual({ ...SIERRA, uri: '/api/dev/credentials/sites/sierra' });
    const row = await storedRow(h, u.id, 'sierra');
    expect(row).toMatchObject({ keyName: 'phantom_ssh_key' });
  });

  it('also saves them at POST /api/dev/credentials/sites', async () => {
    const u = await h.createUser();
    const res = await create(h, u, body('hotel'));
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe('/api/dev/credentials/sites/hotel');
    expect(await storedRow(h, u.id, 'hotel')).not.toBeNull();
  });

  it('accepts form-encoded fields', async () => {
    const u = await h.createUser();
    const res = await h.http().post('/api/dev/credentials/sites').auth(...u.basic).type('form').send(body('hotel'));
    expect(res.status).toBe(201);
    expect(res.body.access_key).toBe('hotel_access_key_id');
  });

  it('stores the access and secret keys encrypted, never in clear', async () => {
    const u = await h.createUser();
    await create(h, u, SIERRA).expect(201);
    const row = await storedRow(h, u.id, 'sierra');
    if (!row) throw new Error('row missing');
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(SIERRA.access_key);
    expect(stored).not.toContain(SIERRA.secret_key);
    expect(row.accessKey).toMatch(/^v1:/);
    expect(h.container.secretBox.open(row.accessKey)).toBe(SIERRA.access_key);
    expect(h.container.secretBox.open(row.secretKey)).toBe(SIERRA.secret_key);
  });

  it('answers a second create for the same site with 409 and keeps the first', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const res = await create(h, u, body('hotel', { access_key: 'other' }));
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('conflict');
    const row = await storedRow(h, u.id, 'hotel');
    expect(h.container.secretBox.open(row?.accessKey ?? '')).toBe('hotel_access_key_id');
  });

  it('rejects an unknown site with 400 naming the known sites', async () => {
    const u = await h.createUser();
    const res = await create(h, u, body('ec2'));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'id', message: 'ec2 is not a known site; known sites: hotel, sierra' }]);
    expect(res.body.message).toContain('hotel, sierra');
    expect(await h.container.db.siteCredential.count({ where: { userId: u.id } })).toBe(0);
  });

  it('names every missing field at once', async () => {
    const u = await h.createUser();
    const res = await create(h, u, {});
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual(
      ['id', 'access_key', 'secret_key', 'key_name'].map((field) => ({ field, message: 'required' })),
    );
  });

  it.each([
    ['an empty access_key', { access_key: '' }, 'access_key', 'must not be empty'],
    ['an empty secret_key', { secret_key: '' }, 'secret_key', 'must not be empty'],
    ['an empty key_name', { key_name: '' }, 'key_name', 'must not be empty'],
    ['a numeric access_key', { access_key: 12 }, 'access_key', 'must be a string'],
    ['a list as secret_key', { secret_key: ['a', 'b'] }, 'secret_key', 'must be a string'],
    ['an access_key over 4 KiB', { access_key: 'a'.repeat(4097) }, 'access_key', 'must be at most 4096 characters'],
    ['a secret_key over 4 KiB', { secret_key: 's'.repeat(4097) }, 'secret_key', 'must be at most 4096 characters'],
    ['a key_name over 255 characters', { key_name: 'k'.repeat(256) }, 'key_name', 'must be at most 255 characters'],
    ['a numeric id', { id: 7 }, 'id', 'must be a string'],
    ['a key_name with a control character', { key_name: 'a\u0001b' }, 'key_name', 'must not contain control characters'],
  ])('rejects %s with 400 naming the field', async (_name, override, field, message) => {
    const u = await h.createUser();
    const res = await create(h, u, body('hotel', override));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field, message }]);
    expect(await storedRow(h, u.id, 'hotel')).toBeNull();
  });

  it('rejects a body that is not an object with a JSON 400', async () => {
    const u = await h.createUser();
    for (const payload of ['[]', 'null', '"text"']) {
      const res = await h.http().post('/api/dev/credentials/sites').auth(...u.basic).set('Content-Type', 'application/json').send(payload);
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
    }
  });

  it('rejects a repeated form field with 400', async () => {
    const u = await h.createUser();
    const res = await h
      .http()
      .post('/api/dev/credentials/sites')
      .auth(...u.basic)
      .type('form')
      .send('id=hotel&access_key=a&access_key=b&secret_key=s&key_name=k');
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'access_key', message: 'must be a string' }]);
  });
});

describe('reading site credentials', () => {
  it('lists [] for a new user', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/credentials/sites').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual([]);
  });

  it('lists the caller’s credentials with their secrets in clear, as the spec shows', async () => {
    const u = await h.createUser();
    await create(h, u, body('sierra')).expect(201);
    await create(h, u, body('hotel')).expect(201);
    const res = await h.http().get('/api/dev/credentials/sites').auth(...u.basic);
    expect(res.body).toEqual([
      { ...body('hotel'), uri: '/api/dev/credentials/sites/hotel' },
      { ...body('sierra'), uri: '/api/dev/credentials/sites/sierra' },
    ]);
  });

  it('returns one with GET and indents it with ?pretty=true', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const res = await h.http().get('/api/dev/credentials/sites/hotel?pretty=true').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...body('hotel'), uri: '/api/dev/credentials/sites/hotel' });
    expect(res.text).toBe(JSON.stringify(res.body, null, 4));
  });

  it('answers 404 for a site without credentials and for an unknown site', async () => {
    const u = await h.createUser();
    for (const id of ['hotel', 'nowhere']) {
      const res = await h.http().get(`/api/dev/credentials/sites/${id}`).auth(...u.basic);
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('not_found');
    }
  });

  it('adds the site’s key pairs as available_keys with ?details=true, on the list and on one', async () => {
    const u = await f.createUser();
    await create(f, u, body('hotel')).expect(201);
    const list = await f.http().get('/api/dev/credentials/sites?details=true').auth(...u.basic);
    expect(list.body).toEqual([{ ...body('hotel'), available_keys: ['phantom_ssh_key', 'default'], uri: '/api/dev/credentials/sites/hotel' }]);
    const one = await f.http().get('/api/dev/credentials/sites/hotel?details=true').auth(...u.basic);
    expect(one.status).toBe(200);
    expect(one.body.available_keys).toEqual(['phantom_ssh_key', 'default']);
    const plain = await f.http().get('/api/dev/credentials/sites/hotel').auth(...u.basic);
    expect(plain.body).not.toHaveProperty('available_keys');
  });

  it('gives available_keys [] for a failing site or rejected credentials, never failing the request', async () => {
    const u = await f.createUser();
    await create(f, u, body('broken')).expect(201);
    await create(f, u, body('hotel', { access_key: 'invalid' })).expect(201);
    const res = await f.http().get('/api/dev/credentials/sites?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body.map((c: { id: string; available_keys: string[] }) => [c.id, c.available_keys])).toEqual([
      ['broken', []],
      ['hotel', []],
    ]);
  });

  it('gives available_keys [] when the site does not answer in time', async () => {
    const s = scriptedApp(h, { stuck: { hang: true }, quick: { keys: ['k1'] } }, 100);
    const u = await h.createUser();
    for (const id of ['stuck', 'quick']) {
      await s.http().post('/api/dev/credentials/sites').auth(...u.basic).send(body(id)).expect(201);
    }
    const res = await s.http().get('/api/dev/credentials/sites?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body.map((c: { available_keys: string[] }) => c.available_keys)).toEqual([['k1'], []]);
  });
});

describe('updating site credentials', () => {
  it('replaces them with PUT: 200, Location, the new body, and the new secrets stored encrypted', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const update = { id: 'hotel', access_key: 'updated_access', secret_key: 'updated_secret', key_name: 'other_key' };
    const res = await h.http().put('/api/dev/credentials/sites/hotel').auth(...u.basic).send(update);
    expect(res.status).toBe(200);
    expect(res.headers.location).toBe('/api/dev/credentials/sites/hotel');
    expect(res.body).toEqual({ ...update, uri: '/api/dev/credentials/sites/hotel' });
    const row = await storedRow(h, u.id, 'hotel');
    if (!row) throw new Error('row missing');
    expect(row.accessKey).not.toContain('updated_access');
    expect(h.container.secretBox.open(row.accessKey)).toBe('updated_access');
    expect(h.container.secretBox.open(row.secretKey)).toBe('updated_secret');
    expect(row.keyName).toBe('other_key');
  });

  it('accepts a body without id, and form fields', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const res = await h
      .http()
      .put('/api/dev/credentials/sites/hotel')
      .auth(...u.basic)
      .type('form')
      .send({ access_key: 'a2', secret_key: 's2', key_name: 'k2' });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe('hotel');
  });

  it('rejects a body whose id differs from the URL’s, keeping what was stored', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const res = await h.http().put('/api/dev/credentials/sites/hotel').auth(...u.basic).send(body('sierra'));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'id', message: 'must match the id in the URL (hotel); ids cannot be changed' }]);
    const row = await storedRow(h, u.id, 'hotel');
    expect(h.container.secretBox.open(row?.accessKey ?? '')).toBe('hotel_access_key_id');
    expect(await storedRow(h, u.id, 'sierra')).toBeNull();
  });

  it('names every bad field of a PUT body', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const res = await h.http().put('/api/dev/credentials/sites/hotel').auth(...u.basic).send({ access_key: '', key_name: 5 });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { field: string }) => d.field)).toEqual(['access_key', 'secret_key', 'key_name']);
  });

  it('answers a PUT for credentials that do not exist with 404', async () => {
    const u = await h.createUser();
    const res = await h.http().put('/api/dev/credentials/sites/hotel').auth(...u.basic).send(body('hotel'));
    expect(res.status).toBe(404);
    expect(await storedRow(h, u.id, 'hotel')).toBeNull();
  });
});

describe('deleting site credentials', () => {
  it('deletes them with 204 and removes the row', async () => {
    const u = await h.createUser();
    await create(h, u, body('hotel')).expect(201);
    const res = await h.http().delete('/api/dev/credentials/sites/hotel').auth(...u.basic);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await storedRow(h, u.id, 'hotel')).toBeNull();
    expect((await h.http().get('/api/dev/credentials/sites/hotel').auth(...u.basic)).status).toBe(404);
  });

  it('refuses with 409 naming the domain while the user has live VMs on that site, and allows it once they end', async () => {
    const u = await h.createUser();
    await create(h, u, body('sierra')).expect(201);
    const domain = await createDomain(h, u);
    const instance = await insertInstance(h, domain.id, { lifecycleState: 600 }); // on sierra
    const refused = await h.http().delete('/api/dev/credentials/sites/sierra').auth(...u.basic);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain(domain.name);
    expect(await storedRow(h, u.id, 'sierra')).not.toBeNull();
    await h.container.db.instance.update({ where: { id: instance }, data: { lifecycleState: 800 } });
    expect((await h.http().delete('/api/dev/credentials/sites/sierra').auth(...u.basic)).status).toBe(204);
  });

  it('answers ids no site can have with 404 for every verb, never 500', async () => {
    const u = await h.createUser();
    for (const id of ['a%01b', 'x'.repeat(200), '-starts-with-dash']) {
      const path = `/api/dev/credentials/sites/${id}`;
      expect((await h.http().get(path).auth(...u.basic)).status).toBe(404);
      expect((await h.http().put(path).auth(...u.basic).send(body('hotel', { id: undefined }))).status).toBe(404);
      expect((await h.http().delete(path).auth(...u.basic)).status).toBe(404);
    }
  });

  it('answers a DELETE for credentials that do not exist with 404', async () => {
    const u = await h.createUser();
    const res = await h.http().delete('/api/dev/credentials/sites/hotel').auth(...u.basic);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });

  it('answers an unsupported method with 405', async () => {
    const u = await h.createUser();
    expect((await h.http().patch('/api/dev/credentials/sites/hotel').auth(...u.basic)).status).toBe(405);
    expect((await h.http().delete('/api/dev/credentials/sites').auth(...u.basic)).status).toBe(405);
    expect((await h.http().get('/api/dev/sites/credentials').auth(...u.basic)).status).toBe(405);
  });
});

describe('privacy of site credentials', () => {
  it('hides one user’s credentials from another for every verb', async () => {
    const owner = await h.createUser('owner');
    const other = await h.createUser('other');
    await create(h, owner, body('hotel')).expect(201);

    const list = await h.http().get('/api/dev/credentials/sites?details=true').auth(...other.basic);
    expect(list.body).toEqual([]);
    expect((await h.http().get('/api/dev/credentials/sites/hotel').auth(...other.basic)).status).toBe(404);
    expect((await h.http().put('/api/dev/credentials/sites/hotel').auth(...other.basic).send(body('hotel', { access_key: 'stolen' }))).status).toBe(404);
    expect((await h.http().delete('/api/dev/credentials/sites/hotel').auth(...other.basic)).status).toBe(404);

    const row = await storedRow(h, owner.id, 'hotel');
    expect(h.container.secretBox.open(row?.accessKey ?? '')).toBe('hotel_access_key_id');
    expect(await storedRow(h, other.id, 'hotel')).toBeNull();
  });

  it('lets another user save credentials for the same site (no 409 across users)', async () => {
    const a = await h.createUser();
    const b = await h.createUser();
    await create(h, a, body('hotel')).expect(201);
    const res = await create(h, b, body('hotel', { access_key: 'b-key' }));
    expect(res.status).toBe(201);
    const ofA = await h.http().get('/api/dev/credentials/sites/hotel').auth(...a.basic);
    expect(ofA.body.access_key).toBe('hotel_access_key_id');
  });
});
