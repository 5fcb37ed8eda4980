import { createHarness, type Harness, type TestUser } from '../helpers/harness';
import { scriptedApp } from '../helpers/scripted-driver';
import { sitesFileEnv } from '../helpers/sites-file';

const TYPES = ['m1.small', 'm1.large', 'm1.xlarge'];

let h: Harness; // the built-in sites
let f: Harness; // an operator's sites file: a healthy site and one whose API always fails
beforeAll(async () => {
  h = await createHarness();
  f = await createHarness(
    sitesFileEnv([
      { id: 'hotel', options: { public_images: ['hello-cloud', 'ubuntu-24.04'] } },
      { id: 'broken', options: { api_error_rate: 1 } },
      { id: 'sierra', options: { public_images: ['sierra-image'] } },
    ]),
  );
});
afterAll(async () => {
  await h.close();
  await f.close();
});

async function saveCredentials(harness: Harness, u: TestUser, siteId: string, accessKey = `ak-${siteId}`): Promise<void> {
  await harness
    .http()
    .post('/api/dev/credentials/sites')
    .auth(...u.basic)
    .send({ id: siteId, access_key: accessKey, secret_key: 'sk', key_name: 'phantom_ssh_key' })
    .expect(201);
}

describe('GET /api/dev/sites', () => {
  it('lists the built-in sites with the fields the spec shows', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/sites').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.body).toEqual(
      ['hotel', 'sierra'].map((id) => ({
        id,
        credentials: `/api/dev/credentials/sites/${id}`,
        instance_types: TYPES,
        uri: `/api/dev/sites/${id}`,
      })),
    );
  });

  it('lists the sites of the operator’s sites file in its order', async () => {
    const u = await f.createUser();
    const res = await f.http().get('/api/dev/sites').auth(...u.basic);
    expect(res.body.map((s: { id: string }) => s.id)).toEqual(['hotel', 'broken', 'sierra']);
    expect(res.body[0].instance_types).toEqual(['m1.small', 'm1.large']);
  });

  it('indents by 4 spaces with ?pretty=true', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/sites?pretty=true').auth(...u.basic);
    expect(res.text).toBe(JSON.stringify(res.body, null, 4));
    expect(res.text).toContain('\n    {');
  });

  it('requires authentication', async () => {
    const res = await h.http().get('/api/dev/sites');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('unauthorized');
  });

  it('answers another method with 405', async () => {
    const u = await h.createUser();
    const res = await h.http().post('/api/dev/sites').auth(...u.basic).send({ id: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('adds empty image lists with ?details=true when the caller has no credentials', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/sites?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    for (const site of res.body) {
      expect(site).toMatchObject({ public_images: [], user_images: [] });
    }
  });

  it('adds the images of each site the caller has credentials for, in the spec’s key order', async () => {
    const u = await h.createUser();
    await saveCredentials(h, u, 'hotel');
    const res = await h.http().get('/api/dev/sites?details=TRUE').auth(...u.basic);
    const [hotel, sierra] = res.body;
    expect(Object.keys(hotel)).toEqual(['id', 'credentials', 'instance_types', 'public_images', 'user_images', 'uri']);
    expect(hotel.public_images).toEqual(expect.arrayContaining(['hello-cloud']));
    expect(hotel.user_images).toEqual(expect.any(Array));
    expect(sierra).toMatchObject({ public_images: [], user_images: [] });
  });

  it('gives [] for a site whose driver fails and still serves the others', async () => {
    const u = await f.createUser();
    for (const id of ['hotel', 'broken', 'sierra']) await saveCredentials(f, u, id);
    const res = await f.http().get('/api/dev/sites?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.map((s: { id: string }) => [s.id, s]));
    expect(byId.hotel.public_images).toEqual(['hello-cloud', 'ubuntu-24.04']);
    expect(byId.broken).toMatchObject({ public_images: [], user_images: [] });
    expect(byId.sierra.public_images).toEqual(['sierra-image']);
  });

  it('gives [] for a site that rejects the caller’s credentials', async () => {
    const u = await f.createUser();
    await saveCredentials(f, u, 'hotel', 'invalid');
    await saveCredentials(f, u, 'sierra');
    const res = await f.http().get('/api/dev/sites?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body[0]).toMatchObject({ id: 'hotel', public_images: [], user_images: [] });
    expect(res.body[2]).toMatchObject({ id: 'sierra', public_images: ['sierra-image'] });
  });

  it('leaves the details out unless details is "true"', async () => {
    const u = await h.createUser();
    for (const value of ['false', '1', 'yes', '']) {
      const res = await h.http().get(`/api/dev/sites?details=${value}`).auth(...u.basic);
      expect(res.status).toBe(200);
      expect(res.body[0]).not.toHaveProperty('public_images');
    }
  });

  it('queries each site with the caller’s own credentials', async () => {
    const s = scriptedApp(h, { alpha: {}, beta: {} }, 1000);
    const a = await h.createUser();
    const b = await h.createUser();
    for (const site of ['alpha', 'beta']) {
      await s.http().post('/api/dev/credentials/sites').auth(...a.basic).send({ id: site, access_key: `a-${site}`, secret_key: 's', key_name: 'k' }).expect(201);
    }
    await s.http().post('/api/dev/credentials/sites').auth(...b.basic).send({ id: 'alpha', access_key: 'b-alpha', secret_key: 's', key_name: 'k' }).expect(201);
    const ofA = await s.http().get('/api/dev/sites?details=true').auth(...a.basic);
    expect(ofA.body.map((x: { user_images: string[] }) => x.user_images)).toEqual([['image-of-a-alpha'], ['image-of-a-beta']]);
    const ofB = await s.http().get('/api/dev/sites?details=true').auth(...b.basic);
    expect(ofB.body.map((x: { user_images: string[] }) => x.user_images)).toEqual([['image-of-b-alpha'], []]);
  });

  it('queries all sites at once and bounds each by the timeout', async () => {
    const s = scriptedApp(h, { one: { delayMs: 100 }, two: { delayMs: 100 }, stuck: { hang: true }, three: { delayMs: 100 } }, 300);
    const u = await h.createUser();
    for (const site of ['one', 'two', 'stuck', 'three']) {
      await s.http().post('/api/dev/credentials/sites').auth(...u.basic).send({ id: site, access_key: 'ak', secret_key: 's', key_name: 'k' }).expect(201);
    }
    const started = Date.now();
    const res = await s.http().get('/api/dev/sites?details=true').auth(...u.basic);
    const elapsed = Date.now() - started;
    expect(res.status).toBe(200);
    expect(s.concurrency.max).toBe(3); // the three answering sites were in flight together
    expect(res.body.find((x: { id: string }) => x.id === 'stuck')).toMatchObject({ public_images: [], user_images: [] });
    expect(res.body.find((x: { id: string }) => x.id === 'one')).toMatchObject({ public_images: ['public-image'] });
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('GET /api/dev/sites/{id}', () => {
  it('returns one site with the fields the spec shows', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/sites/hotel').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 'hotel', instance_types: TYPES, credentials: '/api/dev/credentials/sites/hotel', uri: '/api/dev/sites/hotel' });
  });

  it('answers an unknown site with a 404 JSON error', async () => {
    const u = await h.createUser();
    const res = await h.http().get('/api/dev/sites/nowhere').auth(...u.basic);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ success: false, code: 'not_found', message: expect.stringContaining('nowhere') });
  });

  it('returns the real image lists with ?details=true (the original returned empty ones)', async () => {
    const u = await f.createUser();
    await saveCredentials(f, u, 'hotel');
    const res = await f.http().get('/api/dev/sites/hotel?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'hotel', public_images: ['hello-cloud', 'ubuntu-24.04'], user_images: expect.any(Array) });
  });

  it('gives [] with ?details=true for a failing site or a caller without credentials', async () => {
    const u = await f.createUser();
    await saveCredentials(f, u, 'broken');
    const broken = await f.http().get('/api/dev/sites/broken?details=true').auth(...u.basic);
    expect(broken.status).toBe(200);
    expect(broken.body).toMatchObject({ public_images: [], user_images: [] });
    const none = await f.http().get('/api/dev/sites/sierra?details=true').auth(...u.basic);
    expect(none.body).toMatchObject({ public_images: [], user_images: [] });
  });

  it('gives [] with ?details=true when the site does not answer in time', async () => {
    const s = scriptedApp(h, { stuck: { hang: true } }, 100);
    const u = await h.createUser();
    await s.http().post('/api/dev/credentials/sites').auth(...u.basic).send({ id: 'stuck', access_key: 'ak', secret_key: 's', key_name: 'k' }).expect(201);
    const res = await s.http().get('/api/dev/sites/stuck?details=true').auth(...u.basic);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: 'stuck', public_images: [], user_images: [] });
  });

  it('answers another method with 405', async () => {
    const u = await h.createUser();
    const res = await h.http().delete('/api/dev/sites/hotel').auth(...u.basic);
    expect(res.status).toBe(405);
  });
});
